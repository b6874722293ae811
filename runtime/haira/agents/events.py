"""What an agent run reports while it works (`EventSink`) and what it returns.

The server's SSE writer implements `EventSink`; `ask`/`run` use `NullSink`.
"""

from __future__ import annotations

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


class StreamResult:
    """The end of a stream: the full reply text, summed usage, whether it was cut short."""

    __slots__ = ("interrupted", "text", "usage")

    def __init__(self, text: str, usage: Usage | None, interrupted: bool = False) -> None:
        self.text = text
        self.usage = usage
        self.interrupted = interrupted

    def __repr__(self) -> str:
        return f"StreamResult(text={self.text!r}, usage={self.usage!r}, interrupted={self.interrupted})"


class AgentResult:
    """`A.run(...)`: the reply, the agent handed off to (if any), the structured output."""

    # NOTE: a plain class, not a dataclass: mypyc cannot compile a dataclass field typed
    # `object` (KeyError at import of the compiled module).
    __slots__ = ("handed_off_to", "output", "reply")

    def __init__(self, reply: str, handed_off_to: str | None = None, output: object = None) -> None:
        self.reply = reply
        self.handed_off_to = handed_off_to
        self.output = output

    def __repr__(self) -> str:
        return f"AgentResult(reply={self.reply!r}, handed_off_to={self.handed_off_to!r})"
