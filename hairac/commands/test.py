"""`hairac test FILE [-run PATTERN]`: run the program's `test "name" { }` blocks.

Output (language.md §0 #22): one `PASS <name>` / `FAIL <name>` line per test, failing
assertions indented under it with their Haira location, then `N passed, M failed`; exit 1
when any test failed. `fn main` is not run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hairac.driver import package_name, report, run_dir_for, run_pipeline, write_generated

_RUNNER = '''
import re
import sys

import haira.rt
from {package} import {module} as program

pattern = re.compile({pattern!r}) if {pattern!r} else None
passed = failed = 0
for name, fn in program.__haira_tests__:
    if pattern is not None and not pattern.search(name):
        continue
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - a failing test is reported, never a traceback
        failed += 1
        print(f"FAIL {{name}}")
        frames = haira.rt.haira_stack(exc)
        where = f"{{frames[0][1]}}:{{frames[0][2]}}: " if frames else ""
        print(f"    {{where}}{{haira.rt.catch_text(exc)}}")
    else:
        passed += 1
        print(f"PASS {{name}}")
print(f"{{passed}} passed, {{failed}} failed")
sys.exit(1 if failed else 0)
'''


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the test blocks of a Haira program",
        description="Compile FILE and run its `test` blocks; exit 1 if any fails.",
    )
    parser.add_argument("file", help="the .haira file")
    parser.add_argument("-run", "--run", dest="pattern", default="", help="only tests matching")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    result = run_pipeline(path)
    code = report(result)
    if code or result.generated is None:
        return code or 1
    out = run_dir_for(path)
    pkg = package_name(path)
    write_generated(result.generated, out, pkg)
    runner = _RUNNER.format(package=pkg, module=result.generated.entry, pattern=args.pattern)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(out), env.get("PYTHONPATH", "")) if p)
    sys.stdout.flush()
    return subprocess.call([sys.executable, "-c", runner], env=env)
