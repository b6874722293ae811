"""`hairac compile FILE [-o DIR] [--name NAME] [--version V]`: a Haira program → a wheel.

Writes `DIR/<name>-<version>-<tag>.whl` (a mypyc-native module, installable with pip and
run with `python -m <name>`) and the runtime's wheels beside it. Progress goes to stderr,
one line per phase with its time; the last line is the `pip install` command. Exit codes:
0 built, 1 errors in the program or a failed build, 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from hairac.build.errors import BadName, BuildError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compile",
        help="compile a program into a wheel with a native module",
        description=(
            "Compile a Haira program into a wheel holding a mypyc-native module. The "
            "haira-runtime wheel and its dependencies are placed beside it, so "
            "`pip install DIR/<name>-*.whl --no-index --find-links DIR` works offline; "
            "`python -m <name>` then runs (or serves) the program."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the program's main .haira file")
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="dist", help="where to write the wheels (default: dist)"
    )
    parser.add_argument(
        "--name", metavar="NAME", help="the package name (default: the file name without .haira)"
    )
    parser.add_argument("--version", metavar="V", default="0.1.0", help="the package version (default: 0.1.0)")
    parser.add_argument(
        "--no-runtime",
        action="store_true",
        help="do not place the haira-runtime wheels beside the app's wheel",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors and the install command")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from hairac.build.native import log_tail
    from hairac.build.pipeline import CompileRequest, compile_program, install_command
    from hairac.build.progress import Progress

    progress = Progress(sys.stderr, quiet=args.quiet)
    out_dir = Path(args.output)
    request = CompileRequest(
        path=args.file,
        out_dir=out_dir,
        name=args.name,
        version=args.version,
        with_runtime=not args.no_runtime,
    )
    try:
        result = compile_program(request, progress)
    except BadName as exc:
        print(f"hairac compile: error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"hairac compile: error: {exc}", file=sys.stderr)
        if exc.log is not None and os.environ.get("HAIRA_DEBUG"):
            print(log_tail(exc.log), file=sys.stderr)
        return 1
    if result.diagnostics:
        sys.stderr.write(result.diagnostics)
    if result.wheel is None:
        return 1
    offline = len(result.runtime) > 1
    progress.line(f"hairac: wrote {out_dir / result.wheel.name}")
    print(install_command(result.wheel, out_dir, offline=offline), file=sys.stderr)
    return 0
