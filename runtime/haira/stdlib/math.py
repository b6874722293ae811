"""Haira `math`: float math with Go's special-case results (language.md §6.4).

Every argument is coerced like REF's `toFloat64` (int and float as numbers, anything else 0)
and every result is a float except `random_int`. Domain errors give NaN/±Inf as Go does,
never a Python exception: `math.sqrt(-1)` is NaN, `math.log(0)` is -Inf.
`math.pi` / `math.e` work both as values and as zero-argument calls (`math.pi()`).
"""

from __future__ import annotations

import builtins as _builtins
import math as _m
import random as _random

from haira.stdlib.conv import to_float as _f
from haira.stdlib.conv import to_int as _to_int

__all__ = [
    "abs",
    "acos",
    "asin",
    "atan",
    "atan2",
    "cbrt",
    "ceil",
    "clamp",
    "cos",
    "e",
    "exp",
    "floor",
    "log",
    "log10",
    "log2",
    "max",
    "min",
    "pi",
    "pow",
    "random",
    "random_int",
    "round",
    "sin",
    "sqrt",
    "tan",
    "trunc",
]

_NAN = _m.nan
_INF = _m.inf


class _Constant(float):
    """A float that can also be called with no arguments (`math.pi` and `math.pi()`)."""

    def __call__(self) -> float:
        return float(self)


pi = _Constant(_m.pi)
e = _Constant(_m.e)


def abs(x: object) -> float:  # noqa: A001
    """|x|."""
    return _m.fabs(_f(x))


def min(a: object, b: object) -> float:  # noqa: A001
    """Go `math.Min`: NaN if either is NaN; -0 < +0."""
    x, y = _f(a), _f(b)
    if x != x or y != y:
        return _NAN
    if x == y == 0.0:
        return x if _m.copysign(1.0, x) < 0 else y
    return x if x < y else y


def max(a: object, b: object) -> float:  # noqa: A001
    """Go `math.Max`: NaN if either is NaN; +0 > -0."""
    x, y = _f(a), _f(b)
    if x != x or y != y:
        return _NAN
    if x == y == 0.0:
        return x if _m.copysign(1.0, x) > 0 else y
    return x if x > y else y


def clamp(x: object, lo: object, hi: object) -> float:
    """`x` limited to [lo, hi]."""
    v, low, high = _f(x), _f(lo), _f(hi)
    if v < low:
        return low
    if v > high:
        return high
    return v


def _finite(x: float) -> bool:
    return x == x and x not in (_INF, -_INF)


def floor(x: object) -> float:
    """Largest integer value <= x."""
    v = _f(x)
    return _m.copysign(float(_m.floor(v)), v) if _finite(v) else v


def ceil(x: object) -> float:
    """Smallest integer value >= x (`ceil(-0.5)` is -0)."""
    v = _f(x)
    return _m.copysign(float(_m.ceil(v)), v) if _finite(v) else v


def trunc(x: object) -> float:
    """The integer part of x."""
    v = _f(x)
    return _m.copysign(float(_m.trunc(v)), v) if _finite(v) else v


def round(x: object) -> float:  # noqa: A001
    """Nearest integer, halves away from zero (Go `math.Round`)."""
    v = _f(x)
    if not _finite(v):
        return v
    t = float(_m.trunc(v))
    if _m.fabs(v - t) >= 0.5:
        t += _m.copysign(1.0, v)
    return _m.copysign(t, v)


def pow(x: object, y: object) -> float:  # noqa: A001
    """Go `math.Pow` including its special cases (`pow(0, -1)` is +Inf)."""
    a, b = _f(x), _f(y)
    try:
        return _m.pow(a, b)
    except OverflowError:
        if a < 0 and b == _m.floor(b) and int(b) % 2 == 1:
            return -_INF
        return _INF
    except ValueError:
        if a == 0.0:
            # 0 ** negative: ±Inf, the sign kept only for -0 with an odd integer exponent.
            odd = b == _m.floor(b) and int(b) % 2 == 1
            return -_INF if odd and _m.copysign(1.0, a) < 0 else _INF
        return _NAN


def sqrt(x: object) -> float:
    """Square root; NaN for negative x."""
    v = _f(x)
    return _NAN if v < 0 else _m.sqrt(v)


def cbrt(x: object) -> float:
    """Cube root (negative x allowed)."""
    v = _f(x)
    if not _finite(v) or v == 0.0:
        return v
    # NOTE: libm's cbrt can be 1 ulp off (cbrt(-27) = -3.0000000000000004); Go's is exact on
    # perfect cubes. Pick the neighbour whose cube is exactly closest to v.
    from fractions import Fraction  # NOTE: lazy; decimal/fractions cost start-up time

    r = _m.cbrt(v)
    target = Fraction(v)
    candidates = (r, _m.nextafter(r, _INF), _m.nextafter(r, -_INF))
    return _builtins.min(candidates, key=lambda c: _builtins.abs(Fraction(c) ** 3 - target))


def exp(x: object) -> float:
    """e ** x; +Inf on overflow."""
    try:
        return _m.exp(_f(x))
    except OverflowError:
        return _INF


def _log_with(fn_: object, x: object) -> float:
    v = _f(x)
    if v != v or v < 0:
        return _NAN
    if v == 0.0:
        return -_INF
    if v == _INF:
        return _INF
    assert callable(fn_)
    result: float = fn_(v)
    return result


def log(x: object) -> float:
    """Natural logarithm; -Inf at 0, NaN below."""
    return _log_with(_m.log, x)


def log10(x: object) -> float:
    """Base-10 logarithm."""
    return _log_with(_m.log10, x)


def log2(x: object) -> float:
    """Base-2 logarithm."""
    return _log_with(_m.log2, x)


def _trig(fn_: object, x: object) -> float:
    assert callable(fn_)
    try:
        result: float = fn_(_f(x))
    except ValueError:
        return _NAN
    return result


def sin(x: object) -> float:
    """Sine (radians)."""
    return _trig(_m.sin, x)


def cos(x: object) -> float:
    """Cosine (radians)."""
    return _trig(_m.cos, x)


def tan(x: object) -> float:
    """Tangent (radians)."""
    return _trig(_m.tan, x)


def asin(x: object) -> float:
    """Arcsine; NaN outside [-1, 1]."""
    return _trig(_m.asin, x)


def acos(x: object) -> float:
    """Arccosine; NaN outside [-1, 1]."""
    return _trig(_m.acos, x)


def atan(x: object) -> float:
    """Arctangent."""
    return _trig(_m.atan, x)


def atan2(y: object, x: object) -> float:
    """Arctangent of y/x using both signs."""
    return _m.atan2(_f(y), _f(x))


def random() -> float:
    """A pseudo-random float in [0, 1)."""
    return _random.random()


def random_int(lo: object, hi: object) -> int:
    """A pseudo-random int in [lo, hi); `lo` when hi <= lo."""
    low, high = _to_int(_f(lo)), _to_int(_f(hi))
    if high <= low:
        return low
    return _random.randrange(low, high)
