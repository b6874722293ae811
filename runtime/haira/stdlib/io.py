"""Haira `io`: printing with Go `fmt` rules, reading stdin and files (language.md §6.1).

    io.println("a", 1, nil)   # a 1 <nil>
    io.print(1, 2, "x", 3)    # 1 2x3   (a space only between two non-strings, as Go's Print)
"""

from __future__ import annotations

import sys

from haira.errors import HairaError
from haira.rt import fmt
from haira.stdlib.gofmt import sprintf as _sprintf

__all__ = [
    "eprint",
    "eprintf",
    "eprintln",
    "print_",
    "printf",
    "println",
    "read_file",
    "readln",
    "sprint",
    "sprintf",
    "sprintln",
]


def sprintln(*args: object) -> str:
    """Go `Sprintln`: operands formatted with `%v`, separated by one space, then a newline."""
    if len(args) == 1:
        a = args[0]
        return (a if type(a) is str else fmt(a)) + "\n"
    return " ".join([a if type(a) is str else fmt(a) for a in args]) + "\n"


def sprint(*args: object) -> str:
    """Go `Sprint`: a space between two adjacent operands only when neither is a string."""
    parts: list[str] = []
    prev_str = True
    for k, a in enumerate(args):
        is_str = isinstance(a, str)
        if k > 0 and not is_str and not prev_str:
            parts.append(" ")
        parts.append(fmt(a))
        prev_str = is_str
    return "".join(parts)


def sprintf(format_: str, *args: object) -> str:
    """Go `Sprintf`."""
    return _sprintf(format_, args)


def println(*args: object) -> None:
    """Print the operands separated by spaces, then a newline."""
    sys.stdout.write(sprintln(*args))


def print_(*args: object) -> None:
    """Haira `io.print`: Go `Print` (no newline)."""
    sys.stdout.write(sprint(*args))


def printf(format_: str, *args: object) -> None:
    """Go `Printf`; no implicit newline."""
    sys.stdout.write(_sprintf(format_, args))


def eprintln(*args: object) -> None:
    """`println` to stderr."""
    sys.stdout.flush()
    sys.stderr.write(sprintln(*args))


def eprint(*args: object) -> None:
    """`print` to stderr."""
    sys.stdout.flush()
    sys.stderr.write(sprint(*args))


def eprintf(format_: str, *args: object) -> None:
    """`printf` to stderr."""
    sys.stdout.flush()
    sys.stderr.write(_sprintf(format_, args))


def readln() -> str:
    """One line from stdin without its line ending; "" at end of input."""
    sys.stdout.flush()
    line = sys.stdin.readline()
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def read_file(path: str) -> tuple[str, HairaError | None]:
    """The whole file as a string, or ("", error) with Go's error text."""
    from haira.stdlib.fs import read_file as _read

    return _read(path)


# `io.print` in Haira: `print` is kept for generated code that spells it as written.
print = print_  # NOTE: Haira spells it io.print; nothing in this module calls print
