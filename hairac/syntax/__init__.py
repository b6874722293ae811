"""The Haira syntax layer: lexer, context layer, LALR grammar, AST builder.

Public API (docs/internals/contracts.md):

    parse_source(source: SourceFile, sink: DiagnosticSink) -> nodes.Module
    parse_file(path: str, sink: DiagnosticSink) -> nodes.Module | None
    parse_expression(source: SourceFile, sink: DiagnosticSink) -> nodes.Expr | None
    read_source(path: str, sink: DiagnosticSink) -> SourceFile | None
"""

from hairac.syntax.parser import parse_expression, parse_source
from hairac.syntax.source import decode_source, parse_file, read_source

__all__ = ["decode_source", "parse_expression", "parse_file", "parse_source", "read_source"]
