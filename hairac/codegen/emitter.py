"""Text emitter for generated Python: indentation, source trailers, the line map.

Every line of generated code goes through `Emitter.line`; a line that carries a Haira
position gets a `# app.haira:12` trailer and an entry in the line map, which is what
`haira.rt.run_main` uses to report runtime errors at Haira lines. `capture()` collects
lines instead of emitting them (for `Lowered` statements that an expression needs).

    em = Emitter("app.haira")
    em.line("x = 1", pos=(12, 5))         # x = 1  # app.haira:12
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from hairac.codegen.lowered import Line

INDENT = "    "


class Emitter:
    """Builds one generated module line by line."""

    def __init__(self, haira_path: str) -> None:
        self.haira_path = haira_path
        self._lines: list[Line] = []
        self._level = 0

    def line(self, text: str = "", *, pos: tuple[int, int] | None = None) -> None:
        """Append one line at the current indentation; `pos` = (line, col) in Haira."""
        self._lines.append(Line(text, self._level, pos))

    def emit_lines(self, lines: Iterable[Line]) -> None:
        """Re-emit captured lines at the current indentation."""
        for ln in lines:
            self._lines.append(Line(ln.text, ln.depth + self._level, ln.pos))

    def blank(self, count: int = 1) -> None:
        """Make sure the output ends with `count` blank lines (none at the very start)."""
        if not self._lines:
            return
        trailing = 0
        for ln in reversed(self._lines):
            if ln.text:
                break
            trailing += 1
        for _ in range(count - trailing):
            self._lines.append(Line("", 0))

    @contextmanager
    def indent(self) -> Iterator[None]:
        self._level += 1
        mark = len(self._lines)
        try:
            yield
        finally:
            # A Python block must not be empty.
            if all(ln.text == "" for ln in self._lines[mark:]):
                self._lines.append(Line("pass", self._level))
            self._level -= 1

    @contextmanager
    def capture(self) -> Iterator[list[Line]]:
        """Collect the lines emitted inside the block (relative indentation) instead."""
        saved = (self._lines, self._level)
        buf: list[Line] = []
        self._lines, self._level = buf, 0
        try:
            yield buf
        finally:
            self._lines, self._level = saved

    def render(self) -> tuple[str, dict[int, tuple[int, int]]]:
        """The module text and its line map (generated line -> Haira (line, col))."""
        lines = list(self._lines)
        while lines and lines[-1].text == "":
            lines.pop()
        out: list[str] = []
        line_map: dict[int, tuple[int, int]] = {}
        for ln in lines:
            if not ln.text:
                out.append("")
                continue
            text = INDENT * ln.depth + ln.text
            if ln.pos is not None:
                text += f"  # {self.haira_path}:{ln.pos[0]}"
                line_map[len(out) + 1] = ln.pos
            out.append(text)
        return "\n".join(out) + "\n", line_map
