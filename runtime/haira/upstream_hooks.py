"""Work a caller wants started once an agent's upstream request is on its way.

The server records the user's side of a chat here instead of before the run: the store is
one thread, and a write queued in front of the memory load (or contending with the request
being built) delays the first token. The callbacks run once, at the first suspension of
the first upstream request; on a kept-alive connection that is after the request bytes
were written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar, Token

__all__ = ["after_first_request", "forget", "release"]

_AFTER: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "haira_after_first_request", default=None
)


def after_first_request(callback: Callable[[], None]) -> Token[list[Callable[[], None]] | None]:
    """Run `callback` (on the loop) once the first agent request of this context is sent.

    Tasks created afterwards share the list, so a callback fires at most once however
    many agents run. A caller that never sees it fire must do the work itself."""
    pending = _AFTER.get()
    if pending is None:
        return _AFTER.set([callback])
    pending.append(callback)
    return _AFTER.set(pending)


def forget(token: Token[list[Callable[[], None]] | None]) -> None:
    _AFTER.reset(token)


def release() -> None:
    """Called by the agent loop right before an upstream request starts."""
    pending = _AFTER.get()
    if not pending:
        return
    loop = asyncio.get_running_loop()
    for callback in pending:
        loop.call_soon(callback)
    pending.clear()
