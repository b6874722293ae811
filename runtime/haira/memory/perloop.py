"""One client object per event loop.

Async database clients (psycopg pools, redis-py pools) bind their sockets to the loop that
opened them, while the process-wide store is awaited from the server's loop, from
`haira.aio`'s background loop and from tests' own loops. Each loop gets its own client;
clients of loops that have closed are dropped (and their sockets with them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PerLoop"]

T = TypeVar("T")


class PerLoop(Generic[T]):
    """`get()` returns this loop's client, made by `make()` on first use."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._items: dict[asyncio.AbstractEventLoop, T] = {}

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            for old in [lp for lp in self._items if lp.is_closed()]:
                del self._items[old]
            item = self._make()
            self._items[loop] = item
        return item

    def current(self) -> T | None:
        """This loop's client if it has one (no loop: None)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._items.get(loop)

    def pop_current(self) -> T | None:
        """Forget this loop's client and return it (to close it)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._items.pop(loop, None)

    def clear(self) -> None:
        """Forget every client without closing it (after fork: the sockets are the parent's)."""
        self._items.clear()
