"""`haira.types`: conversion for parameter binding (http-streaming.md §2), schemas, JSON."""

from __future__ import annotations

import math

import pytest
from haira import HairaError
from haira.types import (
    ANY,
    BOOL,
    FILE,
    FLOAT,
    INT,
    STRING,
    UNTYPED,
    ConversionError,
    EnumT,
    FieldT,
    ListT,
    MapT,
    OptionalT,
    StructT,
    convert,
    json_schema,
    object_schema,
    to_jsonable,
    type_name,
)
from haira.values import EnumValue


class Point:
    __haira_fields__ = ("x", "y", "tags")

    def __init__(self, x: int, y: int, tags: list[str]) -> None:
        self.x = x
        self.y = y
        self.tags = tags


POINT = StructT(
    "Point",
    Point,
    (FieldT("x", INT), FieldT("y", INT, default=0), FieldT("tags", ListT(STRING), default=[])),
)


class Dir(EnumValue):
    pass


NORTH = Dir("North")
SOUTH = Dir("South")
DIR = EnumT("Dir", (("North", NORTH), ("South", SOUTH)))


def _err(value: object, t: object, textual: bool = False) -> str:
    with pytest.raises(ConversionError) as info:
        convert(value, t, textual=textual)  # type: ignore[arg-type]
    return info.value.message


def test_primitives_from_json() -> None:
    assert convert("hi", STRING) == "hi"
    assert convert(42, INT) == 42
    assert convert("42", INT) == 42
    assert convert("-7", INT) == -7
    assert convert(4, FLOAT) == 4.0 and isinstance(convert(4, FLOAT), float)
    assert convert("2.5", FLOAT) == 2.5
    assert convert(True, BOOL) is True
    assert convert({"a": 1}, ANY) == {"a": 1}
    assert convert("/tmp/upload", FILE) == "/tmp/upload"


def test_primitive_rejections() -> None:
    assert _err(4.5, INT) == "expected int, got 4.5"
    assert _err(2**63, INT) == "expected int, got 9223372036854775808"
    assert _err("9223372036854775808", INT) == 'expected int, got "9223372036854775808"'
    assert _err("4x", INT) == 'expected int, got "4x"'
    assert _err(True, INT) == "expected int, got true"
    assert _err(5, STRING) == "expected string, got 5"
    assert _err(None, STRING) == "expected string, got null"
    assert _err({"a": 1}, STRING) == "expected string, got an object"
    assert _err("abc", FLOAT) == 'expected float, got "abc"'
    assert _err("nan", FLOAT) == 'expected float, got "nan"'
    assert _err(False, FLOAT) == "expected float, got false"
    assert _err("true", BOOL) == 'expected bool, got "true"'
    assert _err(1, BOOL) == "expected bool, got 1"
    assert _err(3, FILE) == "expected file, got 3"


def test_textual_values() -> None:
    assert convert("TRUE", BOOL, textual=True) is True
    assert convert("0", BOOL, textual=True) is False
    assert _err("yes", BOOL, textual=True) == 'expected bool, got "yes"'
    assert convert("12", INT, textual=True) == 12
    assert convert("[1, 2]", ListT(INT), textual=True) == [1, 2]
    assert convert('{"x": 1}', POINT, textual=True).x == 1  # type: ignore[attr-defined]
    assert _err("[1,", ListT(INT), textual=True) == 'expected [int], got "[1,"'
    assert convert("", OptionalT(INT), textual=True) is None


def test_containers_and_paths() -> None:
    assert convert([1, "2"], ListT(INT)) == [1, 2]
    assert convert({"a": 1.5}, MapT(FLOAT)) == {"a": 1.5}
    assert _err([1, "x"], ListT(INT)) == '[1]: expected int, got "x"'
    assert _err({"a": [1, 2.5]}, MapT(ListT(INT))) == "a[1]: expected int, got 2.5"
    assert _err("x", ListT(INT)) == 'expected [int], got "x"'
    assert _err([1], MapT(INT)) == "expected {string: int}, got a list"
    assert convert(None, OptionalT(INT)) is None
    assert convert(3, OptionalT(INT)) == 3


def test_structs_and_enums() -> None:
    p = convert({"x": 1, "extra": True}, POINT)
    assert isinstance(p, Point) and (p.x, p.y, p.tags) == (1, 0, [])
    q = convert({"x": 2}, POINT)
    assert isinstance(q, Point)
    q.tags.append("t")
    r = convert({"x": 3}, POINT)
    assert isinstance(r, Point) and r.tags == []  # defaults are copied
    assert _err({"y": 1}, POINT) == "missing field 'x'"
    assert _err({"x": "a"}, POINT) == 'x: expected int, got "a"'
    assert _err([], POINT) == "expected Point, got a list"
    assert convert("South", DIR) is SOUTH
    assert convert(NORTH, DIR) is NORTH
    assert _err("West", DIR) == 'expected one of North, South, got "West"'


def test_type_names() -> None:
    assert type_name(MapT(ListT(OptionalT(INT)))) == "{string: [int?]}"
    assert type_name(POINT) == "Point" and type_name(DIR) == "Dir"


def test_tool_schema_matches_ref() -> None:
    assert json_schema(INT) == {"type": "number"}
    assert json_schema(FLOAT) == {"type": "number"}
    assert json_schema(BOOL) == {"type": "boolean"}
    assert json_schema(STRING) == {"type": "string"}
    assert json_schema(UNTYPED) == {"type": "string"}
    assert json_schema(ANY) == {"type": "object"}
    assert json_schema(ListT(INT)) == {"type": "array"}
    assert json_schema(MapT(INT)) == {"type": "object"}
    assert json_schema(POINT) == {"type": "object"}
    assert json_schema(OptionalT(STRING)) == {"type": "string"}
    schema = object_schema((FieldT("city", STRING), FieldT("days", INT, default=3)))
    assert schema == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "number"}},
        "required": ["city"],
    }
    assert FieldT("a", INT).required and not FieldT("a", INT, default=None).required


class Shape(EnumValue):
    __haira_variants__ = {"Circle": ("radius",)}


def test_to_jsonable() -> None:
    p = Point(1, 2, ["a"])
    assert to_jsonable(p) == {"x": 1, "y": 2, "tags": ["a"]}
    assert to_jsonable([1, 2.5, None, True, "s"]) == [1, 2.5, None, True, "s"]
    assert to_jsonable({"e": HairaError("bad"), 1: math.nan}) == {"e": "bad", "1": None}
    assert to_jsonable(NORTH) == "North"
    assert to_jsonable(Shape("Circle", (2.5,))) == {"variant": "Circle", "radius": 2.5}
    assert to_jsonable((1, 2)) == [1, 2]
