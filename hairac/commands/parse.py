"""`hairac parse FILE [--json]`: parse a Haira file and summarise its items.

Without `--json` prints `Parsing: FILE`, one summary line per top-level
item (REF format: `FunctionDef: main (0 params)`) and `<N> items, <E> errors`.
With `--json` prints the whole AST as JSON (`{"node": "Module", ...}`; spans
are `[line, col, end_line, end_col]`). Diagnostics go to stderr.
Exit 0, 1 when the file has syntax errors, 2 when it cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hairac.diagnostics import DiagnosticSink
from hairac.syntax import parse_source, read_source
from hairac.syntax.dump import summary_line, to_data


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="parse a Haira file and print its items (or the AST with --json)",
        description="Parse a Haira source file; report syntax errors; summarise or dump the AST.",
    )
    parser.add_argument("file", help="the .haira file")
    parser.add_argument("--json", action="store_true", help="print the full AST as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sink = DiagnosticSink()
    source = read_source(args.file, sink)
    if source is None:
        sys.stderr.write(sink.render(sort=True))
        return 2
    module = parse_source(source, sink)
    if sink.diagnostics:
        sys.stderr.write(sink.render(sort=True))
    errors = sink.error_count
    if args.json:
        # The parser bounds nesting (MAX_STACK); JSON encoding recurses per level.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            sys.stdout.write(json.dumps(to_data(module), ensure_ascii=False) + "\n")
        finally:
            sys.setrecursionlimit(limit)
    else:
        lines = [f"Parsing: {args.file}", "", "AST:"]
        lines += ["  " + summary_line(item) for item in module.items]
        lines += ["", f"{len(module.items)} items, {errors} errors"]
        sys.stdout.write("\n".join(lines) + "\n")
    return 1 if errors else 0
