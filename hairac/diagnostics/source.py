"""Source files and spans: the positions every diagnostic and AST node points at."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


class SourceFile:
    """A decoded source text and the path it came from.

    Equality is identity: two files with the same text are still different
    files, and comparing spans must never compare whole texts.
    """

    __slots__ = ("_line_starts", "path", "text")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r}, <{len(self.text)} chars>)"

    def line_starts(self) -> list[int]:
        """Character offsets where each line begins (`\\n`, `\\r\\n` and lone `\\r` end lines)."""
        if self._line_starts is None:
            starts = [0]
            text = self.text
            i = 0
            n = len(text)
            while True:
                j = _next_break(text, i)
                if j < 0:
                    break
                if text[j] == "\r" and j + 1 < n and text[j + 1] == "\n":
                    j += 1
                starts.append(j + 1)
                i = j + 1
            self._line_starts = starts
        return self._line_starts

    def line_index(self, offset: int) -> int:
        """0-based line number of a character offset."""
        return bisect.bisect_right(self.line_starts(), offset) - 1

    def line_text(self, line_index: int) -> str:
        """The text of a 0-based line, without its line break."""
        starts = self.line_starts()
        start = starts[line_index]
        end = starts[line_index + 1] if line_index + 1 < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column); the column counts UTF-8 bytes from the line start (REF)."""
        offset = max(0, min(offset, len(self.text)))
        index = self.line_index(offset)
        start = self.line_starts()[index]
        col = len(self.text[start:offset].encode("utf-8", "surrogatepass")) + 1
        return index + 1, col


def _next_break(text: str, start: int) -> int:
    """Offset of the next `\\n` or `\\r` at or after `start`, or -1."""
    a = text.find("\n", start)
    b = text.find("\r", start)
    if a < 0:
        return b
    if b < 0:
        return a
    return min(a, b)


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range `[start, end)` in `file`; line/col computed on demand."""

    file: SourceFile
    start: int
    end: int

    def __repr__(self) -> str:
        line, col = self.file.position(self.start)
        return f"Span({self.file.path}:{line}:{col}, {self.start}..{self.end})"

    @property
    def line(self) -> int:
        return self.file.position(self.start)[0]

    @property
    def col(self) -> int:
        return self.file.position(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.file.position(self.end)[0]

    @property
    def end_col(self) -> int:
        return self.file.position(self.end)[1]

    @property
    def text(self) -> str:
        """The source text the span covers."""
        return self.file.text[self.start : self.end]

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return Span(self.file, min(self.start, other.start), max(self.end, other.end))
