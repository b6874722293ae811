"""`math` (language.md §6.4): float results and Go's special cases."""

from __future__ import annotations

import math as pymath

from haira.rt import fmt
from haira.stdlib import math


def test_basic_functions_return_floats() -> None:
    assert math.abs(-3) == 3.0 and isinstance(math.abs(-3), float)
    assert math.min(1, 2.5) == 1.0
    assert math.max(1, 2.5) == 2.5
    assert math.clamp(5, 0, 3) == 3.0 and math.clamp(-1, 0, 3) == 0.0
    assert math.clamp(2, 0, 3) == 2.0
    assert fmt(math.floor(7.9)) == "7"
    assert math.ceil(7.1) == 8.0
    assert math.trunc(-7.9) == -7.0
    assert math.pow(2, 10) == 1024.0
    assert math.sqrt(16) == 4.0
    assert math.cbrt(-27) == -3.0
    assert math.exp(0) == 1.0
    assert math.log(pymath.e) == 1.0
    assert math.log10(1000) == 3.0
    assert math.log2(8) == 3.0
    assert math.atan2(1, 1) == pymath.pi / 4
    assert math.sin(0) == 0.0 and math.cos(0) == 1.0 and math.tan(0) == 0.0
    assert math.asin(1) == pymath.pi / 2 and math.acos(1) == 0.0 and math.atan(0) == 0.0
    assert math.abs("x") == 0.0  # REF toFloat64: non-numbers are 0


def test_round_half_away_from_zero() -> None:
    assert math.round(2.5) == 3.0
    assert math.round(-2.5) == -3.0
    assert math.round(0.49999999999999994) == 0.0
    assert fmt(math.round(-0.4)) == "-0"
    assert math.round(1.5) == 2.0


def test_go_special_cases() -> None:
    assert pymath.isnan(math.sqrt(-1))
    assert math.log(0) == -pymath.inf
    assert pymath.isnan(math.log(-1))
    assert math.pow(0, -1) == pymath.inf
    assert math.pow(-0.0, -3) == -pymath.inf
    assert pymath.isnan(math.pow(-8, 1 / 3))
    assert math.pow(10, 400) == pymath.inf
    assert math.exp(1000) == pymath.inf
    assert pymath.isnan(math.asin(2))
    assert pymath.isnan(math.min(pymath.nan, 1))
    assert fmt(math.min(-0.0, 0.0)) == "-0"
    assert fmt(math.max(-0.0, 0.0)) == "0"
    assert fmt(math.ceil(-0.5)) == "-0"
    assert math.floor(pymath.inf) == pymath.inf


def test_constants_are_values_and_calls() -> None:
    assert math.pi == 3.141592653589793
    assert math.pi() == 3.141592653589793
    assert math.e() == 2.718281828459045
    assert fmt(math.pi) == "3.141592653589793"
    assert fmt(math.pi * 2) == "6.283185307179586"


def test_random() -> None:
    for _ in range(200):
        r = math.random()
        assert 0.0 <= r < 1.0
        n = math.random_int(3, 6)
        assert 3 <= n < 6
    assert math.random_int(5, 5) == 5
    assert math.random_int(5, 1) == 5
