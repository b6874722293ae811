"""Standard library end to end: Haira programs under `programs/` run with `hairac run`,
stdout compared with the `.out` file next to each (exactly)."""

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
    proc = subprocess.run(
        [sys.executable, "-m", "hairac", "run", str(program)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    expected = program.with_suffix(".out").read_text()
    assert proc.stderr == ""
    assert proc.stdout == expected
    assert proc.returncode == 0
