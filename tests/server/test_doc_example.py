"""The documentation page's clients, verbatim, against programs run with `haira run`.

* the complete example (`examples/streaming_chat.haira`) served by `haira run`;
* the documented `curl -N` call, verbatim but for the port, streams (no Accept header);
* `Accept: application/json` gives `{"reply": ...}`;
* `new EventSource(...)` in headless Chromium reads `JSON.parse(event.data).content` in
  `onmessage`, receives the whole reply, and the reconnect after the end gets 204 instead of
  starting a second run.

The model is the fake OpenAI server (`haira.testing.FakeLLM`) reached through the real
provider client (`OPENAI_BASE_URL`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from haira.testing import FakeLLM, reply
from server_support import parse_events

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "streaming_chat.haira"
CHAT_DOC = Path(__file__).resolve().parent / "data" / "chat_doc.haira"
HAIRA = Path(sys.executable).parent / "haira"

# The page's curl call, character for character.
DOC_CURL = """curl -N -X POST http://localhost:8080/chat \\
  -H "Content-Type: application/json" \\
  -d '{"message": "Tell me a story", "session_id": "abc"}'"""

STORY = "Once upon a time, a small robot learned to write.\nThe end."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Program:
    """`haira run <file>` in a subprocess, serving on a free port."""

    def __init__(self, source: Path, fake: FakeLLM, workdir: Path) -> None:
        if not source.is_file():
            pytest.skip(f"{source.relative_to(REPO)} is not written yet")
        self.port = _free_port()
        env = {
            **os.environ,
            "HAIRA_PORT": str(self.port),
            "OPENAI_BASE_URL": fake.openai_base,
            "OPENAI_API_KEY": "sk-doc-example-key",
            "HAIRA_DATABASE_URL": str(workdir / "app.db"),
        }
        env.pop("HAIRA_PROVIDER", None)
        self.proc = subprocess.Popen(
            [str(HAIRA), "run", str(source)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{self.port}/_api/health", timeout=0.5)
                if r.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                out, err = self.proc.communicate()
                raise AssertionError(f"`haira run {source.name}` did not serve:\n{out}\n{err}")
            time.sleep(0.1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> tuple[str, str]:
        self.proc.terminate()
        out, err = self.proc.communicate(timeout=20)
        return out, err


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.fixture
def example(fake: FakeLLM, tmp_path: Path) -> Iterator[Program]:
    prog = Program(EXAMPLE, fake, tmp_path)
    yield prog
    out, err = prog.stop()
    assert "Traceback" not in err, err
    assert out.startswith("Server running on :8080\n")


def _curl(command: str, port: int) -> subprocess.CompletedProcess[str]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    # Run by a shell, as a reader pastes it (line continuations and quoting included).
    script = command.replace("localhost:8080", f"localhost:{port}")
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False
    )


def _reply_of(body: str) -> str:
    events = parse_events(body.encode())
    return "".join(
        json.loads(e["data"])["content"] for e in events if "data" in e and "event" not in e
    )


def test_documented_curl_call_streams(fake: FakeLLM, tmp_path: Path) -> None:
    fake.script(reply(STORY))
    prog = Program(CHAT_DOC, fake, tmp_path)
    try:
        done = _curl(DOC_CURL, prog.port)
    finally:
        prog.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("retry: 3000\n\nid: ")
    assert done.stdout.endswith("event: done\ndata: [DONE]\n\n")
    assert _reply_of(done.stdout) == STORY
    sent = fake.requests[0].messages
    assert sent[-1] == {"role": "user", "content": "Tell me a story"}


def test_complete_example_streams_to_curl(example: Program, fake: FakeLLM) -> None:
    fake.script(reply(STORY))
    done = _curl(DOC_CURL.replace("/chat", "/api/stream"), example.port)
    assert done.returncode == 0, done.stderr
    assert _reply_of(done.stdout) == STORY
    events = parse_events(done.stdout.encode())
    assert events[0] == {"retry": "3000"}
    assert events[-1]["event"] == "done" and events[-1]["data"] == "[DONE]"
    system = fake.requests[0].messages[0]
    assert system == {
        "role": "system",
        "content": "You are a creative writer. Write short, engaging responses.",
    }
    assert fake.requests[0].json["temperature"] == 0.9  # type: ignore[index]


def test_complete_example_json_fallback_and_memory(example: Program, fake: FakeLLM) -> None:
    fake.script(reply(STORY), reply("A sequel."))
    r = httpx.post(
        example.url("/api/stream"),
        json={"message": "Tell me a story", "session_id": "abc"},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert r.status_code == 200
    assert r.json()["reply"] == STORY
    r = httpx.post(
        example.url("/api/stream"),
        json={"message": "Another one", "session_id": "abc"},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert r.json()["reply"] == "A sequel."
    # memory: conversation(max_turns: 10) — the second call carries the first exchange.
    roles = [(m["role"], m["content"]) for m in fake.requests[1].messages]
    assert roles[1:] == [
        ("user", "Tell me a story"),
        ("assistant", STORY),
        ("user", "Another one"),
    ]
    chat = httpx.get(example.url("/_api/chats/abc")).json()
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant", "user", "assistant"]


@pytest.mark.browser
def test_complete_example_with_eventsource_in_chromium(example: Program, fake: FakeLLM) -> None:
    from test_browser import CHROMIUM, run_doc_client

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"headless chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    fake.script(reply(STORY), reply("a second run must not happen"))
    with sync_playwright() as pw:
        browser: Any = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True
        )
        try:
            text, state, errors = run_doc_client(
                browser,
                example.url(""),
                "/api/stream?message=Tell%20me%20a%20story&session_id=abc",
            )
        finally:
            browser.close()
    assert text == STORY, (errors, fake.requests)
    assert state == 2  # closed by the 204, not reconnecting
    assert len(fake.requests) == 1, "the reconnect after `done` started a second run"
