"""The load generator: a separate process that drives one server and prints JSON results.

    python -m benchmarks.suite.loadgen '{"mode": "sequential", "out": "result.json", ...}'

Modes (all bounded in count and time, loopback only):

* `sequential`: `count` streamed requests one after another on one connection; per
  request the time to the first content event, the total time and the events seen.
* `hold`: `streams` concurrent streams opened at up to `ramp` per second with at most
  `window` waiting for their first token, all held open `hold` seconds, then closed by the
  client; delivery lag of every content event against the producer's `rate`, errors.
  Writes `<out>.open` when every stream is delivering (the harness samples memory then).
* `rate`: `connections` keep-alive connections sending requests back to back for
  `seconds`; requests done, latencies, errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.suite.http1 import Connection, HTTPError, request_bytes
from benchmarks.suite.sse import EventCounter

__all__ = ["main", "raise_nofile"]

_MAX_SAMPLES = 20_000


def raise_nofile() -> int:
    """Raise the soft file-descriptor limit to the hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _sample(values: list[float]) -> list[float]:
    """Sorted values thinned to at most _MAX_SAMPLES, quantiles preserved."""
    values.sort()
    if len(values) <= _MAX_SAMPLES:
        return values
    step = len(values) / _MAX_SAMPLES
    return [values[int(i * step)] for i in range(_MAX_SAMPLES)]


def _body(spec: dict[str, Any], i: int) -> bytes:
    """The request body with `{i}` made unique (sessions must not grow across requests)."""
    template: dict[str, Any] = spec["body"]
    key = f"{spec.get('tag', '')}{i}"
    filled = {k: (v.replace("{i}", key) if isinstance(v, str) else v) for k, v in template.items()}
    return json.dumps(filled).encode()


async def sequential(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, path = spec["host"], spec["port"], spec["path"]
    runs: list[dict[str, Any]] = []
    conn = await Connection.open(host, port)
    stop_at = time.perf_counter() + float(spec.get("seconds", 0) or 1e9)
    try:
        for i in range(int(spec["count"])):
            if time.perf_counter() > stop_at:
                break
            raw = request_bytes("POST", host, port, path, _body(spec, i))
            counter = EventCounter()
            start = time.perf_counter()
            resp = await conn.exchange(raw, counter)
            end = time.perf_counter()
            runs.append({"status": resp.status, "events": counter.content, "done": counter.done,
                         "first": counter.first - start if counter.content else None,
                         "total": end - start, "last": counter.last - start if counter.content else None})
            if resp.headers.get("connection", "").lower() == "close":
                conn.close()
                conn = await Connection.open(host, port)
    finally:
        conn.close()
    return {"runs": runs}


class _Hold:
    """Shared state of one `hold` run."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.pending = 0  # requests sent, first token not yet seen
        self.live = 0  # streams delivering tokens
        self.peak = 0
        self.closing = False  # the client is closing every stream now: not an error
        self.lags: list[float] = []
        self.ttfts: list[float] = []
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []  # how early-ended streams ended (their last events)
        self.wake = asyncio.Event()

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def stream(self, i: int) -> None:
        spec = self.spec
        host, port, path = spec["host"], spec["port"], spec["path"]
        waiting = True

        def first() -> None:
            nonlocal waiting
            waiting = False
            self.pending -= 1
            self.live += 1
            self.peak = max(self.peak, self.live)
            self.wake.set()

        counter = EventCounter(float(spec["rate"]), first)
        conn: Connection | None = None
        start = time.perf_counter()
        self.pending += 1
        try:
            conn = await asyncio.wait_for(Connection.open(host, port), 30.0)
            start = time.perf_counter()
            resp = await conn.exchange(request_bytes("POST", host, port, path, _body(spec, i)), counter)
            if resp.status != 200:
                self.error(f"status {resp.status}")
            else:
                self.error("stream ended before the client closed it")
                if len(self.samples) < 5:
                    self.samples.append(counter.tail.decode(errors="replace"))
        except asyncio.CancelledError:
            if not self.closing:
                raise
            if waiting:
                self.error("no first token before the hold ended")
        except TimeoutError:
            self.error("connect timeout")
        except (OSError, HTTPError, asyncio.IncompleteReadError) as exc:
            self.error(type(exc).__name__)
        finally:
            if waiting:
                self.pending -= 1
                self.wake.set()
            else:
                self.live -= 1
                self.ttfts.append(counter.first - start)
            self.lags.extend(counter.lags)
            if conn is not None:
                conn.close()


async def hold(spec: dict[str, Any]) -> dict[str, Any]:
    """Open `streams` streams (at most `ramp`/s and `window` waiting for their first token),
    keep them all open `hold` seconds, then close them from the client side."""
    n, ramp, window = int(spec["streams"]), float(spec["ramp"]), int(spec["window"])
    offset = int(spec.get("offset", 0))
    open_deadline = time.perf_counter() + float(spec["open_timeout"])
    h = _Hold(spec)
    start = time.perf_counter()
    tasks = []
    for i in range(n):
        while h.pending >= window and time.perf_counter() < open_deadline:
            h.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(h.wake.wait(), 0.5)
        if time.perf_counter() >= open_deadline:
            h.errors["not opened: open phase timed out"] = n - i
            break
        delay = start + i / ramp - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(h.stream(offset + i)))
    while h.pending > 0 and time.perf_counter() < open_deadline:
        h.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(h.wake.wait(), 0.5)
    opened = time.perf_counter()
    Path(spec["out"] + ".open").write_text(json.dumps({"live": h.live}))
    await asyncio.sleep(float(spec["hold"]))
    live_at_end = h.live
    h.closing = True
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"streams": n, "errors": h.errors, "samples": h.samples, "events": len(h.lags), "peak_open": h.peak,
            "live_at_end": live_at_end, "open_seconds": opened - start, "lags": _sample(h.lags),
            "ttfts": _sample(h.ttfts), "seconds": time.perf_counter() - start}


async def rate(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, path = spec["host"], spec["port"], spec["path"]
    raw = request_bytes("POST", host, port, path, json.dumps(spec["body"]).encode(),
                        accept="application/json")
    seconds = float(spec["seconds"])
    latencies: list[float] = []
    errors: dict[str, int] = {}
    end = time.perf_counter() + seconds

    async def worker() -> None:
        conn = await Connection.open(host, port)
        try:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                try:
                    resp = await asyncio.wait_for(conn.exchange(raw), 30.0)
                except (OSError, HTTPError, TimeoutError) as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    conn.close()
                    conn = await Connection.open(host, port)
                    continue
                latencies.append(time.perf_counter() - t0)
                if resp.status != 200:
                    errors[f"status {resp.status}"] = errors.get(f"status {resp.status}", 0) + 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(int(spec["connections"]))))
    elapsed = time.perf_counter() - t0
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors,
            "latencies": _sample(latencies)}


_MODES = {"sequential": sequential, "hold": hold, "rate": rate}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec: dict[str, Any] = json.loads(args[0])
    raise_nofile()
    try:
        import uvloop

        uvloop.install()  # the servers run on uvloop; so does their load
    except ImportError:  # pragma: no cover - uvloop comes with the runtime
        pass
    t0 = time.perf_counter()
    result = asyncio.run(_MODES[spec["mode"]](spec))
    result["wall"] = time.perf_counter() - t0
    # A file, not stdout: a pipe nobody drains yet would block a large result.
    with open(spec["out"], "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
