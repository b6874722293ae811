"""Heartbeats, resume with Last-Event-ID, 204 after the end, disconnects, slow clients (§4–6)."""

from __future__ import annotations

import re
import threading
import time

import httpx
from server_support import Script, live_server, parse_events, raw_request, stream_id, stream_spec

JSON = {"Content-Type": "application/json"}


def test_heartbeat_after_silence() -> None:
    script = Script(("text", "a"), ("sleep", 0.55), ("text", "b"))
    with live_server([stream_spec("/chat", lambda m: script)], heartbeat_s=0.2) as srv:
        body = httpx.post(srv.url("/chat"), json={"message": "x"}, timeout=10).content
    sid = stream_id(body)
    # Pings are comment lines between events, one per 0.2 s of silence (2 here; a loaded
    # machine may stretch the gap and fit more).
    pattern = (
        rf'retry: 3000\n\nid: {sid}:1\ndata: {{"content":"a"}}\n\n'
        r"(: ping\n\n){2,6}"
        rf'id: {sid}:2\ndata: {{"content":"b"}}\n\nid: {sid}:3\nevent: done\ndata: \[DONE\]\n\n'
    )
    assert re.fullmatch(pattern, body.decode()), body


def test_no_heartbeat_while_events_flow() -> None:
    steps = [step for _ in range(10) for step in (("text", "t"), ("sleep", 0.02))]
    script = Script(*steps)
    with live_server([stream_spec("/chat", lambda m: script)], heartbeat_s=0.5) as srv:
        body = httpx.post(srv.url("/chat"), json={"message": "x"}, timeout=10).content
    assert b": ping" not in body


def test_reconnect_after_finish_gets_204() -> None:
    script = Script(("text", "one"), ("text", "two"))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        body = httpx.get(
            srv.url("/chat?message=x"), headers={"Accept": "text/event-stream"}
        ).content
        sid = stream_id(body)
        last = parse_events(body)[-1]["id"]
        assert last == f"{sid}:3"
        r = httpx.get(
            srv.url("/chat?message=x"),
            headers={"Accept": "text/event-stream", "Last-Event-ID": last},
        )
        assert r.status_code == 204
        assert r.content == b""
        assert r.headers["access-control-allow-origin"] == "*"
        # An id we never issued (expired, other server): 204 as well, never a second run.
        r = httpx.get(
            srv.url("/chat?message=x"),
            headers={"Accept": "text/event-stream", "Last-Event-ID": "unknownstream:3"},
        )
        assert r.status_code == 204
        # Missed the end: the rest is replayed.
        r = httpx.get(
            srv.url("/chat?message=x"),
            headers={"Accept": "text/event-stream", "Last-Event-ID": f"{sid}:1"},
        )
        assert r.content.decode() == (
            "retry: 3000\n\n"
            f'id: {sid}:2\ndata: {{"content":"two"}}\n\n'
            f"id: {sid}:3\nevent: done\ndata: [DONE]\n\n"
        )
    assert script.started.is_set()


def test_resume_replays_then_continues_live() -> None:
    gate = threading.Event()
    calls: list[str] = []

    def make(message: str) -> Script:
        calls.append(message)
        return Script(("text", "a"), ("text", "b"), ("wait", gate), ("text", "c"))

    with live_server([stream_spec("/chat", make)]) as srv:
        first = raw_request(srv.port, "POST", "/chat", headers=JSON, body=b'{"message":"m"}')
        got = first.chunk()
        while got.count(b"\n\n") < 3:  # retry + a + b
            got += first.chunk()
        sid = stream_id(got)
        # A second connection resumes from event 1 while the run is still going.
        second = raw_request(
            srv.port,
            "POST",
            "/chat",
            headers={**JSON, "Last-Event-ID": f"{sid}:1"},
            body=b'{"message":"m"}',
        )
        replay = second.chunk()
        while b'"b"' not in replay:
            replay += second.chunk()
        assert replay == b'retry: 3000\n\nid: %s:2\ndata: {"content":"b"}\n\n' % sid.encode()
        gate.set()
        live = b""
        while b"[DONE]" not in live:
            live += second.chunk()
        assert live == (
            b'id: %s:3\ndata: {"content":"c"}\n\nid: %s:4\nevent: done\ndata: [DONE]\n\n'
            % (sid.encode(), sid.encode())
        )
        assert second.chunk() == b""
        first.close()
        second.close()
    assert calls == ["m"], "a resume never starts a second run"


def test_disconnect_cancels_the_run_within_one_second() -> None:
    gate = threading.Event()
    script = Script(("text", "a"), ("wait", gate), ("text", "never"))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        resp = raw_request(srv.port, "POST", "/chat", headers=JSON, body=b'{"message":"m"}')
        got = resp.chunk()
        while b'"a"' not in got:
            got += resp.chunk()
        sid = stream_id(got)
        closed_at = time.monotonic()
        resp.close()
        assert script.cancelled.wait(2)
        assert script.cancelled_at is not None
        assert script.cancelled_at - closed_at < 1.0
        # The log ends with the interruption, so a reconnect learns what happened.
        r = httpx.post(
            srv.url("/chat"),
            json={"message": "m"},
            headers={"Last-Event-ID": f"{sid}:1"},
        )
        assert r.content.decode() == (
            "retry: 3000\n\n"
            f'id: {sid}:2\nevent: error\ndata: {{"error":"the client disconnected","code":"interrupted"}}\n\n'
            f"id: {sid}:3\nevent: done\ndata: [DONE]\n\n"
        )
    gate.set()


def test_json_fallback_disconnect_cancels_too() -> None:
    gate = threading.Event()
    script = Script(("text", "a"), ("wait", gate))
    with live_server([stream_spec("/chat", lambda m: script)]) as srv:
        import socket

        sock = socket.create_connection(("127.0.0.1", srv.port))
        body = b'{"message":"m"}'
        sock.sendall(
            b"POST /chat HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert script.started.wait(2)
        closed_at = time.monotonic()
        sock.close()
        assert script.cancelled.wait(2)
        assert script.cancelled_at is not None and script.cancelled_at - closed_at < 1.0
    gate.set()


def test_slow_client_is_bounded_then_dropped() -> None:
    produced: list[int] = []

    class Flood:
        def __init__(self) -> None:
            self.cancelled = threading.Event()

        async def run(self, sink) -> None:  # type: ignore[no-untyped-def]
            import asyncio

            piece = "x" * 1000
            try:
                for i in range(100000):
                    await sink.text(piece)
                    produced.append(i)
                    if i % 50 == 0:
                        await asyncio.sleep(0)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise

    flood = Flood()
    with live_server(
        [stream_spec("/chat", lambda m: flood)],
        max_pending_bytes=64 << 10,
        stall_timeout_s=2.0,  # with the default 15 s heartbeat: the stall check has its own pace
    ) as srv:
        import socket

        sock = socket.create_connection(("127.0.0.1", srv.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        body = b'{"message":"m"}'
        sock.sendall(
            b"POST /chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        time.sleep(0.8)
        # The client reads nothing: the producer is held back, not buffering everything.
        first = len(produced)
        assert first < 20000, first
        time.sleep(0.3)
        assert len(produced) - first < 200
        # No progress for stall_timeout_s: dropped, and the run is cancelled (nobody
        # resumes it); it stayed capped meanwhile.
        assert flood.cancelled.wait(6)
        assert len(produced) - first < 400
        sock.close()


def test_blocking_workflow_runs_in_a_thread_after_the_headers() -> None:
    import asyncio
    import dataclasses

    from haira import aio

    seen: dict[str, object] = {}
    gate = threading.Event()

    def slow(message: str) -> Script:
        # Synchronous Haira code: blocks its thread, may call async runtime code.
        seen["thread"] = threading.current_thread().name
        seen["slept"] = aio.run_sync(asyncio.sleep(0.01, result="ok"))
        gate.wait(20)
        return Script(("text", f"after {message}"))

    spec = dataclasses.replace(stream_spec("/chat", slow), blocking=True)
    with live_server([spec], heartbeat_s=0.1) as srv:
        resp = raw_request(srv.port, "POST", "/chat", headers=JSON, body=b'{"message":"m"}')
        try:
            # Headers, retry and pings flow while the workflow's thread is still blocked.
            assert resp.chunk() == b"retry: 3000\n\n"
            assert resp.chunk() == b": ping\n\n"
            gate.set()
            rest = b""
            while b"[DONE]" not in rest:
                rest += resp.chunk()
        finally:
            gate.set()
            resp.close()
    assert b'data: {"content":"after m"}' in rest
    assert str(seen["thread"]).startswith("haira-wf")
    assert seen["slept"] == "ok"


def test_a_quick_resume_after_a_dropped_connection_continues_live() -> None:
    gate = threading.Event()
    calls: list[str] = []

    def make(message: str) -> Script:
        calls.append(message)
        return Script(("text", "a"), ("wait", gate), ("text", "b"), ("text", "c"))

    script_holder: list[Script] = []

    def make_and_keep(message: str) -> Script:
        script = make(message)
        script_holder.append(script)
        return script

    # A generous grace keeps the test steady on a loaded machine (the default is 0.3 s).
    with live_server([stream_spec("/chat", make_and_keep)], resume_grace_s=0.8) as srv:
        first = raw_request(srv.port, "POST", "/chat", headers=JSON, body=b'{"message":"m"}')
        got = first.chunk()
        while b'"a"' not in got:
            got += first.chunk()
        sid = stream_id(got)
        first.close()  # the connection drops mid-stream
        time.sleep(0.05)
        second = raw_request(
            srv.port,
            "POST",
            "/chat",
            headers={**JSON, "Last-Event-ID": f"{sid}:1"},
            body=b'{"message":"m"}',
        )
        gate.set()
        rest = b""
        while b"[DONE]" not in rest:
            rest += second.chunk()
        second.close()
    assert rest == (
        b'retry: 3000\n\nid: %s:2\ndata: {"content":"b"}\n\n'
        b'id: %s:3\ndata: {"content":"c"}\n\nid: %s:4\nevent: done\ndata: [DONE]\n\n'
        % (sid.encode(), sid.encode(), sid.encode())
    )
    assert calls == ["m"]
    assert not script_holder[0].cancelled.is_set()
