"""Every example program parses without a diagnostic; the doc page's example is verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink
from hairac.syntax import parse_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ALL = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.haira"))
DOC = Path("/work/shared/spec/haira-streaming-doc.txt")


def test_there_are_enough_examples() -> None:
    assert len(ALL) >= 30
    assert "streaming_chat.haira" in ALL
    assert any(p.startswith("multifile/") for p in ALL)


@pytest.mark.parametrize("rel", ALL)
def test_example_parses_cleanly(rel: str) -> None:
    sink = DiagnosticSink()
    module = parse_file(str(EXAMPLES / rel), sink)
    assert sink.render() == ""
    assert module is not None and module.items


def _doc_example() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"Complete Example\s*\n\s*haira\n(.*?)\n\s*Released under", text, re.S)
    assert match, "the doc page's complete example was not found"
    return match.group(1).strip() + "\n"


@pytest.mark.skipif(not DOC.exists(), reason="spec directory not available")
def test_streaming_chat_is_the_doc_example_verbatim() -> None:
    assert (EXAMPLES / "streaming_chat.haira").read_text(encoding="utf-8") == _doc_example()


def test_streaming_chat_shape() -> None:
    sink = DiagnosticSink()
    module = parse_file(str(EXAMPLES / "streaming_chat.haira"), sink)
    assert module is not None and not sink.diagnostics
    kinds = [type(i).__name__ for i in module.items]
    assert kinds == [
        "ImportDecl", "ImportDecl", "ProviderDecl", "AgentDecl", "WorkflowDecl", "FnDecl",
    ]  # fmt: skip
    wf = module.items[4]
    assert isinstance(wf, n.WorkflowDecl) and wf.is_stream
    assert [d.name for d in wf.decorators] == ["post"]
    assert [p.name for p in wf.params] == ["message", "session_id"]
    agent = module.items[3]
    assert isinstance(agent, n.AgentDecl)
    assert [f.name for f in agent.fields] == ["provider", "system", "memory", "temperature"]


def test_multifile_imports() -> None:
    sink = DiagnosticSink()
    module = parse_file(str(EXAMPLES / "multifile" / "main.haira"), sink)
    assert module is not None and not sink.diagnostics
    imports = [i for i in module.items if isinstance(i, n.ImportDecl)]
    assert [(i.kind, i.path) for i in imports] == [
        ("module", "io"), ("module", "http"), ("module", "models/user"),
        ("select", "agents"), ("alias", "tools/text"),
    ]  # fmt: skip
    for rel in ("models/user.haira", "agents/mod.haira", "providers.haira", "tools/text.haira"):
        assert (EXAMPLES / "multifile" / rel).exists()
