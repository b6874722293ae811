"""Percentiles and medians without numpy (the load generator must stay light)."""

from __future__ import annotations

__all__ = ["median", "pct"]


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by nearest rank; None for no data."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


def median(values: list[float]) -> float | None:
    return pct(values, 50)
