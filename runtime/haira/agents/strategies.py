"""Deterministic delegation (`strategy: "parallel"` / `"sequential"`, REF §3.7).

The coordinating agent makes no model call of its own. Parallel asks every handoff target
concurrently and joins the replies in completion order; sequential feeds each target's
reply to the next. In a stream, each delegation is reported as a `handoff` event; the
sequential chain's last agent streams its text live, parallel replies arrive as one delta.
"""

from __future__ import annotations

import asyncio
import sys

from haira.agents.agent import Agent, lookup_agent
from haira.agents.events import EventSink, NullSink
from haira.agents.loop import Outcome, add_usage, execute, rewrap
from haira.errors import HairaRuntimeError
from haira.providers.types import Usage

__all__ = ["run_strategy"]


async def run_strategy(
    agent: Agent, message: str, session: str | None, sink: EventSink, depth: int
) -> Outcome:
    targets = [lookup_agent(n) for n in agent.handoff_names]
    if agent.strategy == "parallel":
        for t in targets:
            await sink.handoff(agent.name, t.name)

        async def one(t: Agent) -> tuple[str, Usage | None]:
            try:
                out = await execute(t, message, session, NullSink(), depth + 1)
            except HairaRuntimeError as exc:
                return f"[{t.name}] Error: {exc}", None
            return f"[{t.name}]\n{out.reply}", out.usage

        parts: list[str] = []
        total: Usage | None = None
        for fut in asyncio.as_completed([one(t) for t in targets]):
            text, used = await fut
            parts.append(text)
            total = add_usage(total, used)
        combined = "\n\n".join(parts)
        if combined:
            await sink.text(combined)
        return Outcome(combined, total)

    current = message
    last = Outcome("", None)
    usage: Usage | None = None
    for i, t in enumerate(targets):
        print(f"[haira] Sequential handoff: {agent.name} → {t.name}", file=sys.stderr)
        await sink.handoff(agent.name, t.name)
        inner: EventSink = sink if i == len(targets) - 1 else NullSink()
        try:
            last = await execute(t, current, session, inner, depth + 1)
        except HairaRuntimeError as exc:
            raise rewrap(exc, f"sequential handoff to {t.name} failed: ") from None
        usage = add_usage(usage, last.usage)
        current = last.reply
    last.usage = usage
    return last

