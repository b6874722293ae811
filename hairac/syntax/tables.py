"""The LALR(1) tables for `haira.lark`, built by lark once and cached on disk.

lark computes the tables; parsing runs our own loop over them (parser.py):
it feeds our tokens directly, recovers from errors, and builds nodes
without lark's tree machinery.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

START_SYMBOLS = ("module", "expr")
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class RuleInfo:
    origin: str  # the nonterminal it reduces to
    size: int  # number of children
    name: str  # alias, or origin when there is no alias
    expand1: bool  # a `?rule`: a single child passes through


@dataclass(frozen=True, slots=True)
class Tables:
    # states[s][symbol]: >= 0 shift/goto to that state; < 0 reduce rule (-1 - action).
    states: list[dict[str, int]]
    rules: list[RuleInfo]
    start_states: dict[str, int]
    end_states: dict[str, int]


def grammar_text() -> str:
    return resources.files("hairac.syntax").joinpath("haira.lark").read_text(encoding="utf-8")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hairac"


def no_lexer() -> type:
    """A do-nothing lexer class: lark insists on one; ours runs outside lark.
    (lark is imported only here and in build_tables: a cached run never loads it.)"""
    import lark

    class _NoLexer(lark.lexer.Lexer):
        def __init__(self, conf: object) -> None:
            pass

        def lex(self, lexer_state: object, parser_state: object) -> Iterator[lark.Token]:
            return iter(())  # pragma: no cover

    return _NoLexer


def build_tables(text: str) -> Tables:
    import lark

    parser = lark.Lark(text, parser="lalr", lexer=no_lexer(), start=list(START_SYMBOLS))
    table = parser.parser.parser._parse_table
    rule_index: dict[object, int] = {}
    rules: list[RuleInfo] = []
    for rule in parser.rules:
        rule_index[rule] = len(rules)
        rules.append(
            RuleInfo(
                origin=str(rule.origin.name),  # lark gives Tokens: plain str hashes faster
                size=len(rule.expansion),
                name=str(rule.alias or rule.origin.name),
                # `?rule` alternatives without an alias pass their one child through.
                expand1=bool(rule.options.expand1) and not rule.alias,
            )
        )
    shift = lark.parsers.lalr_analysis.Shift
    states: list[dict[str, int]] = [{} for _ in range(max(table.states) + 1)]
    for state, actions in table.states.items():
        row = states[state]
        for symbol, (action, arg) in actions.items():
            symbol = str(symbol)
            if action is shift:
                row[symbol] = arg
            else:
                if arg not in rule_index:  # lark's own $root rules
                    rule_index[arg] = len(rules)
                    origin = str(arg.origin.name)
                    rules.append(RuleInfo(origin, len(arg.expansion), origin, False))
                row[symbol] = -1 - rule_index[arg]
    return Tables(
        states,
        rules,
        {str(k): v for k, v in table.start_states.items()},
        {str(k): v for k, v in table.end_states.items()},
    )


_cached: Tables | None = None


def load_tables() -> Tables:
    """The tables for the installed grammar: memory, then disk cache, then lark."""
    global _cached
    if _cached is not None:
        return _cached
    text = grammar_text()
    try:
        lark_version = metadata.version("lark")
    except metadata.PackageNotFoundError:  # pragma: no cover - lark always ships with hairac
        lark_version = "?"
    # The key covers everything the tables depend on: grammar, lark, this module.
    here = Path(__file__).read_bytes() if Path(__file__).exists() else b""
    key = hashlib.sha256(
        f"{_FORMAT}:{lark_version}:{text}".encode() + here
    ).hexdigest()[:20]
    path = _cache_dir() / f"grammar-{key}.pickle"
    tables: Tables | None = None
    try:
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, Tables):
            tables = loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        tables = None
    if tables is None:
        tables = build_tables(text)
        _store(path, tables)
    _cached = tables
    return tables


def _store(path: Path, tables: Tables) -> None:
    """Write the cache atomically; a read-only home just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".grammar-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
