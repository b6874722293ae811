"""Typed module shaped like generated code: functions, a struct class, haira.rt calls."""

from __future__ import annotations

import sys

import haira.rt
from hw_app.shapes import Point


def fib(n: int) -> int:
    if n < 2:
        return n
    return haira.rt.iadd(fib(n - 1), fib(n - 2))


def count_words(words: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def main() -> None:
    points = [Point(i, i + 1) for i in range(10)]
    total = 0
    for p in points:
        total += p.dot(Point(1, 1))
    counts = count_words(["a", "b", "a"])
    print(haira.rt.fmt(fib(20)), total, counts["a"], " ".join(sys.argv[1:]))


def entry() -> int:
    return haira.rt.execute_main(main)
