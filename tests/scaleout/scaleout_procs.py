"""Starting app processes for the scale-out tests (free ports, wait for health, stop)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from scaleout_support import free_port

HERE = Path(__file__).resolve().parent


class App:
    """`scaleout_app.py` (or another script) serving on a free loopback port."""

    def __init__(self, env: dict[str, str], *, script: str = "scaleout_app.py",
                 args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        outer = os.environ.get("PYTHONPATH", "")
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
            prefix="haira-scaleout-", suffix=".log", delete=False
        )
        full = {
            **os.environ,
            "PYTHONPATH": str(HERE) + (os.pathsep + outer if outer else ""),
            "HAIRA_HOST": "127.0.0.1",
            "HAIRA_PORT": str(self.port),
            "HAIRA_QUIET": "1",
            "OPENAI_API_KEY": "sk-test",
            **env,
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / script), *args],
            env=full, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 40
        while True:
            try:
                if httpx.get(self.url("/_api/health"), timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.output()
                self.stop()
                raise RuntimeError(f"app did not start:\n{out}")
            time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        path = Path(self.log.name)
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        with_path = Path(self.log.name)
        if with_path.exists():
            with_path.unlink()
