"""`io` printing (language.md §6.1), Go `Printf` verbs, `log` (§6.13)."""

from __future__ import annotations

import io as pyio
import math
import sys

import pytest
from haira.stdlib import io, log
from haira.stdlib.gofmt import sprintf


def test_println_and_print(capsys: pytest.CaptureFixture[str]) -> None:
    io.println([1, 2, 3])
    io.println({"b": 2, "a": 1})
    io.println(-7 // 2 + 1, 3.5)
    io.println("a", 1, True, None)
    io.println(["x", "y"], [])
    io.println()
    io.print(1, 2, "x", 3, "y", "z")
    io.print_(4.0)
    assert capsys.readouterr().out == (
        "[1 2 3]\nmap[a:1 b:2]\n-3 3.5\na 1 true <nil>\n[x y] []\n\n1 2x3yz4"
    )


def test_stderr_variants(capsys: pytest.CaptureFixture[str]) -> None:
    io.eprintln("oops", 1)
    io.eprintf("%d%%\n", 50)
    io.eprint("a", "b")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "oops 1\n50%\nab"


def test_printf(capsys: pytest.CaptureFixture[str]) -> None:
    io.printf("%.2f|%s\n", 3.14159, "x")
    assert capsys.readouterr().out == "3.14|x\n"
    assert io.sprintf("%d-%v", 1, [2]) == "1-[2]"
    assert io.sprintln("a", 2) == "a 2\n"
    assert io.sprint("a", 1, 2) == "a1 2"


@pytest.mark.parametrize(
    ("fmt_", "args", "out"),
    [
        ("%d", [42], "42"),
        ("%5d|%-5d|%05d", [42, 42, -42], "   42|42   |-0042"),
        ("%+d % d", [5, 5], "+5  5"),
        ("%x %X %o %b %#x %#o", [255, 255, 8, 5, 255, 8], "ff FF 10 101 0xff 010"),
        ("%c %q %U", [65, 65, 0x1F600], "A 'A' U+1F600"),
        ("%q %q %q", [34, 39, 10], "'\"' '\\'' '\\n'"),
        ("%s|%10s|%-10s|%.2s", ["hi", "hi", "hi", "hello"], "hi|        hi|hi        |he"),
        ("%q", ['a"b\n'], '"a\\"b\\n"'),
        ("%x", ["hi"], "6869"),
        ("%v %v %v %v", [1.0, 1e6, None, True], "1 1e+06 <nil> true"),
        ("%f %.3f %8.2f %-8.2f|", [1.5, 2.0, 3.14159, 3.14159], "1.500000 2.000     3.14 3.14    |"),
        ("%e %.2e %E", [1234.5678, 1234.5678, 1e-7], "1.234568e+03 1.23e+03 1.000000E-07"),
        ("%g %g %.3g %G", [1e6, 0.0001, 1234.5678, 1e-7], "1e+06 0.0001 1.23e+03 1E-07"),
        ("%t %t", [True, False], "true false"),
        ("%T %T %T %T %T", [1, 1.5, "s", [1], None], "int float64 string []interface {} <nil>"),
        ("%%", [], "%"),
        ("%d", [3.5], "%!d(float64=3.5)"),
        ("%s", [5], "%!s(int=5)"),
        ("%f", [5], "%!f(int=5)"),
        ("%d", ["x"], "%!d(string=x)"),
        ("%d %d", [1], "1 %!d(MISSING)"),
        ("%d", [1, "a", None], "1%!(EXTRA string=a, <nil>)"),
        ("%s", [None], "%!s(<nil>)"),
        ("%v", [None], "<nil>"),
        ("%d", [None], "%!d(<nil>)"),
        ("%*d|%-*d", [4, 7, 3, 1], "   7|1  "),
        ("%.*f", [1, 2.25], "2.2"),
        ("%v", [math.inf], "+Inf"),
        ("%f", [math.nan], "NaN"),
        ("%5.1f", [-math.inf], " -Inf"),
        ("%s", [[1, "a"]], "[%!s(int=1) a]"),
        ("%3d|%x", [[1, 2], [255, 16]], "[  1   2]|[ff 10]"),
        ("%d", [{"k": [1]}], "map[%!d(string=k):[1]]"),
        ("%v", [{"b": 1, "a": [1.5]}], "map[a:[1.5] b:1]"),
        ("%", [], "%!(NOVERB)"),
        ("%z", [1], "%!z(int=1)"),
        ("%6.2v", [3.14159], "   3.1"),
    ],
)
def test_sprintf_verbs(fmt_: str, args: list[object], out: str) -> None:
    assert sprintf(fmt_, args) == out


def test_readln(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", pyio.StringIO("first line\r\nsecond"))
    assert io.readln() == "first line"
    assert io.readln() == "second"
    assert io.readln() == ""


def test_io_read_file(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    p = tmp_path / "f.txt"
    p.write_text("data")
    assert io.read_file(str(p)) == ("data", None)
    assert io.read_file(str(tmp_path / "none"))[1] is not None


def test_log_levels(capsys: pytest.CaptureFixture[str]) -> None:
    log.info("started", "ignored")
    log.warn(2.0)
    log.error(["a"])
    log.debug("d")
    captured = capsys.readouterr()
    assert captured.out == "[INFO] started\n[DEBUG] d\n"
    assert captured.err == "[WARN] 2\n[ERROR] [a]\n"


def test_log_inside_a_step_goes_to_the_step_logger(capsys: pytest.CaptureFixture[str]) -> None:
    events: list[tuple[str, object]] = []
    token = log.set_step_logger(lambda level, msg: events.append((level, msg)))
    try:
        log.info("in step")
        log.render({"k": 1})
    finally:
        log.reset_step_logger(token)
    log.render("outside")
    assert events == [("info", "in step"), ("render", {"k": 1})]
    assert capsys.readouterr().out == "outside\n"


def test_plus_v_names_struct_fields() -> None:
    class Pt:
        __haira_fields__ = ("x", "y")

        def __init__(self) -> None:
            self.x = 1
            self.y = [2.0]

    assert sprintf("%+v|%v", [Pt(), Pt()]) == "{x:1 y:[2]}|{1 [2]}"
    assert sprintf("%+v", [{"k": Pt()}]) == "map[k:{x:1 y:[2]}]"
    assert sprintf("%+v %+d", [5, 5]) == "5 +5"
