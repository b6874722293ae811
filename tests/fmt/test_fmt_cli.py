"""`hairac fmt` end to end: goldens, --check, parse errors, and every example
formatted idempotently without changing its AST or losing a comment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.fmt import format_source, same_ast
from hairac.fmt.comments import Comments
from hairac.syntax import parse_source, read_source

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
# Every example and every language test program (all valid Haira).
EXAMPLES = sorted((ROOT / "examples").rglob("*.haira")) + sorted(
    (ROOT / "tests" / "lang").rglob("*.haira")
)
GOLDEN = sorted(p.stem for p in DATA.glob("*.out"))


def hairac(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hairac", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.haira"
    shutil.copy(DATA / f"{name}.haira", target)
    done = hairac("fmt", target.name, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert target.read_text() == (DATA / f"{name}.out").read_text()
    # Formatted output is a fixed point: --check accepts it, a second run changes nothing.
    again = hairac("fmt", "--check", target.name, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "")


def test_check_reports_unformatted_files_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "messy.haira"
    shutil.copy(DATA / "messy.haira", target)
    done = hairac("fmt", "--check", "messy.haira", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "messy.haira: not formatted\n")
    assert target.read_text() == (DATA / "messy.haira").read_text()


def test_parse_errors_leave_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "broken.haira"
    shutil.copy(DATA / "broken.haira", target)
    done = hairac("fmt", "broken.haira", cwd=tmp_path)
    assert done.returncode == 1
    assert "broken.haira:3:1: error: expected expression" in done.stderr
    assert done.stderr.endswith("cannot format broken.haira: 1 parse error(s)\n")
    assert "Traceback" not in done.stderr
    assert target.read_text() == (DATA / "broken.haira").read_text()


def test_missing_file(tmp_path: Path) -> None:
    done = hairac("fmt", "nope.haira", cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot format nope.haira" in done.stderr
    assert "Traceback" not in done.stderr


def _format(path: str, text: str) -> str:
    result = format_source(SourceFile(path, text), DiagnosticSink())
    assert result.text is not None, (path, result)
    return result.text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_idempotent_and_ast_preserving(path: Path) -> None:
    sink = DiagnosticSink()
    source = read_source(str(path), sink)
    assert source is not None
    result = format_source(source, sink)
    assert not result.unsafe
    if sink.error_count:
        pytest.skip("a program with syntax errors on purpose")
    once = _format(str(path), source.text)
    assert _format(str(path), once) == once
    before = parse_source(source, DiagnosticSink())
    after = parse_source(SourceFile(str(path), once), DiagnosticSink())
    assert same_ast(before, after)
    comments = Counter(c.text for c in Comments(source).items)
    assert Counter(c.text for c in Comments(SourceFile(str(path), once)).items) == comments


def test_same_ast_sees_a_change() -> None:
    a = parse_source(SourceFile("a", "x = 1 + 2 * 3\n"), DiagnosticSink())
    b = parse_source(SourceFile("b", "x = (1 + 2) * 3\n"), DiagnosticSink())
    c = parse_source(SourceFile("c", "x   =   1+2*3 // c\n"), DiagnosticSink())
    assert not same_ast(a, b)
    assert same_ast(a, c)


def test_struct_literals_in_heads_keep_parentheses() -> None:
    text = (
        "fn main() {\n"
        "    if p == (Point { x = 1 }) { a() }\n"
        "    while f(Point { x = 1 }) != nil { b() }\n"
        "    for x in [P { a = 1 }] { c() }\n"
        "    match (P { a = 1 }) {\n"
        "        _ => d()\n"
        "    }\n"
        "}\n"
    )
    assert _format("h", text) == text


def test_needed_parentheses_are_kept() -> None:
    text = (
        'x = (1 + 2) * 3\ny = -(-a)\nz = (a orelse b) |> f\nf = (x => x)(1)\nh = x => ({"k": x})\n'
    )
    assert _format("p", text) == text


def test_directory_argument(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(DATA / "messy.haira", tmp_path / "sub" / "a.haira")
    shutil.copy(DATA / "workflow.out", tmp_path / "b.haira")
    (tmp_path / "notes.txt").write_text("x  =  1\n")
    check = hairac("fmt", "--check", ".", cwd=tmp_path)
    assert (check.returncode, check.stdout) == (1, "sub/a.haira: not formatted\n")
    done = hairac("fmt", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "sub" / "a.haira").read_text() == (DATA / "messy.out").read_text()
    assert (tmp_path / "notes.txt").read_text() == "x  =  1\n"
