"""`hairac eval FILE...`: run the `eval "name" { agent, cases, threshold }` blocks.

Compiled like `hairac run`; the evals run in a fresh process (`haira.testing.evals`):
REF's per-eval report (a PASS/FAIL line per case with what was expected and what came
back), then a summary table. Exit 1 when an eval scores below its threshold (default 0.8)
or the program does not compile. `HAIRA_PROVIDER=mock` runs the agents offline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hairac.driver import package_name, report, run_dir_for, run_pipeline, write_generated


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="run the eval blocks of Haira programs (agent quality checks)",
        description="Compile each FILE and run its `eval` blocks; exit 1 below a threshold.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="entry .haira files")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        status = max(status, _one(Path(file)))
    return status


def _one(path: Path) -> int:
    result = run_pipeline(path)
    code = report(result)
    if code or result.generated is None:
        return code or 1
    out = run_dir_for(path)
    pkg = package_name(path)
    gen = result.generated
    write_generated(gen, out, pkg)
    modules = [f"{pkg}.{gen.entry}"] + [
        f"{pkg}.{m.name}" for m in gen.modules.values() if m.name != gen.entry
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(out), env.get("PYTHONPATH", "")) if p)
    sys.stdout.flush()
    try:
        status = subprocess.call([sys.executable, "-m", "haira.testing.evals", *modules], env=env)
    except KeyboardInterrupt:
        return 130
    return 0 if status == 0 else 1
