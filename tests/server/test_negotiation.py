"""Accept negotiation (contract §3), GET streaming, and the JSON fallback with real statuses."""

from __future__ import annotations

import httpx
import pytest
from haira.errors import HairaPanic, UpstreamError, UpstreamTimeout
from haira.server.negotiate import wants_sse
from haira.types import INT, STRING, FieldT
from server_support import Script, json_spec, live_server, parse_events, stream_spec


@pytest.mark.parametrize(
    ("accept", "sse"),
    [
        (None, True),
        (b"", True),
        (b"*/*", True),
        (b"text/event-stream", True),
        (b"text/*", True),
        (b"application/json", False),
        (b"application/json; charset=utf-8", False),
        (b"application/*", False),
        (b"application/json, */*;q=0.8", False),
        (b"application/json;q=0.5, */*", True),
        (b"application/json, text/event-stream", True),
        (b"application/json, text/event-stream;q=0.1", True),
        (b"text/event-stream;q=0, application/json", False),
        (b"TEXT/EVENT-STREAM", True),
        (b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        (b"text/html", False),
    ],
)
def test_accept_matrix(accept: bytes | None, sse: bool) -> None:
    assert wants_sse(accept) is sse


def _reply_script(message: str) -> Script:
    return Script(("text", "Echo: "), ("text", message))


@pytest.fixture(scope="module")
def srv():  # type: ignore[no-untyped-def]
    def fails(message: str) -> Script:
        errors = {
            "upstream": UpstreamError("provider returned 500"),
            "timeout": UpstreamTimeout("provider timed out"),
            "panic": HairaPanic("index out of range"),
        }
        return Script(("text", "partial"), ("raise", errors[message]))

    specs = [
        stream_spec("/chat", _reply_script),
        stream_spec("/fails", fails, name="Fails"),
        json_spec(
            "/add",
            lambda a, b: {"sum": a + b},
            (FieldT("a", INT), FieldT("b", INT)),
        ),
    ]
    with live_server(specs) as s:
        yield s


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "text/event-stream", "application/json, text/event-stream"],
)
def test_streams_when_sse_is_acceptable(srv, accept: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {} if accept is None else {"Accept": accept}
    with httpx.Client(headers={"Accept": ""} if accept is None else {}) as client:
        r = client.post(srv.url("/chat"), json={"message": "hi"}, headers=headers)
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = parse_events(r.content)
    assert [e.get("data") for e in events[1:]] == [
        '{"content":"Echo: "}',
        '{"content":"hi"}',
        "[DONE]",
    ]


def test_no_accept_header_at_all_streams(srv) -> None:  # type: ignore[no-untyped-def]
    from server_support import raw_request

    resp = raw_request(
        srv.port,
        "POST",
        "/chat",
        headers={"Content-Type": "application/json"},
        body=b'{"message": "Tell me a story", "session_id": "abc"}',
    )
    try:
        assert resp.status == 200
        assert "accept" not in resp.headers
        assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
    finally:
        resp.close()


def test_json_fallback(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/chat"), json={"message": "hi"}, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"reply": "Echo: hi"}


def test_get_streams_with_query_parameters(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(srv.url("/chat?message=from%20query"), headers={"Accept": "text/event-stream"})
    assert r.status_code == 200
    assert '{"content":"from query"}' in r.text
    r = httpx.get(srv.url("/chat?message=q"), headers={"Accept": "application/json"})
    assert r.json() == {"reply": "Echo: q"}


@pytest.mark.parametrize(
    ("message", "status", "code", "error"),
    [
        ("upstream", 502, "upstream_error", "provider returned 500"),
        ("timeout", 504, "upstream_timeout", "provider timed out"),
        ("panic", 500, "internal", "index out of range"),
    ],
)
def test_json_fallback_failures_have_real_statuses(srv, message, status, code, error) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        srv.url("/fails"), json={"message": message}, headers={"Accept": "application/json"}
    )
    assert r.status_code == status
    assert r.json() == {"error": error, "code": code}


def test_plain_workflow_ignores_accept(srv) -> None:  # type: ignore[no-untyped-def]
    for accept in ("text/event-stream", "application/json", "*/*"):
        r = httpx.post(srv.url("/add"), json={"a": 2, "b": "40"}, headers={"Accept": accept})
        assert r.status_code == 200
        assert r.json() == {"sum": 42}
        assert r.content == b'{"sum":42}\n'


def test_string_param_stays_text(srv) -> None:  # type: ignore[no-untyped-def]
    assert STRING.kind == "string"
    r = httpx.post(
        srv.url("/chat"), data={"message": "form value"}, headers={"Accept": "application/json"}
    )
    assert r.json() == {"reply": "Echo: form value"}
