"""The two byte/fragment-level parsers of the hot path, case by case."""

from __future__ import annotations

import socket

import haira.agents as agents
import haira.providers as providers
import httpx
import orjson
import pytest
from agent_helpers import RecordingSink, unique
from haira.errors import UpstreamError
from haira.providers.sse import SSEDecoder
from haira.providers.toolcalls import ToolCallAssembler
from haira.testing import FakeLLM


def test_sse_decoder_splits_events_across_chunks() -> None:
    d = SSEDecoder()
    assert d.feed(b'data: {"a":1}\n\nda') == [b'{"a":1}']
    assert d.feed(b"ta: x\r\n") == []
    assert d.feed(b"\r\n") == [b"x"]
    assert d.feed(b": comment\nevent: delta\nid: 3\ndata:no-space\ndata: second\n\n") == [b"no-space\nsecond"]
    assert d.feed(b"data: [DONE]") == []
    assert d.flush() == [b"[DONE]"]


def test_sse_decoder_one_byte_at_a_time() -> None:
    stream = b'data: {"x":"a\\nb"}\n\ndata: [DONE]\n\n'
    d = SSEDecoder()
    out: list[bytes] = []
    for i in range(len(stream)):
        out.extend(d.feed(stream[i : i + 1]))
    assert out == [b'{"x":"a\\nb"}', b"[DONE]"]


def calls_of(*deltas: list[dict[str, object]]) -> list[tuple[str, str, object]]:
    a = ToolCallAssembler()
    for d in deltas:
        a.feed(d)
    return [(c.id, c.name, orjson.loads(c.arguments)) for c in a.calls()]


def frag(index: int | None = None, id: str | None = None, name: str | None = None, args: str = "") -> dict[str, object]:
    f: dict[str, object] = {"function": {"arguments": args} if name is None else {"name": name, "arguments": args}}
    if index is not None:
        f["index"] = index
    if id is not None:
        f["id"] = id
    return f


def test_fragments_by_index_interleaved() -> None:
    assert calls_of(
        [frag(0, "c1", "f", '{"a"'), frag(1, "c2", "g", "{")],
        [frag(1, args="}")],
        [frag(0, args=":1}")],
    ) == [("c1", "f", {"a": 1}), ("c2", "g", {})]


def test_missing_index_follows_ids() -> None:
    assert calls_of(
        [frag(None, "c1", "f", '{"a":')],
        [frag(None, args="1}")],
        [frag(None, "c2", "g", "{}")],
    ) == [("c1", "f", {"a": 1}), ("c2", "g", {})]


def test_reused_index_with_new_id_is_a_new_call() -> None:
    assert calls_of(
        [frag(0, "c1", "f", "{}")],
        [frag(0, "c2", "f", '{"b":')],
        [frag(0, args="2}")],
    ) == [("c1", "f", {}), ("c2", "f", {"b": 2})]


def test_reused_index_without_ids_splits_on_a_new_name() -> None:
    assert calls_of(
        [frag(0, None, "f", '{"x":1}')],
        [frag(0, None, "f", '{"x":2}')],
    ) == [("call_0", "f", {"x": 1}), ("call_1", "f", {"x": 2})]


def test_empty_arguments_become_an_empty_object() -> None:
    assert calls_of([frag(0, "c1", "transfer_to_X")]) == [("c1", "transfer_to_X", {})]


def test_stream_iterates_synchronously(fake: FakeLLM) -> None:
    p = providers.define_provider("openai", {"model": "gpt-4o"})
    a = agents.define_agent(unique("Iter"), {"provider": p})
    assert list(a.stream("one two", session="it")) == ["Echo:", " one", " two"]


def test_unreachable_provider_is_retried_then_reported(monkeypatch: object) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    p = providers.define_provider("local", {"endpoint": f"http://127.0.0.1:{port}/v1", "model": "m", "max_retries": 1})
    a = agents.define_agent(unique("Down"), {"provider": p})
    with pytest.raises(UpstreamError, match="cannot reach the provider"):
        a.ask("hi")


async def test_stream_without_done_or_finish_reason_is_an_error(fake: FakeLLM) -> None:
    from haira.testing import disconnect

    # A clean close in the middle still is not a finished reply.
    fake.script(disconnect(after=1))
    p = providers.define_provider("openai", {"model": "gpt-4o", "max_retries": 0})
    a = agents.define_agent(unique("Cut"), {"provider": p})
    with pytest.raises(UpstreamError):
        await a.stream("hi", session="x").run(RecordingSink())


def test_retry_after_forms() -> None:
    import email.utils
    import time as _time

    from haira.providers.transport import _retry_after

    assert _retry_after(httpx.Headers({"retry-after": "2"})) == 2.0
    assert _retry_after(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    date = email.utils.formatdate(_time.time() + 30, usegmt=True)
    hinted = _retry_after(httpx.Headers({"retry-after": date}))
    assert hinted is not None and 28 <= hinted <= 31
    assert _retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert _retry_after(httpx.Headers({})) is None


def test_fake_server_text_template_matches_the_plain_encoding() -> None:
    from haira.testing.fake_llm import _OpenAIWire

    for usage in (True, False):
        wire = _OpenAIWire("gpt-4o", 7, usage, 3)
        for tok in ["Hello", ' "quoted"\n', "naïve ☃", ""]:
            assert wire.text(tok) == wire.text_slow(tok)


async def test_anthropic_stream_error_event_and_early_end() -> None:
    from haira.providers.anthropic import _AnthropicStream

    seen: list[str] = []

    async def on_text(t: str) -> None:
        seen.append(t)

    p = _AnthropicStream("claude", on_text)
    assert not await p.handle(b'{"type":"message_start","message":{"usage":{"input_tokens":7}}}')
    assert not await p.handle(b'{"type":"ping"}')
    assert not await p.handle(b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}')
    with pytest.raises(UpstreamError, match="provider error mid-stream: Overloaded"):
        await p.handle(b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    assert seen == ["Hi"]
    q = _AnthropicStream("claude", on_text)
    with pytest.raises(UpstreamError, match="ended the stream before it finished"):
        q.finish()


def test_history_compaction_lines() -> None:
    from haira.memory import Message, history_for_prompt

    long_user = "u" * 120
    msgs = [
        Message("user", long_user),
        Message("assistant", '[Completed: get_weather → "4C"]\nIt is cold.'),
        *[Message("user" if i % 2 == 0 else "assistant", f"m{i}") for i in range(16)],
    ]
    out = history_for_prompt(msgs)
    assert len(out) == 17
    assert out[0].role == "system"
    assert out[0].content == (
        "Summary of earlier conversation:\n"
        f"- User: {'u' * 97}...\n"
        '- Assistant: [Completed: get_weather → "4C"] It is cold.'
    )
    assert history_for_prompt(msgs[:16]) == msgs[:16]


def test_sync_iteration_raises_the_streams_error(fake: FakeLLM) -> None:
    from haira.testing import error

    p = providers.define_provider("openai", {"model": "gpt-4o"})
    a = agents.define_agent(unique("IterErr"), {"provider": p})
    fake.script(error(400, message="nope"))
    with pytest.raises(UpstreamError, match="HTTP 400: nope"):
        list(a.stream("x"))
