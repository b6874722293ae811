"""A flaky upstream: retries before the first byte only (with Retry-After), clear errors
after it, separate first-token / idle / total timeouts, and cancellation that closes the
upstream connection within a second and keeps the partial reply, marked interrupted."""

from __future__ import annotations

import asyncio
import time

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import pytest
from agent_helpers import RecordingSink, unique
from haira.errors import UpstreamError, UpstreamTimeout
from haira.testing import FakeLLM, disconnect, endless, error, malformed, reply, stall


def make_agent(**provider_fields: object) -> agents.Agent:
    p = providers.define_provider(
        "openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o", **provider_fields}
    )
    return agents.define_agent(unique("Flaky"), {"provider": p})


async def test_429_with_retry_after_is_retried_after_the_delay(fake: FakeLLM) -> None:
    fake.script(error(429, retry_after="1"), reply("finally"))
    start = time.monotonic()
    result = await make_agent().stream("hi", session="r").run(RecordingSink())
    assert result.text == "finally"
    reqs = fake.model_requests()
    assert len(reqs) == 2
    assert reqs[1].received_at - reqs[0].received_at >= 0.95
    assert time.monotonic() - start < 3


async def test_retry_after_ms_and_5xx_and_529(fake: FakeLLM) -> None:
    fake.script(error(503, retry_after_ms="50"), error(529, retry_after_ms="50"), reply("ok"))
    result = await make_agent().stream("hi", session="r").run(RecordingSink())
    assert result.text == "ok"
    assert len(fake.model_requests()) == 3


async def test_retries_give_up_with_a_clear_error(fake: FakeLLM) -> None:
    fake.script(*(error(500, retry_after_ms="10", message="the fake is down") for _ in range(3)))
    with pytest.raises(UpstreamError, match="HTTP 500: the fake is down"):
        await make_agent(max_retries=2).stream("hi", session="r").run(RecordingSink())
    assert len(fake.model_requests()) == 3


async def test_client_errors_are_not_retried(fake: FakeLLM) -> None:
    fake.script(error(400, message="bad request body"))
    with pytest.raises(UpstreamError, match="HTTP 400: bad request body"):
        await make_agent().stream("hi", session="r").run(RecordingSink())
    assert len(fake.model_requests()) == 1


async def test_retry_after_beyond_the_cap_is_not_waited_for(fake: FakeLLM) -> None:
    fake.script(error(429, retry_after="3600"))
    start = time.monotonic()
    with pytest.raises(UpstreamError, match="HTTP 429"):
        await make_agent().stream("hi", session="r").run(RecordingSink())
    assert time.monotonic() - start < 1


async def test_mid_stream_disconnect_is_an_error_not_a_retry(fake: FakeLLM) -> None:
    fake.script(disconnect(after=3), reply("must not be used"))
    sink = RecordingSink()
    with pytest.raises(UpstreamError, match="closed the stream mid-reply"):
        await make_agent().stream("hi", session="d").run(sink)
    assert sink.text_out == "this reply is"
    assert len(fake.model_requests()) == 1


async def test_malformed_chunk_is_an_error(fake: FakeLLM) -> None:
    fake.script(malformed(after=2))
    sink = RecordingSink()
    with pytest.raises(UpstreamError, match="malformed stream chunk"):
        await make_agent().stream("hi", session="m").run(sink)
    assert sink.text_out == "partial reply"


async def test_idle_timeout_after_a_stall(fake: FakeLLM) -> None:
    fake.script(stall(after=2))
    start = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="idle timeout"):
        await make_agent(idle_timeout=0.3).stream("hi", session="s").run(RecordingSink())
    assert 0.25 < time.monotonic() - start < 1.5
    await asyncio.sleep(0.2)
    assert fake.model_requests()[0].client_closed_at is not None


async def test_first_token_timeout(fake: FakeLLM) -> None:
    fake.script(stall(after=0, headers_first=False))
    with pytest.raises(UpstreamTimeout, match="first-token timeout"):
        await make_agent(first_token_timeout=0.3, max_retries=0).stream("hi", session="s").run(RecordingSink())


async def test_total_timeout_of_an_endless_reply(fake: FakeLLM) -> None:
    fake.script(endless(token_rate=200))
    start = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="total timeout"):
        await make_agent(timeout=0.5).stream("hi", session="s").run(RecordingSink())
    assert time.monotonic() - start < 1.5


async def test_agent_timeout_covers_the_whole_call(fake: FakeLLM) -> None:
    p = providers.define_provider("openai", {"model": "gpt-4o"})
    a = agents.define_agent(unique("Slow"), {"provider": p, "timeout": 0.4})
    fake.script(endless(token_rate=100))
    with pytest.raises(UpstreamTimeout):
        await a.stream("hi", session="s").run(RecordingSink())


async def test_cancellation_closes_upstream_within_a_second_and_keeps_the_partial(fake: FakeLLM) -> None:
    a = make_agent()
    fake.script(endless(text="word ", token_rate=100))
    sink = RecordingSink()
    task = asyncio.ensure_future(a.stream("go on forever", session="c").run(sink))
    while len(sink.events) < 10:
        await asyncio.sleep(0.01)
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    req = fake.model_requests()[0]
    deadline = cancelled_at + 1.0
    while req.client_closed_at is None and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    assert req.client_closed_at is not None, "upstream connection still open 1 s after cancel"
    assert req.client_closed_at - cancelled_at < 1.0
    history = await memory.get_store().load_messages(a.name, "c")
    assert history[0].role == "user"
    assert history[1].role == "assistant" and history[1].interrupted
    assert history[1].content == sink.text_out
    assert fake.stats.open_connections == set() or len(fake.stats.open_connections) <= 1


async def test_connections_are_reused_from_the_pool(fake: FakeLLM) -> None:
    a = make_agent()
    for i in range(5):
        await a.stream(f"hi {i}", session="pool").run(RecordingSink())
    assert fake.stats.connections_opened == 1


async def test_bursts_of_concurrent_streams_on_reused_connections(fake: FakeLLM) -> None:
    # httpx's own pool hangs here (all queued requests handed the same idle connection);
    # the runtime's transport must not.
    a = make_agent(first_token_timeout=5.0)
    for _ in range(3):
        # Paced (~0.1 s a stream) so no stream of a burst ends before the last one starts,
        # however slowly a loaded machine starts them: each burst needs all 60 connections.
        fake.script(*(reply("a b c", token_rate=20) for _ in range(60)))
        results = await asyncio.wait_for(
            asyncio.gather(*(a.stream("go", session=f"b{i}").run(RecordingSink()) for i in range(60))), 30
        )
        assert {r.text for r in results} == {"a b c"}
    assert fake.stats.connections_opened == 60
