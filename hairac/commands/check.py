"""`hairac check FILE...`: parse, resolve and type check; `<file>: OK` on stdout when clean.

Diagnostics (warnings too) go to stderr in the `path:line:col: level: message` form.
Exit 0 when every file is clean, 1 when any has errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hairac.driver import Stage, report, run_pipeline


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="type check Haira programs",
        description="Parse, resolve imports and type check; print `<file>: OK` when clean.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="entry .haira files")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        result = run_pipeline(Path(file), stop_after=Stage.CHECK)
        code = report(result)
        if code == 0:
            print(f"{file}: OK", flush=True)
        status = max(status, code)
    return status
