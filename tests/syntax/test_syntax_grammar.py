"""The grammar's LALR conflicts are known and intended; a new one fails this test.

lark resolves a shift/reduce conflict by shifting. Each one listed here is a
deliberate REF-compatible reading (newlines are insignificant, language.md §1.8):
`return` takes a value when one follows; `f()\\n(g)` is a call; `a\\n-b` is `a - b`;
`Name {` is a struct literal; `T?`/`A | B` bind to the nearest type.
"""

from __future__ import annotations

import logging

import lark

from hairac.syntax.tables import START_SYMBOLS, grammar_text, no_lexer

EXPECTED = {
    ("COMMA", "<arm_body : RETURN expr_list>"),
    ("LBRACE", "<atom : NAME>"),
    ("LBRACE", "<postfix : postfix DOT NAME>"),
    ("LPAR", "<type_base : FN>"),
    ("LPAR", "<unary : postfix>"),
    ("LSQB", "<type_base : NAME>"),
    ("LSQB", "<unary : postfix>"),
    ("MINUS", "<cmp : cmp DOTDOTEQ sum>"),
    ("MINUS", "<cmp : cmp DOTDOT sum>"),
    ("MINUS", "<cmp : cmp cmp_op sum>"),
    ("MINUS", "<cmp : sum>"),
    ("NAME", "<name_list : name_list COMMA>"),
    ("PIPE", "<type_base : FN LPAR RPAR ARROW type>"),
    ("PIPE", "<type_base : FN LPAR type_list RPAR ARROW type>"),
    ("PIPE", "<type_base : LPAR RPAR ARROW type>"),
    ("PIPE", "<type_base : LPAR type_list RPAR ARROW type>"),
    ("PIPE", "<type_base : LSQB RSQB type>"),
    ("PIPE", "<type_base : NAME LSQB type RSQB type>"),
    ("QMARK", "<type_opt : type_base>"),
}
# `return` followed by anything that can start an expression takes it as its value.
RETURN_RULES = {"<stmt : RETURN>", "<arm_body : RETURN>"}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_only_known_shift_reduce_conflicts() -> None:
    collect = _Collect()
    level = lark.logger.level
    lark.logger.addHandler(collect)
    lark.logger.setLevel(logging.DEBUG)
    try:
        lark.Lark(grammar_text(), parser="lalr", lexer=no_lexer(), start=list(START_SYMBOLS), debug=True)
    finally:
        lark.logger.removeHandler(collect)
        lark.logger.setLevel(level)
    found: set[tuple[str, str]] = set()
    messages = collect.messages
    for k, message in enumerate(messages):
        if message.startswith("Shift/Reduce conflict for terminal"):
            terminal = message.split("terminal ", 1)[1].split(":", 1)[0]
            rule = messages[k + 1].strip().lstrip("* ").strip()
            found.add((terminal, rule))
    assert not any("Reduce/Reduce" in m for m in messages)
    unexpected = {c for c in found if c not in EXPECTED and c[1] not in RETURN_RULES}
    assert unexpected == set()
    assert found >= EXPECTED
