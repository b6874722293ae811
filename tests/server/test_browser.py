"""The documented browser client, verbatim: `new EventSource(...)` + `onmessage` in Chromium."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import pytest
from haira.testing import FakeLLM, reply
from haira.types import STRING, FieldT
from server_support import live_server, stream_spec

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("HAIRA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]

# The doc page's snippet, unchanged but for the URL (the complete example serves
# /api/stream and takes its parameters from the query string) and for keeping what it logs.
DOC_CLIENT = """
(url) => {
  window.received = [];
  const source = new EventSource(url);
  source.onmessage = (event) => {
      const data = JSON.parse(event.data);
      console.log(data.content);
      window.received.push(data.content);
  };
  window.source = source;
  // Not on the page: the server's `event: error` frames, to explain a failure.
  window.serverErrors = [];
  source.addEventListener("error", (e) => { if (e.data) window.serverErrors.push(e.data); });
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"headless chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def run_doc_client(browser: Any, origin: str, url: str) -> tuple[str, int, list[str]]:
    """Open `origin`, run the doc snippet on `url`: text received, final readyState, errors."""
    page = browser.new_page()
    try:
        page.goto(origin + "/_api/health")
        page.evaluate(DOC_CLIENT, url)
        # The stream ends with `done`; EventSource reconnects after `retry: 3000` with
        # Last-Event-ID and gets 204, which closes it for good (readyState 2).
        page.wait_for_function("window.source.readyState === 2", timeout=15000)
        time.sleep(0.5)
        received = page.evaluate("window.received.join('')")
        state = page.evaluate("window.source.readyState")
        errors = page.evaluate("window.serverErrors")
        return str(received), int(state), [str(e) for e in errors]
    finally:
        page.close()


def test_eventsource_reads_content_and_does_not_rerun(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAIRA_QUIET", "1")
    with FakeLLM() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-browser")
        story = 'Once upon a time, a "quoted" line\nand a second line.'
        fake.script(reply(story), reply("a second run must not happen"))
        openai = providers.define_provider(
            "openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"}
        )
        writer = agents.define_agent(
            "BrowserWriter",
            {"provider": openai, "system": "s", "memory": memory.conversation(max_turns=10)},
        )

        def Stream(message: str, session_id: str) -> agents.AgentStream:  # noqa: N802
            return writer.stream(message, session=session_id)

        spec = stream_spec(
            "/api/stream",
            Stream,
            params=(FieldT("message", STRING), FieldT("session_id", STRING)),
            name="Stream",
        )
        with live_server([spec]) as srv:
            origin = srv.url("")
            text, state, errors = run_doc_client(
                browser, origin, "/api/stream?message=Tell%20me%20a%20story&session_id=abc"
            )
        assert text == story, (errors, fake.requests)
        assert state == 2
        assert len(fake.requests) == 1, "the reconnect after the end started a second run"
