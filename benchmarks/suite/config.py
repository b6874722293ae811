"""Sizes of one benchmark run: the defaults (about ten minutes on 2 cores) and `--quick`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Config", "add_arguments", "from_args"]


@dataclass
class Config:
    out_dir: Path
    work_dir: Path
    relay_tokens: int = 20_000
    relay_repeats: int = 3
    ttft_requests: int = 300
    concurrency: list[int] = field(default_factory=lambda: [1_000, 5_000, 10_000])
    trickle_rate: float = 20.0  # tokens/s per stream ...
    max_events: float = 5_000.0  # ... capped so that N streams together offer at most this
    hold_seconds: float = 15.0  # every stream stays open this long after the last one opened
    ramp: float = 250.0  # new streams per second at most ...
    window: int = 200  # ... and at most this many waiting for their first token
    loadgen_procs: int = 2
    rate_seconds: float = 8.0
    rate_connections: int = 32
    profile_seconds: float = 8.0
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    quick: bool = False
    targets: list[str] = field(default_factory=list)
    reuse_external: Path | None = None

    def wants(self, figure: str) -> bool:
        return (not self.only or figure in self.only) and figure not in self.skip


FIGURES = ["relay", "ttft", "concurrency", "rate", "frontend", "native", "profile"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness end to end in about a minute")
    p.add_argument("--out", type=Path, default=None, help="report directory (default benchmarks/results)")
    p.add_argument("--only", action="append", default=[], choices=FIGURES, help="run only this figure (repeatable)")
    p.add_argument("--skip", action="append", default=[], choices=FIGURES, help="skip this figure (repeatable)")
    p.add_argument("--relay-tokens", type=int)
    p.add_argument("--relay-repeats", type=int)
    p.add_argument("--ttft-requests", type=int)
    p.add_argument("--concurrency", type=str, help="comma-separated stream counts, e.g. 1000,5000,10000")
    p.add_argument("--trickle-rate", type=float, help="tokens per second per stream (concurrency)")
    p.add_argument("--max-events", type=float, help="cap on the events/s all streams together offer")
    p.add_argument("--hold-seconds", type=float, help="how long all streams stay open together")
    p.add_argument("--ramp", type=float, help="new streams per second while opening")
    p.add_argument("--window", type=int, help="streams waiting for their first token at most, while opening")
    p.add_argument("--loadgen-procs", type=int, help="load generator processes for the concurrency figure")
    p.add_argument("--rate-seconds", type=float)
    p.add_argument("--rate-connections", type=int)
    p.add_argument("--reuse-external", type=Path, metavar="DIR",
                   help="take the frontend/native figures from an earlier run's DIR/results.json instead of running them")
    p.add_argument("--report-from", type=Path, metavar="JSON",
                   help="measure nothing: write the report again from an earlier results.json")
    p.add_argument("--targets", type=str, help="comma-separated subset of: compiled,run,fastapi,floor,direct")


def from_args(a: argparse.Namespace, root: Path) -> Config:
    # --quick writes beside the real report, never over it.
    out = a.out or root / "benchmarks" / "results" / ("quick.tmp" if a.quick else "")
    cfg = Config(out_dir=out, work_dir=out / "work.tmp", only=a.only, skip=a.skip, quick=a.quick)
    if a.quick:
        cfg.relay_tokens, cfg.relay_repeats, cfg.ttft_requests = 500, 1, 20
        cfg.concurrency, cfg.trickle_rate, cfg.hold_seconds, cfg.ramp = [20], 20.0, 2.0, 200.0
        cfg.loadgen_procs, cfg.rate_seconds, cfg.rate_connections = 1, 1.0, 4
        cfg.profile_seconds = 1.0
    for name in ("relay_tokens", "relay_repeats", "ttft_requests", "trickle_rate", "max_events", "hold_seconds",
                 "ramp", "window", "loadgen_procs", "rate_seconds", "rate_connections"):
        v = getattr(a, name)
        if v is not None:
            setattr(cfg, name, v)
    if a.concurrency:
        cfg.concurrency = [int(x) for x in a.concurrency.split(",") if x.strip()]
    cfg.reuse_external = a.reuse_external
    if a.targets:
        cfg.targets = [x.strip() for x in a.targets.split(",") if x.strip()]
    return cfg
