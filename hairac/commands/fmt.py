"""`hairac fmt FILE... [--check]`: rewrite Haira files in the canonical layout.

A directory argument stands for every `.haira` file under it.
Silent when a file is already formatted. Syntax errors: the diagnostics, then
`cannot format <f>: <n> parse error(s)`, and the file is left alone. `--check`
writes nothing and lists the files that would change (`<f>: not formatted`).
Exit 0, or 1 when a file could not be formatted (or, with --check, needs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hairac.diagnostics import DiagnosticSink
from hairac.fmt import format_source
from hairac.syntax import read_source


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="format Haira source files in place",
        description="Rewrite Haira files in the one canonical layout (comments kept, meaning unchanged).",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help=".haira files (a directory: every .haira file in it)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is not formatted"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for file in _expand(args.files):
        if not _one(file, check=bool(args.check)):
            status = 1
    return status


def _expand(paths: list[str]) -> list[str]:
    """Files as given; a directory stands for every `.haira` file under it (sorted)."""
    out: list[str] = []
    for p in paths:
        if Path(p).is_dir():
            out.extend(str(f) for f in sorted(Path(p).rglob("*.haira")) if f.is_file())
        else:
            out.append(p)
    return out


def _one(file: str, *, check: bool) -> bool:
    sink = DiagnosticSink()
    source = read_source(file, sink)
    if source is None:
        sys.stderr.write(sink.render())
        print(f"cannot format {file}: cannot read it", file=sys.stderr)
        return False
    result = format_source(source, sink)
    if result.text is None:
        if result.unsafe:
            print(
                f"cannot format {file}: the formatter would change its meaning "
                "(a hairac bug, please report)",
                file=sys.stderr,
            )
        else:
            sys.stderr.write(sink.render())
            print(f"cannot format {file}: {result.parse_errors} parse error(s)", file=sys.stderr)
        return False
    if result.text == source.text:
        return True
    if check:
        print(f"{file}: not formatted")
        return False
    try:
        # Bytes, so the file keeps "\n" line ends whatever the platform.
        Path(file).write_bytes(result.text.encode("utf-8"))
    except OSError as exc:
        print(f"cannot format {file}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True
