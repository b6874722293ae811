"""`hairac test FILE... [--filter TEXT]`: run the `test "name" { }` blocks of Haira programs.

Each file is compiled like `hairac run` does (to the cache, CPython, no mypyc) and its
tests run in a fresh process (`haira.testing.runner`): `PASS <name>` / `FAIL <name>` with
the failing assertion's `path:line:col: message` (values included), then
`<n> passed, <m> failed`. `main` is not run. Exit 0 when all pass, 1 on any failure or
compile error. Agents in tests use whatever provider the program configures, so
`HAIRA_PROVIDER=mock hairac test app.haira` runs them offline.
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
        "test",
        help="run the test blocks of Haira programs",
        description="Compile each FILE and run its `test` blocks; exit 1 if any fails.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="entry .haira files")
    parser.add_argument("--filter", "-k", help="run only tests whose name contains TEXT")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        if len(args.files) > 1:
            print(f"== {file}", flush=True)
        status = max(status, _one(Path(file), args.filter))
    return status


def _one(path: Path, filt: str | None) -> int:
    result = run_pipeline(path)
    code = report(result)
    if code or result.generated is None:
        return code or 1
    out = run_dir_for(path)
    pkg = package_name(path)
    write_generated(result.generated, out, pkg)
    modules = [f"{pkg}.{result.generated.entry}"] + [
        f"{pkg}.{m.name}"
        for m in result.generated.modules.values()
        if m.name != result.generated.entry
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(out), env.get("PYTHONPATH", "")) if p)
    argv = [sys.executable, "-m", "haira.testing.runner", *modules]
    if filt is not None:
        argv += ["--filter", filt]
    sys.stdout.flush()
    try:
        return 1 if subprocess.call(argv, env=env) else 0
    except KeyboardInterrupt:
        return 130
