"""Haira `json`: Go `encoding/json` output and decoding rules (language.md §6.7).

    json.marshal({"b": 1, "a": [1.5, None]})  -> ('{"a":[1.5,null],"b":1}', None)
    json.parse("42")                          -> (42.0, None)   numbers decode as float, as Go
"""

from __future__ import annotations

import json as _json
import math
from typing import Any

from haira.errors import HairaError
from haira.rt import format_float_f
from haira.values import EnumValue, field_value

__all__ = [
    "decode",
    "encode",
    "marshal",
    "marshal_pretty",
    "parse",
    "stringify",
    "unmarshal",
]


class _Unsupported(Exception):
    pass


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _quote(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        elif "\udc80" <= ch <= "\udcff":
            out.append("\ufffd")  # an invalid UTF-8 byte, as Go writes it
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _float(x: float) -> str:
    if x != x or x in (math.inf, -math.inf):
        from haira.rt import fmt_float

        raise _Unsupported(f"json: unsupported value: {fmt_float(x)}")
    a = abs(x)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        r = repr(x)  # shortest digits in exponent form, e.g. 1e-07 / 1.5e+21
        mant, _, exp = r.partition("e")
        if mant.endswith(".0"):
            mant = mant[:-2]
        sign = exp[0]
        digits = exp[1:].lstrip("0") or "0"
        if sign == "+" and len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mant}e{sign}{digits}"
    return format_float_f(x)


def _encode(v: object, indent: str | None, level: int) -> str:
    t = type(v)
    if v is None:
        return "null"
    if t is str:
        return _quote(v)  # type: ignore[arg-type]
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return _float(v)  # type: ignore[arg-type]
    if isinstance(v, list | tuple):
        return _encode_seq(list(v), indent, level)
    if isinstance(v, dict) and getattr(type(v), "__haira_ordered__", False):
        # A Go struct's fields (e.g. UI props): declaration order, not sorted.
        return _encode_obj([(str(k), x) for k, x in v.items()], indent, level)
    if isinstance(v, dict):
        items = sorted(
            [(k if isinstance(k, str) else _key(k), x) for k, x in v.items()],
            key=lambda kv: kv[0],
        )
        return _encode_obj(items, indent, level)
    if isinstance(v, HairaError):
        return _quote(v.message)
    if isinstance(v, EnumValue):
        from haira.types import to_jsonable

        return _encode(to_jsonable(v), indent, level)
    fields = getattr(t, "__haira_fields__", None)
    if isinstance(fields, tuple):
        # Struct fields keep declaration order (REF emits `json:"<name>"` tags).
        return _encode_obj([(f, field_value(v, f)) for f in fields], indent, level)
    if isinstance(v, bool | int | float | str):
        return _encode(_plain(v), indent, level)
    if callable(v):
        raise _Unsupported("json: unsupported type: func()")
    raise _Unsupported(f"json: unsupported type: {type(v).__name__}")


def _plain(v: bool | int | float | str) -> object:
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    return str(v)


def _key(k: object) -> str:
    from haira.rt import fmt

    return fmt(k)


def _encode_seq(items: list[object], indent: str | None, level: int) -> str:
    if not items:
        return "[]"
    if indent is None:
        return "[" + ",".join([_encode(x, None, 0) for x in items]) + "]"
    inner = "\n" + indent * (level + 1)
    body = ("," + inner).join([_encode(x, indent, level + 1) for x in items])
    return "[" + inner + body + "\n" + indent * level + "]"


def _encode_obj(items: list[tuple[str, object]], indent: str | None, level: int) -> str:
    if not items:
        return "{}"
    if indent is None:
        return "{" + ",".join([_quote(k) + ":" + _encode(x, None, 0) for k, x in items]) + "}"
    inner = "\n" + indent * (level + 1)
    body = ("," + inner).join(
        [_quote(k) + ": " + _encode(x, indent, level + 1) for k, x in items]
    )
    return "{" + inner + body + "\n" + indent * level + "}"


def marshal(v: object) -> tuple[str, HairaError | None]:
    """Compact Go JSON: map keys sorted, struct fields in order, `<>&` escaped."""
    try:
        return _encode(v, None, 0), None
    except _Unsupported as exc:
        return "", HairaError(str(exc))
    except RecursionError:
        return "", HairaError("json: unsupported value: encountered a cycle")


def marshal_pretty(v: object) -> tuple[str, HairaError | None]:
    """Go `MarshalIndent(v, "", "  ")`."""
    try:
        return _encode(v, "  ", 0), None
    except _Unsupported as exc:
        return "", HairaError(str(exc))
    except RecursionError:
        return "", HairaError("json: unsupported value: encountered a cycle")


def encode(v: object) -> tuple[str, HairaError | None]:
    """Same as `marshal`."""
    return marshal(v)


def stringify(v: object) -> tuple[str, HairaError | None]:
    """Same as `marshal` (DOC spelling)."""
    return marshal(v)


def _go_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c < " ":
        return "'\\x" + f"{ord(c):02x}'"
    return "'" + c + "'"


def _decode_error(s: str, exc: _json.JSONDecodeError) -> HairaError:
    pos = exc.pos
    rest = s[pos:].lstrip(" \t\r\n") if pos < len(s) else ""
    if not rest:
        return HairaError("unexpected end of JSON input")
    c = rest[0]
    if exc.msg.startswith("Extra data"):
        return HairaError(f"invalid character {_go_char(c)} after top-level value")
    if exc.msg.startswith("Expecting property name"):
        return HairaError(f"invalid character {_go_char(c)} looking for beginning of object key string")
    if exc.msg.startswith("Expecting ',' delimiter"):
        if s.lstrip()[:1] == "{" or "object" in exc.msg:
            return HairaError(f"invalid character {_go_char(c)} after object key:value pair")
        return HairaError(f"invalid character {_go_char(c)} after array element")
    if exc.msg.startswith("Expecting ':' delimiter"):
        return HairaError(f"invalid character {_go_char(c)} after object key")
    return HairaError(f"invalid character {_go_char(c)} looking for beginning of value")


class _OutOfRange(ValueError):
    pass


def _parse_number(text: str) -> float:
    x = float(text)
    if math.isinf(x):
        raise _OutOfRange(text)
    return x


def _loads(s: str) -> Any:
    return _json.loads(
        s, parse_int=_parse_number, parse_float=_parse_number, parse_constant=_reject_constant
    )


def _reject_constant(name: str) -> float:
    raise ValueError(name)


def parse(s: str) -> tuple[object, HairaError | None]:
    """Any JSON value; numbers become floats (Go `float64`)."""
    try:
        return _loads(s), None
    except _json.JSONDecodeError as exc:
        return None, _decode_error(s, exc)
    except _OutOfRange as exc:
        return None, HairaError(f"json: cannot unmarshal number {exc} into Go value of type float64")
    except RecursionError:  # Go's decoder has a nesting limit too (same message)
        return None, HairaError("exceeded max depth")
    except ValueError as exc:
        return None, HairaError(f"invalid character '{str(exc)[:1]}' looking for beginning of value")


def unmarshal(s: str) -> tuple[dict[str, object], HairaError | None]:
    """A JSON object as a map; other top-level values are an error (as Go's map target)."""
    value, err = parse(s)
    if err is not None:
        return {}, err
    if isinstance(value, dict):
        return value, None
    kind = (
        "array" if isinstance(value, list)
        else "string" if isinstance(value, str)
        else "number" if isinstance(value, float)
        else "bool" if isinstance(value, bool)
        else None
    )
    if kind is None:
        return {}, None  # JSON null leaves a Go map nil: no error
    return {}, HairaError(f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")


def decode(s: str) -> tuple[dict[str, object], HairaError | None]:
    """Same as `unmarshal`."""
    return unmarshal(s)
