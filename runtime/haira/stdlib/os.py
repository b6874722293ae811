"""Haira `os`: process, environment and shell access (language.md §6.12).

    out, err = os.exec("echo hi")        # ("hi\n", None); a non-zero exit gives "exit status N"
    os.safe_exec("sudo rm -rf x", 5)     # ("", 'blocked: command contains dangerous pattern "sudo rm"')
"""

from __future__ import annotations

import os as _os
import platform as _platform
import socket as _socket
import subprocess as _subprocess
import sys as _sys
import tempfile as _tempfile
from typing import NoReturn

from haira.errors import HairaError

__all__ = [
    "arch",
    "args",
    "chdir",
    "cwd",
    "environ",
    "exec_",
    "exec_timeout",
    "exit",
    "getenv",
    "hostname",
    "platform",
    "safe_exec",
    "setenv",
    "temp_dir",
]

_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "armv7l": "arm",
    "armv6l": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}

_BLOCKED = (
    "rm -rf /",
    "sudo rm",
    "chmod 777",
    "mkfs",
    "> /dev/",
    "dd if=",
    "format c:",
    ":(){ :|:& };:",
)


def cwd() -> str:
    """The working directory."""
    return _os.getcwd()


def _run(cmd: str, timeout: float | None) -> tuple[str, HairaError | None]:
    _sys.stdout.flush()
    try:
        proc = _subprocess.run(
            ["/bin/sh", "-c", cmd],
            stdout=_subprocess.PIPE,
            stderr=_subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except _subprocess.TimeoutExpired as exc:
        out = exc.output or b""
        return out.decode("utf-8", "surrogateescape"), HairaError("signal: killed")
    except OSError as exc:
        return "", HairaError(f"exec: {exc.strerror or exc}")
    text = proc.stdout.decode("utf-8", "surrogateescape")
    if proc.returncode < 0:
        import signal

        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return text, HairaError(f"signal: {_signal_text(name)}")
    if proc.returncode != 0:
        return text, HairaError(f"exit status {proc.returncode}")
    return text, None


def _signal_text(name: str) -> str:
    return {"SIGKILL": "killed", "SIGTERM": "terminated", "SIGINT": "interrupt"}.get(
        name, name.lower()
    )


def exec_(cmd: str) -> tuple[str, HairaError | None]:
    """Run `cmd` with /bin/sh -c; (combined stdout+stderr, error)."""
    return _run(cmd, None)


def exec_timeout(cmd: str, secs: object) -> tuple[str, HairaError | None]:
    """`exec` killed after `secs` seconds."""
    limit = float(secs) if isinstance(secs, int | float) and not isinstance(secs, bool) else 0.0
    return _run(cmd, limit if limit > 0 else None)


def safe_exec(cmd: str, secs: object) -> tuple[str, HairaError | None]:
    """`exec_timeout` refusing dangerous commands; secs <= 0 means 30."""
    for pattern in _BLOCKED:
        if pattern in cmd:
            return "", HairaError(f'blocked: command contains dangerous pattern "{pattern}"')
    limit = float(secs) if isinstance(secs, int | float) and not isinstance(secs, bool) else 0.0
    return _run(cmd, limit if limit > 0 else 30.0)


def arch() -> str:
    """GOARCH spelling of the machine (amd64, arm64, …)."""
    m = _platform.machine().lower()
    return _ARCH.get(m, m)


def platform() -> str:
    """GOOS spelling of the system (linux, darwin, windows)."""
    p = _sys.platform
    if p.startswith("linux"):
        return "linux"
    if p == "darwin":
        return "darwin"
    if p in ("win32", "cygwin"):
        return "windows"
    return p


def hostname() -> str:
    """The host name."""
    return _socket.gethostname()


def exit(code: int) -> NoReturn:  # noqa: A001
    """Exit immediately with `code`; deferred calls do not run (Go `os.Exit`)."""
    try:
        _sys.stdout.flush()
        _sys.stderr.flush()
    finally:
        _os._exit(code)


def args() -> list[str]:
    """The program's arguments, without the program name."""
    return list(_sys.argv[1:])


def getenv(key: str) -> str:
    """The variable's value, "" when unset."""
    return _os.environ.get(key, "")


def setenv(key: str, value: str) -> HairaError | None:
    """Set an environment variable."""
    if key == "" or "=" in key or "\x00" in key or "\x00" in value:
        return HairaError("setenv: invalid argument")
    _os.environ[key] = value
    return None


def environ() -> dict[str, str]:
    """All environment variables."""
    return dict(_os.environ)


def chdir(d: str) -> HairaError | None:
    """Change the working directory."""
    try:
        _os.chdir(d)
    except OSError as exc:
        from haira.stdlib.fs import os_error

        return os_error("chdir", d, exc)
    return None


def temp_dir() -> str:
    """The system temporary directory."""
    return _tempfile.gettempdir()


# Haira spells it `os.exec`; `exec` is not a Python keyword, so both names exist.
exec = exec_  # noqa: A001
