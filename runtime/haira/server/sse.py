"""The SSE writer: agent events -> pre-encoded SSE frames -> the ASGI `send` (contract §4–6).

    run = StreamRun("k3J9x", "/chat", limits, collect=False)   # the sink a run writes to
    await run.text("Hi\\n")    # frames[0] == b'id: k3J9x:1\\ndata: {"content":"Hi\\\\n"}\\n\\n'
    await serve(run, 0, send, receive, limits, headers)   # one HTTP response reading the run

A `StreamRun` is one agent run's numbered event log. The agent (producer) appends frames
without ever touching the socket; `serve` (the response, one at a time per run) writes
every frame that is ready in one `send`, so tokens that arrive together leave together.
Each delta costs one `orjson.dumps` of its text and one bytes-format; there are no
per-event objects. The log is bounded (count and bytes) and replayed to a client that
reconnects with `Last-Event-ID`; a response that falls too far behind blocks the
producer (which stalls the upstream read), and one that makes no progress for
`stall_timeout_s` is dropped. When the response goes away before the run finished, the
run is cancelled unless a resume arrives within `orphan_grace_s` (0.3 s).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

__all__ = [
    "PING",
    "RETRY",
    "SSE_HEADERS",
    "SseLimits",
    "StreamRun",
    "encode_event",
    "serve",
]

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]

RETRY: Final = b"retry: 3000\n\n"
PING: Final = b": ping\n\n"
SSE_HEADERS: Final = (
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
)

_dumps = orjson.dumps


def _jsonable(value: object) -> object:
    # Tool arguments come from JSON, but a Haira value (struct, enum) may slip in.
    return str(value)


def encode_event(stream_id: str, seq: int, event: str | None, data: bytes) -> bytes:
    """One complete SSE event: `id:`, optional `event:`, one `data:` line, blank line."""
    if event is None:
        return b"id: %s:%d\ndata: %s\n\n" % (stream_id.encode(), seq, data)
    return b"id: %s:%d\nevent: %s\ndata: %s\n\n" % (stream_id.encode(), seq, event.encode(), data)


@dataclass(frozen=True, slots=True)
class SseLimits:
    """Timing and buffer bounds of the SSE writer (see `haira.server.config.Settings`)."""

    heartbeat_s: float = 15.0
    stall_timeout_s: float = 60.0
    max_pending_bytes: int = 256 << 10
    replay_max_events: int = 16384
    replay_max_bytes: int = 2 << 20
    # How long a run whose client went away waits for a resume before it is cancelled
    # (contract §6: within 1 s); a quick reconnect continues the run live.
    orphan_grace_s: float = 0.3


class _Conn:
    """The state of one response that is writing a run's frames to a client."""

    __slots__ = (
        "cursor",
        "disconnected",
        "last_write",
        "ping_due",
        "send_since",
        "stalled",
        "superseded",
        "task",
        "timer",
        "waiter",
    )

    def __init__(self, cursor: int, now: float, task: asyncio.Task[Any] | None) -> None:
        self.cursor = cursor  # seq of the next frame to write
        self.waiter: asyncio.Future[None] | None = None
        self.disconnected = False
        self.superseded = False
        self.stalled = False
        self.ping_due = False
        self.last_write = now
        self.send_since = 0.0
        self.task = task
        self.timer: asyncio.TimerHandle | None = None

    def wake(self) -> None:
        fut = self.waiter
        if fut is not None and not fut.done():
            fut.set_result(None)


class StreamRun:
    """One agent run's SSE event log; also the `EventSink` the run writes to."""

    __slots__ = (
        "_drained",
        "_first_seq",
        "_frames",
        "_limits",
        "_log_bytes",
        "_orphan_timer",
        "_max_bytes",
        "_max_events",
        "_max_pending",
        "_prefix",
        "_writer",
        "cancel_reason",
        "delivered",
        "finished",
        "finished_at",
        "next_seq",
        "on_finish",
        "parts",
        "path",
        "produced",
        "stream_id",
        "tap",
        "task",
        "usage_counts",
    )

    def __init__(self, stream_id: str, path: str, limits: SseLimits, *, collect: bool) -> None:
        self.stream_id = stream_id
        self.path = path
        self._limits = limits
        self._max_pending = limits.max_pending_bytes
        self._max_bytes = limits.replay_max_bytes
        self._max_events = limits.replay_max_events
        self._prefix = b"id: " + stream_id.encode() + b":"
        self._frames: list[bytes] = []
        self._first_seq = 1  # seq of _frames[0]
        self.next_seq = 1
        self._log_bytes = 0
        self.produced = 0  # bytes of every frame ever pushed
        self.delivered = 0  # of those, bytes handed to the attached response's socket
        self._writer: _Conn | None = None
        self._drained: asyncio.Future[None] | None = None
        self._orphan_timer: asyncio.TimerHandle | None = None
        self.finished = False
        self.finished_at = 0.0
        self.task: asyncio.Task[None] | None = None
        self.cancel_reason: tuple[str, str] | None = None
        self.parts: list[str] | None = [] if collect else None
        self.usage_counts: tuple[int, int] | None = None
        self.on_finish: Callable[[StreamRun], None] | None = None
        # Scale-out (haira.cluster): sees every frame as it is logged, to mirror the log
        # to Redis so another worker can resume the stream.
        self.tap: Callable[[bytes], None] | None = None

    # ------------------------------------------------------------ EventSink

    async def text(self, content: str) -> None:
        """A text delta: an unnamed event `{"content": ...}` (empty deltas are dropped)."""
        if not content:
            return
        parts = self.parts
        if parts is not None:
            parts.append(content)
        seq = self.next_seq
        self.next_seq = seq + 1
        # The hot path: one JSON escape of the text, one bytes-format, no other objects.
        self._push(b'%s%d\ndata: {"content":%s}\n\n' % (self._prefix, seq, _dumps(content)))
        if self.produced - self.delivered > self._max_pending:
            # Also while no response is attached (waiting for a resume): the cap holds.
            await self._wait_drained()

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        """`event: tool_start` with the tool name and its arguments."""
        self._event(b"tool_start", _dumps({"tool": tool, "args": args}, default=_jsonable))

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        """`event: tool_end`: `ok`, plus the error text when the call failed."""
        doc: dict[str, object] = {"tool": tool, "ok": ok}
        if not ok and error is not None:
            doc["error"] = error
        self._event(b"tool_end", _dumps(doc))

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        """`event: handoff` when one agent hands the conversation to another."""
        self._event(b"handoff", _dumps({"from": from_agent, "to": to_agent}))

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        """`event: usage` with the token counts the provider reported."""
        self.usage_counts = (prompt_tokens, completion_tokens)
        self._event(
            b"usage",
            _dumps({"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}),
        )

    def event(self, name: str, data: bytes) -> None:
        """A named event with pre-encoded JSON `data` (step streams: run_id, step, result)."""
        if not self.finished:
            self._event(name.encode(), data)

    # ------------------------------------------------------------ run control

    def fail(self, message: str, code: str) -> None:
        """`event: error` after the stream started (the run failed or was cut short)."""
        if not self.finished:
            self._event(b"error", _dumps({"error": message, "code": code}))

    def finish(self) -> None:
        """`event: done`, always the last event; wakes the response to write it."""
        if self.finished:
            return
        self._event(b"done", b"[DONE]")
        self.finished = True
        if self._orphan_timer is not None:
            self._orphan_timer.cancel()
            self._orphan_timer = None
        self.parts = None  # the reply has been recorded; only the frames stay for resume
        loop = asyncio.get_running_loop()
        self.finished_at = loop.time()
        self._release_producer()
        if self.on_finish is not None:
            self.on_finish(self)

    def cancel(self, message: str, code: str) -> None:
        """Cancel the run's task (client gone, shutdown); it ends with `error` + `done`."""
        if self.finished or self.cancel_reason is not None:
            return
        self.cancel_reason = (message, code)
        if self.task is not None:
            self.task.cancel()

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event (0 before the first)."""
        return self.next_seq - 1

    @property
    def log_bytes(self) -> int:
        """Bytes of the frames held for resume."""
        return self._log_bytes

    @property
    def event_count(self) -> int:
        """How many events the run has produced."""
        return self.next_seq - 1

    @property
    def reply(self) -> str:
        """The concatenated text deltas (only when created with `collect=True`)."""
        return "".join(self.parts) if self.parts is not None else ""

    # ------------------------------------------------------------ responses

    def attach(self, conn: _Conn) -> None:
        """Make `conn` the response that receives this run's events (one at a time)."""
        old = self._writer
        if old is not None and old is not conn:
            old.superseded = True
            old.wake()
        self._writer = conn
        orphan = self._orphan_timer
        if orphan is not None:  # resumed in time: the run goes on
            orphan.cancel()
            self._orphan_timer = None

    def detach(self, conn: _Conn) -> None:
        """`conn` is gone; an unfinished run nobody resumes within the grace is cancelled."""
        if self._writer is not conn:
            return
        self._writer = None
        self._release_producer()
        if self.finished:
            return
        grace = self._limits.orphan_grace_s
        if grace <= 0:
            self._orphaned()
        elif self._orphan_timer is None:
            self._orphan_timer = asyncio.get_running_loop().call_later(grace, self._orphaned)

    def _orphaned(self) -> None:
        self._orphan_timer = None
        if self._writer is None and not self.finished:
            self.cancel("the client disconnected", "interrupted")

    def take(self, conn: _Conn) -> tuple[bytes, int]:
        """The frames `conn` has not written yet, joined, and how many there are."""
        start = conn.cursor
        end = self.next_seq
        if start >= end:
            return b"", 0
        if start < self._first_seq:
            # The log no longer holds what this client missed: say so instead of skipping.
            conn.cursor = end
            gap = encode_event(
                self.stream_id,
                self.last_seq,
                "error",
                _dumps(
                    {"error": "the stream can no longer be resumed", "code": "resume_unavailable"}
                ),
            )
            tail = self._frames[-1] if self.finished else b""
            return gap + tail, 2 if tail else 1
        conn.cursor = end
        frames = self._frames
        i = start - self._first_seq
        if end - start == 1:
            return frames[i], 1
        return b"".join(frames[i:]), end - start

    def mark_delivered(self, produced: int) -> None:
        """The attached response handed everything up to `produced` bytes to the socket."""
        if produced > self.delivered:
            self.delivered = produced
        if self._log_bytes > self._max_bytes or len(self._frames) > self._max_events:
            self._evict()  # frames held back for this response may go now
        fut = self._drained
        if fut is not None and self.produced - self.delivered <= self._max_pending:
            self._drained = None
            if not fut.done():
                fut.set_result(None)

    # ------------------------------------------------------------ internals

    def _event(self, name: bytes, data: bytes) -> None:
        seq = self.next_seq
        self.next_seq = seq + 1
        self._push(b"%s%d\nevent: %s\ndata: %s\n\n" % (self._prefix, seq, name, data))

    def _push(self, frame: bytes) -> None:
        self._frames.append(frame)
        size = len(frame)
        self.produced += size
        self._log_bytes += size
        if self._log_bytes > self._max_bytes or len(self._frames) > self._max_events:
            self._evict()
        tap = self.tap
        if tap is not None:
            tap(frame)
        w = self._writer
        if w is not None:
            fut = w.waiter
            if fut is not None and not fut.done():
                fut.set_result(None)

    def _evict(self) -> None:
        # Drop the oldest frames in bulk (down to 3/4 of each bound) so eviction is amortised,
        # but never one the attached response has not written yet (backpressure bounds those).
        limits = self._limits
        keep_bytes = limits.replay_max_bytes * 3 // 4
        keep_events = limits.replay_max_events * 3 // 4
        frames = self._frames
        limit = len(frames) - 1
        w = self._writer
        if w is not None:
            limit = min(limit, w.cursor - self._first_seq)
        n = 0
        total = self._log_bytes
        while n < limit and (total > keep_bytes or len(frames) - n > keep_events):
            total -= len(frames[n])
            n += 1
        if n:
            del frames[:n]
            self._first_seq += n
            self._log_bytes = total

    async def _wait_drained(self) -> None:
        if self.finished:
            return
        fut = self._drained
        if fut is None or fut.done():
            fut = asyncio.get_running_loop().create_future()
            self._drained = fut
        await fut

    def _release_producer(self) -> None:
        fut = self._drained
        self._drained = None
        if fut is not None and not fut.done():
            fut.set_result(None)


async def serve(
    run: StreamRun,
    after_seq: int,
    send: Send,
    receive: Receive,
    limits: SseLimits,
    headers: list[tuple[bytes, bytes]],
) -> int:
    """Answer one request with `run`'s events after `after_seq`, live until `done`.

    Sends the headers and `retry: 3000` at once, then every frame as it becomes ready,
    `: ping` after `heartbeat_s` of silence. Returns the number of events written.
    Ends early when the client disconnects, stalls for `stall_timeout_s` or another
    response resumes the same run.
    """
    loop = asyncio.get_running_loop()
    conn = _Conn(after_seq + 1, loop.time(), asyncio.current_task())
    run.attach(conn)
    watcher = loop.create_task(_watch_disconnect(receive, conn, run))
    first_tick = conn.last_write + min(limits.heartbeat_s, limits.stall_timeout_s)
    conn.timer = loop.call_at(first_tick, _tick, conn, loop, limits)
    written = 0
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        pending = RETRY  # the first bytes of the body
        while not conn.disconnected:
            if conn.cursor < run.next_seq:
                chunk, count = run.take(conn)
                written += count
                body = pending + chunk if pending else chunk
            elif pending:
                body = pending
            elif conn.ping_due:
                body = PING
            elif not (run.finished or conn.superseded):
                waiter: asyncio.Future[None] = loop.create_future()
                conn.waiter = waiter
                await waiter
                conn.waiter = None
                continue
            else:
                body = b""
            end = (run.finished and conn.cursor >= run.next_seq) or conn.superseded
            conn.ping_due = False
            pending = b""
            produced = run.produced
            now = loop.time()
            conn.send_since = now
            await send({"type": "http.response.body", "body": body, "more_body": not end})
            conn.send_since = 0.0
            conn.last_write = now
            run.mark_delivered(produced)
            if end:
                break
    except asyncio.CancelledError:
        task = conn.task
        if not conn.stalled or task is None:
            raise
        task.uncancel()  # we cancelled our own task to drop a stalled client: not a shutdown
        sys.stderr.write(
            f"[haira] dropped a client of stream {run.stream_id}: "
            f"no progress for {limits.stall_timeout_s:g}s\n"
        )
    finally:
        watcher.cancel()
        if conn.timer is not None:
            conn.timer.cancel()
        run.detach(conn)
    return written


async def _watch_disconnect(receive: Receive, conn: _Conn, run: StreamRun) -> None:
    # The request body has been read, so the only message left is `http.disconnect`.
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
    except asyncio.CancelledError:
        raise
    except Exception:  # a server that raises instead of reporting the disconnect: same thing
        pass
    conn.disconnected = True
    run.detach(conn)
    conn.wake()


def _tick(conn: _Conn, loop: asyncio.AbstractEventLoop, limits: SseLimits) -> None:
    # One timer per response: heartbeats while idle, the stall check while a send blocks.
    now = loop.time()
    stall = limits.stall_timeout_s
    if conn.send_since:
        if now - conn.send_since >= stall:
            conn.stalled = True
            if conn.task is not None:
                conn.task.cancel()
            return
        nxt = conn.send_since + stall
    else:
        due = conn.last_write + limits.heartbeat_s
        if now >= due:
            conn.ping_due = True
            conn.wake()
            nxt = now + limits.heartbeat_s
        else:
            nxt = due
    # A send that starts blocking after this tick is caught at most `stall` later, without
    # touching the timer on every send.
    conn.timer = loop.call_at(min(nxt, now + stall), _tick, conn, loop, limits)
