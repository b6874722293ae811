"""SSE framing, byte for byte, through a real uvicorn (contract §4)."""

from __future__ import annotations

import httpx
from haira.errors import HairaRuntimeError, UpstreamError, UpstreamTimeout
from server_support import Script, live_server, raw_request, stream_id, stream_spec


def _post_stream(url: str, payload: dict[str, object], **headers: str) -> httpx.Response:
    with httpx.stream("POST", url, json=payload, headers=headers, timeout=10) as r:
        r.read()
        return r


def test_text_deltas_exact_wire_text() -> None:
    script = Script(("text", "Hel"), ("text", ""), ("text", 'lo "you"\nnext line'), ("text", "é✓"))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        r = _post_stream(srv.url("/chat"), {"message": "hi"})
    assert r.status_code == 200
    body = r.content
    sid = stream_id(body)
    expected = (
        "retry: 3000\n\n"
        f"id: {sid}:1\n"
        'data: {"content":"Hel"}\n\n'
        f"id: {sid}:2\n"
        'data: {"content":"lo \\"you\\"\\nnext line"}\n\n'
        f"id: {sid}:3\n"
        'data: {"content":"é✓"}\n\n'
        f"id: {sid}:4\n"
        "event: done\n"
        "data: [DONE]\n\n"
    )
    assert body.decode() == expected


def test_headers_of_a_stream() -> None:
    with live_server([stream_spec("/chat", lambda m: Script(("text", "x")))]) as srv:
        r = _post_stream(srv.url("/chat"), {"message": "hi"})
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["x-accel-buffering"] == "no"
    assert r.headers["access-control-allow-origin"] == "*"
    assert "content-length" not in r.headers


def test_tool_handoff_usage_events_exact() -> None:
    script = Script(
        ("tool_start", "get_weather", {"city": "Oslo", "days": 2}),
        ("tool_end", "get_weather", True, None),
        ("tool_start", "broken", {}),
        ("tool_end", "broken", False, "boom: no\nnetwork"),
        ("handoff", "Router", "Weather"),
        ("text", "It is 4°C"),
        ("usage", 12, 5),
    )
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        body = _post_stream(srv.url("/chat"), {"message": "hi"}).content
    sid = stream_id(body)
    assert body.decode() == (
        "retry: 3000\n\n"
        f"id: {sid}:1\nevent: tool_start\n"
        'data: {"tool":"get_weather","args":{"city":"Oslo","days":2}}\n\n'
        f"id: {sid}:2\nevent: tool_end\n"
        'data: {"tool":"get_weather","ok":true}\n\n'
        f"id: {sid}:3\nevent: tool_start\n"
        'data: {"tool":"broken","args":{}}\n\n'
        f"id: {sid}:4\nevent: tool_end\n"
        'data: {"tool":"broken","ok":false,"error":"boom: no\\nnetwork"}\n\n'
        f"id: {sid}:5\nevent: handoff\n"
        'data: {"from":"Router","to":"Weather"}\n\n'
        f"id: {sid}:6\n"
        'data: {"content":"It is 4°C"}\n\n'
        f"id: {sid}:7\nevent: usage\n"
        'data: {"prompt_tokens":12,"completion_tokens":5}\n\n'
        f"id: {sid}:8\nevent: done\ndata: [DONE]\n\n"
    )


def test_errors_after_start_are_events_then_done() -> None:
    cases = [
        (
            UpstreamError("LLM API error: 500 from provider"),
            "upstream_error",
            "LLM API error: 500 from provider",
        ),
        (
            UpstreamTimeout("the model did not answer within 30s"),
            "upstream_timeout",
            "the model did not answer within 30s",
        ),
        (HairaRuntimeError("store unavailable"), "internal", "store unavailable"),
        (ValueError("secret internals"), "internal", "internal error"),
    ]
    for exc, code, message in cases:
        script = Script(("text", "partial"), ("raise", exc))
        with live_server([stream_spec("/chat", lambda m, s=script: s)]) as srv:
            body = _post_stream(srv.url("/chat"), {"message": "hi"}).content
        sid = stream_id(body)
        assert body.decode() == (
            "retry: 3000\n\n"
            f'id: {sid}:1\ndata: {{"content":"partial"}}\n\n'
            f'id: {sid}:2\nevent: error\ndata: {{"error":"{message}","code":"{code}"}}\n\n'
            f"id: {sid}:3\nevent: done\ndata: [DONE]\n\n"
        ), exc


def test_workflow_function_failure_is_an_error_event() -> None:
    def broken(message: str) -> Script:
        raise HairaRuntimeError("agent misconfigured")

    with live_server([stream_spec("/chat", broken)]) as srv:
        r = _post_stream(srv.url("/chat"), {"message": "hi"})
    sid = stream_id(r.content)
    assert r.status_code == 200
    assert r.content.decode() == (
        "retry: 3000\n\n"
        f'id: {sid}:1\nevent: error\ndata: {{"error":"agent misconfigured","code":"internal"}}\n\n'
        f"id: {sid}:2\nevent: done\ndata: [DONE]\n\n"
    )


def test_headers_and_retry_arrive_before_the_model_answers() -> None:
    import threading

    gate = threading.Event()
    script = Script(("wait", gate), ("text", "late"))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        resp = raw_request(
            srv.port,
            "POST",
            "/chat",
            headers={"Content-Type": "application/json"},
            body=b'{"message":"hi"}',
            timeout=3,
        )
        try:
            assert resp.status == 200
            assert resp.chunk() == b"retry: 3000\n\n"
            gate.set()
            rest = resp.chunk()  # the delta and `done`, ready together, in one send
            assert b'data: {"content":"late"}\n\n' in rest and rest.endswith(b"data: [DONE]\n\n")
        finally:
            gate.set()
            resp.close()


def test_frames_ready_together_leave_in_one_send() -> None:
    import threading

    gate, hold = threading.Event(), threading.Event()
    script = Script(("wait", gate), ("burst", ["a", "b", "c"]), ("wait", hold))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        resp = raw_request(
            srv.port,
            "POST",
            "/chat",
            headers={"Content-Type": "application/json"},
            body=b'{"message":"hi"}',
        )
        try:
            assert resp.chunk() == b"retry: 3000\n\n"
            gate.set()
            chunk = resp.chunk()
            assert chunk.count(b"\n\n") == 3, chunk
            assert b'"a"' in chunk and b'"b"' in chunk and b'"c"' in chunk
        finally:
            hold.set()
            resp.close()
