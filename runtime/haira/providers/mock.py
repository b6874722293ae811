"""The built-in `mock` provider: a deterministic streamed reply, no network, no key.

Selected by `backend: "mock"` or `HAIRA_PROVIDER=mock`. The reply is
`Mock reply to: <last user message>` unless the provider sets `reply:` (or
`HAIRA_MOCK_REPLY`); it is streamed word by word at `token_rate` tokens per second
(`HAIRA_MOCK_TOKEN_RATE`; 0 = as fast as possible).

So that offline demos show tool activity too: when the user message names one of the
offered tools (`get_weather` or "get weather"), the mock first calls that tool with
placeholder arguments built from its schema, then answers with the tool's result.
"""

from __future__ import annotations

import asyncio
import re

import orjson

from haira.providers.types import ChatRequest, TextCallback, ToolCall, ToolSpec, TurnResult, Usage

__all__ = ["MockClient", "mock_tokens"]

_TOKEN = re.compile(r"\s*\S+")


_PLACEHOLDERS: dict[str, object] = {
    "string": "mock",
    "number": 1,
    "integer": 1,
    "boolean": True,
    "array": [],
    "object": {},
}


def _placeholder_args(spec: ToolSpec) -> str:
    props = spec.parameters.get("properties")
    args: dict[str, object] = {}
    if isinstance(props, dict):
        for name, schema in props.items():
            kind = schema.get("type") if isinstance(schema, dict) else None
            args[str(name)] = _PLACEHOLDERS.get(str(kind), "mock")
    return orjson.dumps(args).decode()


def _named_tool(request: ChatRequest) -> ToolSpec | None:
    """The tool the last user message names, if the conversation is at a user turn."""
    if not request.tools or not request.messages or request.messages[-1].role != "user":
        return None
    text = (request.messages[-1].content or "").lower()
    for spec in request.tools:
        name = spec.name.lower()
        if name in text or name.replace("_", " ") in text:
            return spec
    return None


def mock_tokens(text: str) -> list[str]:
    """Split `text` into word tokens, each carrying its leading whitespace."""
    return _TOKEN.findall(text) or ([text] if text else [])


class MockClient:
    """Streams a deterministic reply; counts whitespace-separated words as tokens."""

    def __init__(self, *, name: str, model: str, reply: str = "", token_rate: float = 0.0) -> None:
        self.name = name
        self.model = model or "mock"
        self.reply = reply
        self.token_rate = token_rate

    def reply_for(self, request: ChatRequest) -> str:
        if self.reply:
            return self.reply
        last = ""
        results: list[str] = []
        for m in reversed(request.messages):
            if m.role == "tool" and m.content is not None:
                results.append(m.content)
            if m.role == "user" and m.content is not None:
                last = m.content
                break
        if results:
            return f"Mock reply to: {last} (tool said {', '.join(reversed(results))})"
        return f"Mock reply to: {last}"

    async def stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult:
        prompt = sum(len(mock_tokens(m.content or "")) for m in request.messages)
        tool = _named_tool(request)
        if tool is not None:
            await asyncio.sleep(0)
            call = ToolCall(f"call_mock_{len(request.messages)}", tool.name, _placeholder_args(tool))
            return TurnResult("", [call], Usage(prompt, 1), "tool_calls")
        text = self.reply_for(request)
        tokens = mock_tokens(text)
        loop = asyncio.get_running_loop()
        start = loop.time()
        rate = self.token_rate
        for i, tok in enumerate(tokens):
            if rate > 0:
                # Absolute schedule: the rate holds however long the sink takes.
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # a real stream yields; so does the mock
            await on_text(tok)
        return TurnResult(text, [], Usage(prompt, len(tokens)), "stop")

    def describe(self) -> str:
        rate = f"{self.token_rate:g} tokens/s" if self.token_rate > 0 else "unthrottled"
        return f"mock: model={self.model} ({rate})"
