"""Haira `array`: functional list helpers (language.md §6.5); only `remove` may alias input.

    array.sort([10, 9, 2])          -> [10, 2, 9]   (REF compares the `%v` texts)
    array.contains([1, 2], "2")     -> True         (likewise by `%v`)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from haira.rt import fmt, str_, truthy

__all__ = [
    "concat",
    "contains",
    "drop",
    "every",
    "filter",
    "find",
    "find_index",
    "first",
    "flat_map",
    "flatten",
    "for_each",
    "get",
    "index_of",
    "insert",
    "is_empty",
    "join",
    "last",
    "len_",
    "map",
    "pop",
    "push",
    "reduce",
    "remove",
    "reverse",
    "slice",
    "some",
    "sort",
    "sort_by",
    "take",
    "unique",
]

T = TypeVar("T")
U = TypeVar("U")

_blen = len


def _seq(a: Sequence[T] | None) -> Sequence[T]:
    """REF `ToSlice`: nil is an empty list."""
    return () if a is None else a


def len_(a: Sequence[object] | None) -> int:
    """Number of elements (0 for nil)."""
    return 0 if a is None else _blen(a)


def is_empty(a: Sequence[object] | None) -> bool:
    """Whether the list has no elements."""
    return not a


def first(a: Sequence[T] | None) -> T | None:
    """The first element, nil when empty."""
    a = _seq(a)
    return a[0] if a else None


def last(a: Sequence[T] | None) -> T | None:
    """The last element, nil when empty."""
    a = _seq(a)
    return a[-1] if a else None


def get(a: Sequence[T] | None, i: int) -> T | None:
    """Element `i`, nil when out of range."""
    a = _seq(a)
    return a[i] if 0 <= i < _blen(a) else None


def push(a: Sequence[T] | None, x: T) -> list[T]:
    """A new list with `x` appended."""
    a = _seq(a)
    out = list(a)
    out.append(x)
    return out


def pop(a: Sequence[T] | None) -> tuple[list[T], T | None]:
    """(the list without its last element, that element); (a, nil) when empty."""
    a = _seq(a)
    if not a:
        return list(a), None
    return list(a[:-1]), a[-1]


def insert(a: Sequence[T] | None, i: int, x: T) -> list[T]:
    """A new list with `x` at index `i` (clamped: i<0 → 0, i>=len → append)."""
    a = _seq(a)
    out = list(a)
    out.insert(max(i, 0), x)
    return out


def remove(a: list[T], i: int) -> list[T]:
    """A list without element `i`; out of range → `a` itself."""
    if i < 0 or i >= _blen(a):
        return a
    return a[:i] + a[i + 1 :]


def slice(a: Sequence[T] | None, start: int, end: int) -> list[T]:
    """Elements [start, end), clamped; empty when start >= end."""
    a = _seq(a)
    start = max(start, 0)
    end = min(end, _blen(a))
    return list(a[start:end]) if start < end else []


def take(a: Sequence[T] | None, n: int) -> list[T]:
    """The first `n` elements."""
    a = _seq(a)
    return list(a[: max(n, 0)])


def drop(a: Sequence[T] | None, n: int) -> list[T]:
    """All but the first `n` elements."""
    a = _seq(a)
    return list(a[max(n, 0) :])


def contains(a: Sequence[object] | None, x: object) -> bool:
    """Whether an element has the same `%v` text as `x`."""
    a = _seq(a)
    target = fmt(x)
    return any(fmt(item) == target for item in a)


def index_of(a: Sequence[object] | None, x: object) -> int:
    """Index of the first element with the same `%v` text as `x`, -1 when none."""
    a = _seq(a)
    target = fmt(x)
    for k, item in enumerate(a):
        if fmt(item) == target:
            return k
    return -1


def reverse(a: Sequence[T] | None) -> list[T]:
    """A new list in reverse order."""
    a = _seq(a)
    return list(a[::-1])


def concat(a: Sequence[T] | None, b: Sequence[T]) -> list[T]:
    """A new list: `a` then `b`."""
    a = _seq(a)
    return [*a, *b]


def flatten(a: Sequence[object] | None) -> list[object]:
    """Nested lists spliced in, one level deep."""
    a = _seq(a)
    out: list[object] = []
    for item in a:
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return out


def unique(a: Sequence[T] | None) -> list[T]:
    """The first element of each distinct `%v` text, in order."""
    a = _seq(a)
    seen: set[str] = set()
    out: list[T] = []
    for item in a:
        key = fmt(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def sort(a: Sequence[T] | None) -> list[T]:
    """A new list sorted by the elements' `%v` texts (REF: `[10, 9, 2]` → `[10 2 9]`)."""
    a = _seq(a)
    return sorted(a, key=fmt)


def join(a: Sequence[object] | None, sep: str) -> str:
    """Elements formatted with `%v` (nil as "") joined by `sep`."""
    a = _seq(a)
    return sep.join([str_(x) for x in a])


def map(a: Sequence[T] | None, fn: Callable[[T], U]) -> list[U]:
    """`fn` applied to each element."""
    a = _seq(a)
    return [fn(x) for x in a]


def filter(a: Sequence[T] | None, fn: Callable[[T], object]) -> list[T]:
    """The elements for which `fn` is truthy."""
    a = _seq(a)
    return [x for x in a if truthy(fn(x))]


def reduce(a: Sequence[T] | None, fn: Callable[[U, T], U], init: U) -> U:
    """Fold from the left starting at `init`."""
    a = _seq(a)
    acc = init
    for x in a:
        acc = fn(acc, x)
    return acc


def find(a: Sequence[T] | None, fn: Callable[[T], object]) -> T | None:
    """The first element for which `fn` is truthy, nil when none."""
    a = _seq(a)
    for x in a:
        if truthy(fn(x)):
            return x
    return None


def find_index(a: Sequence[T] | None, fn: Callable[[T], object]) -> int:
    """Index of the first element for which `fn` is truthy, -1 when none."""
    a = _seq(a)
    for k, x in enumerate(a):
        if truthy(fn(x)):
            return k
    return -1


def sort_by(a: Sequence[T] | None, fn: Callable[[T], object]) -> list[T]:
    """A stable sort by the `%v` text of `fn(element)`."""
    a = _seq(a)
    return sorted(a, key=lambda x: fmt(fn(x)))


def every(a: Sequence[T] | None, fn: Callable[[T], object]) -> bool:
    """Whether `fn` is truthy for every element."""
    a = _seq(a)
    return all(truthy(fn(x)) for x in a)


def some(a: Sequence[T] | None, fn: Callable[[T], object]) -> bool:
    """Whether `fn` is truthy for at least one element."""
    a = _seq(a)
    return any(truthy(fn(x)) for x in a)


def for_each(a: Sequence[T] | None, fn: Callable[[T], object]) -> None:
    """Call `fn` on each element."""
    a = _seq(a)
    for x in a:
        fn(x)


def flat_map(a: Sequence[T] | None, fn: Callable[[T], object]) -> list[object]:
    """`fn` applied to each element, list results spliced in one level."""
    a = _seq(a)
    out: list[object] = []
    for x in a:
        r = fn(x)
        if isinstance(r, list):
            out.extend(r)
        else:
            out.append(r)
    return out
