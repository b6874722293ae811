"""Starting, watching and stopping the processes a benchmark needs (all on 127.0.0.1).

Every process is started in its own session so that stopping it also stops what it
started (`hairac run` runs the generated program as a child); stopping is by that
process group's id only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["LOOPBACK", "LoadGen", "Server", "free_port", "run_loadgen", "tree_rss", "wait_port"]

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait until something accepts connections on `port`; fail early if `proc` died."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with status {proc.returncode} before listening")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"not listening on port {port} after {timeout:.0f} s")


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _tree(pid: int) -> list[int]:
    kids = _children()
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of `pid` and all its descendants."""
    total = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Server:
    """A server process on a free loopback port; a context manager that always stops it."""

    def __init__(self, name: str, argv: list[str], *, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None, port: int | None = None, log_dir: Path,
                 ready_timeout: float = 60.0) -> None:
        self.name = name
        self.port = port if port is not None else free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env = {k: v.replace("{port}", str(self.port)) for k, v in self.env.items()}
        self.cwd = cwd or ROOT
        self.log_path = log_dir / f"{name}.log"
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> Server:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            wait_port(self.port, self.proc, self.ready_timeout)
        except RuntimeError as exc:
            self.stop()
            tail = self.log_tail()
            raise RuntimeError(f"{self.name}: {exc}\n{tail}") from None
        return self

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def rss(self) -> int:
        return tree_rss(self.pid)

    def cpu(self) -> float:
        return tree_cpu(self.pid)

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        self.proc = None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10.0)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5.0)
        # Anything left in the group (a child of `hairac run`) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def started(*servers: Server) -> Iterator[tuple[Server, ...]]:
    done: list[Server] = []
    try:
        for s in servers:
            done.append(s.start())
        yield servers
    finally:
        for s in reversed(done):
            s.stop()


class LoadGen:
    """One load generator process; its result comes back through a JSON file."""

    _seq = 0

    def __init__(self, spec: dict[str, Any], work: Path) -> None:
        LoadGen._seq += 1
        self.out = work / f"loadgen-{os.getpid()}-{LoadGen._seq}.json"
        self.err = work / f"loadgen-{os.getpid()}-{LoadGen._seq}.err"
        self.out.unlink(missing_ok=True)
        with self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.suite.loadgen", json.dumps({**spec, "out": str(self.out)})],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)

    def running(self) -> bool:
        return self.proc.poll() is None

    def opened(self) -> bool:
        """A `hold` generator has every stream delivering (it wrote `<out>.open`)."""
        return Path(str(self.out) + ".open").exists()

    def result(self, timeout: float) -> dict[str, Any]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise RuntimeError(f"load generator did not finish within {timeout:.0f} s") from None
        if self.proc.returncode != 0:
            lines = self.err.read_text(errors="replace").strip().splitlines()
            raise RuntimeError(f"load generator failed: {lines[-1] if lines else self.proc.returncode}")
        result: dict[str, Any] = json.loads(self.out.read_text())
        self.out.unlink(missing_ok=True)
        Path(str(self.out) + ".open").unlink(missing_ok=True)
        self.err.unlink(missing_ok=True)
        return result


def run_loadgen(spec: dict[str, Any], work: Path, timeout: float) -> dict[str, Any]:
    return LoadGen(spec, work).result(timeout)
