"""Runtime type descriptors: HTTP parameter binding, tool argument decoding, JSON schemas.

    t = ListT(INT)
    convert(["1", 2], t, textual=False)   -> [1, 2]
    convert("4x", INT, textual=True)      raises ConversionError('expected int, got "4x"')
    json_schema(t)                        -> {"type": "array"}

Conversion never falls back to a zero value (http-streaming.md §2): a value either fits the
declared type or a `ConversionError` says why. `textual=True` means the value came from a
query string or form field, where every value is text (`"true"`, `"42"`, `"[1,2]"`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from haira.errors import HairaError, HairaException
from haira.values import EnumValue, field_value

__all__ = [
    "ANY",
    "BOOL",
    "FILE",
    "FLOAT",
    "INT",
    "MISSING",
    "STRING",
    "UNTYPED",
    "ConversionError",
    "EnumT",
    "FieldT",
    "HType",
    "ListT",
    "MapT",
    "OptionalT",
    "PrimT",
    "StructT",
    "convert",
    "json_schema",
    "object_schema",
    "to_jsonable",
    "type_name",
]


class ConversionError(HairaException):
    """A value does not fit the declared Haira type; the message says what was expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Missing:
    """The `FieldT.default` of a field without a default."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class HType:
    """Base of every descriptor."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class PrimT(HType):
    """A primitive: int, float, string, bool, any, file; `schema` is its tool-schema type."""

    kind: str
    schema: str


INT: Final = PrimT("int", "number")
FLOAT: Final = PrimT("float", "number")
STRING: Final = PrimT("string", "string")
BOOL: Final = PrimT("bool", "boolean")
ANY: Final = PrimT("any", "object")
# An unannotated tool parameter: dynamic like `any`, but REF's tool schema says "string".
UNTYPED: Final = PrimT("any", "string")
FILE: Final = PrimT("file", "object")


@dataclass(frozen=True, slots=True)
class ListT(HType):
    """`[elem]`."""

    elem: HType


@dataclass(frozen=True, slots=True)
class MapT(HType):
    """`{string: value}`."""

    value: HType


@dataclass(frozen=True, slots=True)
class OptionalT(HType):
    """`T?`: nil or a T."""

    inner: HType


@dataclass(frozen=True, slots=True)
class FieldT:
    """A struct field or a workflow/tool parameter; `default` is MISSING when required."""

    name: str
    type: HType
    default: object = MISSING

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def default_value(self) -> object:
        """A fresh copy of the default (lists and maps must not be shared between calls)."""
        d = self.default
        if isinstance(d, list):
            return list(d)
        if isinstance(d, dict):
            return dict(d)
        return d


@dataclass(frozen=True, slots=True)
class StructT(HType):
    """A struct: `factory(*field_values)` (declaration order) builds an instance."""

    name: str
    factory: Callable[..., object]
    fields: tuple[FieldT, ...]


@dataclass(frozen=True, slots=True)
class EnumT(HType):
    """An enum: (variant name, value) pairs of its payload-less variants."""

    name: str
    variants: tuple[tuple[str, object], ...]


def type_name(t: HType) -> str:
    """The Haira spelling of a type, as diagnostics print it."""
    if isinstance(t, PrimT):
        return t.kind
    if isinstance(t, ListT):
        return f"[{type_name(t.elem)}]"
    if isinstance(t, MapT):
        return f"{{string: {type_name(t.value)}}}"
    if isinstance(t, OptionalT):
        return f"{type_name(t.inner)}?"
    if isinstance(t, StructT | EnumT):
        return t.name
    return "any"


# ---------------------------------------------------------------- conversion


_SHOWN_CHARS: Final = 80


def _describe(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        # Quoted in the 400 body and the log: a 1 MB value must not come back whole.
        shown = v if len(v) <= _SHOWN_CHARS else v[:_SHOWN_CHARS] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _fail(t: HType, v: object, path: str) -> ConversionError:
    where = f"{path}: " if path else ""
    return ConversionError(f"{where}expected {type_name(t)}, got {_describe(v)}")


def _parse_int_text(s: str) -> int | None:
    from haira.stdlib.conv import parse_go_int

    return parse_go_int(s.strip())


def _to_string(value: object, t: PrimT, textual: bool, path: str) -> object:
    if isinstance(value, str):
        return value
    raise _fail(t, value, path)


def _to_int(value: object, t: PrimT, textual: bool, path: str) -> object:
    if type(value) is int and -(1 << 63) <= value < (1 << 63):
        return value
    if isinstance(value, str):
        n = _parse_int_text(value)
        if n is not None:
            return n
    raise _fail(t, value, path)


def _to_float(value: object, t: PrimT, textual: bool, path: str) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        from haira.stdlib.conv import parse_go_float

        x = parse_go_float(value.strip())
        if x is not None and math.isfinite(x):
            return x
    raise _fail(t, value, path)


def _to_bool(value: object, t: PrimT, textual: bool, path: str) -> object:
    if isinstance(value, bool):
        return value
    if textual and isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
    raise _fail(t, value, path)


def _to_any(value: object, t: PrimT, textual: bool, path: str) -> object:
    return value


_PRIM_CONVERTERS: Final[dict[str, Callable[[object, PrimT, bool, str], object]]] = {
    "any": _to_any,
    "string": _to_string,
    "file": _to_string,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
}


def convert(value: object, t: HType, *, textual: bool = False, path: str = "") -> object:
    """Convert a decoded JSON (or, with `textual`, query/form text) value to type `t`."""
    if isinstance(t, PrimT):
        return _PRIM_CONVERTERS[t.kind](value, t, textual, path)
    if isinstance(t, OptionalT):
        if value is None or (textual and value == ""):
            return None
        return convert(value, t.inner, textual=textual, path=path)
    if isinstance(t, EnumT):
        return _convert_enum(value, t, path)
    if textual and isinstance(value, str):
        # A query/form field holding a JSON list or object.
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # deep nesting is user input too, not a bug
            raise _fail(t, value, path) from None
    if isinstance(t, ListT):
        if not isinstance(value, list):
            raise _fail(t, value, path)
        return [
            convert(x, t.elem, textual=textual, path=f"{path}[{k}]")
            for k, x in enumerate(value)
        ]
    if isinstance(t, MapT):
        if not isinstance(value, dict):
            raise _fail(t, value, path)
        return {
            str(k): convert(x, t.value, textual=textual, path=f"{path}.{k}" if path else str(k))
            for k, x in value.items()
        }
    if isinstance(t, StructT):
        return _convert_struct(value, t, textual, path)
    raise _fail(t, value, path)


def _convert_enum(value: object, t: EnumT, path: str) -> object:
    if isinstance(value, str):
        for name, variant in t.variants:
            if name == value:
                return variant
    if isinstance(value, EnumValue) and any(v == value for _, v in t.variants):
        return value
    names = ", ".join(name for name, _ in t.variants)
    where = f"{path}: " if path else ""
    raise ConversionError(f"{where}expected one of {names}, got {_describe(value)}")


def _convert_struct(value: object, t: StructT, textual: bool, path: str) -> object:
    if not isinstance(value, dict):
        raise _fail(t, value, path)
    args: list[object] = []
    for f in t.fields:
        sub = f"{path}.{f.name}" if path else f.name
        if f.name in value:
            args.append(convert(value[f.name], f.type, textual=textual, path=sub))
        elif not f.required:
            args.append(f.default_value())
        elif isinstance(f.type, OptionalT):
            args.append(None)
        else:
            raise ConversionError(f"missing field '{sub}'")
    return t.factory(*args)


# ---------------------------------------------------------------- schemas


def json_schema(t: HType) -> dict[str, object]:
    """The JSON schema REF gives a tool parameter of type `t` (reference-runtime.md §2.2)."""
    if isinstance(t, PrimT):
        return {"type": t.schema}
    if isinstance(t, OptionalT):
        return json_schema(t.inner)
    if isinstance(t, ListT):
        return {"type": "array"}
    return {"type": "object"}


def object_schema(fields: tuple[FieldT, ...]) -> dict[str, object]:
    """`{"type":"object","properties":{...},"required":[...]}` for tool parameters."""
    return {
        "type": "object",
        "properties": {f.name: json_schema(f.type) for f in fields},
        "required": [f.name for f in fields if f.required],
    }


# ---------------------------------------------------------------- values → JSON


def to_jsonable(v: object) -> object:
    """A Haira value as plain JSON data (dict/list/str/int/float/bool/None).

    Structs become objects keyed by their Haira field names, errors their message, plain
    enum variants their name, payload variants `{"variant": name, <field>: value, ...}`;
    non-finite floats become null (JSON has no NaN/Inf).
    """
    t = type(v)
    if v is None or t is str or t is int or t is bool:
        return v
    if t is float:
        return v if math.isfinite(v) else None  # type: ignore[arg-type]  # NOTE: float
    if isinstance(v, list | tuple):
        return [to_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k if isinstance(k, str) else _key(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, HairaError):
        return v.message
    if isinstance(v, EnumValue):
        if not v.payload:
            return v.name
        names = type(v).__haira_variants__.get(v.name, ())
        out: dict[str, object] = {"variant": v.name}
        for k, x in enumerate(v.payload):
            out[names[k] if k < len(names) else f"_{k}"] = to_jsonable(x)
        return out
    fields = getattr(t, "__haira_fields__", None)
    if isinstance(fields, tuple):
        return {f: to_jsonable(field_value(v, f)) for f in fields}
    if isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return float(v) if math.isfinite(v) else None
    from haira.rt import fmt

    return fmt(v)


def _key(k: object) -> str:
    from haira.rt import fmt

    return fmt(k)
