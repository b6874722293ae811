"""Property: mutating a valid program gives diagnostics or success, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink
from hairac.syntax import parse_source
from hairac.syntax.source import decode_source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOURCES = [p.read_bytes() for p in sorted(EXAMPLES.rglob("*.haira"))]

# Fragments that stress the lexer and the context layer.
FRAGMENTS = [
    b"{", b"}", b"(", b")", b"[", b"]", b"=>", b"->", b"..", b"..=", b"...", b"|>", b"?", b"@", b",",
    b":", b"=", b"==", b"\"", b'"""', b"${", b"/*", b"*/", b"//", b"\n", b"if ", b"match ", b"for ",
    b"fn ", b"else ", b"workflow ", b"step ", b"tool ", b"x", b"Point { x = 1 }", b"-", b"not ",
    b"\x00", b"\xff", b"\xe9", b"\r", b"\t", b"_ if ", b"| ", b"0x", b"1.5", b"return ", b"struct ",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        pos = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate"]))
        if kind == "delete":
            end = min(len(data), pos + draw(st.integers(1, 12)))
            del data[pos:end]
        elif kind == "insert":
            data[pos:pos] = draw(st.sampled_from(FRAGMENTS))
        elif kind == "replace" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        else:
            end = min(len(data), pos + draw(st.integers(1, 80)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_never_raise(data: bytes) -> None:
    sink = DiagnosticSink()
    source = decode_source("mutant.haira", data, sink)
    module = parse_source(source, sink)
    assert isinstance(module, n.Module)
    for item in module.items:
        for node in n.walk(item):
            assert 0 <= node.span.start <= node.span.end <= len(source.text)
    text = sink.render()
    assert isinstance(text, str)
    for d in sink.diagnostics:
        assert d.message and d.span.file is source


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    sink = DiagnosticSink()
    parse_source(decode_source("random.haira", data, sink), sink)
    sink.render()
