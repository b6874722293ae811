"""The figures other parts own: `benchmarks/frontend` (compile speed) and `benchmarks/native`
(interpreted vs native speedups). The harness runs their command and puts what it prints
into the report verbatim; their owners decide what they measure and how they say it.

A part's command is its owner's documented one when that file exists
(`benchmarks/frontend/bench.py --check`, `benchmarks/native/run.py`), else the first that
exists of: `benchmarks/<part>/run` (executable), `python -m benchmarks.<part>`,
`python benchmarks/<part>/<part>.py`, `python benchmarks/<part>/bench.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.suite.procs import ROOT

__all__ = ["PARTS", "command_for", "run_part"]

PARTS = {"frontend": "compile speed (front end, `hairac compile`)",
         "native": "interpreted vs native speedups"}


# The commands their READMEs / docstrings name.
_DOCUMENTED = {"frontend": ("bench.py", ["--check"]), "native": ("run.py", [])}


def command_for(part: str) -> list[str] | None:
    d = ROOT / "benchmarks" / part
    if part in _DOCUMENTED and (d / _DOCUMENTED[part][0]).is_file():
        script, args = _DOCUMENTED[part]
        return [sys.executable, str(d / script), *args]
    if (d / "run").is_file() and os.access(d / "run", os.X_OK):
        return [str(d / "run")]
    if (d / "__main__.py").is_file():
        return [sys.executable, "-m", f"benchmarks.{part}"]
    for name in (f"{part}.py", "bench.py", f"bench_{part}.py"):
        if (d / name).is_file():
            return [sys.executable, str(d / name)]
    return None


def run_part(part: str, log_dir: Path, timeout: float) -> dict[str, Any]:
    argv = command_for(part)
    if argv is None:
        return {"error": f"benchmarks/{part} has no runnable benchmark yet"}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"`{' '.join(Path(a).name for a in argv)}` did not finish within {timeout:.0f} s"}
    out = proc.stdout.decode(errors="replace")
    (log_dir / f"{part}.log").write_bytes(proc.stdout + b"\n--- stderr ---\n" + proc.stderr)
    shown = " ".join(str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else Path(a).name for a in argv)
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()
        return {"error": f"`{shown}` exited with status {proc.returncode}: {tail[-1] if tail else ''}",
                "output": out}
    return {"command": shown, "output": out, "seconds": time.perf_counter() - t0}
