"""Compiler fuzzing: mutants of every example through lexer, parser, checker and codegen.

Any outcome other than diagnostics (or valid generated Python) is a bug. Past crashers live
in tests/hostile/corpus/ and are replayed by `test_corpus_never_crashes`. The hypothesis
run is bounded (`HAIRA_FUZZ_EXAMPLES`, default 300 mutants) to stay well inside CI time;
raise it for a longer local campaign.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.fuzz_support import (
    CORPUS,
    EXAMPLES,
    KEYWORDS,
    LITERALS,
    compile_bytes,
    example_sources,
    tokens,
)

SEEDS = example_sources()
MAX_EXAMPLES = int(os.environ.get("HAIRA_FUZZ_EXAMPLES", "300"))


@st.composite
def mutant(draw: st.DrawFn) -> tuple[Path, bytes]:
    path, data = draw(st.sampled_from(SEEDS))
    toks = tokens(data)
    words = sorted({t for t in toks if t[:1].isalpha() or t[:1] == b"_"}) or [b"x"]
    for _ in range(draw(st.integers(1, 5))):
        if not toks:
            break
        i = draw(st.integers(0, len(toks) - 1))
        kind = draw(st.sampled_from(["delete", "dup", "swap", "ident", "literal", "keyword", "line", "splice"]))
        if kind == "delete":
            del toks[i : i + draw(st.integers(1, 3))]
        elif kind == "dup":
            j = min(len(toks), i + draw(st.integers(1, 20)))
            toks[i:i] = toks[i:j]
        elif kind == "swap":
            j = draw(st.integers(0, len(toks) - 1))
            toks[i], toks[j] = toks[j], toks[i]
        elif kind == "ident":
            toks[i] = draw(st.sampled_from(words))
        elif kind == "literal":
            toks[i] = draw(st.sampled_from(LITERALS))
        elif kind == "keyword":
            toks[i] = draw(st.sampled_from(KEYWORDS))
        elif kind == "splice":  # lines of another example: clashing names, foreign types
            _, other = draw(st.sampled_from(SEEDS))
            lines = other.split(b"\n")
            a = draw(st.integers(0, len(lines) - 1))
            piece = b"\n".join(lines[a : a + draw(st.integers(1, 15))])
            toks[i:i] = [b"\n", *tokens(piece), b"\n"]
        else:  # move a whole line elsewhere
            text = b"".join(toks).split(b"\n")
            a, b = draw(st.integers(0, len(text) - 1)), draw(st.integers(0, len(text) - 1))
            text.insert(b, text.pop(a))
            toks = tokens(b"\n".join(text))
    return path, b"".join(toks)


@pytest.mark.parametrize("path", [p for p, _ in SEEDS], ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_examples_compile_cleanly(path: Path) -> None:
    compile_bytes(path.read_bytes(), path)


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=False, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutant())
def test_mutants_never_crash(case: tuple[Path, bytes]) -> None:
    path, data = case
    compile_bytes(data, path)


CRASHERS = sorted(CORPUS.glob("*.haira"))


@pytest.mark.parametrize("path", CRASHERS, ids=lambda p: p.name)
def test_corpus_never_crashes(path: Path) -> None:
    compile_bytes(path.read_bytes(), EXAMPLES / path.name)


TYPE_WORDS = [b"int", b"float", b"string", b"bool", b"any", b"error", b"[int]", b"{string: int}", b"int?"]


@st.composite
def semantic_mutant(draw: st.DrawFn) -> tuple[Path, bytes]:
    """Mutants that usually still parse (a name for a name, a literal for a literal, a type
    for a type), so most of them reach the checker and codegen."""
    path, data = draw(st.sampled_from(SEEDS))
    toks = tokens(data)
    names = [i for i, t in enumerate(toks) if t[:1].isalpha() or t[:1] == b"_"]
    lits = [i for i, t in enumerate(toks) if t[:1].isdigit() or t[:1] == b'"' or t in (b"true", b"false", b"nil")]
    words = sorted({toks[i] for i in names}) or [b"x"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["name", "name", "literal", "type"]))
        if kind == "literal" and lits:
            toks[draw(st.sampled_from(lits))] = draw(st.sampled_from(LITERALS[:12]))
        elif names:
            i = draw(st.sampled_from(names))
            toks[i] = draw(st.sampled_from(TYPE_WORDS if kind == "type" else words))
    return path, b"".join(toks)


@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(semantic_mutant())
def test_semantic_mutants_never_crash(case: tuple[Path, bytes]) -> None:
    path, data = case
    compile_bytes(data, path)
