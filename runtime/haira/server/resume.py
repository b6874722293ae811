"""The runs a client may resume with `Last-Event-ID` (contract §5), bounded and expiring.

    runs = StreamRegistry(limits, ttl_s=300, max_finished=10000, max_bytes=64 << 20)
    run = runs.create("/chat", collect=True)          # id "Xq3..." -> events "Xq3...:1", ...
    runs.lookup(b"Xq3...:4", "/chat")                  # -> (run, 4)

Live runs are bounded by the connections that carry them; finished runs are kept for
`ttl_s` after they end (at most `max_finished` of them, `max_bytes` in all) so a reconnecting
EventSource gets the rest of its stream, or 204 when it already has everything.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict

from haira.server.sse import SseLimits, StreamRun

__all__ = ["StreamRegistry", "parse_last_event_id"]


def parse_last_event_id(value: bytes) -> tuple[str, int] | None:
    """`b"<stream id>:<seq>"` -> (stream id, seq); None when it is not one of our ids."""
    try:
        text = value.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    stream_id, sep, seq = text.rpartition(":")
    if not sep or not stream_id or not seq.isdigit():
        return None
    return stream_id, int(seq)


class StreamRegistry:
    """Every run started on this worker that can still be resumed."""

    def __init__(
        self, limits: SseLimits, *, ttl_s: float, max_finished: int, max_bytes: int
    ) -> None:
        self._limits = limits
        self._ttl = ttl_s
        self._max_finished = max_finished
        self._max_bytes = max_bytes
        self._retained = 0  # frame bytes held by finished runs
        self._live: dict[str, StreamRun] = {}
        self._finished: OrderedDict[str, StreamRun] = OrderedDict()

    def create(self, path: str, *, collect: bool) -> StreamRun:
        """A new run for `path` with a fresh, unguessable stream id."""
        stream_id = secrets.token_urlsafe(12)
        run = StreamRun(stream_id, path, self._limits, collect=collect)
        run.on_finish = self._finished_run
        self._live[stream_id] = run
        return run

    def lookup(self, stream_id: str, path: str) -> StreamRun | None:
        """The run with this id served at `path`, if it is live or finished recently."""
        run = self._live.get(stream_id)
        if run is None:
            run = self._finished.get(stream_id)
            if run is not None and self._expired(run):
                self._drop(stream_id)
                run = None
        if run is None or run.path != path:
            return None
        return run

    def live(self) -> list[StreamRun]:
        """The runs that have not finished yet."""
        return list(self._live.values())

    def sweep(self) -> None:
        """Forget finished runs older than the TTL (called periodically)."""
        while self._finished:
            stream_id, run = next(iter(self._finished.items()))
            if not self._expired(run):
                break
            self._drop(stream_id)

    def _expired(self, run: StreamRun) -> bool:
        return asyncio.get_running_loop().time() - run.finished_at > self._ttl

    def _finished_run(self, run: StreamRun) -> None:
        self._live.pop(run.stream_id, None)
        self._finished[run.stream_id] = run
        self._retained += run.log_bytes
        # Oldest first, until both the count and the memory bound hold again.
        while self._finished and (
            len(self._finished) > self._max_finished or self._retained > self._max_bytes
        ):
            self._drop(next(iter(self._finished)))

    def _drop(self, stream_id: str) -> None:
        run = self._finished.pop(stream_id)
        self._retained -= run.log_bytes
