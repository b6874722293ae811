"""Standard library end to end: Haira programs under `programs/` run with `hairac run`;
stdout is compared with the `.out` file next to each (exactly). A program with an `.err`
file must end with exit status 2 and exactly that stderr (an uncaught runtime error)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent / "programs"
CASES = sorted(PROGRAMS.glob("*.haira"))


@pytest.mark.parametrize("program", CASES, ids=[p.stem for p in CASES])
def test_program_output(program: Path, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("HAIRA_DEBUG", None)
    # A relative path keeps the file names in runtime error reports stable.
    (tmp_path / program.name).write_text(program.read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "hairac", "run", program.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    expected = program.with_suffix(".out").read_text()
    err_file = program.with_suffix(".err")
    expected_err = err_file.read_text() if err_file.exists() else ""
    assert proc.stderr == expected_err
    assert proc.stdout == expected
    assert proc.returncode == (2 if err_file.exists() else 0)
