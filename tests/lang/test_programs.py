"""Golden tests: every `programs/<name>.haira` runs with exactly `<name>.out` on stdout.

A program with a `<name>.err` file must fail at run time with exit status 2 and exactly
that text on stderr (runtime errors point at Haira lines, never a Python traceback).
`agents_*` programs talk to the built-in mock provider (`backend: "mock"`), whose startup
notice on stderr is the runtime's business: only the absence of a traceback is checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lang.harness import PROGRAMS, ROOT, compile_program, run_package

CASES = sorted(PROGRAMS.glob("*.haira"))


@pytest.mark.parametrize("source", CASES, ids=[c.stem for c in CASES])
def test_program_output(source: Path, tmp_path: Path) -> None:
    rel = source.relative_to(ROOT)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        sink, pkg = compile_program(rel, tmp_path, "prog")
    finally:
        os.chdir(cwd)
    assert pkg is not None, sink.render()
    stdin_file = source.with_suffix(".in")
    stdin = stdin_file.read_text() if stdin_file.exists() else ""
    proc = run_package(tmp_path, "prog", stdin=stdin, cwd=tmp_path)
    expected_out = source.with_suffix(".out").read_text()
    err_file = source.with_suffix(".err")
    if err_file.exists():
        assert proc.stderr == err_file.read_text()
        assert proc.returncode == 2
    elif source.stem.startswith("agents_"):
        assert "Traceback" not in proc.stderr
        assert proc.returncode == 0
    else:
        assert proc.stderr == ""
        assert proc.returncode == 0
    # Step console lines (REF §5.9) carry timings: golden files show them as `duration=<d>`.
    assert re.sub(r"duration=\d+(?:µs|ms)", "duration=<d>", proc.stdout) == expected_out


def test_every_program_has_expected_output() -> None:
    assert len(CASES) >= 40
    for c in CASES:
        assert c.with_suffix(".out").exists(), c
