"""`Lowered(stmts, expr)`: a Haira expression compiled to statements that must run first
plus a Python expression for its value (an `if`/`match`/block expression needs the
statements; most expressions have none).

    Lowered.pure("1 + 2")  ->  stmts=(), expr="1 + 2"
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    """One generated line, relative indentation `depth`, optional Haira (line, col)."""

    text: str
    depth: int = 0
    pos: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Lowered:
    stmts: tuple[Line, ...]
    expr: str
    # The statements only define things (a nested def): running them before earlier
    # sibling expressions changes nothing, so those need no temporaries.
    hoistable: bool = False

    @staticmethod
    def pure(expr: str) -> Lowered:
        return Lowered((), expr)

    @property
    def has_stmts(self) -> bool:
        return bool(self.stmts)

    def with_expr(self, expr: str) -> Lowered:
        return Lowered(self.stmts, expr, self.hoistable)

    def __add__(self, other: Lowered) -> Lowered:
        """Statements of both, in order; the value is `other`'s."""
        return Lowered(self.stmts + other.stmts, other.expr)


def indent_lines(lines: tuple[Line, ...] | list[Line], by: int = 1) -> tuple[Line, ...]:
    return tuple(Line(ln.text, ln.depth + by, ln.pos) for ln in lines)
