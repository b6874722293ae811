"""Integer semantics (§0 #11, §3.9), indexing (§0 #9), dynamic operators, panics (§0 #14, #25)."""

from __future__ import annotations

import math

import pytest
from haira import HairaError, HairaPanic, HairaRuntimeError, RuntimeFault, rt
from haira.rt import INT_MAX, INT_MIN
from hypothesis import given
from hypothesis import strategies as st

int64 = st.integers(min_value=INT_MIN, max_value=INT_MAX)


def _go_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@given(int64, int64.filter(lambda b: b != 0))
def test_idiv_imod_truncate_toward_zero(a: int, b: int) -> None:
    if a == INT_MIN and b == -1:
        with pytest.raises(RuntimeFault, match="integer overflow"):
            rt.idiv(a, b)
        return
    q = rt.idiv(a, b)
    r = rt.imod(a, b)
    assert q == _go_div(a, b)
    assert q * b + r == a
    assert r == 0 or (r > 0) == (a > 0)
    assert abs(r) < abs(b)


def test_idiv_examples() -> None:
    assert rt.idiv(7, 2) == 3
    assert rt.idiv(-7, 2) == -3
    assert rt.idiv(7, -2) == -3
    assert rt.idiv(-7, -2) == 3
    assert rt.imod(-7, 2) == -1
    assert rt.imod(7, -2) == 1
    assert rt.imod(-7, -2) == -1


def test_divide_by_zero() -> None:
    for op in (rt.idiv, rt.imod):
        with pytest.raises(RuntimeFault) as info:
            op(1, 0)
        assert info.value.catch_text() == "runtime error: integer divide by zero"


@given(int64, int64)
def test_add_sub_mul_overflow(a: int, b: int) -> None:
    for op, exact in ((rt.iadd, a + b), (rt.isub, a - b), (rt.imul, a * b)):
        if INT_MIN <= exact <= INT_MAX:
            assert op(a, b) == exact
        else:
            with pytest.raises(RuntimeFault, match="^integer overflow$"):
                op(a, b)


def test_neg_and_shifts() -> None:
    assert rt.ineg(5) == -5
    with pytest.raises(RuntimeFault):
        rt.ineg(INT_MIN)
    assert rt.ishl(1, 62) == 1 << 62
    assert rt.ishl(0, 100) == 0
    with pytest.raises(RuntimeFault, match="integer overflow"):
        rt.ishl(1, 63)
    with pytest.raises(RuntimeFault, match="negative shift amount"):
        rt.ishl(1, -1)
    assert rt.ishr(-8, 1) == -4
    assert rt.ishr(-1, 100) == -1
    with pytest.raises(RuntimeFault, match="negative shift amount"):
        rt.ishr(1, -1)


def test_fdiv_ieee() -> None:
    assert rt.fdiv(1.0, 0.0) == math.inf
    assert rt.fdiv(-1.0, 0.0) == -math.inf
    assert rt.fdiv(1.0, -0.0) == -math.inf
    assert math.isnan(rt.fdiv(0.0, 0.0))
    assert rt.fdiv(7.0, 2.0) == 3.5


def test_index_bounds() -> None:
    xs = [1, 2, 3]
    assert rt.index(xs, 2) == 3
    for bad in (3, 5, -1):
        with pytest.raises(RuntimeFault) as info:
            rt.index(xs, bad)
        assert str(info.value) == f"index out of range [{bad}] with length 3"
        assert info.value.catch_text() == f"runtime error: index out of range [{bad}] with length 3"
    rt.set_index(xs, 0, 9)
    assert xs == [9, 2, 3]
    with pytest.raises(RuntimeFault, match=r"index out of range \[3\] with length 3"):
        rt.set_index(xs, 3, 0)
    with pytest.raises(RuntimeFault, match=r"index out of range \[-1\] with length 3"):
        rt.set_index(xs, -1, 0)


def test_index_any() -> None:
    assert rt.index_any({"a": 1}, "a") == 1
    assert rt.index_any({"a": 1}, "b") is None
    assert rt.index_any([1, 2], 1) == 2
    assert rt.index_any(None, "x") is None
    with pytest.raises(RuntimeFault, match="index out of range"):
        rt.index_any([1], 4)
    m: dict[str, object] = {}
    rt.set_index_any(m, "k", 1)
    assert m == {"k": 1}
    with pytest.raises(RuntimeFault, match="nil map"):
        rt.set_index_any(None, "k", 1)


def test_len() -> None:
    assert rt.len_("héllo") == 6
    assert rt.len_("abc") == 3
    assert rt.len_([1, 2]) == 2
    assert rt.len_({"a": 1}) == 1
    assert rt.len_(None) == 0
    assert rt.len_(5) == 0  # REF `Len`: 0 for anything else


def test_dynamic_operators() -> None:
    assert rt.add(1, 2) == 3
    assert rt.add(1, 2.5) == 3.5
    assert rt.add("n=", 5) == "n=5"
    assert rt.add([1], [2]) == [1, 2]
    assert rt.sub(5, 2.0) == 3.0
    assert rt.mul(3, 4) == 12
    assert rt.div(7, 2) == 3
    assert rt.div(7.0, 2) == 3.5
    assert rt.div(1.0, 0) == math.inf
    assert rt.mod(-7, 2) == -1
    assert rt.neg(2) == -2
    assert rt.neg(2.5) == -2.5
    with pytest.raises(RuntimeFault, match="invalid operation"):
        rt.sub("a", 1)
    with pytest.raises(RuntimeFault, match="invalid operation"):
        rt.mod(1.5, 1)
    with pytest.raises(RuntimeFault, match="integer overflow"):
        rt.add(INT_MAX, 1)


def test_eq_is_typed_like_go_any() -> None:
    assert rt.eq(1, 1)
    assert not rt.eq(1, 1.0)
    assert not rt.eq(True, 1)
    assert rt.eq("a", "a")
    assert rt.eq(None, None)
    assert not rt.eq(None, 0)


def test_truthy() -> None:
    falsy: list[object] = [None, False, 0, 0.0, ""]
    truthy: list[object] = [True, 1, -0.5, "x", [], {}]
    assert not any(rt.truthy(v) for v in falsy)
    assert all(rt.truthy(v) for v in truthy)


def test_errors_and_panics() -> None:
    e = rt.error("bad")
    assert isinstance(e, HairaError) and e.message == "bad" and str(e) == "bad"
    assert rt.to_error(None) is None
    assert rt.to_error(e) is e
    converted = rt.to_error("input cannot be empty")
    assert converted is not None and converted.message == "input cannot be empty"
    assert rt.unwrap(5, None) == 5
    with pytest.raises(HairaPanic) as info:
        rt.unwrap(0, HairaError("cannot convert"))
    assert rt.catch_text(info.value) == "cannot convert"
    rt.raise_error(None)
    with pytest.raises(HairaPanic):
        rt.raise_error(HairaError("x"))
    with pytest.raises(HairaPanic) as info2:
        rt.panic([1, 2])
    assert rt.catch_text(info2.value) == "[1 2]"


def test_catch_text_of_python_exceptions() -> None:
    assert rt.catch_text(ZeroDivisionError()) == "runtime error: integer divide by zero"
    assert rt.catch_text(RecursionError()) == "runtime error: stack overflow"
    try:
        None.x  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert rt.catch_text(exc) == (
            "runtime error: invalid memory address or nil pointer dereference"
        )
    assert rt.catch_text(HairaRuntimeError("store down")) == "store down"
    assert rt.catch_text(KeyError("k")).startswith("runtime error: KeyError")


def test_dynamic_bitwise_and_ordering() -> None:
    assert rt.bitnot(5) == -6
    assert rt.bitand(6, 3) == 2 and rt.bitor(6, 3) == 7 and rt.bitxor(6, 3) == 5
    assert rt.shl(1, 4) == 16 and rt.shr(-16, 2) == -4
    with pytest.raises(RuntimeFault, match="invalid operation"):
        rt.bitnot(1.5)
    with pytest.raises(RuntimeFault, match="invalid operation"):
        rt.bitand(1, "2")
    assert rt.lt(1, 2.5) and rt.le(2, 2) and rt.gt("b", "a") and rt.ge(3.0, 3)
    with pytest.raises(RuntimeFault, match="invalid operation"):
        rt.lt("a", 1)


def test_attempt_turns_failures_into_error_values() -> None:
    assert rt.attempt(lambda: "ok", "") == ("ok", None)

    def upstream() -> str:
        raise HairaRuntimeError("upstream error: 503")

    value, err = rt.attempt(upstream, "")
    assert value == "" and err is not None and err.message == "upstream error: 503"

    def crash() -> str:
        return str(1 // 0)

    _, err2 = rt.attempt(crash, "z")
    assert err2 is not None and err2.message == "runtime error: integer divide by zero"


def test_loop_and_pattern_helpers() -> None:
    assert list(rt.iter_values([1, 2])) == [1, 2]
    assert list(rt.iter_values({"a": 1, "b": 2})) == ["a", "b"]
    assert list(rt.iter_values(None)) == [] and list(rt.iter_values("abc")) == []
    assert list(rt.iter_values(iter((5, 6)))) == [5, 6]
    assert list(rt.iter_pairs(["x", "y"])) == [(0, "x"), (1, "y")]
    assert list(rt.iter_pairs({"k": 1})) == [("k", 1)]
    assert list(rt.iter_pairs(None)) == []
    with pytest.raises(RuntimeFault, match="cannot range over"):
        rt.iter_values(5)
    with pytest.raises(RuntimeFault, match="cannot range over"):
        rt.iter_pairs(5)
    assert rt.in_range(5, 1, 5, True) and not rt.in_range(5, 1, 5, False)
    assert not rt.in_range("5", 1, 9, True) and not rt.in_range(True, 0, 9, True)

    from haira.values import EnumValue

    assert rt.is_variant(EnumValue("Dot"), "Dot") and not rt.is_variant("Dot", "Dot")


def test_defers_run_lifo_and_all_run() -> None:
    log: list[str] = []
    defers = [rt.deferred(log.append, "first"), rt.deferred(log.append, "second")]
    rt.run_defers(defers)
    assert log == ["second", "first"] and defers == []

    def bad() -> object:
        raise HairaPanic("in defer")

    defers2 = [rt.deferred(log.append, "ran"), bad]
    with pytest.raises(HairaPanic, match="in defer"):
        rt.run_defers(defers2)
    assert log[-1] == "ran"


def test_spawn_and_go_delegate_to_aio() -> None:
    from haira.aio import Channel

    assert rt.spawn([lambda: 1, lambda: "b"]) == [1, "b"]
    ch = rt.go(lambda: 7)
    assert isinstance(ch, Channel) and ch.recv() == 7


def test_eq_structs_by_value_and_nan() -> None:
    class P:
        __haira_fields__ = ("x",)

        def __init__(self, x: int) -> None:
            self.x = x

    assert rt.eq(P(1), P(1)) and not rt.eq(P(1), P(2))
    nan = float("nan")
    assert not rt.eq(nan, nan)
    e = rt.error("x")
    assert rt.eq(e, e) and not rt.eq(e, rt.error("x"))
