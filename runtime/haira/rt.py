"""Haira-semantics operations that Python lacks, called by generated code on hot paths.

    fmt(0.1 + 0.2)  -> "0.30000000000000004"      fmt([1.0, None]) -> "[1 <nil>]"
    idiv(-7, 2)     -> -3                          index([1, 2], 5) raises RuntimeFault
                                                   ("index out of range [5] with length 2")

Formatting follows Go's `%v` (language.md §4.12, §0 #12); integers are 64-bit with overflow
reported as the runtime error `integer overflow` (§0 #11).
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NoReturn, TypeVar

from haira.errors import HairaError, HairaPanic, HairaRuntimeError, RuntimeFault
from haira.values import EnumValue, field_value, struct_eq

__all__ = [
    "HairaError",
    "HairaPanic",
    "RuntimeFault",
    "add",
    "as_panic",
    "attempt",
    "bitand",
    "bitnot",
    "bitor",
    "bitxor",
    "catch_text",
    "concat",
    "deferred",
    "div",
    "eq",
    "error",
    "execute_main",
    "fdiv",
    "fmt",
    "fmt_float",
    "format_float_f",
    "format_uncaught",
    "ge",
    "go",
    "go_quote",
    "gt",
    "haira_stack",
    "iadd",
    "idiv",
    "imod",
    "imul",
    "in_range",
    "index",
    "index_any",
    "ineg",
    "interp",
    "is_variant",
    "ishl",
    "ishr",
    "isub",
    "iter_pairs",
    "iter_values",
    "le",
    "len_",
    "lt",
    "mod",
    "mul",
    "neg",
    "panic",
    "raise_error",
    "register_source_map",
    "run_defers",
    "run_main",
    "set_index",
    "set_index_any",
    "shl",
    "shr",
    "spawn",
    "str_",
    "sub",
    "to_error",
    "truthy",
    "unwrap",
]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

INT_MIN: Final = -(1 << 63)
INT_MAX: Final = (1 << 63) - 1
# NOTE: |r| <= 2**62-1 is a single tagged-int compare once mypyc compiles this module;
# only results beyond it pay for the full int64 range check.
_SHORT: Final = (1 << 62) - 1

# ---------------------------------------------------------------- %v formatting


def fmt(v: object) -> str:
    """Go `%v` of a Haira value (§4.12)."""
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]  # NOTE: checked by `type(v) is str`
    if t is int:
        return str(v)
    if t is float:
        return fmt_float(v)  # type: ignore[arg-type]  # NOTE: checked by `type(v) is float`
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    return _fmt_other(v, True)


def fmt_float(x: float) -> str:
    """Go `strconv.FormatFloat(x, 'g', -1, 64)`: shortest round-trip digits (§0 #12)."""
    a = -x if x < 0 else x
    if 1e-4 <= a < 1e6:
        # Fast path: Go and repr agree on the digits and the plain layout; only the `.0` differs.
        if x == math.floor(x):
            return str(int(x))
        return repr(x)
    if x != x:
        return "NaN"
    if a == math.inf:
        return "+Inf" if x > 0 else "-Inf"
    if x == 0.0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    digits, dp = _shortest_digits(a)
    sign = "-" if x < 0 else ""
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return sign + _layout_e(digits, exp)
    return sign + _layout_f(digits, dp)


def format_float_f(x: float) -> str:
    """Go `strconv.FormatFloat(x, 'f', -1, 64)`: shortest digits, never an exponent (§4.13)."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0.0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    digits, dp = _shortest_digits(-x if x < 0 else x)
    return ("-" if x < 0 else "") + _layout_f(digits, dp)


def _shortest_digits(a: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of a positive finite float and the point position.

    The value is 0.<digits> x 10**dp (Go's `decimal.dp` convention); digits has no leading or
    trailing zeros.
    """
    r = repr(a)
    e = 0
    epos = r.find("e")
    if epos >= 0:
        e = int(r[epos + 1 :])
        r = r[:epos]
    dot = r.find(".")
    if dot >= 0:
        int_part = r[:dot]
        digits = int_part + r[dot + 1 :]
    else:
        int_part = r
        digits = r
    dp = len(int_part) + e
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    return stripped.rstrip("0"), dp


def _layout_e(digits: str, exp: int) -> str:
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    e = -exp if exp < 0 else exp
    return f"{mant}e{sign}{e:02d}"


def _layout_f(digits: str, dp: int) -> str:
    n = len(digits)
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= n:
        return digits + "0" * (dp - n)
    return digits[:dp] + "." + digits[dp:]


def _fmt_inner(v: object) -> str:
    """`%v` of a value nested in a list, map, struct or payload."""
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]  # NOTE: checked by `type(v) is str`
    if t is int:
        return str(v)
    if t is float:
        return fmt_float(v)  # type: ignore[arg-type]  # NOTE: checked by `type(v) is float`
    if v is None:
        return "<nil>"
    return _fmt_other(v, False)


def _fmt_list(v: list[object]) -> str:
    # NOTE: the common case (a list of ints or strings) without a call per element.
    parts: list[str] = []
    for x in v:
        tx = type(x)
        if tx is str:
            parts.append(x)  # type: ignore[arg-type]  # NOTE: checked by `type(x) is str`
        elif tx is int:
            parts.append(str(x))
        else:
            parts.append(_fmt_inner(x))
    return "[" + " ".join(parts) + "]"


def _fmt_other(v: object, top: bool) -> str:
    if type(v) is list:
        return _fmt_list(v)
    if isinstance(v, list | tuple):
        return "[" + " ".join([_fmt_inner(x) for x in v]) + "]"
    if isinstance(v, dict):
        return _fmt_map(v)
    if isinstance(v, HairaError):
        return v.message
    if isinstance(v, EnumValue):
        if not v.payload:
            return v.name
        return v.name + "(" + ", ".join([_fmt_inner(x) for x in v.payload]) + ")"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return fmt_float(v)
    if isinstance(v, str):
        return str.__str__(v)
    cls = type(v)
    fields = getattr(cls, "__haira_fields__", None)
    if isinstance(fields, tuple):
        body = "{" + " ".join([_fmt_inner(field_value(v, f)) for f in fields]) + "}"
        # Go prints a struct reached through a pointer as &{...} at the top level only.
        return "&" + body if top and getattr(cls, "__haira_pointer__", False) else body
    if callable(v) and cls.__str__ is object.__str__ or isinstance(v, type):
        # Go prints a func value as its address; unstable by nature.
        return hex(id(v))
    return str(v)


def _fmt_map(m: Mapping[object, object]) -> str:
    if not m:
        return "map[]"
    try:
        keys = sorted(m)  # type: ignore[type-var]  # NOTE: mixed keys fall back below
    except TypeError:
        keys = sorted(m, key=fmt)
    return "map[" + " ".join([_fmt_inner(k) + ":" + _fmt_inner(m[k]) for k in keys]) + "]"


def str_(v: object) -> str:
    """REF `Str`: `%v`, except that nil is the empty string (`+` with a string, `join`)."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    return fmt(v)


def concat(a: object, b: object) -> str:
    """`a + b` where one side is a string: both sides through `str_`."""
    return str_(a) + str_(b)


def interp(*parts: object) -> str:
    """An interpolated string: each part formatted with `%v` and joined."""
    return "".join([p if type(p) is str else fmt(p) for p in parts])


def go_quote(s: str) -> str:
    """Go `%q` / `strconv.Quote` of a string."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\a":
            out.append("\\a")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\v":
            out.append("\\v")
        elif 0xDC80 <= o <= 0xDCFF:
            # A byte that was not valid UTF-8 (surrogateescape): Go prints it as \x..
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------- integers


def _overflow() -> NoReturn:
    raise RuntimeFault("integer overflow")


def _int64(r: int) -> int:
    if INT_MIN <= r <= INT_MAX:
        return r
    _overflow()


def iadd(a: int, b: int) -> int:
    """int + int, raising `integer overflow` outside int64."""
    r = a + b
    if -_SHORT <= r <= _SHORT:
        return r
    return _int64(r)


def isub(a: int, b: int) -> int:
    """int - int, raising `integer overflow` outside int64."""
    r = a - b
    if -_SHORT <= r <= _SHORT:
        return r
    return _int64(r)


def imul(a: int, b: int) -> int:
    """int * int, raising `integer overflow` outside int64."""
    r = a * b
    if -_SHORT <= r <= _SHORT:
        return r
    return _int64(r)


def ineg(a: int) -> int:
    """-int; only -(-2**63) overflows."""
    if a == INT_MIN:
        _overflow()
    return -a


def idiv(a: int, b: int) -> int:
    """Go int division: truncates toward zero; `integer divide by zero` on b == 0."""
    if b > 0:
        if a >= 0:
            return a // b
        return -(-a // b)
    if b == 0:
        raise RuntimeFault("integer divide by zero")
    if a == INT_MIN and b == -1:
        _overflow()
    if a >= 0:
        return -(a // -b)
    return -a // -b


def imod(a: int, b: int) -> int:
    """Go int remainder: the sign of the dividend; `integer divide by zero` on b == 0."""
    if b == 0:
        raise RuntimeFault("integer divide by zero")
    if a >= 0:
        return a % b if b > 0 else a % -b
    return -(-a % (b if b > 0 else -b))


def ishl(a: int, n: int) -> int:
    """a << n; a negative count is a runtime error, leaving int64 is `integer overflow`."""
    if n < 0:
        raise RuntimeFault("negative shift amount")
    if a == 0:
        return 0
    if n >= 64:
        _overflow()
    r = a << n
    if INT_MIN <= r <= INT_MAX:
        return r
    _overflow()


def ishr(a: int, n: int) -> int:
    """a >> n, arithmetic; a negative count is a runtime error."""
    if n < 0:
        raise RuntimeFault("negative shift amount")
    return a >> n


def fdiv(a: float, b: float) -> float:
    """float / float with IEEE results for a zero divisor (+Inf, -Inf, NaN), as Go."""
    if b == 0.0:
        if a == 0.0 or a != a:
            return math.nan
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if neg else math.inf
    return a / b


# ---------------------------------------------------------------- dynamic (`any`) operators


def _num_operands(a: object, b: object) -> tuple[int, int] | tuple[float, float] | None:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a, b  # type: ignore[return-value]  # NOTE: types checked above
    if ta in (int, float) and tb in (int, float):
        return float(a), float(b)  # type: ignore[arg-type]  # NOTE: types checked above
    return None


def _bad_op(op: str, a: object, b: object) -> NoReturn:
    raise RuntimeFault(
        f"invalid operation: {op} on {_type_name(a)} and {_type_name(b)}"
    )


def _type_name(v: object) -> str:
    if v is None:
        return "nil"
    t = type(v)
    names = {int: "int", float: "float", str: "string", bool: "bool", list: "list", dict: "map"}
    return names.get(t, t.__name__)


def add(a: object, b: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """`+` on operands of static type `any`."""
    if type(a) is str or type(b) is str:
        return concat(a, b)
    nums = _num_operands(a, b)
    if nums is not None:
        x, y = nums
        if isinstance(x, int) and isinstance(y, int):
            return iadd(x, y)
        return x + y
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    _bad_op("+", a, b)


def sub(a: object, b: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """`-` on operands of static type `any`."""
    nums = _num_operands(a, b)
    if nums is None:
        _bad_op("-", a, b)
    x, y = nums
    if isinstance(x, int) and isinstance(y, int):
        return isub(x, y)
    return x - y


def mul(a: object, b: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """`*` on operands of static type `any`."""
    nums = _num_operands(a, b)
    if nums is None:
        _bad_op("*", a, b)
    x, y = nums
    if isinstance(x, int) and isinstance(y, int):
        return imul(x, y)
    return x * y


def div(a: object, b: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """`/` on operands of static type `any`: int division for two ints, else float."""
    nums = _num_operands(a, b)
    if nums is None:
        _bad_op("/", a, b)
    x, y = nums
    if isinstance(x, int) and isinstance(y, int):
        return idiv(x, y)
    return fdiv(x, y)


def mod(a: object, b: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """`%` on operands of static type `any` (ints only, as Go)."""
    if type(a) is int and type(b) is int:
        return imod(a, b)
    _bad_op("%", a, b)


def neg(a: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """Unary `-` on a value of static type `any`."""
    if type(a) is int:
        return ineg(a)
    if type(a) is float:
        return -a
    raise RuntimeFault(f"invalid operation: -{_type_name(a)}")


def bitnot(a: object) -> int:
    """`~x` (Go `^x`): -x-1 on an int."""
    if type(a) is int:
        return ~a
    raise RuntimeFault(f"invalid operation: ~{_type_name(a)}")


def _int_operands(op: str, a: object, b: object) -> tuple[int, int]:
    if type(a) is int and type(b) is int:
        return a, b
    _bad_op(op, a, b)


def bitand(a: object, b: object) -> int:
    """`&` on operands of static type `any`."""
    x, y = _int_operands("&", a, b)
    return x & y


def bitor(a: object, b: object) -> int:
    """`|` on operands of static type `any`."""
    x, y = _int_operands("|", a, b)
    return x | y


def bitxor(a: object, b: object) -> int:
    """`^` on operands of static type `any`."""
    x, y = _int_operands("^", a, b)
    return x ^ y


def shl(a: object, b: object) -> int:
    """`<<` on operands of static type `any`."""
    x, y = _int_operands("<<", a, b)
    return ishl(x, y)


def shr(a: object, b: object) -> int:
    """`>>` on operands of static type `any`."""
    x, y = _int_operands(">>", a, b)
    return ishr(x, y)


def _ordered(op: str, a: object, b: object) -> tuple[float, float] | tuple[str, str]:
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        return a, b  # type: ignore[return-value]  # NOTE: types checked above
    if ta in (int, float) and tb in (int, float):
        return a, b  # type: ignore[return-value]  # NOTE: types checked above
    _bad_op(op, a, b)


def lt(a: object, b: object) -> bool:
    """`<` on operands of static type `any` (numbers, or strings bytewise)."""
    x, y = _ordered("<", a, b)
    return x < y  # type: ignore[operator]  # NOTE: same-kind pair from _ordered


def le(a: object, b: object) -> bool:
    """`<=` on operands of static type `any`."""
    x, y = _ordered("<=", a, b)
    return x <= y  # type: ignore[operator]  # NOTE: same-kind pair from _ordered


def gt(a: object, b: object) -> bool:
    """`>` on operands of static type `any`."""
    x, y = _ordered(">", a, b)
    return x > y  # type: ignore[operator]  # NOTE: same-kind pair from _ordered


def ge(a: object, b: object) -> bool:
    """`>=` on operands of static type `any`."""
    x, y = _ordered(">=", a, b)
    return x >= y  # type: ignore[operator]  # NOTE: same-kind pair from _ordered


def eq(a: object, b: object) -> bool:
    """`==` with Go's dynamic rules for `any`: values of different types are never equal,
    structs compare field by field, NaN is not equal to itself."""
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is int or ta is str or ta is float or ta is bool:
        return a == b
    if a is b:
        return True
    if getattr(ta, "__haira_fields__", None) is not None:
        return struct_eq(a, b)
    return a == b


def truthy(v: object) -> bool:
    """REF `isTruthy` (array helpers only): nil, false, 0, 0.0 and "" are false."""
    if v is None or v is False:
        return False
    t = type(v)
    if t is int or t is float or t is str:
        return bool(v)
    return True


# ---------------------------------------------------------------- indexing, len


def _out_of_range(i: int, n: int) -> NoReturn:
    raise RuntimeFault(f"index out of range [{i}] with length {n}")


def index(xs: list[T], i: int) -> T:
    """xs[i] with Go bounds checks (§0 #9)."""
    if i >= 0:
        try:
            return xs[i]
        except IndexError:
            pass
    _out_of_range(i, len(xs))


def set_index(xs: list[T], i: int, v: T) -> None:
    """xs[i] = v with Go bounds checks (§0 #9)."""
    if i >= 0:
        try:
            xs[i] = v
            return
        except IndexError:
            pass
    _out_of_range(i, len(xs))


def index_any(x: object, i: object) -> Any:  # NOTE: Any, so the result flows into typed slots (codegen)
    """x[i] for a container of static type `any`: list bounds-checked, missing map key nil."""
    if isinstance(x, list):
        if type(i) is not int:
            raise RuntimeFault(f"invalid list index {fmt(i)}")
        return index(x, i)
    if isinstance(x, dict):
        return x.get(i)
    if x is None:
        return None
    raise RuntimeFault(f"cannot index {_type_name(x)}")


def set_index_any(x: object, i: object, v: object) -> None:
    """x[i] = v for a container of static type `any`."""
    if isinstance(x, list):
        if type(i) is not int:
            raise RuntimeFault(f"invalid list index {fmt(i)}")
        set_index(x, i, v)
        return
    if isinstance(x, dict):
        x[i] = v
        return
    if x is None:
        raise RuntimeFault("assignment to entry in nil map")
    raise RuntimeFault(f"cannot index {_type_name(x)}")


def len_(x: object) -> int:
    """Haira `len`: UTF-8 bytes of a string, elements of a list or map, 0 for nil."""
    if type(x) is str:
        s: str = x
        return len(s) if s.isascii() else len(s.encode("utf-8", "surrogateescape"))
    if x is None:
        return 0
    if isinstance(x, list | dict | tuple):
        return len(x)
    if isinstance(x, str):
        return len_(str.__str__(x))
    return 0  # REF `Len`: anything that is not a string, list or map has length 0


# ---------------------------------------------------------------- loops, patterns


def iter_values(x: object) -> Iterable[object]:
    """`for v in x` over a value of static type `any`: list elements, map keys, nil → nothing.

    Any other iterable runtime object (an agent stream, a channel-like value) is iterated as
    it is; a string gives no iterations, as REF (use `string.split(s, "")` for characters).
    """
    if isinstance(x, list | dict):
        return list(x)
    if x is None or isinstance(x, str):
        return ()
    if isinstance(x, Iterable):
        return x
    raise RuntimeFault(f"cannot range over {fmt(x)} (type {_type_name(x)})")


def iter_pairs(x: object) -> Iterable[tuple[object, object]]:
    """`for a, b in x` over `any`: (index, element) of a list, (key, value) of a map (§0 #8)."""
    if isinstance(x, list):
        return list(enumerate(x))
    if isinstance(x, dict):
        return list(x.items())
    if x is None or isinstance(x, str):
        return ()
    raise RuntimeFault(f"cannot range over {fmt(x)} (type {_type_name(x)})")


def in_range(subj: object, lo: int, hi: int, inclusive: bool) -> bool:
    """The range pattern `lo..hi` / `lo..=hi` tested against a value of any type."""
    if type(subj) is not int:
        return False
    n: int = subj
    return lo <= n <= hi if inclusive else lo <= n < hi


def is_variant(v: object, name: str) -> bool:
    """Whether `v` is an enum value of variant `name` (pattern on a value of type `any`)."""
    return isinstance(v, EnumValue) and v.name == name


# ---------------------------------------------------------------- defer, spawn, async


def deferred(fn: Callable[..., object], *args: object) -> Callable[[], object]:
    """`defer f(a, b)`: the function and its arguments are evaluated now, the call later."""

    def call() -> object:
        return fn(*args)

    return call


def run_defers(defers: list[Callable[[], object]]) -> None:
    """Run the deferred calls last-in first-out; all run even if one panics (as Go)."""
    failure: BaseException | None = None
    while defers:
        fn = defers.pop()
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001  # NOTE: the latest panic wins, as Go
            failure = exc
    if failure is not None:
        raise failure


def spawn(tasks: Sequence[Callable[[], object]]) -> list[object]:
    """Haira `spawn { … }` (§0 #27); see `haira.aio.spawn`."""
    from haira.aio import spawn as _spawn

    return _spawn(tasks)


def go(fn: Callable[[], object]) -> object:
    """Haira `async { … }`: a channel receiving the block's value; see `haira.aio.go`."""
    from haira.aio import go as _go

    return _go(fn)


# ---------------------------------------------------------------- errors and panics


def error(message: object) -> HairaError:
    """Haira `error("text")` (§0 #13)."""
    return HairaError(message if type(message) is str else fmt(message))


def to_error(v: object) -> HairaError | None:
    """A value returned in an `error` slot: nil stays nil, a string becomes an error (§0 #13)."""
    if v is None or isinstance(v, HairaError):
        return v
    return HairaError(fmt(v))


def panic(value: object) -> NoReturn:
    """Haira `panic(x)`."""
    raise HairaPanic(value)


def unwrap(value: T, err: HairaError | None) -> T:
    """`f()?` on a (value, error) result: the value, or raise the error (§0 #25)."""
    if err is not None:
        raise HairaPanic(err)
    return value


def raise_error(err: HairaError | None) -> None:
    """`e?` on a lone error value: raise it when non-nil (§0 #25 extension)."""
    if err is not None:
        raise HairaPanic(err)


def attempt(fn: Callable[[], T], zero: T) -> tuple[T, HairaError | None]:
    """Call `fn`; a failure becomes the error of a `(value, error)` pair (agent `ask`/`run`)."""
    try:
        return fn(), None
    except HairaRuntimeError as exc:
        return zero, HairaError(str(exc) or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001  # NOTE: any failure is a Haira error value here
        return zero, HairaError(catch_text(exc))


def as_panic(exc: BaseException) -> HairaPanic:
    """Turn any exception escaping Haira code into the Haira panic it stands for."""
    if isinstance(exc, HairaPanic):
        return exc
    if isinstance(exc, ZeroDivisionError):
        return RuntimeFault("integer divide by zero")
    if isinstance(exc, RecursionError):
        return RuntimeFault("stack overflow")
    if isinstance(exc, (AttributeError, TypeError)) and "NoneType" in str(exc):
        return RuntimeFault("invalid memory address or nil pointer dereference")
    if isinstance(exc, OverflowError):
        return RuntimeFault("integer overflow")
    if isinstance(exc, MemoryError):
        return RuntimeFault("out of memory")
    if isinstance(exc, HairaRuntimeError):
        return HairaPanic(str(exc) or type(exc).__name__)
    text = str(exc)
    return RuntimeFault(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def catch_text(exc: BaseException) -> str:
    """The string a Haira `catch e` binds for the exception `exc` (§0 #14)."""
    return as_panic(exc).catch_text()


def run_main(
    main: Callable[[], object],
    *,
    source_map: Mapping[int, tuple[str, int, int]] | None = None,
    load_env: bool = True,
) -> NoReturn:
    """Run a Haira `main`, report an uncaught panic Haira-style, and exit (0, or 2 on a panic).

    `source_map` maps the generated module's Python line numbers to Haira (path, line, col);
    other generated modules are found through their own global `__haira_source_map__`.
    """
    sys.exit(execute_main(main, source_map=source_map, load_env=load_env))


def execute_main(
    main: Callable[[], object],
    *,
    source_map: Mapping[int, tuple[str, int, int]] | None = None,
    load_env: bool = True,
) -> int:
    """`run_main` without the `sys.exit`: returns the process exit status."""
    if load_env:
        from haira.stdlib.env import load_dotenv

        load_dotenv(".env")
    for stream in (sys.stdout, sys.stderr):
        # Strings cut inside a UTF-8 sequence (byte-based string ops) still print, as in Go.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="surrogateescape")
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    if source_map is not None:
        code = getattr(main, "__code__", None)
        if code is not None:
            register_source_map(code.co_filename, source_map)
        register_source_map(getattr(main, "__module__", "") or "", source_map)
    try:
        main()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _flush_stdout()
        return 130
    except BrokenPipeError:
        # The reader went away (`prog | head`): stop quietly, as a Go program killed by
        # SIGPIPE; point stdout at /dev/null so the interpreter's final flush stays silent.
        import os

        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    except BaseException as exc:  # noqa: BLE001  # NOTE: never show a Python traceback
        _flush_stdout()
        sys.stderr.write(format_uncaught(exc))
        sys.stderr.flush()
        return 2
    _flush_stdout()
    return 0


def _flush_stdout() -> None:
    with contextlib.suppress(BrokenPipeError, ValueError, OSError):
        sys.stdout.flush()


_SOURCE_MAPS: dict[str, Mapping[int, tuple[str, int, int]]] = {}
_MAX_STACK_LINES = 40
# NOTE: Go stacks grow to 1 GB; Haira recursion (a lambda level costs ~3 Python frames) needs
# far more than CPython's 1000. Python-to-Python calls use no C stack in 3.11, so this is safe
# for plain recursion; only recursion through C callbacks could reach the C stack first.
_RECURSION_LIMIT: Final = 20000


def register_source_map(key: str, source_map: Mapping[int, tuple[str, int, int]]) -> None:
    """Register a generated module's source map under its file name or module name."""
    if key:
        _SOURCE_MAPS[key] = source_map


def _lookup(
    source_map: Mapping[int, tuple[str, int, int]], line: int
) -> tuple[str, int, int] | None:
    hit = source_map.get(line)
    if hit is not None:
        return hit
    # A statement spanning several Python lines: take the nearest mapped line above.
    best = -1
    for k in source_map:
        if best < k <= line:
            best = k
    return source_map.get(best) if best >= 0 else None


def haira_stack(exc: BaseException) -> list[tuple[str, str, int, int]]:
    """The Haira frames of `exc`'s traceback, innermost first: (function, path, line, col)."""
    frames: list[tuple[str, str, int, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        code = frame.f_code
        smap = frame.f_globals.get("__haira_source_map__")
        if not isinstance(smap, Mapping):
            smap = _SOURCE_MAPS.get(code.co_filename) or _SOURCE_MAPS.get(
                str(frame.f_globals.get("__name__", ""))
            )
        if smap is not None:
            loc = _lookup(smap, tb.tb_lineno)
            if loc is not None:
                name = getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")
                frames.append((_haira_func_name(name), loc[0], loc[1], loc[2]))
        tb = tb.tb_next
    frames.reverse()
    return frames


def _haira_func_name(name: str) -> str:
    """A Python qualname as Haira names it: `f.<lambda>` / `f._t_fn1` (codegen's lambda
    temporaries) → `f.lambda`, keyword-escaped `class_` → `class`."""
    parts: list[str] = []
    for p in name.split("."):
        if p == "<lambda>" or p.startswith("_t_"):
            p = "lambda"
        elif p.endswith("_") and not p.endswith("__"):
            p = p[:-1]
        parts.append(p)
    return ".".join(parts)


def format_uncaught(exc: BaseException) -> str:
    """The stderr report of an uncaught panic: location, message, then the Haira call stack."""
    import os

    panic_ = as_panic(exc)
    frames = haira_stack(exc)
    message = panic_.report_text()
    if isinstance(panic_, RuntimeFault) or not message.startswith("runtime error: "):
        message = "runtime error: " + message
    lines: list[str] = []
    if frames:
        _, path, line, col = frames[0]
        lines.append(f"{path}:{line}:{col}: {message}")
        shown = [f"    at {fn} ({p}:{ln}:{c})" for fn, p, ln, c in frames]
        if len(shown) > _MAX_STACK_LINES:
            # Deep recursion: keep both ends of the stack, as readable as Go's elision.
            half = _MAX_STACK_LINES // 2
            elided = len(shown) - 2 * half
            shown = [*shown[:half], f"    ... {elided} more frames ...", *shown[-half:]]
        lines.extend(shown)
    else:
        lines.append(message)
    if os.environ.get("HAIRA_DEBUG"):
        import traceback

        lines.append("".join(traceback.format_exception(exc)).rstrip("\n"))
    return "\n".join(lines) + "\n"


class AssertionFailure(HairaPanic):
    """A failed Haira `assert` (test blocks, `verify`); the message is REF's text."""


def assertion_failed(message: str) -> NoReturn:
    """Raise the failure of an `assert` (codegen helper)."""
    raise AssertionFailure(message)
