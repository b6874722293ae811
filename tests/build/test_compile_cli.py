"""`hairac compile` on bad input: diagnostics or one clear message, the right exit code,
never a Python traceback and never a wheel."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import DATA
from .support import hairac, require_driver


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "internal compiler error" not in stderr


def test_program_errors_are_diagnostics_and_exit_1(tmp_path: Path) -> None:
    require_driver()
    shutil.copy2(DATA / "bad_program.haira", tmp_path / "bad_program.haira")
    run = hairac("compile", "bad_program.haira", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    _no_traceback(run.stderr)
    assert "hairac: checking ... failed" in run.stderr
    assert "bad_program.haira:5:" in run.stderr
    assert not (tmp_path / "dist").exists()


def test_missing_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = hairac("compile", "nope.haira", cwd=tmp_path)
    assert run.returncode == 1
    _no_traceback(run.stderr)
    assert run.stderr.strip() == "hairac compile: error: nope.haira: no such file"


def test_unusable_name_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "json.haira").write_text('import "io"\nfn main() { io.println(1) }\n', encoding="utf-8")
    run = hairac("compile", "json.haira", cwd=tmp_path)
    assert run.returncode == 2
    _no_traceback(run.stderr)
    assert "standard library module" in run.stderr and "--name NAME" in run.stderr
    bad_version = hairac("compile", "json.haira", "--name", "ok_app", "--version", "v1", cwd=tmp_path)
    assert bad_version.returncode == 2 and "not a version number" in bad_version.stderr


def test_help_names_the_options(tmp_path: Path) -> None:
    run = hairac("compile", "--help", cwd=tmp_path)
    assert run.returncode == 0
    for option in ("-o DIR", "--name NAME", "--version V"):
        assert option in run.stdout
