"""Scale-out benchmark: throughput and p99 latency of 1, 2 and 4 workers, SQLite vs PostgreSQL.

    .venv/bin/python benchmarks/scaleout/bench.py [--seconds 5] [--concurrency 16]
        [--workers 1,2,4] [--pg postgresql://root@127.0.0.1:5432/test]

For each store and worker count it starts `app.py` (`HAIRA_WORKERS=N`, mock model, a fresh
SQLite file or PostgreSQL schema), warms it up, then keeps `--concurrency` clients busy
for `--seconds` with chat turns (JSON answers; 500 sessions, so memory grows as in real
use) and prints a table. Each request does about five store round trips (memory load and
appends, chat records). The load generator runs in this process (one core of its own at
most), so on a small machine the figures are a lower bound of what the server can do.

Measured 2026-11-25 on the shared 2-CPU dev machine, load average 7-15 from other jobs
(more processes mostly compete for the same two cores; PostgreSQL runs on them too, so
its rows pay for the database server's CPU as well). `--concurrency 16 --seconds 5`:

    store      workers     req/s  errors    p50 ms    p99 ms
    sqlite           1        85       0      96.8    1155.0
    sqlite           2       126       0      71.9     901.7
    sqlite           4       185       0      46.3     562.1
    postgres         1        72       0     211.5     448.0
    postgres         2        67       0     161.4    1000.7
    postgres         4        61       0     203.8    1055.4

Run to run variation on that machine is large (±40 %); compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    full = {**os.environ, **env, "HAIRA_HOST": "127.0.0.1", "HAIRA_PORT": str(port),
            "HAIRA_WORKERS": str(workers), "HAIRA_PROVIDER": "mock", "HAIRA_ACCESS_LOG": "0",
            "HAIRA_QUIET": "1", "HAIRA_NO_UI": "1"}
    proc = subprocess.Popen([sys.executable, str(HERE / "app.py")], env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_api/health", timeout=0.5).status_code == 200:
                return proc, port
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"app did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


async def _load(port: int, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    url = f"http://127.0.0.1:{port}/api/chat"
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # Warm up every worker (connections, pools, migrations) before measuring.
        await asyncio.gather(*(client.post(url, json={"message": "hi", "session_id": f"w{i}"},
                                           headers={"Accept": "application/json"})
                               for i in range(concurrency)))
        end = time.perf_counter() + seconds
        counter = 0

        async def client_loop(n: int) -> None:
            nonlocal errors, counter
            while time.perf_counter() < end:
                counter += 1
                body = {"message": f"message {counter}", "session_id": f"s{counter % 500}"}
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, json=body, headers={"Accept": "application/json"})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(client_loop(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    return round(len(latencies) / elapsed), errors, latencies


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--pg", default=os.environ.get("HAIRA_BENCH_PG",
                                                   "postgresql://root@127.0.0.1:5432/test"))
    ap.add_argument("--stores", default="sqlite,postgres")
    args = ap.parse_args()
    rows: list[tuple[str, int, int, int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="haira-bench-") as tmp:
        for store in args.stores.split(","):
            for workers in [int(w) for w in args.workers.split(",")]:
                schema = ""
                if store == "sqlite":
                    env = {"HAIRA_DATABASE_URL": str(Path(tmp) / f"bench-{workers}.db")}
                else:
                    schema = "haira_bench_" + secrets.token_hex(4)
                    with psycopg.connect(args.pg, autocommit=True) as conn:
                        conn.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]
                    sep = "&" if "?" in args.pg else "?"
                    env = {"HAIRA_DATABASE_URL": f"{args.pg}{sep}options=-csearch_path%3D{schema}"}
                proc, port = _start(env, workers)
                try:
                    rps, errors, lat = asyncio.run(_load(port, args.seconds, args.concurrency))
                finally:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                    if schema:
                        with psycopg.connect(args.pg, autocommit=True) as conn:
                            conn.execute(f"DROP SCHEMA {schema} CASCADE")  # type: ignore[arg-type]
                rows.append((store, workers, rps, errors, _p(lat, 0.5), _p(lat, 0.99)))
                print(f"  {store:8} workers={workers}: {rps} req/s", file=sys.stderr, flush=True)
    print(f"\nscale-out: {args.concurrency} concurrent clients, {args.seconds:g} s per row, "
          f"{os.cpu_count()} CPUs\n")
    print(f"{'store':<10}{'workers':>8}{'req/s':>10}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for store, workers, rps, errors, p50, p99 in rows:
        print(f"{store:<10}{workers:>8}{rps:>10}{errors:>8}{p50:>10.1f}{p99:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
