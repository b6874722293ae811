"""The front-end benchmark keeps working (a tiny run; the real figure comes from the script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_reports_lines_per_second() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "frontend" / "bench.py"), "--lines", "300", "--repeat", "1"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "lex+parse (AST):" in proc.stdout and "lines/s" in proc.stdout


def test_generated_program_parses_cleanly() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks" / "frontend"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    from hairac.diagnostics import DiagnosticSink, SourceFile
    from hairac.syntax import parse_source

    text = generate(1_000)
    sink = DiagnosticSink()
    module = parse_source(SourceFile("gen.haira", text), sink)
    assert not sink.diagnostics
    assert 950 <= text.count("\n") <= 1_050 and len(module.items) > 10
