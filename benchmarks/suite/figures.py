"""The four server figures: relay throughput, time to first token, concurrency, request rate.

Each returns a JSON-able dict; a target that cannot be measured gets an `error` entry
instead of numbers, so one broken target never hides the others.
"""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------ 1 and 2: sequential streams

def _interleaved(cfg: Config, fake: Server, targets: list[Target], *, rounds: int, per_round: int,
                 warmup: int) -> dict[str, dict[str, Any]]:
    """Every target's server up at once, measured in turns: round 1 of each, round 2 of each...

    The machine is shared, so load from elsewhere comes and goes; taking turns spreads it
    over all targets instead of landing on whichever ran at the wrong moment.
    """
    env = {"OPENAI_BASE_URL": f"http://{LOOPBACK}:{fake.port}/v1"}
    out: dict[str, dict[str, Any]] = {}
    live: dict[str, tuple[Target, Server]] = {}
    try:
        for t in [_direct(fake), *targets]:
            try:
                live[t.name] = (t, t.start(env))
                out[t.name] = {"label": t.label, "runs": [], "cpu": 0.0}
            except Exception as exc:  # the report says why; the other targets stand
                log(f"  {t.name}: FAILED to start: {exc}")
                out[t.name] = {"error": str(exc).splitlines()[0]}
        for rnd in range(-1, rounds):  # round -1 warms up connections, imports, caches
            for name, (t, server) in list(live.items()):
                count = warmup if rnd < 0 else per_round
                if count <= 0:
                    continue
                try:
                    cpu0 = server.cpu() if server is not fake else 0.0
                    res = run_loadgen(spec("sequential", server.port, t, count=count, tag=f"r{rnd}-"),
                                      cfg.work_dir, timeout=600)
                    if rnd >= 0:
                        out[name]["runs"] += res["runs"]
                        out[name]["cpu"] += (server.cpu() - cpu0) if server is not fake else 0.0
                except Exception as exc:
                    log(f"  {name}: FAILED: {exc}")
                    out[name] = {"error": str(exc).splitlines()[0]}
                    del live[name]
                    if server is not fake:
                        server.stop()
    finally:
        for _, server in live.values():
            if server is not fake:
                server.stop()
    return out


def relay(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    n = cfg.relay_tokens
    results: dict[str, Any] = {}
    log(f"relay: {', '.join(t.name for t in targets)} and direct, {cfg.relay_repeats} rounds")
    with fake_server(cfg.work_dir, reply=token_text(n)) as fake:
        raw = _interleaved(cfg, fake, targets, rounds=cfg.relay_repeats, per_round=1, warmup=1)
    for name, v in raw.items():
        if "error" in v:
            results[name] = v
            continue
        runs = v["runs"]
        bad = [r for r in runs if r["status"] != 200 or r["events"] < n]
        if bad or not runs:
            r = bad[0] if bad else {"status": "–", "events": 0}
            results[name] = {"error": f"status {r['status']}, {r['events']} of {n} content events"}
            continue
        secs = [float(r["last"]) for r in runs]
        med, best = median(secs) or 0.0, min(secs)
        results[name] = {"label": v["label"], "seconds": secs, "tokens_per_s": n / med,
                         "us_per_token": med / n * 1e6, "best_tokens_per_s": n / best,
                         "server_cpu_us_per_token": v["cpu"] / (n * len(runs)) * 1e6 if v["cpu"] else None}
    return {"tokens": n, "repeats": cfg.relay_repeats, "targets": results}


def ttft(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rounds = max(1, min(5, cfg.ttft_requests // 20))
    log(f"ttft: {', '.join(t.name for t in targets)} and direct, {rounds} rounds")
    with fake_server(cfg.work_dir, reply="hi") as fake:
        raw = _interleaved(cfg, fake, targets, rounds=rounds, per_round=max(1, cfg.ttft_requests // rounds),
                           warmup=10)
    for name, v in raw.items():
        if "error" in v:
            results[name] = v
            continue
        runs = v["runs"]
        firsts = [float(r["first"]) for r in runs if r["first"] is not None and r["status"] == 200]
        results[name] = {"label": v["label"], "p50_ms": (pct(firsts, 50) or 0) * 1e3,
                         "p99_ms": (pct(firsts, 99) or 0) * 1e3, "requests": len(runs),
                         "errors": len(runs) - len(firsts)}
    base = results.get("direct", {})
    for name, r in results.items():
        if "error" not in r and "error" not in base and name != "direct":
            r["added_p50_ms"] = r["p50_ms"] - base["p50_ms"]
            r["added_p99_ms"] = r["p99_ms"] - base["p99_ms"]
    return {"requests": cfg.ttft_requests, "targets": results}


# ------------------------------------------------------------------ 3. concurrency

def _mock_list_bytes(text: str) -> int:
    """What the mock provider's token list for one stream occupies (each stream holds one)."""
    toks = re.findall(r"\s*\S+", text)
    return sys.getsizeof(toks) + sum(sys.getsizeof(t) for t in toks)


def _hold(cfg: Config, t: Target, n: int) -> dict[str, Any]:
    rate_each = min(cfg.trickle_rate, cfg.max_events / n)
    open_timeout = 30 + 2 * n / cfg.ramp
    # Enough tokens to outlast the slowest opening phase allowed plus the hold; the client
    # closes every stream at the end of the hold.
    tokens = max(4, int(rate_each * (open_timeout + cfg.hold_seconds + 10)))
    reply = token_text(tokens)
    env = {"HAIRA_PROVIDER": "mock", "HAIRA_MOCK_TOKEN_RATE": f"{rate_each:g}", "HAIRA_MOCK_REPLY": reply}
    server = t.start(env)
    try:
        time.sleep(1.0)
        base_rss = server.rss()
        cpu0 = server.cpu()
        procs = max(1, min(cfg.loadgen_procs, n))
        per = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
        gens: list[LoadGen] = []
        offset = 0
        for k in per:
            gens.append(LoadGen(spec("hold", server.port, t, streams=k, ramp=cfg.ramp / procs,
                                     window=max(1, cfg.window // procs), offset=offset, rate=rate_each,
                                     open_timeout=open_timeout, hold=cfg.hold_seconds), cfg.work_dir))
            offset += k
        peak = held = base_rss
        held_samples = 0
        t0 = time.monotonic()
        limit = open_timeout + cfg.hold_seconds + 120
        while any(g.running() for g in gens) and time.monotonic() - t0 < limit:
            rss = server.rss()
            peak = max(peak, rss)
            # Memory with every stream open: sampled while all generators hold.
            if all(g.opened() for g in gens) and all(g.running() for g in gens):
                held = max(held, rss)
                held_samples += 1
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
    live = sum(int(o["live_at_end"]) for o in outs)
    mock_kib = _mock_list_bytes(reply) / 1024
    if not held_samples:  # the hold phase was never seen (too short): the peak is the estimate
        held = peak
    kib = (held - base_rss) / 1024 / max(1, live)
    return {"streams": n, "rate": rate_each, "tokens_per_stream": tokens, "live_at_end": live,
            "open_seconds": max(float(o["open_seconds"]) for o in outs),
            "rss_base_mib": base_rss / 2**20, "rss_held_mib": held / 2**20, "held_samples": held_samples, "rss_peak_mib": peak / 2**20,
            "kib_per_stream": kib, "mock_list_kib": mock_kib, "kib_per_stream_net": kib - mock_kib,
            "lag_p50_ms": (pct(lags, 50) or 0) * 1e3, "lag_p99_ms": (pct(lags, 99) or 0) * 1e3,
            "ttft_p50_ms": (pct(ttfts, 50) or 0) * 1e3, "ttft_p99_ms": (pct(ttfts, 99) or 0) * 1e3,
            "errors": sum(errors.values()), "error_kinds": errors,
            "error_samples": [x for o in outs for x in o.get("samples", [])][:5], "events": sum(int(o["events"]) for o in outs),
            "server_cpu_s": cpu, "seconds": max(float(o["seconds"]) for o in outs)}


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
    return {"rate": cfg.trickle_rate, "hold_seconds": cfg.hold_seconds, "ramp": cfg.ramp, "window": cfg.window,
            "max_events": cfg.max_events,
            "sizes": cfg.concurrency, "targets": results}


# ------------------------------------------------------------------ 4. request rate

RATE_ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "ask": ("/api/ask", {"message": "hello there"}),
    "json": ("/api/add", {"a": 20, "b": 22}),
}


def rate(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    """Every server up at once; rounds in which each target takes its turn on each route."""
    rounds = 2
    live: dict[str, tuple[Target, Server]] = {}
    results: dict[str, Any] = {}
    raw: dict[str, dict[str, list[dict[str, Any]]]] = {}
    log(f"rate: {', '.join(t.name for t in targets)}, {rounds} rounds")
    try:
        for t in targets:
            try:
                live[t.name] = (t, t.start({"HAIRA_PROVIDER": "mock"}))
                raw[t.name] = {route: [] for route in RATE_ROUTES}
            except Exception as exc:  # the report says why; the other targets stand
                log(f"  {t.name}: FAILED to start: {exc}")
                results[t.name] = {"error": str(exc).splitlines()[0]}
        for rnd in range(-1, rounds):  # round -1 warms up
            secs = min(1.0, cfg.rate_seconds) if rnd < 0 else cfg.rate_seconds / rounds
            for name, (t, server) in list(live.items()):
                for route, (path, body) in RATE_ROUTES.items():
                    tt = Target(t.name, t.label, t.start, path, body)
                    try:
                        out = run_loadgen(spec("rate", server.port, tt, seconds=secs,
                                               connections=cfg.rate_connections), cfg.work_dir,
                                          timeout=120 + secs)
                    except Exception as exc:
                        log(f"  {name}: FAILED: {exc}")
                        results[name] = {"error": str(exc).splitlines()[0]}
                        del live[name]
                        server.stop()
                        break
                    if rnd >= 0:
                        raw[name][route].append(out)
    finally:
        for _, server in live.values():
            server.stop()
    for name, routes in raw.items():
        if name in results:
            continue
        rows: dict[str, Any] = {"label": live[name][0].label if name in live else name}
        for route, outs in routes.items():
            lat = [float(x) for o in outs for x in o["latencies"]]
            errors: dict[str, int] = {}
            for o in outs:
                for k, v in o["errors"].items():
                    errors[k] = errors.get(k, 0) + v
            n = sum(int(o["requests"]) for o in outs)
            rows[route] = {"rps": n / sum(float(o["seconds"]) for o in outs),
                           "p50_ms": (pct(lat, 50) or 0) * 1e3, "p99_ms": (pct(lat, 99) or 0) * 1e3,
                           "errors": sum(errors.values()), "error_kinds": errors,
            "error_samples": [x for o in outs for x in o.get("samples", [])][:5], "requests": n}
        results[name] = rows
    return {"seconds": cfg.rate_seconds, "connections": cfg.rate_connections, "rounds": rounds,
            "targets": results}
