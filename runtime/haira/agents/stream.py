"""`AgentStream`: a lazy agent run driven by whoever consumes it, through a sink.

The server calls `await stream.run(sink)`; a Haira `for chunk in A.stream(...)` loop in
synchronous code iterates it (text chunks), which runs it on the background loop.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Iterator
from typing import TYPE_CHECKING

from haira.agents.events import EventSink, StreamResult

if TYPE_CHECKING:
    from haira.agents.agent import Agent

__all__ = ["AgentStream"]


class AgentStream:
    """One pending `A.stream(message, session)` call."""

    __slots__ = ("agent", "agent_name", "message", "session")

    def __init__(self, agent: Agent, message: str, session: str | None) -> None:
        self.agent = agent
        self.agent_name = agent.name
        self.message = message
        self.session = session

    async def run(self, sink: EventSink) -> StreamResult:
        """Drive the agent, reporting to `sink`; raises Upstream{Error,Timeout} / HairaRuntimeError."""
        from haira.agents.loop import execute

        counting = _Collect(sink)
        out = await execute(self.agent, self.message, self.session, counting)
        usage = out.usage
        if usage is not None:
            # One report per stream: every turn and every agent handed off to, summed.
            await sink.usage(usage.prompt_tokens, usage.completion_tokens)
        return StreamResult("".join(counting.parts), usage, out.interrupted)

    def __iter__(self) -> Iterator[str]:
        """Synchronous iteration over the text deltas (Haira `for` loops)."""
        from haira.aio import background_loop

        q: queue.Queue[tuple[int, object]] = queue.Queue(maxsize=256)
        sink = _QueueSink(q)
        loop = background_loop()
        future = asyncio.run_coroutine_threadsafe(self._run_into(sink, q), loop)
        try:
            while True:
                kind, value = q.get()
                if kind == _TEXT:
                    assert isinstance(value, str)
                    yield value
                elif kind == _ERROR:
                    assert isinstance(value, BaseException)
                    raise value
                else:
                    return
        finally:
            if not future.done():
                future.cancel()

    async def _run_into(self, sink: _QueueSink, q: queue.Queue[tuple[int, object]]) -> None:
        try:
            await self.run(sink)
        except Exception as exc:
            await sink.put((_ERROR, exc))
            return
        await sink.put((_END, None))

    def __repr__(self) -> str:
        return f"<stream of {self.agent_name}>"


_TEXT = 0
_ERROR = 1
_END = 2


class _Collect:
    """Passes events on and keeps the streamed text (the `StreamResult.text`)."""

    __slots__ = ("parts", "sink")

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.parts: list[str] = []

    async def text(self, content: str) -> None:
        self.parts.append(content)
        await self.sink.text(content)

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        await self.sink.tool_start(tool, args)

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        await self.sink.tool_end(tool, ok, error)

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        await self.sink.handoff(from_agent, to_agent)

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        await self.sink.usage(prompt_tokens, completion_tokens)


class _QueueSink:
    """Hands text to a synchronous consumer thread; bounded so a slow reader pushes back."""

    __slots__ = ("q",)

    def __init__(self, q: queue.Queue[tuple[int, object]]) -> None:
        self.q = q

    async def put(self, item: tuple[int, object]) -> None:
        while True:
            try:
                self.q.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(0.01)

    async def text(self, content: str) -> None:
        await self.put((_TEXT, content))

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        return None

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        return None

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        return None

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        return None
