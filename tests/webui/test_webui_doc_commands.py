"""The documentation page's two commands, verbatim but for the ports, in a real browser:

    haira run app.haira                         # examples/streaming_chat.haira
    haira webui -c localhost:8080 -p 3000

"The chat UI supports: real-time token streaming, session management, message history
display." The model is the fake OpenAI server behind the real provider client.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from haira.testing import FakeLLM, endless, reply
from webui_support import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webui-browser")]

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "streaming_chat.haira"
HAIRA = Path(sys.executable).parent / "haira"
STORY = " ".join(f"word{i}" for i in range(60))
Page = Any


def _wait_http(url: str, proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with FakeLLM(token_rate=40) as server:
        yield server


@pytest.fixture(scope="module")
def ui_url(fake: FakeLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not EXAMPLE.is_file():
        pytest.skip("examples/streaming_chat.haira is not there")
    workdir = tmp_path_factory.mktemp("doc-commands")
    app_port, ui_port = free_port(), free_port()
    env = {
        **os.environ,
        "HAIRA_PORT": str(app_port),
        "OPENAI_BASE_URL": fake.openai_base,
        "OPENAI_API_KEY": "sk-webui-doc-test",
    }
    for var in ("HAIRA_PROVIDER", "HAIRA_DATABASE_URL", "HAIRA_AUTH_TOKEN", "HAIRA_NO_UI"):
        env.pop(var, None)
    app = subprocess.Popen(
        [str(HAIRA), "run", str(EXAMPLE)], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    webui = None
    try:
        _wait_http(f"http://127.0.0.1:{app_port}/_api/workflows", app, "haira run")
        webui = subprocess.Popen(
            [str(HAIRA), "webui", "-c", f"localhost:{app_port}", "-p", str(ui_port)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_http(f"http://127.0.0.1:{ui_port}/_ui/", webui, "haira webui")
        yield f"http://localhost:{ui_port}/"
    finally:
        if webui is not None:
            _, err = _stop(webui)
            assert "Traceback" not in err, err
        _, err = _stop(app)
        assert "Traceback" not in err, err


def test_the_documented_chat_ui(page: Page, ui_url: str, fake: FakeLLM, artifacts: Path) -> None:
    fake.reset()
    fake.script(reply(STORY, token_rate=20))
    page.goto(ui_url)
    page.wait_for_selector("#chat-view:not([hidden])")
    assert page.locator("#chat-title").text_content() == "Stream"
    page.fill("#prompt", "Tell me a story")
    page.press("#prompt", "Enter")
    body = "document.querySelector('.msg-assistant .msg-body').textContent"
    # Real-time token streaming: words appear while the reply is still being written.
    page.wait_for_function(f"{body}.includes('word3')")
    assert "word59" not in page.evaluate(body)
    page.wait_for_selector("#send:not([hidden])", timeout=20_000)
    assert page.evaluate(body).strip() == STORY
    # Session management: the chat is listed, and a new one starts empty.
    sid = re.search(r"[#&]s=([^&]+)", page.url).group(1)  # type: ignore[union-attr]
    page.wait_for_selector(f"#chat-list li[data-id='{sid}']")
    page.screenshot(path=str(artifacts / "doc-chat.png"))
    # Message history: a reload shows the conversation again.
    page.reload()
    page.wait_for_selector(".msg-assistant")
    assert page.locator(".msg-user .msg-body").all_text_contents() == ["Tell me a story"]
    assert page.evaluate(body).strip() == STORY
    page.click("#new-chat")
    assert page.locator(".msg").count() == 0
    page.click(f"#chat-list li[data-id='{sid}'] .chat-item")
    page.wait_for_selector(".msg-assistant")
    # Stop closes the model request.
    fake.reset()
    fake.script(endless(token_rate=30))
    page.fill("#prompt", "Go on forever")
    page.press("#prompt", "Enter")
    page.wait_for_function("document.querySelectorAll('.msg-assistant')[1].textContent.includes('and on')")
    page.click("#stop")
    page.wait_for_selector("#send:not([hidden])")
    requests = fake.model_requests()
    deadline = time.monotonic() + 3
    while requests[-1].client_closed_at is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert requests[-1].client_closed_at is not None
    # The second turn carried the first one: the memory is the session's.
    contents = [m.get("content") for m in requests[-1].messages]
    assert "Tell me a story" in contents and "Go on forever" in contents
