"""A recording EventSink for the tests."""

from __future__ import annotations

import itertools

_ids = itertools.count()


def unique(name: str) -> str:
    """Agent names are global (handoffs look them up by name): keep tests apart."""
    return f"{name}{next(_ids)}"


class RecordingSink:
    """Keeps every event as a tuple, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    async def text(self, content: str) -> None:
        self.events.append(("text", content))

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        self.events.append(("tool_start", tool, args))

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        self.events.append(("tool_end", tool, ok, error))

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        self.events.append(("handoff", from_agent, to_agent))

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.events.append(("usage", prompt_tokens, completion_tokens))

    @property
    def text_out(self) -> str:
        return "".join(str(e[1]) for e in self.events if e[0] == "text")

    def kinds(self) -> list[object]:
        return [e[0] for e in self.events if e[0] != "text"]
