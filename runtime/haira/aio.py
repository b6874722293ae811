"""Bridge from synchronous Haira code to the asyncio world of agents and the server.

    reply = haira.aio.run_sync(agent.ask_async("hi"))   # blocks this thread until done

Generated code is synchronous; agent calls are coroutines. `run_sync` runs the coroutine
on the server's event loop when called from one of the server's worker threads (so
connections, clients and caches stay on one loop), and otherwise on a background loop
thread started on first use. It never runs a coroutine on the calling thread's own running
loop, which would deadlock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["background_loop", "get_main_loop", "run_sync", "set_main_loop"]

T = TypeVar("T")

_lock = threading.Lock()
_main_loop: asyncio.AbstractEventLoop | None = None
_bg_loop: asyncio.AbstractEventLoop | None = None
_bg_thread: threading.Thread | None = None


def set_main_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Register (or with None, forget) the server's event loop; called by `haira.server`."""
    global _main_loop
    _main_loop = loop


def get_main_loop() -> asyncio.AbstractEventLoop | None:
    """The registered server loop, if any."""
    return _main_loop


def background_loop() -> asyncio.AbstractEventLoop:
    """The lazily started background loop (a daemon thread running `run_forever`)."""
    global _bg_loop, _bg_thread
    loop = _bg_loop
    if loop is not None and not loop.is_closed():
        return loop
    with _lock:
        if _bg_loop is not None and not _bg_loop.is_closed():
            return _bg_loop
        new_loop = asyncio.new_event_loop()
        ready = threading.Event()

        def _run() -> None:
            asyncio.set_event_loop(new_loop)
            new_loop.call_soon(ready.set)
            new_loop.run_forever()

        thread = threading.Thread(target=_run, name="haira-aio", daemon=True)
        thread.start()
        ready.wait()
        _bg_loop, _bg_thread = new_loop, thread
        return new_loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion from synchronous code and return its result (or raise)."""
    here = _running_loop()
    target = _main_loop
    if target is None or target.is_closed() or not target.is_running() or target is here:
        # NOTE: on the server loop's own thread we must not block waiting for that loop;
        # the background loop keeps the call correct (it only blocks this one thread).
        target = background_loop()
    future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coro, target)
    try:
        return future.result()
    except BaseException:
        if not future.done():
            # Interrupted while waiting (KeyboardInterrupt, thread cancelled): stop the task.
            future.cancel()
        raise
