"""Go `%v` formatting (language.md §4.12, §0 #12)."""

from __future__ import annotations

import math
import re

import pytest
from haira import HairaError
from haira.rt import concat, fmt, fmt_float, format_float_f, go_quote, interp, str_
from haira.values import EnumValue, Struct
from hypothesis import given
from hypothesis import strategies as st

FLOAT_CASES = [
    (3.0, "3"),
    (2.5, "2.5"),
    (0.1 + 0.2, "0.30000000000000004"),
    (100000.0, "100000"),
    (123456.5, "123456.5"),
    (999999.0, "999999"),
    (1000000.0, "1e+06"),
    (1048576.0, "1.048576e+06"),
    (1234567.0, "1.234567e+06"),
    (1e20, "1e+20"),
    (1e21, "1e+21"),
    (1e100, "1e+100"),
    (0.0001, "0.0001"),
    (0.00001, "1e-05"),
    (0.000123, "0.000123"),
    (0.0000123, "1.23e-05"),
    (-0.0, "-0"),
    (0.0, "0"),
    (math.inf, "+Inf"),
    (-math.inf, "-Inf"),
    (math.nan, "NaN"),
    (-2.5, "-2.5"),
    (-1e6, "-1e+06"),
    (-1.5e-7, "-1.5e-07"),
    (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (123456789.0, "1.23456789e+08"),
    (0.5, "0.5"),
    (1 / 3, "0.3333333333333333"),
    (2.0**53, "9.007199254740992e+15"),
    (1e15, "1e+15"),
    (12345678901234567890.0, "1.2345678901234567e+19"),
    (999999.9999999999, "999999.9999999999"),
    (9.999999999999999e-05, "9.999999999999999e-05"),
]


@pytest.mark.parametrize(("x", "text"), FLOAT_CASES)
def test_fmt_float_matches_go(x: float, text: str) -> None:
    assert fmt_float(x) == text
    assert fmt(x) == text


F_CASES = [
    (3.0, "3"),
    (2.5, "2.5"),
    (0.1, "0.1"),
    (1e21, "1000000000000000000000"),
    (0.0000001, "0.0000001"),
    (-0.0, "-0"),
    (math.inf, "+Inf"),
    (-math.inf, "-Inf"),
    (math.nan, "NaN"),
    (1234567.0, "1234567"),
    (-1.5e-7, "-0.00000015"),
    (123.456, "123.456"),
]


@pytest.mark.parametrize(("x", "text"), F_CASES)
def test_format_float_f_never_uses_exponent(x: float, text: str) -> None:
    assert format_float_f(x) == text


_G = re.compile(r"-?(\d)(\.\d+)?e([+-])(\d\d+)")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fmt_float_round_trips_and_follows_the_exponent_rule(x: float) -> None:
    text = fmt_float(x)
    assert float(text) == x
    if x == 0:
        return
    exp = math.floor(math.log10(abs(float(text))))
    m = _G.fullmatch(text)
    if m:
        e = int(m.group(3) + m.group(4))
        assert e < -4 or e >= 6
        assert not (m.group(2) or "").endswith("0")
    else:
        assert "e" not in text
        assert -4 <= exp < 6 or abs(x) >= 1e-4  # plain layout only inside the window
        assert not text.endswith(".0")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_float_f_round_trips(x: float) -> None:
    text = format_float_f(x)
    assert "e" not in text
    assert float(text) == x


def test_scalars() -> None:
    assert fmt(5) == "5"
    assert fmt(-5) == "-5"
    assert fmt(True) == "true"
    assert fmt(False) == "false"
    assert fmt(None) == "<nil>"
    assert fmt("raw text") == "raw text"


def test_lists_and_maps() -> None:
    assert fmt([1, 2, 3]) == "[1 2 3]"
    assert fmt(["a b", "c"]) == "[a b c]"
    assert fmt([]) == "[]"
    assert fmt([[1, 2], [3]]) == "[[1 2] [3]]"
    assert fmt([None]) == "[<nil>]"
    assert fmt([1.5, 2.0, 0.25]) == "[1.5 2 0.25]"
    assert fmt([math.inf, math.nan]) == "[+Inf NaN]"
    assert fmt({"b": 2, "a": 1}) == "map[a:1 b:2]"
    assert fmt({}) == "map[]"
    assert fmt({"k": 2.0}) == "map[k:2]"
    assert fmt({"z": {"y": [1]}, "a": None}) == "map[a:<nil> z:map[y:[1]]]"


def test_map_keys_sort_bytewise() -> None:
    assert fmt({"b": 1, "B": 2, "é": 3, "a": 4}) == "map[B:2 a:4 b:1 é:3]"


class Address(Struct):
    __slots__ = ("city", "zip")
    __haira_fields__ = ("city", "zip")

    def __init__(self, city: str, zip: int) -> None:
        self.city = city
        self.zip = zip


class Person:
    """A struct class that does not inherit from Struct: the attribute is enough."""

    __haira_fields__ = ("name", "address")

    def __init__(self, name: str, address: Address) -> None:
        self.name = name
        self.address = address


class Pointer:
    __haira_fields__ = ("a",)
    __haira_pointer__ = True

    def __init__(self, a: object) -> None:
        self.a = a


class Shape(EnumValue):
    __haira_variants__ = {"Circle": ("radius",), "Rect": ("w", "h"), "Dot": ()}


def test_structs() -> None:
    assert fmt(Address("NYC", 10001)) == "{NYC 10001}"
    assert fmt(Person("Bob", Address("NYC", 10001))) == "{Bob {NYC 10001}}"
    assert fmt(Pointer(0.5)) == "&{0.5}"
    assert fmt([Pointer(1)]) == "[{1}]"
    assert str(Address("x", 1)) == "{x 1}"


def test_enums() -> None:
    assert fmt(Shape("Circle", (2.5,))) == "Circle(2.5)"
    assert fmt(Shape("Rect", (2.0, 3.5))) == "Rect(2, 3.5)"
    assert fmt(Shape("Dot")) == "Dot"
    assert fmt([Shape("Circle", (2.5,)), Shape("Dot")]) == "[Circle(2.5) Dot]"
    assert fmt({"s": Shape("Dot")}) == "map[s:Dot]"
    assert Shape("Circle", (2.5,)) == Shape("Circle", (2.5,))
    assert Shape("Circle", (2.5,)) != Shape("Circle", (3.0,))
    assert Shape("Rect", (1, 2)).field("h") == 2


def test_errors_print_their_message() -> None:
    assert fmt(HairaError("boom")) == "boom"
    assert fmt([HairaError("a"), None]) == "[a <nil>]"


def test_functions_print_an_address() -> None:
    assert fmt(test_scalars).startswith("0x")


def test_str_concat_and_interp() -> None:
    assert str_(None) == ""
    assert str_(2.0) == "2"
    assert concat("n=", 5) == "n=5"
    assert concat("x", None) == "x"
    assert concat(1.5, "!") == "1.5!"
    assert interp("sum: ", 3, ", half: ", 0.5, " ", None) == "sum: 3, half: 0.5 <nil>"


def test_go_quote() -> None:
    assert go_quote('a"b\\c\n\t') == '"a\\"b\\\\c\\n\\t"'
    assert go_quote("\x01") == '"\\x01"'
    assert go_quote("é") == '"é"'


class Keyworded:
    """Codegen stores a field named like a Python keyword as `<name>_`."""

    __haira_fields__ = ("class", "n")

    def __init__(self, class_: str, n: int) -> None:
        self.class_ = class_
        self.n = n


def test_struct_fields_with_python_keyword_names() -> None:
    from haira.stdlib.json import marshal
    from haira.types import to_jsonable

    k = Keyworded("A", 1)
    assert fmt(k) == "{A 1}"
    assert to_jsonable(k) == {"class": "A", "n": 1}
    assert marshal(k) == ('{"class":"A","n":1}', None)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fmt_float_has_exactly_the_shortest_repr_digits(x: float) -> None:
    from decimal import Decimal

    assert Decimal(fmt_float(x)) == Decimal(repr(x))
    assert Decimal(format_float_f(x)) == Decimal(repr(x))
