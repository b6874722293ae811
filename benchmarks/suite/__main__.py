"""`python -m benchmarks.suite [--quick] [--only FIG] ...`: run the benchmarks, write the report.

`benchmarks/run` is the documented entry point (it installs the peers' requirements first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.suite import external, figures
from benchmarks.suite.config import Config, add_arguments, from_args
from benchmarks.suite.figures import log
from benchmarks.suite.loadgen import raise_nofile
from benchmarks.suite.machine import describe
from benchmarks.suite.procs import ROOT
from benchmarks.suite.profile import profile, top_frames
from benchmarks.suite.report import write_report
from benchmarks.suite.targets import AppBuild, Target, build_app, peer

STREAMING_APP = ROOT / "examples" / "streaming_chat.haira"
STREAMING_FALLBACK = ROOT / "benchmarks" / "apps" / "streaming_chat.haira"  # the doc page's example
RATE_APP = ROOT / "benchmarks" / "apps" / "request_rate.haira"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _pick(cfg: Config, targets: list[Target]) -> list[Target]:
    return [t for t in targets if not cfg.targets or t.name in cfg.targets]


def _wants_compiled(cfg: Config) -> bool:
    return not cfg.targets or "compiled" in cfg.targets


def _note_build(results: dict[str, Any], build: AppBuild, missing: list[str]) -> None:
    results.setdefault("builds", {})[build.source.name] = {"compile_seconds": build.compile_seconds or None,
                                                         "errors": build.errors}
    for kind, err in build.errors.items():
        if err != "not requested":
            missing.append(f"{kind} target for {build.source.name}: {err}")


def _reuse(cfg: Config, results: dict[str, Any], part: str) -> bool:
    """Take `part` from the results.json of --reuse-external, if it has it."""
    if cfg.reuse_external is None:
        return False
    earlier = json.loads((cfg.reuse_external / "results.json").read_text())
    if part not in earlier or "error" in earlier[part]:
        return False
    failed = results.get(part, {}).get("error")
    results[part] = {**earlier[part], "reused_from": f"an earlier run ({earlier.get('started', '?')})"}
    missing = [m for m in results.get("missing", []) if not m.startswith(f"benchmarks/{part}:")]
    if failed:
        missing.append(f"benchmarks/{part} failed in this run ({failed}); its figures come from an "
                       f"earlier run of the harness ({earlier.get('started', '?')})")
    results["missing"] = missing
    return True


def rewrite(cfg: Config, source: Path) -> Path:
    """The report again from a results.json (with --reuse-external: other parts' figures merged)."""
    results: dict[str, Any] = json.loads(source.read_text())
    for part in external.PARTS:
        if part not in results or "error" in results[part]:
            _reuse(cfg, results, part)
    # Profiles are summarised again from their raw stacks when the scratch dir still has them.
    for key, v in results.get("profile", {}).get("targets", {}).items():
        name = f"profile-{key.replace('/', '-')}.txt"
        for raw in (source.parent / "work.tmp" / name, cfg.work_dir / name):
            if "error" not in v and raw.exists():
                v.update(top_frames(raw.read_text()))
                break
    return write_report(results, cfg.out_dir)


def run(cfg: Config, command: str) -> Path:
    fds = raise_nofile()
    # Scratch space (logs, builds, venvs) of the previous run goes; this run's stays for
    # inspection (benchmarks/results/*.tmp is ignored by git).
    shutil.rmtree(cfg.work_dir, ignore_errors=True)
    cfg.work_dir.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    results: dict[str, Any] = {"machine": {**describe(), "open files limit": str(fds)},
                               "started": _now(), "command": command, "quick": cfg.quick}
    t0 = time.monotonic()
    stream_figs = [f for f in ("relay", "ttft", "concurrency", "profile") if cfg.wants(f)]
    peers = _pick(cfg, [peer("fastapi", cfg.work_dir), peer("floor", cfg.work_dir)])
    fastapi = [p for p in peers if p.name == "fastapi"]
    if stream_figs:
        source = STREAMING_APP if STREAMING_APP.exists() else STREAMING_FALLBACK
        if source is STREAMING_FALLBACK:
            missing.append("examples/streaming_chat.haira does not exist yet; used the doc page's "
                           "complete example from benchmarks/apps/")
        log(f"building {source.relative_to(ROOT)}")
        app = build_app(source, cfg.work_dir, cfg.work_dir, compiled=_wants_compiled(cfg))
        _note_build(results, app, missing)
        ours = _pick(cfg, app.targets(cfg.targets))
        if cfg.wants("relay"):
            results["relay"] = figures.relay(cfg, ours + peers)
        if cfg.wants("ttft"):
            results["ttft"] = figures.ttft(cfg, ours + peers)
        if cfg.wants("concurrency"):
            # One Haira target (compiled if built) against the peer.
            results["concurrency"] = figures.concurrency(cfg, ours[:1] + fastapi)
        if cfg.wants("profile"):
            results["profile"] = profile(cfg, ours)
    if cfg.wants("rate"):
        log(f"building {RATE_APP.relative_to(ROOT)}")
        rate_app = build_app(RATE_APP, cfg.work_dir, cfg.work_dir, compiled=_wants_compiled(cfg))
        _note_build(results, rate_app, missing)
        results["rate"] = figures.rate(cfg, _pick(cfg, rate_app.targets(cfg.targets)) + fastapi)
    for part in external.PARTS:
        if not cfg.wants(part):
            continue
        if _reuse(cfg, results, part):
            continue
        if cfg.quick and part not in cfg.only:
            results[part] = {"error": "skipped with --quick (its owner's benchmark has its own sizes)"}
            continue
        log(f"{part}: running its owner's benchmark")
        results[part] = external.run_part(part, cfg.work_dir, timeout=1200)
        if "error" in results[part]:
            missing.append(f"benchmarks/{part}: {results[part]['error']}")
    results["finished"] = _now()
    load = os.getloadavg()
    results["machine"]["load average at end"] = " ".join(f"{x:.2f}" for x in load)
    results["seconds"] = time.monotonic() - t0
    results["missing"] = missing
    return write_report(results, cfg.out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    cfg = from_args(args, ROOT)
    command = "benchmarks/run" + ("" if not (argv or sys.argv[1:]) else " " + shlex.join(argv or sys.argv[1:]))
    path = rewrite(cfg, args.report_from) if args.report_from else run(cfg, command)
    log(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
