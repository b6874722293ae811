"""Haira `map`: string-keyed map helpers in insertion order (language.md §6.6, §0 #10, #32).

    m = {"a": 1}; map.set(m, "b", 2)   -> {"a": 1, "b": 2}  (mutates and returns m)
    map.merge({"a": 1, "b": 2}, {"b": 3, "c": 4}) -> {"a": 1, "b": 3, "c": 4}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from haira.rt import fmt

__all__ = [
    "contains_value",
    "entries",
    "get",
    "has",
    "is_empty",
    "keys",
    "len_",
    "merge",
    "remove",
    "set",
    "values",
]

K = TypeVar("K")
V = TypeVar("V")

_blen = len


def len_(m: Mapping[K, V] | None) -> int:
    """Number of entries (0 for nil)."""
    return 0 if m is None else _blen(m)


def is_empty(m: Mapping[K, V] | None) -> bool:
    """Whether the map has no entries."""
    return not m


def get(m: Mapping[K, V] | None, k: K) -> V | None:
    """The value for `k`, nil when absent."""
    return None if m is None else m.get(k)


def has(m: Mapping[K, V] | None, k: K) -> bool:
    """Whether `k` is a key."""
    return m is not None and k in m


def set(m: dict[K, V], k: K, v: V) -> dict[K, V]:
    """Set `m[k] = v` in place (an existing key keeps its position) and return `m`."""
    m[k] = v
    return m


def remove(m: dict[K, V], k: K) -> dict[K, V]:
    """Delete `k` in place (absent is fine) and return `m`."""
    m.pop(k, None)
    return m


def keys(m: Mapping[K, V] | None) -> list[K]:
    """The keys in insertion order."""
    return [] if m is None else list(m)


def values(m: Mapping[K, V] | None) -> list[V]:
    """The values in insertion order."""
    return [] if m is None else list(m.values())


def entries(m: Mapping[K, V] | None) -> list[list[object]]:
    """`[key, value]` pairs in insertion order."""
    return [] if m is None else [[k, v] for k, v in m.items()]


def merge(a: Mapping[K, V] | None, b: Mapping[K, V] | None) -> dict[K, V]:
    """A new map: a's keys in order, then b's new keys; b's values win."""
    out = dict(a or {})
    out.update(b or {})
    return out


def contains_value(m: Mapping[K, V] | None, v: object) -> bool:
    """Whether a value has the same `%v` text as `v`."""
    target = fmt(v)
    return m is not None and any(fmt(x) == target for x in m.values())
