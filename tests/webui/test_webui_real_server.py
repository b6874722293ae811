"""The UI against a real `haira.server` process and the fake LLM server, through the proxy.

Chain: chromium -> `haira webui` proxy -> haira.server (tests/webui/real_app.py, its own
process and SQLite file) -> OpenAI provider -> FakeLLM on loopback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from haira.testing import FakeLLM, call, error, reply, tool_calls
from haira.webui.proxy import WebUIProxy
from webui_support import Served, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webui-browser")]

APP = Path(__file__).with_name("real_app.py")
Page = Any



@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def start_app(fake: FakeLLM, workdir: Path, **extra_env: str) -> Iterator[str]:
    """Run real_app.py in its own process and directory; yields its URL."""
    port = free_port()
    env = dict(os.environ, HAIRA_PORT=str(port), HAIRA_HOST="127.0.0.1", FAKE_LLM=fake.openai_base)
    for var in ("HAIRA_DATABASE_URL", "HAIRA_PROVIDER", "HAIRA_AUTH_TOKEN", "HAIRA_NO_UI"):
        env.pop(var, None)
    env.update(extra_env)
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, str(APP)], cwd=workdir, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/_api/health", timeout=1).status_code in (200, 401):
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.close()
            raise RuntimeError("real server did not start: " + (workdir / "server.log").read_text())
        time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def app_server(fake: FakeLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_app(fake, tmp_path_factory.mktemp("real-app"))


@pytest.fixture(scope="module")
def auth_server(fake: FakeLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_app(fake, tmp_path_factory.mktemp("auth-app"), HAIRA_AUTH_TOKEN="s3cret-token")


@pytest.fixture(scope="module")
def real_proxy(app_server: str) -> Iterator[Served]:
    served = Served(WebUIProxy([app_server]))
    yield served
    served.stop()


def open_chat(page: Page, base: str) -> None:
    page.goto(f"{base}/_ui/#wf=%2Fapi%2Fchat")
    page.wait_for_selector("#chat-view:not([hidden])")


def send(page: Page, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


def wait_idle(page: Page) -> None:
    page.wait_for_selector("#send:not([hidden])", timeout=15_000)


def session_of(page: Page) -> str:
    match = re.search(r"[#&]s=([^&]+)", page.url)
    assert match, page.url
    return match.group(1)


def answer_text(page: Page) -> str:
    return page.locator(".msg-assistant .msg-body").last.text_content() or ""


def test_stream_and_stop_closes_the_upstream(page: Page, real_proxy: Served, fake: FakeLLM) -> None:
    fake.reset()
    fake.script(reply(" ".join(f"w{i}" for i in range(300)), token_rate=25))
    open_chat(page, real_proxy.url)
    send(page, "tell me a long story")
    page.wait_for_function("document.querySelector('.msg-assistant .msg-body').textContent.includes('w3')")
    first = answer_text(page)
    page.wait_for_function(
        "n => document.querySelector('.msg-assistant .msg-body').textContent.length > n", arg=len(first)
    )
    assert "w299" not in answer_text(page)
    page.click("#stop")
    wait_idle(page)
    requests = fake.model_requests()
    assert len(requests) == 1
    deadline = time.monotonic() + 3
    while requests[0].client_closed_at is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert requests[0].client_closed_at is not None, "the LLM request was not closed after Stop"
    assert not requests[0].completed
    # The partial answer was kept, marked interrupted (http-streaming.md §6).
    page.reload()
    page.wait_for_selector(".msg-assistant")
    assert "w3" in answer_text(page)
    assert "Interrupted" in (page.locator(".msg-assistant .msg-meta").last.text_content() or "")


def test_history_sessions_and_reload(page: Page, real_proxy: Served, fake: FakeLLM) -> None:
    fake.reset()
    marker = uuid.uuid4().hex[:6]
    open_chat(page, real_proxy.url)
    send(page, f"first {marker}")
    wait_idle(page)
    assert answer_text(page).strip() == f"Echo: first {marker}"
    first = session_of(page)
    page.reload()
    page.wait_for_selector(".msg-assistant")
    assert page.locator(".msg-user .msg-body").all_text_contents() == [f"first {marker}"]
    assert answer_text(page).strip() == f"Echo: first {marker}"
    page.click("#new-chat")
    send(page, f"second {marker}")
    wait_idle(page)
    second = session_of(page)
    page.wait_for_selector(f"#chat-list li[data-id='{second}']")
    page.click(f"#chat-list li[data-id='{first}'] .chat-item")
    page.wait_for_selector(f".msg-user:has-text('first {marker}')")
    assert f"second {marker}" not in (page.locator("#messages").text_content() or "")
    page.click(f"#chat-list li[data-id='{second}'] .delete-chat")
    page.wait_for_selector(f"#chat-list li[data-id='{second}']", state="detached")
    assert httpx.get(f"{real_proxy.url}/_api/chats/{second}").status_code == 404


def test_tool_card_from_a_real_tool_call(page: Page, real_proxy: Served, fake: FakeLLM) -> None:
    fake.reset()
    fake.script(tool_calls(call("lookup", {"city": "Paris"})), reply("Paris looks sunny."))
    open_chat(page, real_proxy.url)
    send(page, "weather in Paris?")
    wait_idle(page)
    card = page.locator(".tool-card[data-tool='lookup']")
    assert card.get_attribute("data-state") == "ok"
    assert '"city": "Paris"' in (card.locator("pre").text_content() or "")
    assert "Paris looks sunny." in answer_text(page)


def test_upstream_error_shown_inline(page: Page, real_proxy: Served, fake: FakeLLM, artifacts: Path) -> None:
    fake.reset()
    fake.script(error(400, message="the fake model refuses"))
    open_chat(page, real_proxy.url)
    send(page, "this will fail")
    wait_idle(page)
    box = page.locator(".msg-assistant .msg-error").last
    assert box.is_visible()
    assert box.locator("button.retry").is_visible()
    page.screenshot(path=str(artifacts / "real-error.png"))
    box.locator("button.retry").click()  # the fake now answers normally
    wait_idle(page)
    assert answer_text(page).strip() == "Echo: this will fail"
    assert page.locator(".msg-error").count() == 0


def test_embedded_ui_form(page: Page, app_server: str, artifacts: Path) -> None:
    # The same UI as the server's own /_ui/, without the proxy.
    page.goto(f"{app_server}/_ui/#wf=%2Fapi%2Fsum")
    page.wait_for_selector("#form-view:not([hidden])")
    page.fill("#f-a", "2")
    page.click("#form-submit")  # b left out: the server names the parameter
    page.wait_for_selector("#result-status.fail")
    assert page.get_attribute("#f-b", "aria-invalid") == "true"
    assert "'b'" in (page.locator("#f-b-error").text_content() or "")
    page.fill("#f-b", "40")
    page.click("#form-submit")
    page.wait_for_selector("#result-status.ok")
    assert '"sum": 42' in (page.locator("#result-body").text_content() or "")
    page.screenshot(path=str(artifacts / "real-form.png"))


def test_file_upload_form(page: Page, real_proxy: Served) -> None:
    page.goto(f"{real_proxy.url}/_ui/#wf=%2Fapi%2Fupload")
    page.wait_for_selector("#form-view:not([hidden])")
    assert page.get_attribute("#f-doc", "type") == "file"
    page.set_input_files("#f-doc", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello file\nline 2\n"}])
    page.fill("#f-note", "from the browser")
    page.click("#form-submit")
    page.wait_for_selector("#result-status.ok")
    result = page.locator("#result-body").text_content() or ""
    assert '"size": 18' in result
    assert '"first_line": "hello file"' in result
    assert '"note": "from the browser"' in result


def test_get_and_typed_forms(page: Page, real_proxy: Served) -> None:
    page.goto(f"{real_proxy.url}/_ui/#wf=%2Fapi%2Fgreet")
    page.wait_for_selector("#form-view:not([hidden])")
    assert page.locator("#form-route").text_content() == "GET /api/greet"
    page.fill("#f-name", "Ada & co")
    page.fill("#f-times", "2")
    page.click("#form-submit")
    page.wait_for_selector("#result-status.ok")
    assert page.locator("#result-body").text_content() == "Hello, Ada & co! Hello, Ada & co!"
    page.click("#wf-list a[data-path='/api/count']")
    page.wait_for_selector("#form-title:text('Count')")
    assert page.get_attribute("#f-flag", "type") == "checkbox"
    page.fill("#f-items", '["a", "b"')  # not JSON: caught before sending
    page.click("#form-submit")
    assert page.locator("#f-items-error").text_content() == "Not valid JSON."
    assert page.locator("#form-result").is_hidden()
    page.fill("#f-items", '["a", "b", "c"]')
    page.check("#f-flag")
    page.click("#form-submit")
    page.wait_for_selector("#result-status.ok")
    text = page.locator("#result-body").text_content() or ""
    assert '"count": 3' in text and '"flag": true' in text


def test_token_protected_server(page: Page, auth_server: str, fake: FakeLLM) -> None:
    fake.reset()
    page.goto(f"{auth_server}/_ui/")
    banner = page.locator("#banner")
    banner.wait_for()
    assert "API token" in (banner.text_content() or "")
    token = page.get_by_label("API token")
    assert token.is_visible()  # the settings opened by themselves
    token.fill("s3cret-token")
    token.press("Enter")
    page.wait_for_selector("#chat-view:not([hidden])")
    assert banner.is_hidden()
    send(page, "with a token")
    wait_idle(page)
    assert answer_text(page).strip() == "Echo: with a token"
    page.reload()  # the token is remembered; history loads with it
    page.wait_for_selector(".msg-assistant")
    assert answer_text(page).strip() == "Echo: with a token"
