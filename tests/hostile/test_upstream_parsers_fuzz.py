"""Hostile upstream bytes, in process: whatever a provider sends, the SSE decoder and the
OpenAI / Anthropic stream parsers either produce text and tool calls or raise
`UpstreamError` (-> `error` event / 502); never another exception."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from haira.errors import UpstreamError
from haira.providers.anthropic import _AnthropicStream
from haira.providers.openai import _OpenAIStream
from haira.providers.sse import SSEDecoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = ["choices", "delta", "content", "tool_calls", "index", "id", "function", "name", "arguments",
        "finish_reason", "usage", "prompt_tokens", "completion_tokens", "error", "message", "type",
        "content_block", "text", "partial_json", "stop_reason", "input_tokens", "output_tokens"]
TYPES = ["content_block_delta", "content_block_start", "message_start", "message_delta", "message_stop",
         "error", "text_delta", "input_json_delta", "tool_use"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.sampled_from(TYPES) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    max_leaves=25,
)
payloads = st.one_of(json_values.map(orjson.dumps), st.binary(max_size=60), st.just(b"[DONE]"))


async def _drive(parser: _OpenAIStream | _AnthropicStream, chunks: list[bytes]) -> None:
    decoder = SSEDecoder()
    for chunk in chunks:
        for data in decoder.feed(chunk):
            if await parser.handle(data):
                return
    parser.finish()


async def _ignore(_: str) -> None:
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payloads, max_size=8), st.integers(1, 50), st.booleans())
def test_parsers_raise_only_upstream_errors(events: list[bytes], cut: int, anthropic: bool) -> None:
    body = b"".join(b"data: " + e.replace(b"\n", b" ") + b"\n\n" for e in events)
    chunks = [body[i : i + cut] for i in range(0, len(body), cut)]  # split anywhere
    parser = _AnthropicStream("fuzz", _ignore) if anthropic else _OpenAIStream("fuzz", _ignore)
    with contextlib.suppress(UpstreamError):
        asyncio.run(_drive(parser, chunks))
    parser.tools.calls()
    if isinstance(parser, _AnthropicStream):
        parser.usage()
