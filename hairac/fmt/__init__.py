"""`hairac fmt`: one canonical layout for Haira source (see printer.py for the rules).

`format_source` never changes meaning: it re-parses its own output and compares the
AST (without positions) with the input's; a difference is reported, not written.
"""

from __future__ import annotations

from dataclasses import dataclass

from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.fmt.compare import same_ast
from hairac.fmt.printer import Printer
from hairac.syntax import parse_source

__all__ = ["FormatResult", "format_source", "same_ast"]


@dataclass(frozen=True, slots=True)
class FormatResult:
    text: str | None  # the formatted source; None when it could not be formatted
    parse_errors: int  # syntax errors in the input (then text is None)
    unsafe: bool = False  # the printer's output would parse differently (a formatter bug)


def format_source(source: SourceFile, sink: DiagnosticSink) -> FormatResult:
    before = sink.error_count
    module = parse_source(source, sink)
    errors = sink.error_count - before
    if errors:
        return FormatResult(None, errors)
    text = Printer(source).module(module)
    check_sink = DiagnosticSink()
    again = parse_source(SourceFile(source.path, text), check_sink)
    if check_sink.error_count or not same_ast(module, again):
        return FormatResult(None, 0, unsafe=True)
    return FormatResult(text, 0)
