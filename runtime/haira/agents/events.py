"""What an agent run reports while it works (`EventSink`) and what it returns.

The server's SSE writer implements `EventSink`; `ask`/`run` use `NullSink`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from haira.providers.types import Usage

__all__ = ["AgentResult", "EventSink", "NullSink", "StreamResult"]


class EventSink(Protocol):
    """Receives a run's events in order; each method may apply backpressure by awaiting."""

    async def text(self, content: str) -> None: ...
    async def tool_start(self, tool: str, args: dict[str, object]) -> None: ...
    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None: ...
    async def handoff(self, from_agent: str, to_agent: str) -> None: ...
    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None: ...


class NullSink:
    """Discards every event (blocking `ask` / `run`)."""

    async def text(self, content: str) -> None:
        return None

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        return None

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        return None

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        return None

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        return None


@dataclass(slots=True)
class StreamResult:
    """The end of a stream: the full reply text, summed usage, whether it was cut short."""

    text: str
    usage: Usage | None
    interrupted: bool = False


@dataclass(slots=True)
class AgentResult:
    """`A.run(...)`: the reply, the agent handed off to (if any), the structured output."""

    reply: str
    handed_off_to: str | None = None
    output: object = None
