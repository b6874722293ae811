"""The resume buffers: bounded per stream (count, bytes), bounded in all, expiring (§5)."""

from __future__ import annotations

import asyncio

import httpx
from haira.server.resume import StreamRegistry, parse_last_event_id
from haira.server.sse import SseLimits
from server_support import Script, live_server, stream_id, stream_spec


def test_parse_last_event_id() -> None:
    assert parse_last_event_id(b"abc_-9:12") == ("abc_-9", 12)
    assert parse_last_event_id(b" abc:0 ") == ("abc", 0)
    for bad in (b"", b"abc", b":3", b"abc:", b"abc:x", b"abc:-1", "é:1".encode()):
        assert parse_last_event_id(bad) is None, bad


async def test_finished_runs_expire_and_are_bounded() -> None:
    limits = SseLimits()
    reg = StreamRegistry(limits, ttl_s=0.05, max_finished=2, max_bytes=1 << 20)
    runs = [reg.create("/p", collect=False) for _ in range(3)]
    for r in runs:
        await r.text("hello")
        assert reg.lookup(r.stream_id, "/p") is r
        assert reg.lookup(r.stream_id, "/other") is None
        r.finish()
    assert reg.lookup(runs[0].stream_id, "/p") is None  # count bound: oldest dropped
    assert reg.lookup(runs[2].stream_id, "/p") is runs[2]
    await asyncio.sleep(0.08)
    assert reg.lookup(runs[2].stream_id, "/p") is None  # expired
    reg.sweep()
    assert reg.live() == []


async def test_finished_runs_bounded_in_bytes() -> None:
    reg = StreamRegistry(SseLimits(), ttl_s=60, max_finished=100, max_bytes=3000)
    runs = []
    for _ in range(4):
        r = reg.create("/p", collect=False)
        await r.text("x" * 1000)
        r.finish()
        runs.append(r)
    kept = [r for r in runs if reg.lookup(r.stream_id, "/p") is not None]
    assert kept == runs[-2:]


async def test_a_long_stream_keeps_only_its_newest_events() -> None:
    limits = SseLimits(replay_max_events=8, replay_max_bytes=1 << 20)
    reg = StreamRegistry(limits, ttl_s=60, max_finished=10, max_bytes=1 << 20)
    r = reg.create("/p", collect=False)
    for i in range(20):
        await r.text(f"t{i}")
    r.finish()
    assert r.last_seq == 21
    assert r.log_bytes < 8 * 40


def test_resume_from_an_evicted_event_says_so() -> None:
    steps = [("text", f"t{i}") for i in range(20)]
    with live_server([stream_spec("/chat", lambda m: Script(*steps))], replay_max_events=8) as srv:
        body = httpx.post(srv.url("/chat"), json={"message": "m"}).content
        sid = stream_id(body)
        r = httpx.post(
            srv.url("/chat"), json={"message": "m"}, headers={"Last-Event-ID": f"{sid}:2"}
        )
        assert r.text == (
            "retry: 3000\n\n"
            f"id: {sid}:21\nevent: error\n"
            'data: {"error":"the stream can no longer be resumed","code":"resume_unavailable"}\n\n'
            f"id: {sid}:21\nevent: done\ndata: [DONE]\n\n"
        )
        # From an event still held: exact replay.
        r = httpx.post(
            srv.url("/chat"), json={"message": "m"}, headers={"Last-Event-ID": f"{sid}:19"}
        )
        assert r.text == (
            "retry: 3000\n\n"
            f'id: {sid}:20\ndata: {{"content":"t19"}}\n\n'
            f"id: {sid}:21\nevent: done\ndata: [DONE]\n\n"
        )
