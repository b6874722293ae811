"""`hairac lex` and `hairac parse`: output, exit codes 0/1/2, --help, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hairac.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: --help, usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", str(EXAMPLES / "streaming_chat.haira"))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Parsing: ") and lines[2] == "AST:"
    assert lines[3:9] == [
        '  ImportDecl: "io"',
        '  ImportDecl: "http"',
        "  ProviderDef: openai (2 fields)",
        "  AgentDef: Writer (4 fields)",
        "  WorkflowDef: Stream (2 params) -> stream",
        "  FunctionDef: main (0 params)",
    ]
    assert lines[-1] == "6 items, 0 errors"


def test_parse_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", "--json", str(EXAMPLES / "01_hello.haira"))
    assert code == 0
    data = json.loads(out)
    assert data["node"] == "Module"
    fn = data["items"][1]
    assert fn["node"] == "FnDecl" and fn["name"] == "main" and fn["span"][:2] == [4, 1]


def test_parse_errors_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.haira"
    bad.write_text("fn main() {\n    x = \n}\n")
    code, out, err = run(capsys, "parse", str(bad))
    assert code == 1
    assert f"{bad}:3:1: error: expected expression, found '}}'" in err
    assert out.splitlines()[-1].endswith("1 errors")


def test_unreadable_file_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "parse", str(tmp_path / "missing.haira"))
    assert code == 2 and "cannot read" in err and "Traceback" not in err
    code, _, err = run(capsys, "lex", str(tmp_path))
    assert code == 2 and "is a directory" in err


def test_lex_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "t.haira"
    src.write_text('fn main() { // hi\n  x = 1.5 + "s${y}"\n}\n')
    code, out, _ = run(capsys, "lex", str(src))
    assert code == 0
    assert out.splitlines() == [
        'fn("fn")', 'Ident("main")', "(", ")", "{", 'LineComment("// hi")', "Newline",
        'Ident("x")', "=", 'Float("1.5")', "+", 'InterpolatedString("s${y}")', "Newline",
        "}", "Newline", "EOF",
    ]  # fmt: skip


def test_lex_errors_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "t.haira"
    src.write_bytes(b"x = 1;\n")
    code, _, err = run(capsys, "lex", str(src))
    assert code == 1 and "unexpected ';'" in err


@pytest.mark.parametrize("cmd", ["lex", "parse"])
def test_help(capsys: pytest.CaptureFixture[str], cmd: str) -> None:
    code, out, _ = run(capsys, cmd, "--help")
    assert code == 0 and "usage:" in out


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "parse")
    assert code == 2 and "usage:" in err
