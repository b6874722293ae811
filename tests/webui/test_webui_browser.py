"""The chat and form UI in headless chromium, through the `haira webui` proxy."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from haira.webui.proxy import WebUIProxy
from webui_backend import WireBackend
from webui_support import Served

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webui-browser")]

Page = Any


def open_chat(page: Page, proxy: Served, session: str | None = None) -> None:
    route = "#wf=%2Fchat" + (f"&s={session}" if session else "")
    page.goto(f"{proxy.url}/_ui/{route}")
    page.wait_for_selector("#chat-view:not([hidden])")


def send(page: Page, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


def last_answer(page: Page) -> Any:
    return page.locator(".msg-assistant").last


def wait_idle(page: Page) -> None:
    page.wait_for_selector("#send:not([hidden])", timeout=10_000)


def session_of(page: Page) -> str:
    match = re.search(r"[#&]s=([^&]+)", page.url)
    assert match, page.url
    return match.group(1)


def test_tokens_stream_in_and_stop_aborts_upstream(
    page: Page, proxy: Served, backend: tuple[WireBackend, Served]
) -> None:
    open_chat(page, proxy)
    sid = session_of(page)
    send(page, "slow please")
    answer = last_answer(page).locator(".msg-body")
    page.wait_for_function("document.querySelector('.msg-assistant .msg-body').textContent.includes('tok1')")
    first = answer.text_content() or ""
    page.wait_for_function(
        "n => document.querySelector('.msg-assistant .msg-body').textContent.length > n", arg=len(first)
    )
    second = answer.text_content() or ""
    # Tokens arrive one by one: the text grew, and the reply is far from complete.
    assert "tok39" not in second and len(second) > len(first)
    assert page.locator("#stop").is_visible()
    assert last_answer(page).get_attribute("aria-busy") == "true"
    page.click("#stop")
    wait_idle(page)
    assert "Stopped" in (last_answer(page).locator(".msg-meta").text_content() or "")
    deadline = time.monotonic() + 3
    while sid not in backend[0].state.disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sid in backend[0].state.disconnects, "the backend never saw the stream closed"
    stopped_at = answer.text_content() or ""
    page.wait_for_timeout(400)
    assert (answer.text_content() or "") == stopped_at  # nothing more arrives
    assert page.locator(".retry-answer").is_visible()


def test_reload_restores_history(page: Page, proxy: Served) -> None:
    open_chat(page, proxy)
    send(page, "hello there")
    wait_idle(page)
    assert (last_answer(page).locator(".msg-body").text_content() or "").strip() == "You said: hello there"
    assert "12 prompt + 4 completion tokens" in (last_answer(page).text_content() or "")
    sid = session_of(page)
    page.reload()
    page.wait_for_selector(".msg-assistant")
    assert session_of(page) == sid
    assert page.locator(".msg-user .msg-body").all_text_contents() == ["hello there"]
    assert [t.strip() for t in page.locator(".msg-assistant .msg-body").all_text_contents()] == [
        "You said: hello there"
    ]
    item = page.locator(f"#chat-list li[data-id='{sid}'] .chat-item")
    assert item.get_attribute("aria-current") == "true"
    assert "hello there" in (item.text_content() or "")
    # Retry the last answer: it is asked again and replaces the old one.
    page.get_by_role("button", name="Retry the last answer").click()
    wait_idle(page)
    assert page.locator(".msg-assistant").count() == 1
    assert page.locator(".msg-user").count() == 1
    assert (last_answer(page).locator(".msg-body").text_content() or "").strip() == "You said: hello there"


def test_sessions_new_switch_delete(page: Page, proxy: Served) -> None:
    open_chat(page, proxy)
    marker = uuid.uuid4().hex[:6]
    send(page, f"alpha {marker}")
    wait_idle(page)
    first = session_of(page)
    page.click("#new-chat")
    assert page.locator(".msg").count() == 0
    second = session_of(page)
    assert second != first
    send(page, f"beta {marker}")
    wait_idle(page)
    page.wait_for_selector(f"#chat-list li[data-id='{second}']")
    page.click(f"#chat-list li[data-id='{first}'] .chat-item")
    page.wait_for_selector(f".msg-user:has-text('alpha {marker}')")
    assert session_of(page) == first
    assert f"beta {marker}" not in (page.locator("#messages").text_content() or "")
    page.click(f"#chat-list li[data-id='{second}'] .delete-chat")
    page.wait_for_selector(f"#chat-list li[data-id='{second}']", state="detached")
    assert page.locator(f"#chat-list li[data-id='{first}']").count() == 1
    # Deleting the open chat starts a fresh one.
    page.click(f"#chat-list li[data-id='{first}'] .delete-chat")
    page.wait_for_selector(f"#chat-list li[data-id='{first}']", state="detached")
    assert session_of(page) not in (first, second)
    assert page.locator(".msg").count() == 0


def test_tool_cards_and_handoffs(page: Page, proxy: Served) -> None:
    open_chat(page, proxy)
    send(page, "tool time")
    card = page.locator(".tool-card[data-tool='search']")
    card.wait_for()
    page.wait_for_selector(".tool-card[data-state='ok']")
    assert "done" in (card.locator(".tool-state").text_content() or "")
    wait_idle(page)
    body = last_answer(page).locator(".msg-body").text_content() or ""
    assert body.index("Let me look.") < body.index("search") < body.index("It is sunny.")
    send(page, "handoff now")
    wait_idle(page)
    assert last_answer(page).locator(".handoff").text_content() == "Handed off from Triage to Billing"


def test_errors_inline_with_retry(page: Page, proxy: Served, backend: tuple[WireBackend, Served]) -> None:
    open_chat(page, proxy)
    send(page, "fail please")
    wait_idle(page)
    error = last_answer(page).locator(".msg-error")
    assert "upstream exploded" in (error.text_content() or "")
    assert "Partial answer" in (last_answer(page).locator(".msg-body").text_content() or "")
    before = sum(1 for r in backend[0].state.requests if r["path"] == "/chat")
    error.locator("button.retry").click()
    wait_idle(page)
    assert sum(1 for r in backend[0].state.requests if r["path"] == "/chat") == before + 1
    assert page.locator(".msg-assistant").count() == 1  # the failed answer was replaced
    assert page.locator(".msg-user").count() == 1
    send(page, "cut short")
    wait_idle(page)
    assert "connection broke" in (last_answer(page).locator(".msg-error").text_content() or "")
    assert "half an ans" in (last_answer(page).locator(".msg-body").text_content() or "")
    send(page, "http500 boom")
    wait_idle(page)
    assert "500 internal failure" in (last_answer(page).locator(".msg-error").text_content() or "")


def test_a_broken_stream_resumes_with_last_event_id(
    page: Page, proxy: Served, backend: tuple[WireBackend, Served]
) -> None:
    open_chat(page, proxy)
    before = len(backend[0].state.resumes)
    send(page, "drop it")
    wait_idle(page)
    body = (last_answer(page).locator(".msg-body").text_content() or "").strip()
    assert body == "part1 part2 part3 part4 part5 part6"
    resumes = backend[0].state.resumes[before:]
    assert len(resumes) == 2 and resumes[0] == "" and resumes[1].endswith(":3")
    assert last_answer(page).locator(".msg-error").count() == 0


def test_markdown_renders_safely(page: Page, proxy: Served, artifacts: Path) -> None:
    open_chat(page, proxy)
    send(page, "md sample")
    wait_idle(page)
    answer = last_answer(page)
    assert answer.locator("h1").text_content() == "Title"
    assert answer.locator("strong").first.text_content() == "bold"
    assert answer.locator("pre code.language-python").text_content() == "print('<b>not bold</b>')"
    assert answer.locator("li").all_text_contents() == ["one", "two"]
    assert answer.locator("img, script, b, a[href^='javascript']").count() == 0
    assert "<img src=x" in (answer.text_content() or "")
    assert page.evaluate("window.__pwned") is None
    answer.locator(".msg-body").screenshot(path=str(artifacts / "markdown.png"))
    page.screenshot(path=str(artifacts / "chat.png"))


def test_enter_sends_and_shift_enter_adds_a_line(page: Page, proxy: Served) -> None:
    open_chat(page, proxy)
    page.click("#prompt")
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    assert page.input_value("#prompt") == "line one\nline two"
    assert page.locator(".msg").count() == 0
    page.keyboard.press("Enter")
    wait_idle(page)
    assert page.locator(".msg-user .msg-body").text_content() == "line one\nline two"
    assert page.input_value("#prompt") == ""


def test_auto_scroll_follows_only_at_the_bottom(page: Page, proxy: Served) -> None:
    page.set_viewport_size({"width": 900, "height": 420})
    open_chat(page, proxy)
    send(page, "bulk text to fill the view")
    wait_idle(page)
    at_bottom = "(() => { const m = document.getElementById('messages'); return m.scrollHeight - m.scrollTop - m.clientHeight < 32; })()"
    assert page.evaluate(at_bottom)
    send(page, "slow again")
    page.wait_for_function("document.querySelector('.msg-assistant:last-child .msg-body').textContent.includes('tok1')")
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    page.wait_for_timeout(100)
    page.wait_for_function("document.querySelector('.msg-assistant:last-child .msg-body').textContent.includes('tok5')")
    assert page.evaluate("document.getElementById('messages').scrollTop") == 0
    assert page.locator("#jump").is_visible()
    page.click("#jump")
    page.wait_for_function("document.querySelector('.msg-assistant:last-child .msg-body').textContent.includes('tok8')")
    assert page.evaluate(at_bottom)
    page.click("#stop")
    wait_idle(page)


def test_form_workflow(page: Page, proxy: Served, artifacts: Path) -> None:
    page.goto(f"{proxy.url}/_ui/#wf=%2Fsum")
    page.wait_for_selector("#form-view:not([hidden])")
    assert page.locator("#chat-view").is_hidden()
    assert page.get_attribute("#f-a", "type") == "number"
    assert page.get_attribute("#f-upload", "type") == "file"
    page.fill("#f-a", "2")
    page.click("#form-submit")
    page.wait_for_selector("#form-result:not([hidden])")
    assert (page.locator("#result-status").text_content() or "").startswith("400")
    assert page.get_attribute("#f-b", "aria-invalid") == "true"
    assert "missing required parameter 'b'" in (page.locator("#f-b-error").text_content() or "")
    page.fill("#f-b", "40")
    page.fill("#f-label", "<i>answer</i>")
    page.click("#form-submit")
    page.wait_for_selector("#result-status.ok")
    result = page.locator("#result-body")
    assert '"sum": 42' in (result.text_content() or "")
    assert result.locator(".k").first.text_content() == '"sum"'
    assert result.locator("i").count() == 0
    assert page.get_attribute("#f-b", "aria-invalid") is None
    page.screenshot(path=str(artifacts / "form.png"))
    page.set_input_files("#f-upload", files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": b"hi"}])
    page.click("#form-submit")
    page.wait_for_function("document.getElementById('result-body').textContent.includes('<file>')")
    assert '"sum": 42' in (result.text_content() or "")


def test_dark_theme(browser: Any, proxy: Served, artifacts: Path) -> None:
    context = browser.new_context(color_scheme="dark", viewport={"width": 1200, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        open_chat(page, proxy)
        send(page, "tool dark mode")
        wait_idle(page)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(21, 23, 27)"
        page.screenshot(path=str(artifacts / "chat-dark.png"))
    finally:
        context.close()


def test_unreachable_backend_shows_a_banner(page: Page) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    served = Served(WebUIProxy([f"127.0.0.1:{dead}"]))
    try:
        page.goto(served.url + "/")
        banner = page.locator("#banner")
        banner.wait_for()
        assert "Backend unreachable" in (banner.text_content() or "")
        assert banner.get_attribute("role") == "alert"
    finally:
        served.stop()


def test_several_backends_in_one_ui(page: Page) -> None:
    one, two = WireBackend(), WireBackend()
    servers = [Served(one), Served(two)]
    served = Served(WebUIProxy([s.url for s in servers]))
    try:
        page.goto(served.url + "/_ui/#wf=%2F_b%2Fchat-2%2Fchat")
        page.wait_for_selector("#chat-view:not([hidden])")
        assert page.locator("#wf-list .side-item").count() == 8
        assert "chat-2" in (page.locator("#wf-list .side-item[aria-current='page']").text_content() or "")
        send(page, "hello two")
        wait_idle(page)
        sid = session_of(page)
        page.wait_for_selector(f"#chat-list li[data-id='{sid}']")
        assert list(two.state.chats) == [sid]
        assert one.state.chats == {}
        page.reload()
        page.wait_for_selector(".msg-assistant")
        assert page.locator(".msg-user .msg-body").all_text_contents() == ["hello two"]
    finally:
        for s in (served, *servers):
            s.stop()


def test_webui_decorator_fields(page: Page, proxy: Served) -> None:
    open_chat(page, proxy)
    accent = "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    assert page.evaluate(accent) == "rgb(10, 125, 77)"
    chips = page.locator(".suggestions .suggestion")
    assert chips.all_text_contents() == ["Say hello", "tool demo"]
    chips.nth(1).click()
    wait_idle(page)
    assert page.locator(".suggestions").count() == 0
    assert page.locator(".msg-user .msg-body").text_content() == "tool demo"
    assert page.locator(".tool-card[data-state='ok']").count() == 1
    # `mode: "form"` turns a stream into a form; a bogus accent is ignored.
    page.click("#wf-list a[data-path='/styled']")
    page.wait_for_selector("#form-view:not([hidden])")
    assert page.evaluate(accent) != "rgb(10, 125, 77)"
    assert "javascript" not in page.evaluate(accent)


def test_network_error_inline_with_retry(page: Page, backend: tuple[WireBackend, Served]) -> None:
    served = Served(WebUIProxy([backend[1].url]))
    try:
        open_chat(page, served)
    finally:
        served.stop()  # the page is loaded; now nothing answers at its origin
    send(page, "anyone there?")
    wait_idle(page)
    error = last_answer(page).locator(".msg-error")
    assert "Network error" in (error.text_content() or "")
    assert error.locator("button.retry").is_visible()


def test_a_sid_session_parameter(page: Page, proxy: Served) -> None:
    # The doc page's `Write(prompt: string, sid: string)`: the id keeps the agent's memory,
    # but only `session_id` chats are recorded, so there is "New chat" and no list.
    page.goto(f"{proxy.url}/_ui/#wf=%2Fwrite")
    page.wait_for_selector("#chat-view:not([hidden])")
    send(page, "a poem")
    wait_idle(page)
    sid = session_of(page)
    assert (last_answer(page).locator(".msg-body").text_content() or "").strip() == f"session {sid}"
    assert page.locator("#new-chat").is_visible()
    assert page.locator("#chat-list").is_hidden()
    assert page.locator("#chats-note").is_visible()
    page.click("#new-chat")
    send(page, "another")
    wait_idle(page)
    assert session_of(page) != sid
    assert (last_answer(page).locator(".msg-body").text_content() or "").strip() == f"session {session_of(page)}"
