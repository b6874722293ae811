"""Go `fmt.Sprintf` verbs for Haira's `io.printf` and friends.

    sprintf("%-5s|%5.2f|%03d", ["ab", 3.14159, 7]) -> "ab   | 3.14|007"
    sprintf("%d", [3.5])                           -> "%!d(float64=3.5)"
"""

from __future__ import annotations

from collections.abc import Sequence

from haira.errors import HairaError
from haira.rt import fmt, fmt_float, go_quote
from haira.values import EnumValue

__all__ = ["go_type_name", "sprintf"]


def go_type_name(v: object) -> str:
    """The Go type REF would show for a Haira value in `%T` and `%!verb(type=value)`."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, HairaError):
        return "*errors.errorString"
    if isinstance(v, EnumValue):
        return "main." + type(v).__name__
    if callable(v):
        return "func()"
    return "main." + type(v).__name__


class _Spec:
    __slots__ = ("minus", "plus", "space", "zero", "sharp", "width", "prec")

    def __init__(self) -> None:
        self.minus = False
        self.plus = False
        self.space = False
        self.zero = False
        self.sharp = False
        self.width = -1
        self.prec = -1


def _pad(s: str, spec: _Spec, numeric: bool = False) -> str:
    if spec.width < 0 or len(s) >= spec.width:
        return s
    fill = spec.width - len(s)
    if spec.minus:
        return s + " " * fill
    if spec.zero and numeric:
        sign = s[0] if s[:1] in ("-", "+", " ") else ""
        return sign + "0" * fill + s[len(sign) :]
    return " " * fill + s


def _bad(verb: str, v: object) -> str:
    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(v)}={fmt(v)})"


def _sign(s: str, spec: _Spec) -> str:
    if not s.startswith("-"):
        if spec.plus:
            return "+" + s
        if spec.space:
            return " " + s
    return s


def _fmt_int(verb: str, n: int, spec: _Spec) -> str:
    if verb == "d" or verb == "v":
        s = str(n)
    elif verb == "x":
        s = format(n, "x")
        if spec.sharp:
            s = s.replace("-", "-0x") if n < 0 else "0x" + s
    elif verb == "X":
        s = format(n, "X")
        if spec.sharp:
            s = s.replace("-", "-0X") if n < 0 else "0X" + s
    elif verb == "o":
        s = format(n, "o")
        if spec.sharp:
            s = s.replace("-", "-0") if n < 0 else "0" + s
    elif verb == "O":
        s = format(n, "o")
        s = s.replace("-", "-0o") if n < 0 else "0o" + s
    elif verb == "b":
        s = format(n, "b")
    elif verb == "c":
        return _pad(_chr(n), spec)
    elif verb == "q":
        ch = _chr(n)
        inner = '"' if ch == '"' else "\\'" if ch == "'" else go_quote(ch)[1:-1]
        return _pad("'" + inner + "'", spec)
    elif verb == "U":
        return _pad(f"U+{n:04X}", spec)
    else:
        return _bad(verb, n)
    if spec.prec >= 0:
        digits = s.lstrip("-")
        s = ("-" if s.startswith("-") else "") + digits.rjust(spec.prec, "0")
        spec.zero = False
    return _pad(_sign(s, spec), spec, numeric=True)


def _chr(n: int) -> str:
    try:
        return chr(n)
    except (ValueError, OverflowError):
        return "\ufffd"


def _fmt_float(verb: str, x: float, spec: _Spec) -> str:
    finite = x == x and x not in (float("inf"), float("-inf"))
    if verb == "v" and spec.prec >= 0:
        verb = "g"
    if verb == "v" or (verb in "gG" and spec.prec < 0):
        s = fmt_float(x)
        if verb == "G":
            s = s.upper()
    elif not finite:
        s = fmt_float(x)
    elif verb in "fF":
        s = f"{x:.{6 if spec.prec < 0 else spec.prec}f}"
    elif verb in "eE":
        s = f"{x:.{6 if spec.prec < 0 else spec.prec}{verb}}"
    elif verb in "gG":
        s = f"{x:.{max(spec.prec, 1)}{verb}}"
    else:
        return _bad(verb, x)
    if not finite:
        return _pad(s, spec)  # Go writes +Inf / -Inf / NaN, padded with spaces only
    return _pad(_sign(s, spec), spec, numeric=True)


def _fmt_str(verb: str, s: str, spec: _Spec) -> str:
    if verb in ("s", "v"):
        if spec.prec >= 0:
            s = s[: spec.prec]
        return _pad(s, spec)
    if verb == "q":
        return _pad(go_quote(s), spec)
    if verb in ("x", "X"):
        h = s.encode("utf-8", "surrogateescape").hex()
        return _pad(h.upper() if verb == "X" else h, spec)
    return _bad(verb, s)


def _fmt_plus(v: object) -> str:
    """Go `%+v`: like `%v`, but struct fields are written `name:value`."""
    fields = getattr(type(v), "__haira_fields__", None)
    if isinstance(fields, tuple):
        from haira.values import field_value

        body = " ".join(f"{f}:{_fmt_plus(field_value(v, f))}" for f in fields)
        return ("&" if getattr(type(v), "__haira_pointer__", False) else "") + "{" + body + "}"
    if isinstance(v, list | tuple):
        return "[" + " ".join(_fmt_plus(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=fmt)
        return "map[" + " ".join(f"{fmt(k)}:{_fmt_plus(v[k])}" for k in keys) + "]"
    return fmt(v)


def _format_one(verb: str, v: object, spec: _Spec) -> str:
    if verb == "T":
        return _pad(go_type_name(v), spec)
    if verb == "v" and spec.plus:
        # Go turns `+` into "struct field names" for %v and clears it: `%+v` of 5 is "5".
        spec.plus = False
        if not isinstance(v, int | float) or isinstance(v, bool):
            return _pad(_fmt_plus(v), spec)
    if isinstance(v, bool):
        if verb in ("t", "v"):
            return _pad("true" if v else "false", spec)
        return _bad(verb, v)
    if isinstance(v, int):
        return _fmt_int(verb, v, spec)
    if isinstance(v, float):
        return _fmt_float(verb, v, spec)
    if isinstance(v, str):
        return _fmt_str(verb, v, spec)
    if isinstance(v, HairaError):
        return _fmt_str(verb, v.message, spec) if verb in "svqxX" else _bad(verb, v)
    if v is None:
        return _pad("<nil>", spec) if verb == "v" else _bad(verb, v)
    if verb != "v" and isinstance(v, list | tuple | dict) or _is_struct(v) and verb != "v":
        return _format_each(verb, v, spec)
    if verb in ("v", "s"):
        return _pad(fmt(v), spec)
    return _bad(verb, v)


def _is_struct(v: object) -> bool:
    return isinstance(getattr(type(v), "__haira_fields__", None), tuple)


def _format_each(verb: str, v: object, spec: _Spec) -> str:
    """Go applies the verb (and width) to every element of a list, map or struct."""
    if isinstance(v, list | tuple):
        return "[" + " ".join(_format_one(verb, x, _copy(spec)) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=fmt)
        body = " ".join(
            _format_one(verb, k, _copy(spec)) + ":" + _format_one(verb, v[k], _copy(spec)) for k in keys
        )
        return "map[" + body + "]"
    from haira.values import field_value

    fields: tuple[str, ...] = getattr(type(v), "__haira_fields__", ())
    body = " ".join(_format_one(verb, field_value(v, f), _copy(spec)) for f in fields)
    return ("&" if getattr(type(v), "__haira_pointer__", False) else "") + "{" + body + "}"


def _copy(spec: _Spec) -> _Spec:
    c = _Spec()
    c.minus, c.plus, c.space, c.zero, c.sharp = spec.minus, spec.plus, spec.space, spec.zero, spec.sharp
    c.width, c.prec = spec.width, spec.prec
    return c


def _parse_flags(f: str, i: int, spec: _Spec) -> int:
    n = len(f)
    while i < n and f[i] in "-+ 0#":
        c = f[i]
        if c == "-":
            spec.minus = True
        elif c == "+":
            spec.plus = True
        elif c == " ":
            spec.space = True
        elif c == "0":
            spec.zero = True
        else:
            spec.sharp = True
        i += 1
    return i


def _parse_number(f: str, i: int) -> tuple[int, int]:
    """(value or -1, next index) of a run of digits at f[i:]."""
    start = i
    while i < len(f) and f[i].isdigit():
        i += 1
    return (int(f[start:i]) if i > start else -1), i


def _star_arg(args: Sequence[object], argi: int) -> int | None:
    if argi < len(args):
        a = args[argi]
        if type(a) is int:
            return a
    return None


def _parse_spec(
    f: str, i: int, args: Sequence[object], argi: int, out: list[str]
) -> tuple[_Spec, int, int]:
    """Flags, width and precision after a `%`: (spec, next index, next argument index)."""
    spec = _Spec()
    i = _parse_flags(f, i, spec)
    if i < len(f) and f[i] == "*":
        w = _star_arg(args, argi)
        if w is None:
            out.append("%!(BADWIDTH)")
        elif w < 0:
            spec.minus, spec.width = True, -w
        else:
            spec.width = w
        i, argi = i + 1, argi + 1
    else:
        spec.width, i = _parse_number(f, i)
    if i < len(f) and f[i] == ".":
        i += 1
        if i < len(f) and f[i] == "*":
            p = _star_arg(args, argi)
            if p is None:
                out.append("%!(BADPREC)")
            else:
                spec.prec = p
            i, argi = i + 1, argi + 1
        else:
            prec, i = _parse_number(f, i)
            spec.prec = max(prec, 0)
    return spec, i, argi


def sprintf(format_: str, args: Sequence[object]) -> str:
    """Go `fmt.Sprintf(format_, args...)`."""
    out: list[str] = []
    n = len(format_)
    i = 0
    argi = 0
    while i < n:
        pct = format_.find("%", i)
        if pct < 0:
            out.append(format_[i:])
            break
        out.append(format_[i:pct])
        spec, i, argi = _parse_spec(format_, pct + 1, args, argi, out)
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = format_[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            out.append(_format_one(verb, args[argi], spec))
            argi += 1
    if argi < len(args):
        extra = ", ".join(
            "<nil>" if a is None else f"{go_type_name(a)}={fmt(a)}" for a in args[argi:]
        )
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
