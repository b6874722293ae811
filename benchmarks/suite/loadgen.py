"""The load generator: a separate process that drives one server and prints JSON results.

    python -m benchmarks.suite.loadgen '{"mode": "sequential", "out": "result.json", ...}'

Modes (all bounded in count and time, loopback only):

* `sequential`: `count` streamed requests one after another on one connection; per
  request the time to the first content event, the total time and the events seen.
* `hold`: `streams` concurrent streams opened at `ramp` per second, each read to the end;
  delivery lag of every content event against the producer's `rate`, errors.
* `rate`: `connections` keep-alive connections sending requests back to back for
  `seconds`; requests done, latencies, errors.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
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
    template: dict[str, Any] = spec["body"]
    filled = {k: (v.replace("{i}", str(i)) if isinstance(v, str) else v) for k, v in template.items()}
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


async def _one_stream(spec: dict[str, Any], i: int, lags: list[float], ttfts: list[float],
                      errors: dict[str, int], state: dict[str, int]) -> None:
    host, port, path = spec["host"], spec["port"], spec["path"]
    expect = int(spec.get("expect_events", 0))
    counter = EventCounter(float(spec["rate"]))
    conn: Connection | None = None
    try:
        conn = await asyncio.wait_for(Connection.open(host, port), 30.0)
        state["open"] += 1
        start = time.perf_counter()
        resp = await asyncio.wait_for(
            conn.exchange(request_bytes("POST", host, port, path, _body(spec, i)), counter),
            float(spec["timeout"]))
        if resp.status != 200:
            errors[f"status {resp.status}"] = errors.get(f"status {resp.status}", 0) + 1
        elif expect and counter.content < expect:
            errors["short stream"] = errors.get("short stream", 0) + 1
        elif not counter.done:
            errors["no done event"] = errors.get("no done event", 0) + 1
        if counter.content:
            ttfts.append(counter.first - start)
        lags.extend(counter.lags)
    except TimeoutError:
        errors["timeout"] = errors.get("timeout", 0) + 1
    except (OSError, HTTPError, asyncio.IncompleteReadError) as exc:
        key = type(exc).__name__
        errors[key] = errors.get(key, 0) + 1
    finally:
        if conn is not None:
            conn.close()
            state["open"] -= 1


async def hold(spec: dict[str, Any]) -> dict[str, Any]:
    n, ramp = int(spec["streams"]), float(spec["ramp"])
    offset = int(spec.get("offset", 0))
    lags: list[float] = []
    ttfts: list[float] = []
    errors: dict[str, int] = {}
    state = {"open": 0, "peak": 0}
    start = time.perf_counter()
    tasks = []
    for i in range(n):
        due = start + i / ramp
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(_one_stream(spec, offset + i, lags, ttfts, errors, state)))
        state["peak"] = max(state["peak"], state["open"])
    while not all(t.done() for t in tasks):
        state["peak"] = max(state["peak"], state["open"])
        await asyncio.sleep(0.25)
    await asyncio.gather(*tasks)
    return {"streams": n, "errors": errors, "events": len(lags), "peak_open": state["peak"],
            "lags": _sample(lags), "ttfts": _sample(ttfts), "seconds": time.perf_counter() - start}


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
