"""`hairac emit`: the doc page's example compiles to exactly the golden Python, output is
deterministic, and the written package has the layout the build relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from lang.harness import EXAMPLES, ROOT

from hairac.cli import main as hairac_main
from hairac.diagnostics import DiagnosticSink
from hairac.driver import check_file, write_package

GOLDEN = Path(__file__).parent / "data"


def _emit(capsys: pytest.CaptureFixture[str], path: str) -> str:
    capsys.readouterr()
    assert hairac_main(["emit", path]) == 0
    return capsys.readouterr().out


# The doc page's example, and the agentic declarations of issues 5 and 6 (tools, JSON and
# streaming workflows with triggers and @webui, handoffs).
GOLDEN_EXAMPLES = [
    "streaming_chat", "22_tools", "23_workflow_json", "24_workflow_steps", "25_triggers_webui",
    "26_handoffs",
]


@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
def test_example_matches_golden(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out = _emit(capsys, f"examples/{name}.haira")
    assert out == (GOLDEN / f"{name}.py").read_text()


def test_emit_is_deterministic(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for example in sorted(EXAMPLES.glob("*.haira"))[:12]:
        rel = str(example.relative_to(ROOT))
        assert _emit(capsys, rel) == _emit(capsys, rel)


def test_package_layout_for_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    sink = DiagnosticSink()
    checked = check_file("examples/multifile/main.haira", sink)
    assert checked is not None, sink.render()
    written = write_package(checked, tmp_path, package="travel", sink=sink)
    assert written is not None
    assert written.entry_module == "travel._entry"
    assert written.entry_function == "run"
    names = sorted(p.name for p in (tmp_path / "travel").iterdir())
    assert "__init__.py" in names and "__main__.py" in names and "_entry.py" in names
    assert "main.py" in names
    assert "agents.py" in names and "models__user.py" in names
    # every generated module carries its source map
    for p in (tmp_path / "travel").glob("*.py"):
        if p.name not in ("__init__.py", "__main__.py", "_entry.py"):
            assert "__haira_source_map__" in p.read_text()


def test_check_file_reports_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.haira"
    bad.write_text('fn main() {\n    x = -"a"\n}\n')
    sink = DiagnosticSink()
    assert check_file(str(bad), sink) is None
    assert "cannot negate string" in sink.render()
