"""`hairac eval` end to end against the mock provider: report, table, thresholds, exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
DURATION = re.compile(r"Duration: [0-9.]+m?s")


def hairac(*args: str, cwd: Path = DATA, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hairac", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_report_table_and_exit_status_below_threshold() -> None:
    done = hairac("eval", "scores.haira")
    assert done.returncode == 1, done.stderr
    assert DURATION.sub("Duration: <d>", done.stdout) == (DATA / "scores.out").read_text()
    assert "Traceback" not in done.stderr


def test_default_threshold_passes() -> None:
    done = hairac("eval", "passing.haira")
    assert done.returncode == 0, done.stderr
    assert "Result: PASS (threshold: 80.0%)\n" in done.stdout
    assert done.stdout.endswith(
        "Eval               Cases  Passed  Score   Threshold  Result\n"
        "Default threshold  1      1       100.0%  80.0%      PASS\n"
    )


def test_no_evals(tmp_path: Path) -> None:
    (tmp_path / "plain.haira").write_text("fn main() {}\n")
    done = hairac("eval", "plain.haira", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "No eval blocks found.\n")


def test_example_with_the_mock_provider_from_the_environment() -> None:
    root = Path(__file__).resolve().parents[2]
    done = hairac("eval", "examples/28_evals.haira", cwd=root, HAIRA_PROVIDER="mock")
    assert done.returncode == 1  # the mock never answers "Paris"
    assert "Score: 0.0% (0/2 passed)\nResult: FAIL (threshold: 80.0%, got: 0.0%)\n" in done.stdout


def test_compile_error(tmp_path: Path) -> None:
    (tmp_path / "bad.haira").write_text('eval "x" {\n    agent: Nobody\n    cases: []\n}\n')
    done = hairac("eval", "bad.haira", cwd=tmp_path)
    assert done.returncode == 1
    assert "Error: 1 error(s)" in done.stderr
