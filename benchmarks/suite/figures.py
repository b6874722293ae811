"""The four server figures: relay throughput, time to first token, concurrency, request rate.

Each returns a JSON-able dict; a target that cannot be measured gets an `error` entry
instead of numbers, so one broken target never hides the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.suite.config import Config
from benchmarks.suite.procs import LOOPBACK, LoadGen, Server, run_loadgen
from benchmarks.suite.stats import median, pct
from benchmarks.suite.targets import DIRECT_BODY, Target, fake_server, token_text

__all__ = ["concurrency", "log", "rate", "relay", "spec", "ttft"]


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def spec(mode: str, server_port: int, target: Target, **extra: Any) -> dict[str, Any]:
    return {"mode": mode, "host": LOOPBACK, "port": server_port, "path": target.path,
            "body": target.body, **extra}


def _direct(fake: Server) -> Target:
    def start(env: dict[str, str]) -> Server:
        return fake

    return Target("direct", "fake LLM server, called directly", start, "/v1/chat/completions", dict(DIRECT_BODY))


def _guard(name: str, out: dict[str, Any], fn: Callable[[], dict[str, Any]]) -> None:
    try:
        out[name] = fn()
    except Exception as exc:  # one failing target must not sink the run; the report says why
        log(f"  {name}: FAILED: {exc}")
        out[name] = {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}


# ------------------------------------------------------------------ 1. relay throughput

def relay(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    n = cfg.relay_tokens
    results: dict[str, Any] = {}
    with fake_server(cfg.work_dir, reply=token_text(n)) as fake:
        env = {"OPENAI_BASE_URL": f"http://{LOOPBACK}:{fake.port}/v1"}
        for t in [_direct(fake), *targets]:
            def measure(t: Target = t) -> dict[str, Any]:
                server = t.start(env)
                try:
                    cpu0 = server.cpu() if server is not fake else 0.0
                    out = run_loadgen(spec("sequential", server.port, t, count=cfg.relay_repeats + 1),
                                      cfg.work_dir, timeout=600)
                    cpu = (server.cpu() - cpu0) if server is not fake else 0.0
                finally:
                    if server is not fake:
                        server.stop()
                runs = out["runs"][1:]  # the first request warms up connections and imports
                bad = [r for r in runs if r["status"] != 200 or r["events"] < n]
                if bad:
                    r = bad[0]
                    raise RuntimeError(f"status {r['status']}, {r['events']} of {n} content events")
                secs = [float(r["last"]) for r in runs]
                best = median(secs) or 0.0
                return {"seconds": secs, "tokens_per_s": n / best, "us_per_token": best / n * 1e6,
                        "server_cpu_us_per_token": cpu / (n * (cfg.relay_repeats + 1)) * 1e6 if cpu else None,
                        "label": t.label}
            log(f"relay: {t.name}")
            _guard(t.name, results, measure)
    return {"tokens": n, "repeats": cfg.relay_repeats, "targets": results}


# ------------------------------------------------------------------ 2. time to first token

def ttft(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with fake_server(cfg.work_dir, reply="hi") as fake:
        env = {"OPENAI_BASE_URL": f"http://{LOOPBACK}:{fake.port}/v1"}
        for t in [_direct(fake), *targets]:
            def measure(t: Target = t) -> dict[str, Any]:
                server = t.start(env)
                try:
                    out = run_loadgen(spec("sequential", server.port, t, count=cfg.ttft_requests + 10),
                                      cfg.work_dir, timeout=600)
                finally:
                    if server is not fake:
                        server.stop()
                runs = out["runs"][10:]  # warm-up
                firsts = [float(r["first"]) for r in runs if r["first"] is not None and r["status"] == 200]
                errors = len(runs) - len(firsts)
                return {"p50_ms": (pct(firsts, 50) or 0) * 1e3, "p99_ms": (pct(firsts, 99) or 0) * 1e3,
                        "requests": len(runs), "errors": errors, "label": t.label}
            log(f"ttft: {t.name}")
            _guard(t.name, results, measure)
    base = results.get("direct", {})
    for name, r in results.items():
        if "error" not in r and "error" not in base and name != "direct":
            r["added_p50_ms"] = r["p50_ms"] - base["p50_ms"]
            r["added_p99_ms"] = r["p99_ms"] - base["p99_ms"]
    return {"requests": cfg.ttft_requests, "targets": results}


# ------------------------------------------------------------------ 3. concurrency

def _hold(cfg: Config, t: Target, n: int) -> dict[str, Any]:
    ramp_s = n / cfg.ramp
    rate_each = min(cfg.trickle_rate, cfg.max_events / n)
    tokens = max(2, int(rate_each * (ramp_s + cfg.hold_seconds)))
    env = {"HAIRA_PROVIDER": "mock", "HAIRA_MOCK_TOKEN_RATE": f"{rate_each:g}",
           "HAIRA_MOCK_REPLY": token_text(tokens)}
    server = t.start(env)
    try:
        time.sleep(1.0)
        base_rss = server.rss()
        cpu0 = server.cpu()
        procs = max(1, min(cfg.loadgen_procs, n))
        per = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
        timeout = ramp_s + tokens / rate_each + 180
        gens = []
        offset = 0
        for k in per:
            gens.append(LoadGen(spec("hold", server.port, t, streams=k, ramp=cfg.ramp / procs,
                                            offset=offset, rate=rate_each, expect_events=tokens,
                                            timeout=timeout), cfg.work_dir))
            offset += k
        peak = base_rss
        t0 = time.monotonic()
        while any(g.running() for g in gens) and time.monotonic() - t0 < timeout + 30:
            peak = max(peak, server.rss())
            time.sleep(0.5)
        outs = [g.result(60) for g in gens]
        cpu = server.cpu() - cpu0
    finally:
        server.stop()
    errors: dict[str, int] = {}
    lags: list[float] = []
    ttfts: list[float] = []
    for o in outs:
        for k, v in o["errors"].items():
            errors[k] = errors.get(k, 0) + v
        lags.extend(o["lags"])
        ttfts.extend(o["ttfts"])
    events = sum(int(o["events"]) for o in outs)
    wall = max(float(o["seconds"]) for o in outs)
    return {"streams": n, "rate": rate_each, "tokens_per_stream": tokens, "rss_base_mib": base_rss / 2**20,
            "rss_peak_mib": peak / 2**20, "kib_per_stream": (peak - base_rss) / 1024 / n,
            "lag_p50_ms": (pct(lags, 50) or 0) * 1e3, "lag_p99_ms": (pct(lags, 99) or 0) * 1e3,
            "ttft_p50_ms": (pct(ttfts, 50) or 0) * 1e3, "ttft_p99_ms": (pct(ttfts, 99) or 0) * 1e3, "errors": sum(errors.values()),
            "error_kinds": errors, "events": events, "events_expected": n * tokens,
            "peak_open": sum(int(o["peak_open"]) for o in outs), "server_cpu_s": cpu, "seconds": wall}


def concurrency(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for t in targets:
        rows: dict[str, Any] = {}
        for n in cfg.concurrency:
            log(f"concurrency: {t.name} x {n}")
            def one(t: Target = t, n: int = n) -> dict[str, Any]:
                return _hold(cfg, t, n)

            _guard(str(n), rows, one)
        results[t.name] = {"label": t.label, "by_streams": rows}
    return {"rate": cfg.trickle_rate, "hold_seconds": cfg.hold_seconds, "ramp": cfg.ramp,
            "sizes": cfg.concurrency, "targets": results}


# ------------------------------------------------------------------ 4. request rate

RATE_ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "ask": ("/api/ask", {"message": "hello there"}),
    "json": ("/api/add", {"a": 20, "b": 22}),
}


def rate(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for t in targets:
        def measure(t: Target = t) -> dict[str, Any]:
            server = t.start({"HAIRA_PROVIDER": "mock"})
            rows: dict[str, Any] = {"label": t.label}
            try:
                for route, (path, body) in RATE_ROUTES.items():
                    tt = Target(t.name, t.label, t.start, path, body)
                    run_loadgen(spec("rate", server.port, tt, seconds=min(1.0, cfg.rate_seconds),
                                      connections=cfg.rate_connections), cfg.work_dir, timeout=120)
                    out = run_loadgen(spec("rate", server.port, tt, seconds=cfg.rate_seconds,
                                            connections=cfg.rate_connections), cfg.work_dir,
                                      timeout=120 + cfg.rate_seconds)
                    lat = [float(x) for x in out["latencies"]]
                    rows[route] = {"rps": out["requests"] / out["seconds"], "p50_ms": (pct(lat, 50) or 0) * 1e3,
                                   "p99_ms": (pct(lat, 99) or 0) * 1e3, "errors": sum(out["errors"].values()),
                                   "error_kinds": out["errors"], "requests": out["requests"]}
            finally:
                server.stop()
            return rows
        log(f"rate: {t.name}")
        _guard(t.name, results, measure)
    return {"seconds": cfg.rate_seconds, "connections": cfg.rate_connections, "targets": results}
