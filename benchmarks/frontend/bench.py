"""Front-end benchmark: lines/s for lex and for lex+parse on a generated 10,000-line program.

    .venv/bin/python benchmarks/frontend/bench.py [--lines N] [--repeat R] [--check]

Reports the best of R runs (process CPU time, so other load on a shared
machine disturbs it less). `--check` also times the whole `hairac check`
pipeline (parse + resolve + type check, `hairac.driver.run_pipeline`) on the
same program. Parser tables are loaded (and cached) before timing, as a second
`hairac` run would find them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generate import generate  # noqa: E402

from hairac.diagnostics import DiagnosticSink, SourceFile  # noqa: E402
from hairac.syntax import parse_source  # noqa: E402
from hairac.syntax.layer import apply_context  # noqa: E402
from hairac.syntax.lexer import Lexer  # noqa: E402
from hairac.syntax.tables import load_tables  # noqa: E402


def _best(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="also time parse+resolve+check")
    args = ap.parse_args()

    text = generate(args.lines)
    lines = text.count("\n")
    t0 = time.perf_counter()
    load_tables()
    tables_s = time.perf_counter() - t0

    def lex_only() -> None:
        sink = DiagnosticSink()
        toks = Lexer(SourceFile("bench.haira", text), sink).tokens()
        apply_context(toks)

    def lex_parse() -> None:
        sink = DiagnosticSink()
        parse_source(SourceFile("bench.haira", text), sink)
        assert not sink.diagnostics, sink.render()

    check_s: float | None = None
    if args.check:
        from hairac.driver import Stage, run_pipeline

        def check() -> None:
            sink = DiagnosticSink()
            run_pipeline("bench.haira", stop_after=Stage.CHECK, sink=sink,
                         source=SourceFile("bench.haira", text))  # fmt: skip
            if sink.has_errors:
                raise SystemExit("the generated program does not check:\n" + sink.render())

        check_s = _best(check, args.repeat)

    lex_s = _best(lex_only, args.repeat)
    parse_s = _best(lex_parse, args.repeat)
    tokens = len(Lexer(SourceFile("bench.haira", text), DiagnosticSink()).tokens())
    print(f"program: {lines} lines, {tokens} tokens, {len(text)} bytes")
    print(f"tables: {tables_s * 1000:.0f} ms (load or build)")
    print(f"lex (+context layer): {lex_s * 1000:.0f} ms = {lines / lex_s:,.0f} lines/s")
    print(f"lex+parse (AST):      {parse_s * 1000:.0f} ms = {lines / parse_s:,.0f} lines/s")
    if check_s is not None:
        print(f"whole check:          {check_s * 1000:.0f} ms = {lines / check_s:,.0f} lines/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
