"""The UI works under its own Content-Security-Policy (no eval, no inline code or styles)."""

from __future__ import annotations

from typing import Any

import pytest
from webui_support import Served

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webui-browser")]

# Recorded by the page itself: every CSP violation, whatever caused it.
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_chat_and_form_under_the_policy(browser: Any, proxy: Served) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 800})  # CSP enforced
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(RECORD)
        page.goto(proxy.url + "/_ui/#wf=%2Fchat")
        page.wait_for_selector("#chat-view:not([hidden])")
        page.fill("#prompt", "md under policy")
        page.press("#prompt", "Enter")
        page.wait_for_selector("#send:not([hidden])")
        page.fill("#prompt", "tool under policy")
        page.press("#prompt", "Enter")
        page.wait_for_selector(".tool-card[data-state='ok']")
        page.wait_for_selector("#send:not([hidden])")
        page.locator(".msg-assistant h1").first.wait_for()
        page.fill("#prompt", "one\ntwo\nthree\nfour")  # the composer grows (style set from script)
        page.goto(proxy.url + "/_ui/#wf=%2Fsum")
        page.wait_for_selector("#form-view:not([hidden])")
        page.fill("#f-a", "1")
        page.fill("#f-b", "2")
        page.click("#form-submit")
        page.wait_for_selector("#result-status.ok")
        assert page.locator("#result-body .n").first.text_content() == "3"
        violations = page.evaluate("window.__csp")
        assert violations == [] and errors == []
        # Control: the recorder does see a violation (an inline script is refused).
        page.evaluate("document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.__ran = 1'}))")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__ran") is None
        assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
    finally:
        context.close()
