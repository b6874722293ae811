"""Integer helpers generated into each module that uses them.

Go int semantics (64-bit, `integer overflow` as a runtime error, division truncating
toward zero) as small module-local functions: mypyc compiles a call to a function of the
same module to a direct C call on unboxed ints, where a call into `haira.rt` (another
compiled unit) boxes both operands. Semantics are identical to `haira.rt.iadd` & co.; the `_t_oi*` ones are `int?` arithmetic
(a map lookup `m[k] + 1`): ints take the native path, anything else `haira.rt.add` & co.
"""

from __future__ import annotations

from typing import Final

_MIN = "-9223372036854775808"
_MAX = "9223372036854775807"
# mypyc's short (tagged, unboxed) ints are ±2^62: a comparison against these constants stays
# on the fast path, one against the int64 bounds boxes on every call. The exact test runs
# only when the quick one fails, so the semantics are unchanged.
_SMIN = "-4611686018427387904"
_SMAX = "4611686018427387903"

HELPERS: Final[dict[str, str]] = {
    "iadd": f'''def _t_iadd(a: int, b: int) -> int:
    r = a + b
    if {_SMIN} <= r <= {_SMAX}:
        return r
    if {_MIN} <= r <= {_MAX}:
        return r
    raise haira.errors.RuntimeFault("integer overflow")''',
    "isub": f'''def _t_isub(a: int, b: int) -> int:
    r = a - b
    if {_SMIN} <= r <= {_SMAX}:
        return r
    if {_MIN} <= r <= {_MAX}:
        return r
    raise haira.errors.RuntimeFault("integer overflow")''',
    "imul": f'''def _t_imul(a: int, b: int) -> int:
    r = a * b
    if {_SMIN} <= r <= {_SMAX}:
        return r
    if {_MIN} <= r <= {_MAX}:
        return r
    raise haira.errors.RuntimeFault("integer overflow")''',
    "oiadd": f'''def _t_oiadd(a: int | None, b: int | None) -> typing.Any:
    if a is not None and b is not None:
        r = a + b
        if {_SMIN} <= r <= {_SMAX}:
            return r
        if {_MIN} <= r <= {_MAX}:
            return r
        raise haira.errors.RuntimeFault("integer overflow")
    return haira.rt.add(a, b)''',
    "oisub": f'''def _t_oisub(a: int | None, b: int | None) -> typing.Any:
    if a is not None and b is not None:
        r = a - b
        if {_SMIN} <= r <= {_SMAX}:
            return r
        if {_MIN} <= r <= {_MAX}:
            return r
        raise haira.errors.RuntimeFault("integer overflow")
    return haira.rt.sub(a, b)''',
    "oimul": f'''def _t_oimul(a: int | None, b: int | None) -> typing.Any:
    if a is not None and b is not None:
        r = a * b
        if {_SMIN} <= r <= {_SMAX}:
            return r
        if {_MIN} <= r <= {_MAX}:
            return r
        raise haira.errors.RuntimeFault("integer overflow")
    return haira.rt.mul(a, b)''',
    "idiv": f'''def _t_idiv(a: int, b: int) -> int:
    if b == 0:
        raise haira.errors.RuntimeFault("integer divide by zero")
    q = abs(a) // abs(b)
    r = q if (a < 0) == (b < 0) else -q
    if r > {_MAX}:
        raise haira.errors.RuntimeFault("integer overflow")
    return r''',
    "index": '''def _t_index(xs: list[_T], i: int) -> _T:
    if 0 <= i < len(xs):
        return xs[i]
    raise haira.errors.RuntimeFault(f"index out of range [{i}] with length {len(xs)}")''',
    "set_index": '''def _t_set_index(xs: list[_T], i: int, v: _T) -> None:
    if 0 <= i < len(xs):
        xs[i] = v
        return
    raise haira.errors.RuntimeFault(f"index out of range [{i}] with length {len(xs)}")''',
    "imod": '''def _t_imod(a: int, b: int) -> int:
    if a >= 0 and b > 0:
        return a % b
    if b == 0:
        raise haira.errors.RuntimeFault("integer divide by zero")
    r = abs(a) % abs(b)
    return -r if a < 0 else r''',
}


def helper_source(names: set[str]) -> list[str]:
    """The source lines of the helpers in `names`, in a fixed order."""
    lines: list[str] = []
    if names & {"index", "set_index"}:
        lines += ['_T = typing.TypeVar("_T")', "", ""]
    for name in HELPERS:
        if name in names:
            lines.extend(HELPERS[name].split("\n"))
            lines.append("")
            lines.append("")
    return lines
