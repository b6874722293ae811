"""`hairac lex FILE`: print the tokens of a Haira file, one per line (REF format).

Each line is `Kind("value")` for tokens with a value (names, literals,
keywords, comments) and the bare operator text otherwise; newlines print as
`Newline` and the stream ends with `EOF`. Exit 0, 1 when the file has lexical
errors (reported on stderr), 2 when it cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hairac.diagnostics import DiagnosticSink
from hairac.syntax.lexer import lex
from hairac.syntax.source import read_source
from hairac.syntax.tokens import OPERATORS, Tok

_KINDS = {
    "NAME": "Ident",
    "INT": "Int",
    "FLOAT": "Float",
    "STRING": "String",
    "ISTRING": "InterpolatedString",
    "TRIPLE": "TripleQuoteString",
    "ITRIPLE": "TripleQuoteString",
}
_OPERATOR_KINDS = frozenset(OPERATORS.values())


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lex",
        help="print the tokens of a Haira file",
        description="Print the tokens of a Haira source file, one per line.",
    )
    parser.add_argument("file", help="the .haira file")
    parser.set_defaults(func=run)


def token_line(tok: Tok, text: str) -> str:
    kind = tok.type
    if kind == "Newline":
        return "Newline"
    if kind in ("LineComment", "BlockComment"):
        return f"{kind}({_quote(str(tok.value))})"
    if kind in _KINDS:
        raw = text[tok.start : tok.end]
        if kind in ("STRING", "ISTRING"):
            raw = raw[1:-1] if raw.endswith('"') and len(raw) >= 2 else raw[1:]
        elif kind in ("TRIPLE", "ITRIPLE"):
            raw = raw[3:-3] if raw.endswith('"""') and len(raw) >= 6 else raw[3:]
        return f"{_KINDS[kind]}({_quote(raw)})"
    if kind in _OPERATOR_KINDS:
        return str(tok.value)
    return f"{tok.value}({_quote(str(tok.value))})"  # keywords


def _quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    sink = DiagnosticSink()
    source = read_source(args.file, sink)
    if source is None:
        sys.stderr.write(sink.render(sort=True))
        return 2
    toks = lex(source, sink, keep_trivia=True)
    out = [token_line(t, source.text) for t in toks]
    out.append("EOF")
    sys.stdout.write("\n".join(out) + "\n")
    if sink.diagnostics:
        sys.stderr.write(sink.render(sort=True))
    return 1 if sink.has_errors else 0
