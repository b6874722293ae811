"""`conv` (language.md §6.3, §0 #28)."""

from __future__ import annotations

import math

import pytest
from haira.rt import fmt
from haira.stdlib import conv


def _err(pair: tuple[object, object]) -> str | None:
    e = pair[1]
    return None if e is None else fmt(e)


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), (" 42 ", 42), ("+7", 7), ("-7", -7), ("9223372036854775807", 2**63 - 1),
     ("-9223372036854775808", -(2**63)), ("\t5\n", 5)],
)  # fmt: skip
def test_string_to_int_ok(text: str, value: int) -> None:
    assert conv.string_to_int(text) == (value, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1", 'cannot convert "x1" to int'),
        ("12abc", 'cannot convert "12abc" to int'),
        (" 1_000 ", 'cannot convert "1_000" to int'),
        ("0x10", 'cannot convert "0x10" to int'),
        ("", 'cannot convert "" to int'),
        ("9223372036854775808", 'cannot convert "9223372036854775808" to int'),
        ("1.5", 'cannot convert "1.5" to int'),
        ('a"b\n', 'cannot convert "a\\"b" to int'),
        ("\x01", 'cannot convert "\\x01" to int'),
    ],
)
def test_string_to_int_failure(text: str, message: str) -> None:
    pair = conv.string_to_int(text)
    assert pair[0] == 0
    assert _err(pair) == message


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.75", 2.75), (".5", 0.5), ("1e3", 1000.0), ("-Inf", -math.inf), ("+inf", math.inf),
     ("Infinity", math.inf), (" 3 ", 3.0), ("1E-2", 0.01), ("0x1p-2", 0.25), ("5.", 5.0)],
)  # fmt: skip
def test_string_to_float_ok(text: str, value: float) -> None:
    assert conv.string_to_float(text) == (value, None)


def test_string_to_float_nan_and_failures() -> None:
    x, err = conv.string_to_float("nan")
    assert math.isnan(x) and err is None
    for bad in ("pi", "1e400", "1_0.5", "", "--1", "+nan", "1e"):
        value, e = conv.string_to_float(bad)
        assert value == 0.0
        assert fmt(e) == f'cannot convert "{bad}" to float'


def test_string_to_bool() -> None:
    for text in ("true", "TRUE", " yes ", "1"):
        assert conv.string_to_bool(text) == (True, None)
    for text in ("false", "No", "0"):
        assert conv.string_to_bool(text) == (False, None)
    value, err = conv.string_to_bool(" maybe ")
    assert value is False
    assert fmt(err) == 'cannot convert " maybe " to bool'


def test_hex_to_int() -> None:
    assert conv.hex_to_int("ff") == (255, None)
    assert conv.hex_to_int(" 0xFF ") == (255, None)
    assert conv.hex_to_int("0X1a") == (26, None)
    assert conv.hex_to_int("-ff") == (-255, None)
    v, err = conv.hex_to_int("0xzz")
    assert v == 0 and fmt(err) == 'cannot convert "zz" from hex to int'
    assert fmt(conv.hex_to_int("0x")[1]) == 'cannot convert "" from hex to int'


def test_formatting_conversions() -> None:
    assert conv.int_to_string(42) == "42"
    assert conv.int_to_string(3.9) == "3"
    assert conv.int_to_string(-3.9) == "-3"
    assert conv.float_to_string(2.50) == "2.5"
    assert conv.float_to_string(3.0) == "3"
    assert conv.float_to_string(1e21) == "1000000000000000000000"
    assert conv.float_to_string(0.0000001) == "0.0000001"
    assert conv.float_to_string(7) == "7"
    assert conv.bool_to_string(True) == "true"
    assert conv.bool_to_string(False) == "false"
    assert conv.to_string(None) == ""
    assert conv.to_string([1, 2.0]) == "[1 2]"
    assert conv.int_to_float(3) == 3.0
    assert conv.float_to_int(-2.7) == -2
    assert conv.float_to_int(2.7) == 2
    assert conv.int_to_hex(255) == "ff"
    assert conv.int_to_hex(-255) == "-ff"
    assert conv.int_to_binary(5) == "101"
    assert conv.int_to_octal(8) == "10"
    assert conv.to_float("x") == 0.0
    assert conv.to_int(True) == 0
