"""A real compiled Haira app (`hairac run tests/hostile/data/app.haira`) on loopback, talking
to the fake LLM server, with its stdout/stderr captured so tests can grep them for secrets.

    with hostile_app(tmp_path) as app:
        r = app.post("/api/stream", {"message": "hi", "session_id": "s"})
        app.fake.script(error(503))
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from haira.testing import FakeLLM

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).resolve().parent / "data" / "app.haira"
HAIRAC = Path(sys.executable).with_name("hairac")

# Secrets the app is given; no byte of them may leave the process (responses, logs).
API_KEY = "sk-hostile-APIKEY-7f3a9c1e5b2d4086"
AUTH_TOKEN = "tok-hostile-AUTH-94be21c7d03f5a68"
SECRETS = (API_KEY, AUTH_TOKEN, API_KEY[10:], AUTH_TOKEN[12:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class App:
    proc: subprocess.Popen[bytes]
    port: int
    fake: FakeLLM
    out_path: Path
    err_path: Path
    bodies: list[bytes]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {AUTH_TOKEN}"}

    def client(self, timeout: float = 20.0) -> httpx.Client:
        return httpx.Client(base_url=self.url(""), headers=self.auth, timeout=timeout)

    def post(self, path: str, body: object, *, accept: str = "text/event-stream",
             timeout: float = 20.0) -> httpx.Response:
        r = httpx.post(self.url(path), json=body, headers={**self.auth, "Accept": accept}, timeout=timeout)
        self.bodies.append(r.content)
        return r

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def logs(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def assert_no_secrets(self) -> None:
        texts = [self.logs(), *(b.decode("utf-8", "replace") for b in self.bodies)]
        for text in texts:
            for secret in SECRETS:
                assert secret not in text, f"secret leaked: {text[:2000]}"
        assert "Traceback" not in self.logs(), self.logs()[-4000:]


@contextlib.contextmanager
def hostile_app(tmp: Path, source: Path = APP, **env: str) -> Iterator[App]:
    """Compile and start the app against a fresh fake LLM; stop both afterwards."""
    with FakeLLM() as fake:
        port = free_port()
        full = {
            **os.environ,
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": fake.openai_base,
            "HAIRA_AUTH_TOKEN": AUTH_TOKEN,
            "HAIRA_PORT": str(port),
            "HAIRA_HOST": "127.0.0.1",
            "HAIRA_DATABASE_URL": str(tmp / "hostile.haira.db"),
            "HAIRA_CACHE_DIR": str(tmp / "cache"),
            "HAIRA_NO_UI": "1",
            "HAIRA_LLM_CONNECT_TIMEOUT": "2",
            "HAIRA_LLM_FIRST_TOKEN_TIMEOUT": "1.5",
            "HAIRA_LLM_IDLE_TIMEOUT": "1.5",
            "HAIRA_LLM_TOTAL_TIMEOUT": "8",
            "HAIRA_LLM_MAX_RETRIES": "2",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        full.pop("HAIRA_PROVIDER", None)
        out_path, err_path = tmp / "app.stdout", tmp / "app.stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([str(HAIRAC), "run", str(source)], env=full, stdout=out, stderr=err,
                                    cwd=tmp)
        app = App(proc, port, fake, out_path, err_path, [])
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"app exited {proc.returncode}: {app.logs()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(app.url("/_api/health"), headers=app.auth, timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"app did not start: {app.logs()[-3000:]}")
                time.sleep(0.1)
            yield app
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


def sse_events(body: bytes) -> list[tuple[str, str]]:
    """(event name or "message", data) for each event of an SSE body."""
    out: list[tuple[str, str]] = []
    for block in body.decode("utf-8").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            out.append((name, "\n".join(data)))
    return out
