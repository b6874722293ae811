"""Diagnostics: source files, spans, messages and the renderer (`path:line:col: error: ...`)."""

from hairac.diagnostics.diagnostic import Diagnostic, DiagnosticSink, Severity, render_diagnostic
from hairac.diagnostics.messages import REGISTRY, Message
from hairac.diagnostics.source import SourceFile, Span

__all__ = [
    "REGISTRY",
    "Diagnostic",
    "DiagnosticSink",
    "Message",
    "Severity",
    "SourceFile",
    "Span",
    "render_diagnostic",
]
