"""Runs a compiled program's `test "name" { }` blocks (`hairac test`, language.md §7.3, §0 #22).

    python -m haira.testing.runner PACKAGE.MODULE... [--filter TEXT]

Each generated module lists its tests in `__haira_tests__` (name, function), in source
order. Output, one line per test, then a summary:

    PASS addition
    FAIL factorial
        27_tests.haira:18:5: assertion failed (fact(0) is 1): expected not equal, got 1
    1 passed, 1 failed

A test stops at its first failing `assert` (or panic, reported the same way with
`runtime error:`). `main` is not run. Exit 0 when every test passed, 1 otherwise (also when
`--filter` matches no test).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

TestFn = Callable[[], None]


def collect(modules: Sequence[str]) -> list[tuple[str, TestFn]]:
    tests: list[tuple[str, TestFn]] = []
    for name in modules:
        module = importlib.import_module(name)
        tests.extend(getattr(module, "__haira_tests__", []))
    return tests


def failure_text(exc: BaseException) -> str:
    """`path:line:col: message` for a failed assert or a panic inside a test."""
    from haira.rt import AssertionFailure, as_panic, haira_stack

    panic = as_panic(exc)
    message = panic.report_text()
    if not isinstance(panic, AssertionFailure) and not message.startswith("runtime error: "):
        message = "runtime error: " + message
    frames = haira_stack(exc)
    if frames:
        _, path, line, col = frames[0]
        return f"{path}:{line}:{col}: {message}"
    return message


def run_tests(tests: Sequence[tuple[str, TestFn]], out: TextIO) -> tuple[int, int]:
    passed = failed = 0
    for name, fn in tests:
        try:
            fn()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a test's failure is reported, never raised
            failed += 1
            _flush()
            out.write(f"FAIL {name}\n    {failure_text(exc)}\n")
        else:
            passed += 1
            _flush()
            out.write(f"PASS {name}\n")
        out.flush()
    return passed, failed


def _flush() -> None:
    # The test's own output (io.println) comes before its PASS/FAIL line.
    sys.stdout.flush()


def _prepare() -> None:
    """What `haira.rt.execute_main` does before `main`: `.env`, deep recursion."""
    from haira.stdlib.env import load_dotenv

    load_dotenv(".env")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="haira.testing.runner")
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--filter", default=None, help="run only tests whose name contains TEXT")
    args = parser.parse_args(argv)
    _prepare()
    out = sys.stdout
    try:
        tests = collect(args.modules)
    except BaseException as exc:  # noqa: BLE001 - a panic at module start-up is a test failure
        out.write(f"FAIL <module start-up>\n    {failure_text(exc)}\n")
        return 1
    if not tests:
        out.write("No test blocks found.\n")
        return 0
    if args.filter is not None:
        tests = [t for t in tests if args.filter in t[0]]
        if not tests:
            out.write(f"No tests match --filter {args.filter!r}.\n")
            return 1
    try:
        passed, failed = run_tests(tests, out)
    except KeyboardInterrupt:
        return 130
    out.write(f"{passed} passed, {failed} failed\n")
    out.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
