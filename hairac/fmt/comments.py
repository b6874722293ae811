"""Comments of a source file, handed out in source order while the printer walks the AST.

The AST has no comments, so the formatter re-lexes the file with trivia kept and
places each comment by position: before the statement/field/element it precedes,
or at the end of the line it trails. A comment the printer cannot place (inside
an expression) is emitted on its own line before the enclosing statement, so no
comment is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.syntax.lexer import lex


@dataclass(frozen=True, slots=True)
class Comment:
    start: int
    end: int
    text: str

    @property
    def is_line(self) -> bool:
        return self.text.startswith("//")


class Comments:
    """A cursor over the file's comments (sorted by position)."""

    def __init__(self, source: SourceFile) -> None:
        toks = lex(source, DiagnosticSink(), keep_trivia=True)
        self.text = source.text
        self.items = [
            Comment(t.start, t.end, source.text[t.start : t.end].rstrip())
            for t in toks
            if t.type in ("LineComment", "BlockComment")
        ]
        self.i = 0

    def take_before(self, pos: int) -> list[Comment]:
        """All not yet placed comments that start before `pos`."""
        out: list[Comment] = []
        while self.i < len(self.items) and self.items[self.i].start < pos:
            out.append(self.items[self.i])
            self.i += 1
        return out

    def take_trailing(self, end: int) -> list[Comment]:
        """Comments on the same line after `end` (only whitespace or comments between)."""
        out: list[Comment] = []
        pos = end
        while self.i < len(self.items):
            c = self.items[self.i]
            gap = self.text[pos : c.start]
            if gap.strip() not in ("", ",") or "\n" in gap or "\r" in gap:
                break
            out.append(c)
            self.i += 1
            pos = c.end
            if c.is_line or "\n" in c.text:
                break
        return out

    def any_before(self, pos: int) -> bool:
        """Is a not yet placed comment waiting before `pos`?"""
        return self.i < len(self.items) and self.items[self.i].start < pos

    def remaining(self) -> list[Comment]:
        return self.take_before(len(self.text) + 1)
