"""Stream event logs and Stop across workers, through Redis.

Every run started on this worker is mirrored: its frames (already-encoded SSE events, the
same bytes the local replay buffer holds) are appended to a Redis stream whose entry ids
are the event sequence numbers, next to a small hash with the run's path, newest sequence
and whether it finished. Both expire like the local buffer (`HAIRA_SSE_RESUME_TTL` after
the end; a live run's keys are refreshed while it runs, so a crashed worker's expire).

    <p>:run:<stream id>    XADD 0-<seq> f=<frame>     (trimmed to the replay bound)
    <p>:meta:<stream id>   HSET path, owner, last, finished
    <p>:ctl                PUBLISH {"op": "attach"|"cancel", "id", "reader"}

A reconnect that lands on a worker without the run reads the log after its `Last-Event-ID`
and then follows it live (`serve_remote`). It first publishes `attach`: the owner makes a
placeholder the run's reader (which ends the old response, as a local resume does), so
the run keeps going while the client reads elsewhere. When that client goes away (Stop)
its worker publishes `cancel`, and the owner cancels the run: the upstream call closes
and the partial reply is stored as interrupted, exactly as for a local disconnect.

Frames are written by one flusher task per worker in batched pipelines, so the agent's
hot path only appends to a list; a Redis outage loses cross-worker resume for the runs it
hits (reported once), never the local stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import sys
from typing import Any, Final

import orjson
import redis.asyncio as aioredis
import redis.exceptions

from haira.server.sse import PING, RETRY, SseLimits, StreamRun, _Conn, encode_event

__all__ = ["RedisRuns"]

Send = Any  # the ASGI callables (typed in haira.server.request)
Receive = Any

_LIVE_TTL_S: Final = 60  # a live run's keys outlive a crashed owner by at most this
_POLL_MS: Final = 250  # a remote reader notices its client leaving within this
_DONE: Final = b"\nevent: done\n"


class _Mirror:
    """A local run being copied to Redis."""

    __slots__ = ("broken", "finished", "pending", "reader", "remote", "run", "sent")

    def __init__(self, run: StreamRun) -> None:
        self.run = run
        self.pending: list[bytes] = []
        self.sent = 0  # newest seq written to Redis
        self.finished = False
        self.broken = False
        self.remote: _Conn | None = None  # placeholder reader for a client on another worker
        self.reader = ""


class RedisRuns:
    """This worker's side of the shared resume buffers and cross-worker Stop."""

    def __init__(self, url: str, *, prefix: str, limits: SseLimits, ttl_s: float) -> None:
        self.url = url
        self.prefix = prefix
        self.limits = limits
        self.ttl_s = max(1, int(ttl_s))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        # redis-py's annotations do not describe bytes replies; its results are checked here.
        self._redis: Any = None
        self._mirrors: dict[str, _Mirror] = {}
        self._wake: asyncio.Event | None = None
        self._flush_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._down = False  # an outage has been reported (once)
        self._channel = f"{prefix}:ctl"

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._redis = aioredis.Redis.from_url(
            self.url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=30
        )
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._flusher()),
            loop.create_task(self._listener()),
            loop.create_task(self._keepalive()),
        ]

    async def close(self) -> None:
        # Write the last events (usually shutdown's `error` + `done`), then stop.
        if self._mirrors and self._redis is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._flush_once(), 2.0)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None

    def _client(self) -> Any:
        r = self._redis
        if r is None:
            raise RuntimeError("RedisRuns.start() was not awaited")
        return r

    def _report(self, what: str, exc: BaseException) -> None:
        if not self._down:
            self._down = True
            sys.stderr.write(f"[haira] Redis unavailable ({what}): {exc}; "
                             "streams continue, but cannot be resumed on other workers\n")

    # ------------------------------------------------------------ the owner's side

    def track(self, run: StreamRun) -> None:
        """Mirror `run` (just created, no frame yet) to Redis."""
        mirror = _Mirror(run)
        self._mirrors[run.stream_id] = mirror
        wake = self._wake

        def tap(frame: bytes) -> None:
            if not mirror.broken:
                mirror.pending.append(frame)
                if wake is not None:
                    wake.set()

        previous = run.on_finish

        def finished(r: StreamRun) -> None:
            if previous is not None:
                previous(r)
            mirror.finished = True
            if wake is not None:
                wake.set()

        run.tap = tap
        run.on_finish = finished

    async def _flusher(self) -> None:
        wake = self._wake
        assert wake is not None
        while True:
            await wake.wait()
            wake.clear()
            try:
                await self._flush_once()
                self._down = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._report("writing stream events", exc)
                await asyncio.sleep(0.5)

    async def _flush_once(self) -> None:
        # One flush at a time: each run's entries must reach Redis in sequence order.
        async with self._flush_lock:
            await self._flush_batch()

    async def _flush_batch(self) -> None:
        batch: list[tuple[_Mirror, list[bytes], int, bool]] = []
        for m in list(self._mirrors.values()):
            if m.broken:
                self._mirrors.pop(m.run.stream_id, None)
            elif m.pending or m.finished:
                batch.append((m, m.pending, m.run.produced, m.finished))
                m.pending = []
        if not batch:
            return
        maxlen = self.limits.replay_max_events
        async with self._client().pipeline(transaction=False) as p:
            for m, frames, _produced, finished in batch:
                sid = m.run.stream_id
                log = f"{self.prefix}:run:{sid}"
                meta = f"{self.prefix}:meta:{sid}"
                seq = m.sent
                for frame in frames:
                    seq += 1
                    p.xadd(log, {b"f": frame}, id=f"0-{seq}", maxlen=maxlen, approximate=True)
                p.hset(meta, mapping={
                    "path": m.run.path, "owner": self.worker, "last": seq,
                    "finished": 1 if finished else 0,
                })
                ttl = self.ttl_s if finished else max(self.ttl_s, _LIVE_TTL_S)
                p.expire(meta, ttl)
                p.expire(log, ttl)
            try:
                await p.execute()
            except Exception:
                for m, _frames, _p, _f in batch:
                    # Order matters more than completeness: stop mirroring these runs.
                    m.broken = True
                    m.run.tap = None
                raise
        for m, frames, produced, finished in batch:
            m.sent += len(frames)
            remote = m.remote
            if remote is not None and not remote.superseded:
                # The remote reader has "received" what is in Redis: release backpressure.
                remote.cursor = m.sent + 1
                m.run.mark_delivered(produced)
            if finished:
                self._mirrors.pop(m.run.stream_id, None)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(_LIVE_TTL_S / 3)
            live = [m for m in self._mirrors.values() if not m.finished and not m.broken]
            if not live:
                continue
            try:
                async with self._client().pipeline(transaction=False) as p:
                    for m in live:
                        sid = m.run.stream_id
                        p.expire(f"{self.prefix}:meta:{sid}", max(self.ttl_s, _LIVE_TTL_S))
                        p.expire(f"{self.prefix}:run:{sid}", max(self.ttl_s, _LIVE_TTL_S))
                    await p.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._report("refreshing live streams", exc)

    async def _listener(self) -> None:
        while True:
            pubsub: Any = self._client().pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                while True:
                    msg = await pubsub.get_message(timeout=1.0)
                    if msg is not None and msg.get("type") == "message":
                        self._control(msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._report("listening for Stop", exc)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _control(self, data: bytes) -> None:
        try:
            doc = orjson.loads(data)
            op, sid, reader = str(doc["op"]), str(doc["id"]), str(doc.get("reader", ""))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return
        m = self._mirrors.get(sid)
        if m is None or m.run.finished:
            return
        run = m.run
        if op == "attach":
            conn = _Conn(m.sent + 1, asyncio.get_running_loop().time(), None)
            run.attach(conn)  # ends this worker's response to the same client, if still open
            m.remote = conn
            m.reader = reader
        elif op == "cancel":
            remote = m.remote
            if remote is not None and m.reader == reader and not remote.superseded:
                m.remote = None
                run.detach(remote)  # the last reader left: the run is cancelled

    # ------------------------------------------------------------ another worker's side

    async def publish(self, op: str, stream_id: str, reader: str = "") -> None:
        """Send a control message to whichever worker runs `stream_id`."""
        payload = orjson.dumps({"op": op, "id": stream_id, "reader": reader})
        await self._client().publish(self._channel, payload)

    async def serve_remote(
        self,
        stream_id: str,
        after: int,
        path: str,
        send: Send,
        receive: Receive,
        headers: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None] | None:
        """Answer a resume of a run another worker started; None when it is unknown or
        fully delivered (the caller answers 204)."""
        r = self._client()
        meta_key = f"{self.prefix}:meta:{stream_id}"
        log = f"{self.prefix}:run:{stream_id}"
        if not await self._resumable(meta_key, path, after):
            return None
        reader = secrets.token_hex(8)
        with contextlib.suppress(redis.exceptions.RedisError):
            await self.publish("attach", stream_id, reader)
        loop = asyncio.get_running_loop()
        gone = asyncio.Event()
        watcher = loop.create_task(_watch(receive, gone))
        written = 0
        cursor = after
        done = False
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": RETRY, "more_body": True})
            if await _gap(r, log, stream_id, cursor, send):
                cursor = _seq((await r.xrange(log, "-", "+", count=1))[0][0]) - 1
                written += 1
            last_write = loop.time()
            idle_checks = 0.0
            while not gone.is_set():
                res = await r.xread({log: f"0-{cursor}"}, count=512, block=_POLL_MS)
                chunks: list[bytes] = []
                for _key, entries in res or ():
                    for entry_id, fields in entries:
                        cursor = _seq(entry_id)
                        frame = fields[b"f"]
                        chunks.append(frame)
                        if _DONE in frame:
                            done = True
                now = loop.time()
                if chunks:
                    written += len(chunks)
                    await send({"type": "http.response.body", "body": b"".join(chunks),
                                "more_body": not done})
                    last_write = now
                    idle_checks = now
                    if done:
                        return 200, written
                    continue
                if now - last_write >= self.limits.heartbeat_s:
                    await send({"type": "http.response.body", "body": PING, "more_body": True})
                    last_write = now
                if now - idle_checks >= 2.0:
                    idle_checks = now
                    if not await r.exists(meta_key):  # its worker died and the keys expired
                        await self._end(send, stream_id, cursor,
                                        "the worker running this stream went away")
                        return 200, written + 2
            return 200, written
        except redis.exceptions.RedisError as exc:
            self._report("resuming a stream", exc)
            with contextlib.suppress(Exception):
                await self._end(send, stream_id, cursor, "the stream's buffer is unavailable")
            return 200, written
        finally:
            watcher.cancel()
            if not done and gone.is_set():
                # Stop: this client left before the end; the run's worker cancels it.
                with contextlib.suppress(Exception):
                    await self.publish("cancel", stream_id, reader)

    async def _resumable(self, meta_key: str, path: str, after: int) -> bool:
        """The run exists (for `path`) and has events after `after` or is still live."""
        try:
            meta = await self._client().hgetall(meta_key)
            if not meta:
                # The owner may not have flushed its first events yet (the client got them
                # straight from its socket): look once more before answering "unknown".
                await asyncio.sleep(0.2)
                meta = await self._client().hgetall(meta_key)
        except redis.exceptions.RedisError as exc:
            self._report("resuming a stream", exc)
            return False
        if not meta or meta.get(b"path", b"").decode() != path:
            return False
        last = int(meta.get(b"last", b"0"))
        return not (meta.get(b"finished") == b"1" and after >= last)

    async def _end(self, send: Send, stream_id: str, cursor: int, message: str) -> None:
        body = encode_event(stream_id, cursor + 1, "error", orjson.dumps(
            {"error": message, "code": "resume_unavailable"}))
        body += encode_event(stream_id, cursor + 2, "done", b"[DONE]")
        await send({"type": "http.response.body", "body": body, "more_body": False})


async def _gap(r: Any, log: str, stream_id: str, cursor: int, send: Send) -> bool:
    """When the bounded log no longer holds what the client missed, say so (True)."""
    first = await r.xrange(log, "-", "+", count=1)
    if not first or _seq(first[0][0]) <= cursor + 1:
        return False
    gap = encode_event(stream_id, cursor, "error", orjson.dumps(
        {"error": "the stream can no longer be resumed", "code": "resume_unavailable"}))
    await send({"type": "http.response.body", "body": gap, "more_body": True})
    return True


def _seq(entry_id: bytes | str) -> int:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(text.partition("-")[2])


async def _watch(receive: Receive, gone: asyncio.Event) -> None:
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except asyncio.CancelledError:
        raise
    except Exception:
        pass
    gone.set()
