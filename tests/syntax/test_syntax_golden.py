"""Golden tests: each broken program under data/broken/ must give exactly the
diagnostics in its `.expected` file (the text `hairac parse` prints on stderr).

Regenerate after an intended change, then review the diff:

    HAIRA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/syntax/test_syntax_golden.py -q
    # or: .venv/bin/python tests/syntax/test_syntax_golden.py --update
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hairac.diagnostics import DiagnosticSink
from hairac.syntax import parse_source
from hairac.syntax.source import decode_source

DATA = Path(__file__).parent / "data" / "broken"
CASES = sorted(p.name for p in DATA.glob("*.haira"))


def render_case(path: Path) -> str:
    sink = DiagnosticSink()
    source = decode_source(path.name, path.read_bytes(), sink)
    parse_source(source, sink)
    return sink.render(sort=True)


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected")


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    path = DATA / name
    actual = render_case(path)
    golden = expected_path(path)
    if os.environ.get("HAIRA_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run with HAIRA_UPDATE_GOLDEN=1"
    assert actual, "a broken program must produce at least one diagnostic"
    assert "error:" in actual
    assert actual == golden.read_text(encoding="utf-8")


def update() -> None:
    for name in CASES:
        path = DATA / name
        expected_path(path).write_text(render_case(path), encoding="utf-8")
        print(f"updated {expected_path(path).name}")


if __name__ == "__main__":
    if "--update" in sys.argv:
        update()
    else:
        print(__doc__)
