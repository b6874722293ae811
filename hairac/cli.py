"""Command line: `hairac <command> ...` (also installed as `haira`).

Each sub-command lives in `hairac/commands/<name>.py` and exposes
`register(subparsers) -> None`; the module's parser sets `func(args) -> int`.
This file only dispatches. Exit codes: 0 ok, 1 errors in the program, 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from hairac import __version__

# Sub-command modules, in the order `--help` lists them. A module that is not
# there yet is skipped, so the CLI works while the compiler grows.
COMMAND_MODULES: tuple[str, ...] = (
    "lex",
    "parse",
    "check",
    "emit",
    "run",
    "compile",
    "test",
    "eval",
    "fmt",
    "webui",
    "console",
    "init",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors, which is our convention too."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hairac",
        description="The Haira compiler: check, run and compile Haira programs.",
    )
    parser.add_argument("--version", action="version", version=f"hairac {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"hairac.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hairac.commands.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        result: int = func(args)
        return result
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception:  # noqa: BLE001 - the last line of defence: never a bare traceback
        print(
            "hairac: internal compiler error, please report it "
            "(set HAIRA_DEBUG=1 to see the Python traceback)",
            file=sys.stderr,
        )
        if os.environ.get("HAIRA_DEBUG"):
            traceback.print_exc()
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
