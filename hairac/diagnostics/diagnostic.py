"""Diagnostics, the sink that collects them, and the renderer.

Format (language.md §7.2):

    path:line:col: error: message
      |
    3 |     x = -"a"
      |         ^^^^ hint-or-message
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hairac.diagnostics.source import Span


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    span: Span
    message: str
    hint: str | None = None
    code: str = ""

    def render(self) -> str:
        return render_diagnostic(self)


class DiagnosticSink:
    """Collects diagnostics in the order they are reported."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def report(self, diagnostic: Diagnostic) -> Diagnostic:
        self.diagnostics.append(diagnostic)
        return diagnostic

    def error(self, span: Span, message: str, hint: str | None = None, code: str = "") -> Diagnostic:
        return self.report(Diagnostic(Severity.ERROR, span, message, hint, code))

    def warning(
        self, span: Span, message: str, hint: str | None = None, code: str = ""
    ) -> Diagnostic:
        return self.report(Diagnostic(Severity.WARNING, span, message, hint, code))

    def info(self, span: Span, message: str, hint: str | None = None, code: str = "") -> Diagnostic:
        return self.report(Diagnostic(Severity.INFO, span, message, hint, code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics ordered by file, then position (stable for equal positions)."""
        return sorted(self.diagnostics, key=lambda d: (d.span.file.path, d.span.start))

    def render(self, *, sort: bool = False) -> str:
        """All diagnostics, separated by blank lines (REF FormatAll); '' when there are none."""
        items = self.sorted() if sort else self.diagnostics
        return "\n\n".join(render_diagnostic(d) for d in items) + ("\n" if items else "")


def render_diagnostic(d: Diagnostic) -> str:
    span = d.span
    source = span.file
    line, col = source.position(span.start)
    header = f"{source.path}:{line}:{col}: {d.severity.value}: {d.message}"
    if not source.text:
        # Nothing to show (an unreadable or empty file): the header says it all.
        return header if not d.hint else f"{header}\n  = hint: {d.hint}"
    text = source.line_text(line - 1)
    pad = " " * len(str(line))
    end_line, end_col = source.position(span.end)
    line_bytes = len(text.encode("utf-8", "surrogatepass"))
    if end_line != line:
        end_col = line_bytes + 1
    width = max(1, end_col - col)
    caret_col = col
    if line_bytes > _MAX_SHOWN:
        # A huge line (generated or minified code): show a window around the span.
        text, caret_col, width = _window(text, col, width)
    # Control characters would corrupt the terminal and shift the caret: show them as spaces.
    shown = "".join(" " if (c < " " and c != "\t") or c == "\x7f" else c for c in text)
    label = d.hint if d.hint else d.message
    caret_line = f"{pad} | {' ' * (caret_col - 1)}{'^' * width} {label}"
    return f"{header}\n{pad} |\n{line} | {shown}\n{caret_line}"


_MAX_SHOWN = 160
_CONTEXT = 60


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """Cut a long line to about `_MAX_SHOWN` bytes around byte column `col`."""
    data = text.encode("utf-8", "surrogatepass")
    width = min(width, _MAX_SHOWN - _CONTEXT)
    start = max(0, col - 1 - _CONTEXT)
    stop = min(len(data), col - 1 + width + _CONTEXT)
    prefix = "..." if start > 0 else ""
    suffix = "..." if stop < len(data) else ""
    piece = data[start:stop].decode("utf-8", "replace")
    return prefix + piece + suffix, col - start + len(prefix), width
