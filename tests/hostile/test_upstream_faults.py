"""Upstream faults, through the HTTP layer of the compiled app, with the fake LLM server.

Each fault ends the documented way (http-streaming.md §3-4, reference-runtime.md §3):
a transient failure before the body is retried; otherwise an SSE stream ends with an
`error` event then `done`, and the JSON fallback answers 502 (upstream error) or 504
(upstream timeout), all within the configured timeouts. Afterwards the session is
consistent: the next turn's prompt (what the model sees from memory) and the chat history
hold the user message once, any partial reply (marked interrupted in the chat), and no
empty or duplicated messages.

The app runs with HAIRA_LLM_FIRST_TOKEN_TIMEOUT=1.5, HAIRA_LLM_IDLE_TIMEOUT=1.5,
HAIRA_LLM_TOTAL_TIMEOUT=4, HAIRA_LLM_MAX_RETRIES=2.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from haira.testing import Step, disconnect, endless, error, malformed, stall

from tests.hostile.app_support import App, hostile_app, sse_events

pytestmark = pytest.mark.xdist_group("hostile-upstream_faults")

TOTAL = 4.0
SLACK = 2.5  # process scheduling on a loaded 2-core CI box


@dataclass
class Fault:
    name: str
    steps: list[Step]
    code: str | None  # None: the retry succeeds
    status: int  # JSON fallback status
    partial: str  # what the model said before the fault (kept, marked interrupted)
    within: float  # seconds
    upstream_requests: int


FAULTS = [
    Fault("429 then ok (Retry-After: 1)", [error(429, retry_after="1")], None, 200, "", 1 + SLACK, 2),
    Fault("503 then ok", [error(503)], None, 200, "", SLACK, 2),
    Fault("500 every attempt", [error(500)] * 3, "upstream_error", 502, "", 3 + SLACK, 3),
    Fault("503 every attempt", [error(503)] * 3, "upstream_error", 502, "", 3 + SLACK, 3),
    Fault("529 every attempt", [error(529)] * 3, "upstream_error", 502, "", 3 + SLACK, 3),
    Fault("stall before headers", [stall(headers_first=False)], "upstream_timeout", 504, "", 1.5 + SLACK, 1),
    Fault("stall before first token", [stall()], "upstream_timeout", 504, "", 1.5 + SLACK, 1),
    Fault("stall mid-stream", [stall(after=3, text="one two three four five")], "upstream_timeout", 504,
          "one two three", 1.5 + SLACK, 1),
    Fault("malformed chunk", [malformed(after=2, text="partial reply here")], "upstream_error", 502,
          "partial reply", SLACK, 1),
    Fault("disconnect mid-stream", [disconnect(after=2, text="this reply is cut")], "upstream_error", 502,
          "this reply", SLACK, 1),
    Fault("disconnect before the body", [disconnect()], "upstream_error", 502, "", SLACK, 1),
    Fault("reply that never ends", [endless(text="on and ", token_rate=200)], "upstream_timeout", 504,
          "on and", TOTAL + SLACK, 1),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_faults"), HAIRA_LLM_TOTAL_TIMEOUT=str(TOTAL)) as a:
        yield a
        a.assert_no_secrets()


def check_session(app: App, sid: str, fault: Fault, first_reply: str) -> None:
    """The next turn sees a consistent history; the chat history shows the same."""
    app.fake.reset()
    r = app.post("/api/stream", {"message": "second", "session_id": sid}, accept="application/json")
    assert r.status_code == 200, r.text
    prompt = [(m["role"], m.get("content")) for m in app.fake.model_requests()[0].messages]
    expected_prompt: list[tuple[str, object]] = [("system", "You are terse."), ("user", "first")]
    if first_reply:
        expected_prompt.append(("assistant", first_reply))
    expected_prompt.append(("user", "second"))
    assert prompt == expected_prompt, prompt
    chat = httpx.get(app.url(f"/_api/chats/{sid}"), headers=app.auth, timeout=10).json()
    app.bodies.append(json.dumps(chat).encode())
    got = [(m["role"], m["content"], bool(m.get("interrupted"))) for m in chat["messages"]]
    expected = [("user", "first", False)]
    if first_reply:
        expected.append(("assistant", first_reply, fault.code is not None))
    expected += [("user", "second", False), ("assistant", "Echo: second", False)]
    assert got == expected, got


def run_fault(app: App, fault: Fault, accept: str, sid: str) -> tuple[httpx.Response, float]:
    app.fake.reset()
    app.fake.script(*fault.steps)
    start = time.monotonic()
    r = app.post("/api/stream", {"message": "first", "session_id": sid}, accept=accept, timeout=30)
    elapsed = time.monotonic() - start
    assert elapsed < fault.within, (fault.name, elapsed)
    assert len(app.fake.model_requests()) == fault.upstream_requests, fault.name
    return r, elapsed


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault_over_sse(app: App, fault: Fault) -> None:
    sid = f"sse-{FAULTS.index(fault)}"
    r, _ = run_fault(app, fault, "text/event-stream", sid)
    assert r.status_code == 200
    events = sse_events(r.content)
    assert events[-1] == ("done", "[DONE]"), events[-3:]
    errors = [json.loads(d) for name, d in events if name == "error"]
    text = "".join(json.loads(d)["content"] for name, d in events if name == "message")
    if fault.code is None:
        assert errors == [] and text == "Echo: first"
        reply = text
    else:
        assert len(errors) == 1 and errors[0]["code"] == fault.code, errors
        assert events[-2][0] == "error"
        assert text.startswith(fault.partial) if fault.partial else text == ""
        reply = text
    check_session(app, sid, fault, reply)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault_over_json_fallback(app: App, fault: Fault) -> None:
    sid = f"json-{FAULTS.index(fault)}"
    r, _ = run_fault(app, fault, "application/json", sid)
    assert r.status_code == fault.status, r.text
    assert r.headers["content-type"].startswith("application/json")
    doc = r.json()
    if fault.code is None:
        assert doc["reply"] == "Echo: first"
        reply = doc["reply"]
    else:
        assert doc["code"] == fault.code and doc["error"], doc
        # The JSON answer has no partial text; the store has it (read back through the chat).
        chat = httpx.get(app.url(f"/_api/chats/{sid}"), headers=app.auth, timeout=10).json()
        replies = [m["content"] for m in chat["messages"] if m["role"] == "assistant"]
        reply = replies[0] if replies else ""
        assert reply.startswith(fault.partial) if fault.partial else reply == ""
    check_session(app, sid, fault, reply)


def test_connection_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The provider's port is closed: retried, then 502 / `error` + `done`, quickly."""
    from tests.hostile.app_support import free_port

    dead = f"http://127.0.0.1:{free_port()}/v1"
    with hostile_app(tmp_path_factory.mktemp("refused"), OPENAI_BASE_URL=dead) as app:
        start = time.monotonic()
        r = app.post("/api/stream", {"message": "hi", "session_id": "r"}, accept="application/json")
        assert r.status_code == 502, r.text
        assert r.json()["code"] == "upstream_error"
        r = app.post("/api/stream", {"message": "hi", "session_id": "r"})
        events = sse_events(r.content)
        assert [name for name, _ in events] == ["error", "done"], events
        assert json.loads(events[0][1])["code"] == "upstream_error"
        assert time.monotonic() - start < 10
        chat = httpx.get(app.url("/_api/chats/r"), headers=app.auth, timeout=10).json()
        assert [(m["role"], m["content"]) for m in chat["messages"]] == [("user", "hi"), ("user", "hi")]
        app.assert_no_secrets()


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.name in (
    "429 then ok (Retry-After: 1)", "503 every attempt", "stall mid-stream", "malformed chunk", "reply that never ends",
)], ids=lambda f: f.name)
def test_fault_in_a_blocking_workflow(app: App, fault: Fault) -> None:
    """`reply = Writer.ask(...)` in a plain JSON workflow (a worker thread): same statuses."""
    sid = f"ask-{FAULTS.index(fault)}"
    app.fake.reset()
    app.fake.script(*fault.steps)
    start = time.monotonic()
    r = app.post("/api/ask", {"message": "first", "session_id": sid}, accept="application/json", timeout=30)
    assert time.monotonic() - start < fault.within
    assert r.status_code == fault.status, r.text
    doc = r.json()
    if fault.code is None:
        assert doc == {"reply": "Echo: first"}
    else:
        assert doc["code"] == fault.code, doc
