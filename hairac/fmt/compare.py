"""AST equality that ignores positions (what `fmt` must preserve)."""

from __future__ import annotations

from dataclasses import fields

from hairac import nodes as n
from hairac.diagnostics import Span


def same_ast(a: object, b: object) -> bool:
    """Structural equality of two ASTs, spans ignored. Iterative, so deep trees are fine."""
    stack: list[tuple[object, object]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, Span) and isinstance(y, Span):
            continue
        if isinstance(x, n.Node):
            if type(x) is not type(y):
                return False
            for f in fields(x):
                stack.append((getattr(x, f.name), getattr(y, f.name)))
        elif isinstance(x, tuple):
            if not isinstance(y, tuple) or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif x != y or type(x) is not type(y):
            return False
    return True
