"""Haira `healthcheck`: probe HTTP endpoints (reference-runtime.md §8.8).

    healthcheck.check("api", "https://example.com/health")
        -> {"name": "api", "status": "healthy", "response_time": 42}
    healthcheck.check_all([{"name": "api", "url": "…"}, …])   # probes run concurrently

`status` is "healthy" for a 2xx/3xx answer and "unhealthy" otherwise (then `error` says
why); `response_time` is in milliseconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence

import httpx

from haira.rt import fmt

__all__ = ["check", "check_all"]

TIMEOUT_SECONDS = 10.0


def check(name: str, url: str) -> dict[str, object]:
    """Probe `url` once with GET."""
    start = time.monotonic()
    result: dict[str, object] = {"name": name, "status": "unhealthy", "response_time": 0}
    try:
        r = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=True)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        result["error"] = str(exc) or type(exc).__name__
    else:
        result["status_code"] = r.status_code
        if r.status_code < 400:
            result["status"] = "healthy"
        else:
            result["error"] = f"HTTP {r.status_code}"
    result["response_time"] = int((time.monotonic() - start) * 1000)
    return result


def check_all(targets: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """`check` every `{name, url}`, concurrently; results in input order."""
    results: list[dict[str, object]] = [{} for _ in targets]

    def run(i: int, target: Mapping[str, object]) -> None:
        results[i] = check(fmt(target.get("name", "")), fmt(target.get("url", "")))

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
