"""Property: whenever a (mutated) program parses, `fmt` formats it (never refuses as unsafe),
idempotently, keeping every comment."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.fmt import format_source
from hairac.fmt.comments import Comments
from hairac.syntax.source import decode_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from syntax.test_syntax_property import mutated  # noqa: E402 - the front end's mutator


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fmt_is_safe_and_idempotent(data: bytes) -> None:
    source = decode_source("m.haira", data, DiagnosticSink())
    if source is None:
        return
    sink = DiagnosticSink()
    result = format_source(source, sink)
    if sink.error_count:
        return
    assert not result.unsafe, source.text
    assert result.text is not None
    again = format_source(SourceFile("m.haira", result.text), DiagnosticSink())
    assert again.text == result.text, source.text
    before = Counter(c.text for c in Comments(source).items)
    assert Counter(c.text for c in Comments(SourceFile("m.haira", result.text)).items) == before
