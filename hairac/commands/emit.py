"""`hairac emit FILE [--module NAME] [-o DIR]`: print the generated Python.

Prints the entry module (or `--module NAME`, or every module with `--all`); with `-o DIR`
writes the whole importable package to `DIR/<package>/` instead (see driver.write_generated).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hairac.driver import package_name, report, run_pipeline, write_generated


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emit",
        help="print the Python generated for a Haira program",
        description="Compile a Haira program to typed Python and print it (or write the package).",
    )
    parser.add_argument("file", help="the entry .haira file")
    parser.add_argument("--module", help="print this generated module (default: the entry)")
    parser.add_argument("--all", action="store_true", help="print every generated module")
    parser.add_argument("-o", "--out", help="write the package into this directory")
    parser.add_argument("--package", help="package name for -o (default: from the file name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = run_pipeline(Path(args.file))
    code = report(result)
    if code or result.generated is None:
        return code or 1
    gen = result.generated
    if args.out:
        pkg = write_generated(gen, Path(args.out), args.package or package_name(args.file))
        print(pkg)
        return 0
    if args.all:
        for mod in gen.modules.values():
            sys.stdout.write(f"# ---- {mod.name}.py\n{mod.text}\n")
        return 0
    name = args.module or gen.entry
    chosen = gen.modules.get(name)
    if chosen is None:
        print(f"Error: no generated module {name!r} (have: {', '.join(gen.modules)})", file=sys.stderr)
        return 2
    sys.stdout.write(chosen.text)
    return 0
