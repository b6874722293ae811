"""The built-in `mock` provider: a deterministic streamed reply, no network, no key.

Selected by `backend: "mock"` or `HAIRA_PROVIDER=mock`. The reply is
`Mock reply to: <last user message>` unless the provider sets `reply:` (or
`HAIRA_MOCK_REPLY`); it is streamed word by word at `token_rate` tokens per second
(`HAIRA_MOCK_TOKEN_RATE`; 0 = as fast as possible).
"""

from __future__ import annotations

import asyncio
import re

from haira.providers.types import ChatRequest, TextCallback, TurnResult, Usage

__all__ = ["MockClient", "mock_tokens"]

_TOKEN = re.compile(r"\s*\S+")


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
        for m in reversed(request.messages):
            if m.role == "user" and m.content is not None:
                last = m.content
                break
        return f"Mock reply to: {last}"

    async def stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult:
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
        prompt = sum(len(mock_tokens(m.content or "")) for m in request.messages)
        return TurnResult(text, [], Usage(prompt, len(tokens)), "stop")

    def describe(self) -> str:
        rate = f"{self.token_rate:g} tokens/s" if self.token_rate > 0 else "unthrottled"
        return f"mock: model={self.model} ({rate})"
