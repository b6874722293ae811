"""Bridge from synchronous Haira code to the asyncio world of agents and the server.

    reply = haira.aio.run_sync(agent.ask_async("hi"))   # blocks this thread until done

Generated code is synchronous; agent calls are coroutines. `run_sync` runs the coroutine
on the server's event loop when called from one of the server's worker threads (so
connections, clients and caches stay on one loop), and otherwise on a background loop
thread started on first use. It never runs a coroutine on the calling thread's own running
loop, which would deadlock.
"""

from __future__ import annotations

import collections
import contextvars
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

# NOTE: asyncio is imported inside the functions that need it: `spawn`, channels and
# `time.after` must not make every CLI program pay for importing asyncio.

__all__ = [
    "Channel",
    "background_loop",
    "get_main_loop",
    "go",
    "run_sync",
    "select",
    "set_main_loop",
    "spawn",
]

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
        import asyncio

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
    import asyncio

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
    if target is here:
        # Called synchronously from code running on the background loop itself (a sync tool
        # calling an agent): blocking on that loop would deadlock, so use a private loop.
        return _run_on_private_loop(coro)
    import asyncio

    future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coro, target)
    try:
        return future.result()
    except BaseException:
        if not future.done():
            # Interrupted while waiting (KeyboardInterrupt, thread cancelled): stop the task.
            future.cancel()
        raise


def _run_on_private_loop(coro: Coroutine[Any, Any, T]) -> T:
    box: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        import asyncio

        try:
            box.append(asyncio.run(coro))
        except BaseException as exc:  # noqa: BLE001  # NOTE: re-raised in the caller
            failure.append(exc)

    thread = threading.Thread(target=run, name="haira-aio-nested", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return box[0]


# ---------------------------------------------------------------- spawn, async, channels


def spawn(tasks: Sequence[Callable[[], object]]) -> list[object]:
    """Haira `spawn { … }` (§0 #27): run every task concurrently; results in task order.

    All tasks run to the end; then, if any failed, raise `spawn task <i> panicked: <text>`
    for the lowest such i (the text is what a Haira `catch` would have seen).
    """
    if not tasks:
        return []
    results: list[object] = [None] * len(tasks)
    failures: list[str | None] = [None] * len(tasks)

    def run(i: int, ctx: contextvars.Context) -> None:
        try:
            results[i] = ctx.run(tasks[i])
        except Exception as exc:  # noqa: BLE001  # NOTE: reported below by task index
            from haira.rt import catch_text

            failures[i] = catch_text(exc)

    threads = [
        threading.Thread(target=run, args=(i, contextvars.copy_context()), daemon=True)
        for i in range(len(tasks))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, text in enumerate(failures):
        if text is not None:
            from haira.errors import HairaPanic

            raise HairaPanic(f"spawn task {i} panicked: {text}")
    return results


class Channel(Generic[T]):
    """A Go-like channel (unbounded buffer) for `async { }`, `time.after` and `select`."""

    def __init__(self) -> None:
        self._items: collections.deque[T] = collections.deque()
        self._cond = threading.Condition()
        self._closed = False

    def send(self, value: T) -> None:
        """Put a value (never blocks)."""
        with self._cond:
            self._items.append(value)
            self._cond.notify_all()
        _select_wakeup()

    def close(self) -> None:
        """No more values; receivers of an empty closed channel get nil."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        _select_wakeup()

    def recv(self) -> T | None:
        """Block until a value arrives (nil once closed and drained)."""
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            return self._items.popleft() if self._items else None

    def try_recv(self) -> tuple[bool, T | None]:
        """(True, value) when a value (or the close) is ready, else (False, nil)."""
        with self._cond:
            if self._items:
                return True, self._items.popleft()
            return (True, None) if self._closed else (False, None)


_select_cond = threading.Condition()


def _select_wakeup() -> None:
    with _select_cond:
        _select_cond.notify_all()


def select(channels: Sequence[Channel[Any]], has_default: bool) -> tuple[int, object]:
    """Haira `select`: (index of the first ready channel, its value); (-1, nil) for `default`."""
    while True:
        with _select_cond:
            for i, ch in enumerate(channels):
                ready, value = ch.try_recv()
                if ready:
                    return i, value
            if has_default:
                return -1, None
            _select_cond.wait(0.05)


def go(fn: Callable[[], T]) -> Channel[T]:
    """Haira `async { … }`: run `fn` in a thread; the channel receives its value."""
    ch: Channel[T] = Channel()
    ctx = contextvars.copy_context()

    def run() -> None:
        try:
            ch.send(ctx.run(fn))
        except BaseException as exc:  # noqa: BLE001  # NOTE: reported below, never a traceback
            # Go: a panic in a goroutine ends the whole program (exit status 2).
            import os
            import sys

            from haira.rt import format_uncaught

            sys.stdout.flush()
            sys.stderr.write(format_uncaught(exc))
            sys.stderr.flush()
            os._exit(2)
        finally:
            ch.close()

    threading.Thread(target=run, daemon=True).start()
    return ch
