"""`hairac run FILE [args...]`: compile to Python in a cache directory and run it on CPython.

ARGS go to the generated package's `__main__.py`, which takes the serving options
(`--port/--host/--workers`, before any `--`) off them with `haira.launch.serving_options`,
the function the compiled app's shim uses, so both command lines behave alike.

No mypyc: this is the fast edit-run loop. The program replaces the compiler process
(`exec`), so its stdout, stderr, signals and exit status are the program's own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hairac.driver import package_name, report, run_dir_for, run_pipeline, write_generated


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="compile a Haira program and run it (CPython, no native build)",
        description=(
            "Compile FILE to Python in a cache directory and run it with ARGS. ARGS are "
            "read as a compiled app's `python -m app ARGS` reads them: --port PORT, "
            "--host HOST and --workers N (and -h) set how a program that calls "
            "server.listen() serves (they beat listen()'s arguments and HAIRA_PORT, "
            "HAIRA_HOST, HAIRA_WORKERS); every other argument, and everything after the "
            "first `--`, goes to the program (os.args()) in order."
        ),
        epilog=(
            "examples: hairac run app.haira --port 8080 --workers 2; "
            "hairac run tool.haira a b -- --port x  (the program gets a b --port x)"
        ),
    )
    parser.add_argument("file", help="the entry .haira file")
    parser.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help="serving options (--port/--host/--workers) and the program's arguments",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    result = run_pipeline(path)
    code = report(result)
    if code or result.generated is None:
        return code or 1
    out = run_dir_for(path)
    pkg = package_name(path)
    for stale in out.iterdir():
        # the directory is on PYTHONPATH: nothing but this program's package may be there
        if stale.name == pkg:
            continue
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    write_generated(result.generated, out, pkg)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(out), env.get("PYTHONPATH", "")) if p
    )
    argv = [sys.executable, "-m", pkg, *args.args]
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(os, "execve") and not os.environ.get("HAIRA_RUN_SUBPROCESS"):
        os.execve(sys.executable, argv, env)
    return subprocess.call(argv, env=env)
