"""Native speed-up: CPU-bound Haira programs under `hairac run` (CPython) vs the compiled wheel.

    .venv/bin/python benchmarks/native/run.py [--repeat 3] [--only fib,lists] [--save]

For each program in programs/: compile it (`hairac compile`), install every wheel offline
in one fresh venv, then time `hairac run prog.haira` and `python -m prog` (best of
--repeat). The start-up cost of each mode (measured on hello.haira) is subtracted, so the
ratio compares the programs' own work. Also times `hairac compile` of the doc page's
complete example: cold (empty app cache, runtime wheel already built) and cached.
Prints a table and the geometric mean; a benchmark, never a test assertion.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROGRAMS = HERE / "programs"
BASELINE = "hello"
COMPLETE_EXAMPLE = REPO / "tests" / "build" / "data" / "app.haira"


@dataclass
class Row:
    program: str
    run_s: float
    native_s: float
    run_net_s: float
    native_net_s: float
    speedup: float


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HAIRA_BUILD_CACHE", str(REPO / ".build-cache"))
    return env


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "HAIRA_"))}


def hairac(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hairac", *args],
        capture_output=True, text=True, env=env or _env(), cwd=REPO, check=False,
    )


def timed(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    """Best wall time of `repeat` runs, and the output (which must not change)."""
    best = math.inf
    output = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        if output is not None and proc.stdout != output:
            raise SystemExit(f"{' '.join(command)}: output changed between runs")
        output = proc.stdout
        best = min(best, elapsed)
    assert output is not None
    return best, output


def build_all(names: list[str], dist: Path) -> None:
    for name in names:
        proc = hairac("compile", str(PROGRAMS / f"{name}.haira"), "-o", str(dist), "-q")
        if proc.returncode != 0:
            raise SystemExit(f"hairac compile {name}.haira failed:\n{proc.stderr[-4000:]}")


def install_all(names: list[str], dist: Path, where: Path) -> Path:
    venv.EnvBuilder(with_pip=False, clear=True).create(where)
    python = where / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", "--no-index", "--find-links", str(dist), *names],
        check=True,
    )
    return python


def compile_times(tmp: Path) -> dict[str, float]:
    """`hairac compile` of the complete example: cold app build and cached rebuild.

    The runtime wheel is built once per runtime version and is not what we time: a first,
    untimed compile makes sure it is in the cache, then the app's entries are dropped.
    """
    cache = tmp / "cache"
    shared = Path(_env()["HAIRA_BUILD_CACHE"])
    if (shared / "runtime").is_dir():
        shutil.copytree(shared / "runtime", cache / "runtime")
    env = dict(_env(), HAIRA_BUILD_CACHE=str(cache))
    out = tmp / "compile-dist"
    command = ("compile", str(COMPLETE_EXAMPLE), "-o", str(out), "--name", "app")
    warm = hairac(*command, env=env)
    if warm.returncode != 0:
        raise SystemExit(f"hairac compile app.haira failed:\n{warm.stderr[-4000:]}")
    shutil.rmtree(cache / "app")
    results: dict[str, float] = {}
    for label in ("cold", "cached"):
        start = time.perf_counter()
        proc = hairac(*command, env=env)
        results[label] = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"hairac compile app.haira failed:\n{proc.stderr[-4000:]}")
        if label == "cold":
            print(proc.stderr.rstrip(), file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated program names")
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/native.json")
    parser.add_argument("--no-compile-time", action="store_true")
    args = parser.parse_args(argv)

    names = sorted(p.stem for p in PROGRAMS.glob("*.haira") if p.stem != BASELINE)
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    with tempfile.TemporaryDirectory(prefix="haira-native-bench-") as tmp_name:
        tmp = Path(tmp_name)
        dist = tmp / "dist"
        print(f"compiling {len(names) + 1} programs ...", file=sys.stderr)
        build_all([BASELINE, *names], dist)
        python = install_all([BASELINE, *names], dist, tmp / "venv")

        def run_mode(name: str) -> tuple[float, str]:
            return timed([sys.executable, "-m", "hairac", "run", str(PROGRAMS / f"{name}.haira")], _env(), args.repeat)

        def native_mode(name: str) -> tuple[float, str]:
            return timed([str(python), "-m", name], _clean_env(), args.repeat)

        base_run, _ = run_mode(BASELINE)
        base_native, _ = native_mode(BASELINE)
        rows: list[Row] = []
        for name in names:
            run_s, run_out = run_mode(name)
            native_s, native_out = native_mode(name)
            if run_out != native_out:
                raise SystemExit(f"{name}: hairac run printed {run_out!r}, the wheel {native_out!r}")
            run_net = max(run_s - base_run, 1e-3)
            native_net = max(native_s - base_native, 1e-3)
            rows.append(Row(name, run_s, native_s, run_net, native_net, run_net / native_net))
            print(f"  {name}: {run_net:.3f} s -> {native_net:.3f} s", file=sys.stderr)
        compile_s = {} if args.no_compile_time else compile_times(tmp)

    print(f"start-up: hairac run {base_run:.3f} s, python -m (native) {base_native:.3f} s (subtracted)")
    print(f"{'program':<10} {'hairac run':>11} {'native':>9} {'speedup':>8}")
    for r in rows:
        print(f"{r.program:<10} {r.run_net_s:>10.3f}s {r.native_net_s:>8.3f}s {r.speedup:>7.1f}x")
    geomean = math.exp(sum(math.log(r.speedup) for r in rows) / len(rows)) if rows else 0.0
    print(f"{'geomean':<10} {'':>11} {'':>9} {geomean:>7.1f}x")
    if compile_s:
        print(f"hairac compile (complete example): cold {compile_s['cold']:.1f} s, cached {compile_s['cached']:.2f} s")
    if args.save:
        results = REPO / "benchmarks" / "results"
        results.mkdir(parents=True, exist_ok=True)
        payload = {"rows": [asdict(r) for r in rows], "geomean": geomean, "compile_s": compile_s,
                   "startup_s": {"run": base_run, "native": base_native}}
        (results / "native.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
