"""Golden diagnostics: `hairac check cases/<name>.haira` prints exactly `<name>.err` on
stderr (language.md §7.2 format), exit 1 when the file has errors (`e_*`), 0 for
warnings only (`w_*`); and every example type checks cleanly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lang.harness import EXAMPLES, ROOT

from hairac.cli import main as hairac_main

CASES = sorted((Path(__file__).parent / "cases").glob("*.haira"))


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`hairac check PATH` in this process (same code path as the CLI), from the repo root."""
    monkeypatch.chdir(ROOT)

    def run(path: Path) -> Ran:
        capsys.readouterr()
        code = hairac_main(["check", str(path.relative_to(ROOT))])
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diagnostics(case: Path, check) -> None:  # type: ignore[no-untyped-def]
    proc = check(case)
    assert proc.stderr == case.with_suffix(".err").read_text()
    if case.name.startswith("e_"):
        assert proc.returncode == 1
        assert proc.stdout == ""
    else:
        assert proc.returncode == 0
        assert proc.stdout == f"{case.relative_to(ROOT)}: OK\n"


def _examples() -> list[Path]:
    if not EXAMPLES.exists():
        return []
    found = sorted(EXAMPLES.glob("**/*.haira"))
    return [p for p in found if p.parent == EXAMPLES or p.name == "main.haira"]


@pytest.mark.parametrize("example", _examples(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_type_checks(example: Path, check) -> None:  # type: ignore[no-untyped-def]
    proc = check(example)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith(": OK\n")
