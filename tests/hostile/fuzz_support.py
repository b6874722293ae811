"""The compiler fuzz target shared by the hypothesis test and the corpus replay.

`compile_bytes(data)` runs the whole front of hairac (decode, lex, parse, resolve, check,
codegen) on one program. The only allowed outcomes are diagnostics or generated Python
that is itself valid Python syntax; anything else (an exception, generated code that does
not parse) is a compiler bug.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hairac.diagnostics import DiagnosticSink
from hairac.driver import Stage, run_pipeline
from hairac.syntax.source import decode_source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CORPUS = Path(__file__).resolve().parent / "corpus"


def example_sources() -> list[tuple[Path, bytes]]:
    """(path, bytes) of every example; the path decides where its imports resolve."""
    return [(p, p.read_bytes()) for p in sorted(EXAMPLES.rglob("*.haira"))]


def compile_bytes(data: bytes, where: Path | None = None) -> DiagnosticSink:
    """Run every stage on `data` as if it were the file `where`; raise only on a compiler bug."""
    sink = DiagnosticSink()
    # The entry lives next to the example it came from, so its `import`s still resolve.
    path = where if where is not None else EXAMPLES / "fuzz.haira"
    source = decode_source(str(path), data, sink)
    result = run_pipeline(path, stop_after=Stage.CODEGEN, sink=sink, source=source)
    sink.render()
    if result.generated is not None:
        for mod in result.generated.modules.values():
            try:
                ast.parse(mod.text)
            except SyntaxError as exc:  # pragma: no cover - only on a codegen bug
                raise AssertionError(f"codegen produced invalid Python in {mod.name}: {exc}\n{mod.text}") from exc
        ast.parse(result.generated.entry_text())
    return sink


# Token-level mutation keeps most mutants parseable, so the checker and codegen see them.
TOKEN = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\s+|\.\.=?|=>|->|[=!<>]=|&&|\|\||\|>|.', re.S)
LITERALS = [b"1", b"0", b"-1", b"9223372036854775807", b"9223372036854775808", b"1.5", b'""', b'"s"',
            b'"${x}"', b"true", b"nil", b"[]", b"{}", b"[1, \"a\"]", b"{\"k\": 1}", b"(1, 2)", b"_"]
KEYWORDS = [b"fn", b"return", b"if", b"else", b"for", b"in", b"match", b"struct", b"enum", b"agent",
            b"workflow", b"step", b"tool", b"provider", b"any", b"int", b"string", b"float", b"bool",
            b"error", b"stream", b"async", b"spawn", b"defer", b"try", b"catch", b"break", b"continue",
            b"self", b"main", b"export", b"import", b"test", b"assert", b"select", b"while", b"nil"]


def tokens(data: bytes) -> list[bytes]:
    return TOKEN.findall(data)
