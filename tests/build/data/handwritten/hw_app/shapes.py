"""A second module, so the build has a multi-module group with a shared library."""

from __future__ import annotations


class Point:
    __slots__ = ("x", "y")
    x: int
    y: int

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y

    def dot(self, other: Point) -> int:
        return self.x * other.x + self.y * other.y
