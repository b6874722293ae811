"""The servers under test and how to start each one.

* `compiled`: the program built by `hairac compile`, installed offline into a fresh venv
  and run as `python -m <name>` (native app module + the runtime's compiled hot path);
* `run`: the same program under `hairac run` (generated Python, interpreted);
* `fastapi`: the FastAPI + sse-starlette + httpx peer (benchmarks/peers/fastapi_peer.py);
* `floor`: the raw ASGI byte pass-through (benchmarks/peers/asgi_floor.py);
* `direct`: no server in between, the client talks to the fake LLM server itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.suite.procs import LOOPBACK, ROOT, Server

__all__ = ["AppBuild", "Target", "build_app", "fake_server", "peer", "token_text"]

VENV_BIN = Path(sys.executable).parent
HAIRAC = str(VENV_BIN / "hairac")
STREAM_BODY = {"message": "Tell me a story {i}", "session_id": "bench-{i}"}
DIRECT_BODY = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]}


def token_text(n: int) -> str:
    """Text the fake server and the mock provider split into exactly `n` word tokens."""
    vocab = [" the", " cat", " sat", " on", " a", " mat", " and", " then", " it", " ran", " off"]
    return "".join(vocab[i % len(vocab)] for i in range(n)).lstrip()


@dataclass
class Target:
    """A server under test: how to start it and where its streaming route is."""

    name: str
    label: str
    start: Callable[[dict[str, str]], Server]
    path: str = "/api/stream"
    body: dict[str, object] = field(default_factory=lambda: dict(STREAM_BODY))


def fake_server(log_dir: Path, *, reply: str, token_rate: float = 0.0) -> Server:
    # argv holds the reply: keep it under Linux's 128 KiB per argument.
    if len(reply.encode()) > 120_000:
        raise ValueError("reply text too long for the fake server's --reply")
    argv = [sys.executable, "-m", "haira.testing.fake_openai", "--host", LOOPBACK, "--port", "{port}",
            "--reply", reply, "--token-rate", str(token_rate)]
    return Server("fake-openai", argv, log_dir=log_dir, ready_timeout=30.0)


def peer(kind: str, log_dir: Path) -> Target:
    module = {"fastapi": "benchmarks.peers.fastapi_peer:app", "floor": "benchmarks.peers.asgi_floor:app"}[kind]
    label = {"fastapi": "FastAPI + sse-starlette + httpx", "floor": "raw ASGI pass-through (floor)"}[kind]

    def start(env: dict[str, str]) -> Server:
        # Same server stack as Haira's (uvicorn with uvloop and httptools), one worker.
        argv = [sys.executable, "-m", "uvicorn", module, "--host", LOOPBACK, "--port", "{port}",
                "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log"]
        full = {"OPENAI_API_KEY": "bench-key", **env}
        return Server(kind, argv, env=full, log_dir=log_dir).start()

    return Target(kind, label, start)


def _app_env(work: Path) -> dict[str, str]:
    return {"HAIRA_HOST": LOOPBACK, "HAIRA_PORT": "{port}", "HAIRA_NO_UI": "1", "HAIRA_QUIET": "1",
            "OPENAI_API_KEY": "bench-key", "HAIRA_DATABASE_URL": f"sqlite:///{work}/haira-{{port}}.db"}


@dataclass
class AppBuild:
    """A Haira program made ready both ways: `hairac run` and the compiled wheel."""

    source: Path
    work: Path
    log_dir: Path
    package: str = ""
    python: Path | None = None  # the venv the compiled wheel is installed in
    compile_seconds: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)

    def _server(self, name: str, argv: list[str], env: dict[str, str]) -> Server:
        full = _app_env(self.work)
        full.update(env)
        cwd = self.work / name
        cwd.mkdir(parents=True, exist_ok=True)
        return Server(f"{name}-{self.source.stem}", argv, env=full, cwd=cwd, log_dir=self.log_dir,
                      ready_timeout=120.0).start()

    def targets(self, wanted: list[str]) -> list[Target]:
        out: list[Target] = []
        if self.python is not None and (not wanted or "compiled" in wanted):
            py = str(self.python)
            out.append(Target("compiled", "Haira, compiled (hairac compile)",
                              lambda env: self._server("compiled", [py, "-m", self.package], env)))
        if "run" not in self.errors and (not wanted or "run" in wanted):
            src = str(self.source)
            out.append(Target("run", "Haira, hairac run",
                              lambda env: self._server("run", [HAIRAC, "run", src], env)))
        return out


def _hairac_has(command: str) -> bool:
    return (ROOT / "hairac" / "commands" / f"{command}.py").exists()


def build_app(source: Path, work: Path, log_dir: Path, *, compiled: bool = True) -> AppBuild:
    """Check that `hairac run` exists and, when asked, compile and install the wheel."""
    build = AppBuild(source.resolve(), work, log_dir)
    work.mkdir(parents=True, exist_ok=True)
    if not _hairac_has("run"):
        build.errors["run"] = "hairac run is not available in this checkout yet"
    if not compiled:
        build.errors["compiled"] = "not requested"
        return build
    if not _hairac_has("compile"):
        build.errors["compiled"] = "hairac compile is not available in this checkout yet"
        return build
    dist = work / f"dist-{source.stem}"
    shutil.rmtree(dist, ignore_errors=True)
    log = log_dir / f"compile-{source.stem}.log"
    t0 = time.perf_counter()
    with log.open("wb") as fh:
        rc = subprocess.call([HAIRAC, "compile", str(build.source), "-o", str(dist), "--name", source.stem],
                             cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             timeout=900)
    build.compile_seconds = time.perf_counter() - t0
    wheels = sorted(dist.glob(f"{source.stem}-*.whl"))
    if rc != 0 or not wheels:
        build.errors["compiled"] = f"hairac compile failed (status {rc}); see {log.name}"
        return build
    venv = work / f"venv-{source.stem}"
    shutil.rmtree(venv, ignore_errors=True)
    with log.open("ab") as fh:
        rc = subprocess.call([sys.executable, "-m", "venv", str(venv)], stdout=fh, stderr=subprocess.STDOUT)
        if rc == 0:
            rc = subprocess.call([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                  "--disable-pip-version-check", "--no-index", "--find-links", str(dist),
                                  str(wheels[-1])], stdout=fh, stderr=subprocess.STDOUT,
                                 env={**os.environ, "PIP_NO_WARN_SCRIPT_LOCATION": "1"}, timeout=600)
    if rc != 0:
        build.errors["compiled"] = f"installing the wheel failed (status {rc}); see {log.name}"
        return build
    build.package = source.stem
    build.python = venv / "bin" / "python"
    return build
