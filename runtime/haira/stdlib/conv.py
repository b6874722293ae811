"""Haira `conv`: conversions between numbers, strings and booleans (language.md §6.3, §0 #28).

    conv.string_to_int(" 42 ")  -> (42, None)
    conv.string_to_int("x1")    -> (0, HairaError('cannot convert "x1" to int'))
    conv.float_to_string(1e21)  -> "1000000000000000000000"
"""

from __future__ import annotations

import math
import re

from haira.errors import HairaError
from haira.rt import INT_MAX, INT_MIN, fmt, format_float_f, go_quote

__all__ = [
    "bool_to_string",
    "float_to_int",
    "float_to_string",
    "hex_to_int",
    "int_to_binary",
    "int_to_float",
    "int_to_hex",
    "int_to_octal",
    "int_to_string",
    "parse_go_float",
    "parse_go_int",
    "string_to_bool",
    "string_to_float",
    "string_to_int",
    "to_float",
    "to_int",
    "to_string",
]

_DEC_INT = re.compile(r"[+-]?[0-9]+")
_HEX_DIGITS = re.compile(r"[+-]?[0-9a-fA-F]+")
_DEC_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_SPECIAL_FLOATS = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "nan": math.nan,
}


def parse_go_int(s: str) -> int | None:
    """Go `strconv.Atoi(s)`: optional sign and ASCII digits, within int64; None on failure."""
    if not _DEC_INT.fullmatch(s):
        return None
    n = int(s)
    return n if INT_MIN <= n <= INT_MAX else None


def parse_go_float(s: str) -> float | None:
    """Go `strconv.ParseFloat(s, 64)`; None on a syntax error or a value beyond float64."""
    special = _SPECIAL_FLOATS.get(s.lower())
    if special is not None:
        return special
    if _DEC_FLOAT.fullmatch(s):
        x = float(s)
    elif _HEX_FLOAT.fullmatch(s):
        try:
            x = float.fromhex(s)
        except OverflowError:
            return None
    else:
        return None
    return None if math.isinf(x) else x


def to_float(v: object) -> float:
    """REF `toFloat64`: ints and floats as numbers, anything else 0."""
    if type(v) is float:
        return v
    if type(v) is int:
        return float(v)
    if isinstance(v, bool):
        return 0.0
    if isinstance(v, int | float):
        return float(v)
    return 0.0


def to_int(v: object) -> int:
    """REF `toInt`: ints as is, floats truncated toward zero, anything else 0."""
    if type(v) is int:
        return v
    if isinstance(v, bool):
        return 0
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return INT_MIN
        if math.isinf(v):
            return INT_MAX if v > 0 else INT_MIN
        n = int(v)
        return max(INT_MIN, min(INT_MAX, n))
    return 0


def int_to_string(v: object) -> str:
    """Decimal text of an int (a float is truncated first)."""
    if type(v) is int:
        return int.__repr__(v)
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(to_int(v))
    return fmt(v)


def float_to_string(v: object) -> str:
    """Go `FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent."""
    return format_float_f(to_float(v))


def bool_to_string(b: object) -> str:
    """`true` / `false`."""
    return "true" if b is True else "false" if b is False else fmt(b)


def to_string(v: object) -> str:
    """`%v` formatting, except that nil is the empty string."""
    return "" if v is None else fmt(v)


def string_to_int(s: str) -> tuple[int, HairaError | None]:
    """Trim, then Go `Atoi`; `(0, cannot convert "<s>" to int)` on failure."""
    t = s.strip()
    n = parse_go_int(t)
    if n is None:
        return 0, HairaError(f"cannot convert {go_quote(t)} to int")
    return n, None


def string_to_float(s: str) -> tuple[float, HairaError | None]:
    """Trim, then Go `ParseFloat`; `(0.0, cannot convert "<s>" to float)` on failure."""
    t = s.strip()
    x = parse_go_float(t)
    if x is None:
        return 0.0, HairaError(f"cannot convert {go_quote(t)} to float")
    return x, None


def string_to_bool(s: str) -> tuple[bool, HairaError | None]:
    """`true/1/yes` or `false/0/no` (trimmed, any case); the error quotes `s` as given."""
    t = s.strip().lower()
    if t in ("true", "1", "yes"):
        return True, None
    if t in ("false", "0", "no"):
        return False, None
    return False, HairaError(f"cannot convert {go_quote(s)} to bool")


def int_to_float(v: object) -> float:
    """The int as a float."""
    return to_float(v)


def float_to_int(v: object) -> int:
    """The float truncated toward zero."""
    return to_int(v)


def int_to_hex(v: object) -> str:
    """Lowercase hex without prefix; negative values as `-ff`."""
    return format(to_int(v), "x")


def int_to_binary(v: object) -> str:
    """Binary digits without prefix."""
    return format(to_int(v), "b")


def int_to_octal(v: object) -> str:
    """Octal digits without prefix."""
    return format(to_int(v), "o")


def hex_to_int(s: str) -> tuple[int, HairaError | None]:
    """Trim, strip a leading `0x` then `0X`, parse base 16 into int64."""
    t = s.strip()
    if t.startswith("0x"):
        t = t[2:]
    if t.startswith("0X"):
        t = t[2:]
    if _HEX_DIGITS.fullmatch(t):
        n = int(t, 16)
        if INT_MIN <= n <= INT_MAX:
            return n, None
    return 0, HairaError(f"cannot convert {go_quote(t)} from hex to int")
