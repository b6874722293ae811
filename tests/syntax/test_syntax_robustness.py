"""No input produces a Python exception: only diagnostics (issue 3, point 4)."""

from __future__ import annotations

import time

import pytest

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.syntax import parse_source
from hairac.syntax.source import decode_source


def parse_bytes(data: bytes) -> tuple[n.Module, DiagnosticSink]:
    sink = DiagnosticSink()
    source = decode_source("t.haira", data, sink)
    module = parse_source(source, sink)
    sink.render()  # rendering must not fail either
    return module, sink


def test_empty_file() -> None:
    module, sink = parse_bytes(b"")
    assert module.items == () and not sink.diagnostics


def test_only_comments_and_blank_lines() -> None:
    module, sink = parse_bytes(b"// nothing\n\n/* at /* all */ */\n\r\n")
    assert module.items == () and not sink.diagnostics


def test_non_utf8_is_a_diagnostic() -> None:
    module, sink = parse_bytes(b'fn main() {\n  s = "\xff\xfe"\n}\n')
    assert [d.message for d in sink.diagnostics] == ["file is not valid UTF-8 (invalid byte 0xff)"]
    assert sink.diagnostics[0].span.line == 2
    assert len(module.items) == 1  # parsing still went on


def test_utf8_bom_is_ignored() -> None:
    module, sink = parse_bytes(b'\xef\xbb\xbfimport "io"\n')
    assert not sink.diagnostics and len(module.items) == 1


def test_nul_byte() -> None:
    _, sink = parse_bytes(b"fn main() {\x00}\n")
    assert [d.message for d in sink.diagnostics] == ["unexpected NUL byte in source"]


def test_binary_garbage() -> None:
    _, sink = parse_bytes(bytes(range(256)) * 8)
    assert sink.has_errors


@pytest.mark.parametrize(
    "body",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "-" * 10_000 + "1",
        "not " * 10_000 + "x",
        "{" * 10_000,
        "f" + "(" * 10_000,
        "a" + ".b" * 10_000,
        "x => " * 10_000 + "1",
        '"${' * 2_000 + '"',
    ],
    ids=["parens", "lists", "minus", "not", "braces", "calls", "fields", "lambdas", "interpolation"],
)
def test_10000_deep_nesting(body: str) -> None:
    _, sink = parse_bytes(f"fn main() {{\n    x = {body}\n}}\n".encode())
    assert sink.has_errors or not sink.diagnostics


def test_deep_blocks() -> None:
    src = "fn main() {\n" + "if x {\n" * 10_000 + "}\n" * 10_000 + "}\n"
    _, sink = parse_bytes(src.encode())
    assert any("nested too deeply" in d.message for d in sink.diagnostics)


@pytest.mark.parametrize(("depth", "ok"), [(150, True), (250, False), (1500, False)])
def test_tree_depth_is_bounded(depth: int, ok: bool) -> None:
    """Later stages walk the tree recursively: the parser bounds its nesting (MAX_DEPTH)."""
    module, sink = parse_bytes(f"fn main() {{\n    x = {'[' * depth}{']' * depth}\n}}\n".encode())
    assert sink.has_errors != ok
    assert bool(module.items) == ok
    if not ok:
        assert [d.message for d in sink.diagnostics] == ["expression or block nested too deeply"]


def test_long_else_if_chain_is_fine() -> None:
    src = "fn main() {\n if x == 0 { }\n" + "".join(f" else if x == {i} {{ }}\n" for i in range(1, 400)) + "}\n"
    module, sink = parse_bytes(src.encode())
    assert not sink.diagnostics
    assert isinstance(module.items[0], n.FnDecl)


def test_one_megabyte_file_is_fast() -> None:
    line = "fn f{i}(a: int, b: int) -> int {{ return a * {i} + b }}\n"
    src = "".join(line.format(i=i) for i in range(20_000))
    assert len(src) > 1_000_000
    start = time.process_time()
    module, sink = parse_bytes(src.encode())
    assert not sink.diagnostics and len(module.items) == 20_000
    assert time.process_time() - start < 30


def test_one_megabyte_of_garbage() -> None:
    _, sink = parse_bytes(b"} ) ] @ => , . : ; ! # $ " * 50_000)
    assert sink.has_errors
    assert len(sink.diagnostics) < 200  # recovery caps the flood


def test_huge_line_renders_a_window() -> None:
    _, sink = parse_bytes(("x = " + "1 + " * 100_000 + "}\n").encode())
    text = sink.render()
    assert sink.has_errors
    assert max(len(line) for line in text.splitlines()) < 400


@pytest.mark.parametrize(
    "src",
    ['"', '"""', "/*", '"${', '"${"', "'", "`", "\\", "@", "#", "$", "0x", "1.", "..", "...", "=>",
     "fn", "fn (", "struct {", "match x {", "match x { 1 =>", "if", "for x in", "workflow",
     "@post(", "tool t() {", "x = (", "x = [1,", "x = {", "x = {1:", "a.b.", "f(a:", "import",
     "import {", "export {", "enum E {", "type T =", "let", "const x", "\r", "\r\n\r", "\t\v\f"],
    ids=repr,
)  # fmt: skip
def test_fragments_never_raise(src: str) -> None:
    parse_bytes(src.encode())


def test_source_file_positions() -> None:
    f = SourceFile("p.haira", "ab\r\ncd\re\nfé")
    assert f.position(0) == (1, 1)
    assert f.position(4) == (2, 1)
    assert f.position(7) == (3, 1)
    assert f.position(10) == (4, 2)
    assert f.position(11) == (4, 4)  # columns count bytes: 'é' is two
