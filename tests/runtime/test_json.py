"""`json` (language.md §6.7): Go `encoding/json` text."""

from __future__ import annotations

import math

from haira.errors import HairaError
from haira.rt import fmt
from haira.stdlib import json
from haira.values import EnumValue
from hypothesis import given, settings
from hypothesis import strategies as st


class User:
    __haira_fields__ = ("name", "age", "tags")

    def __init__(self, name: str, age: int, tags: list[str]) -> None:
        self.name = name
        self.age = age
        self.tags = tags


class Color(EnumValue):
    __haira_variants__ = {"Red": ()}


def test_marshal_compact() -> None:
    assert json.marshal({"b": 1, "a": [1.5, None, True]}) == ('{"a":[1.5,null,true],"b":1}', None)
    assert json.marshal("<a&b>") == ('"\\u003ca\\u0026b\\u003e"', None)
    assert json.marshal("line\n\t\"q\"\\ \x01 \u2028") == (
        '"line\\n\\t\\"q\\"\\\\ \\u0001 \\u2028"',
        None,
    )
    assert json.marshal("é") == ('"é"', None)
    assert json.marshal([]) == ("[]", None)
    assert json.marshal({}) == ("{}", None)
    assert json.marshal(None) == ("null", None)
    assert json.marshal(User("Al", 3, ["x"])) == ('{"name":"Al","age":3,"tags":["x"]}', None)
    assert json.marshal(Color("Red")) == ('"Red"', None)
    assert json.marshal(HairaError("bad")) == ('"bad"', None)
    assert json.encode([1]) == ("[1]", None)
    assert json.stringify([1]) == ("[1]", None)


def test_marshal_floats_like_go() -> None:
    cases = {
        1.0: "1",
        -0.0: "-0",
        1e20: "100000000000000000000",
        1e21: "1e+21",
        1.5e300: "1.5e+300",
        1e-6: "0.000001",
        1e-7: "1e-7",
        1.25e-9: "1.25e-9",
        0.1 + 0.2: "0.30000000000000004",
    }
    for x, text in cases.items():
        assert json.marshal(x) == (text, None), x


def test_marshal_errors() -> None:
    text, err = json.marshal([math.nan])
    assert text == "" and fmt(err) == "json: unsupported value: NaN"
    _, err2 = json.marshal({"f": math.inf})
    assert fmt(err2) == "json: unsupported value: +Inf"
    _, err3 = json.marshal(lambda: 1)
    assert fmt(err3) == "json: unsupported type: func()"
    cyclic: list[object] = []
    cyclic.append(cyclic)
    assert json.marshal(cyclic)[1] is not None


def test_marshal_pretty() -> None:
    text, err = json.marshal_pretty({"b": [1, {}], "a": "x", "e": []})
    assert err is None
    assert text == '{\n  "a": "x",\n  "b": [\n    1,\n    {}\n  ],\n  "e": []\n}'


def test_parse_numbers_are_floats() -> None:
    value, err = json.parse('{"n": 42, "l": [1, "a", null, false]}')
    assert err is None
    assert value == {"n": 42.0, "l": [1.0, "a", None, False]}
    assert fmt(value) == "map[l:[1 a <nil> false] n:42]"
    assert json.parse("42") == (42.0, None)


def test_decode_errors() -> None:
    assert fmt(json.parse("")[1]) == "unexpected end of JSON input"
    assert fmt(json.parse("[1,")[1]) == "unexpected end of JSON input"
    assert fmt(json.parse("x")[1]) == "invalid character 'x' looking for beginning of value"
    assert fmt(json.parse("1 2")[1]) == "invalid character '2' after top-level value"
    assert fmt(json.parse("NaN")[1]).startswith("invalid character 'N'")


def test_unmarshal_requires_an_object() -> None:
    assert json.unmarshal('{"a": {"b": 1}}') == ({"a": {"b": 1.0}}, None)
    assert json.decode('{"a": 1}') == ({"a": 1.0}, None)
    m, err = json.unmarshal("[1]")
    assert m == {}
    assert fmt(err) == "json: cannot unmarshal array into Go value of type map[string]interface {}"
    assert json.unmarshal("null") == ({}, None)
    assert fmt(json.unmarshal("{")[1]) == "unexpected end of JSON input"


def test_numbers_beyond_float64_are_errors() -> None:
    value, err = json.parse('{"x": 1e400}')
    assert value is None
    assert fmt(err) == "json: cannot unmarshal number 1e400 into Go value of type float64"
    assert json.parse("123456789012345678901234567890") == (1.2345678901234568e29, None)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same(a: object, b: object) -> bool:
    """Equal as JSON values (Go writes 5.9e16 as 59311012967706180: compare numerically)."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=60, deadline=None)
@given(_values)
def test_marshal_output_is_json_that_decodes_to_the_same_value(v: object) -> None:
    import json as pyjson

    for text, err in (json.marshal(v), json.marshal_pretty(v)):
        assert err is None
        assert _same(pyjson.loads(text), v)
        assert "<" not in text and ">" not in text and "&" not in text
