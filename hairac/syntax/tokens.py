"""Token kinds and the token record shared by the lexer, the context layer and the parser.

Token `type` strings are the terminal names declared in `haira.lark`.
"""

from __future__ import annotations

from typing import Final

# Hard keywords (language.md §1.3). `err` and `ok` are plain identifiers here:
# REF accepts them wherever an identifier is expected, so nothing is lost.
KEYWORDS: Final[frozenset[str]] = frozenset(
    """if else for while return match true false none nil some and or not in async spawn
    select try catch pub export break continue from default provider tool agent workflow fn
    enum struct type trait impl defer errdefer import step let const orelse assert verify test
    eval onerror onsuccess oncancel""".split()  # noqa: SIM905
)

# Keywords that are only keywords when a name follows (`agent Writer {`), so
# `agent`, `tool` and `provider` stay usable as variable names.
SOFT_DECL_KEYWORDS: Final[frozenset[str]] = frozenset({"agent", "tool", "provider"})

# Literal keywords never turn into names.
LITERAL_KEYWORDS: Final[frozenset[str]] = frozenset({"true", "false", "nil", "none"})

OPERATORS: Final[dict[str, str]] = {
    "<<=": "AUGASSIGN",
    ">>=": "AUGASSIGN",
    "...": "ELLIPSIS",
    "..=": "DOTDOTEQ",
    "..": "DOTDOT",
    "|>": "PIPEGT",
    "=>": "FATARROW",
    "->": "ARROW",
    "==": "EQ",
    "!=": "NE",
    "<=": "LE",
    ">=": "GE",
    "<<": "SHL",
    ">>": "SHR",
    "+=": "AUGASSIGN",
    "-=": "AUGASSIGN",
    "*=": "AUGASSIGN",
    "/=": "AUGASSIGN",
    "%=": "AUGASSIGN",
    "&=": "AUGASSIGN",
    "|=": "AUGASSIGN",
    "^=": "AUGASSIGN",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "%": "PERCENT",
    "=": "ASSIGN",
    "<": "LT",
    ">": "GT",
    "|": "PIPE",
    "&": "AMP",
    "^": "CARET",
    "~": "TILDE",
    "?": "QMARK",
    ".": "DOT",
    ":": "COLON",
    ",": "COMMA",
    "@": "AT",
    "(": "LPAR",
    ")": "RPAR",
    "{": "LBRACE",
    "}": "RBRACE",
    "[": "LSQB",
    "]": "RSQB",
}

# Human-readable names of terminals, for "expected X, found Y".
DISPLAY: Final[dict[str, str]] = {
    "NAME": "identifier",
    "INT": "integer",
    "FLOAT": "float",
    "STRING": "string",
    "ISTRING": "string",
    "TRIPLE": "triple-quoted string",
    "ITRIPLE": "triple-quoted string",
    "BLOCK_LBRACE": "'{'",
    "LAMBDA_LPAR": "'('",
    "ARM_ARROW": "'=>'",
    "DEF_MARK": "function definition",
    "ARM_END": "end of match arm",
    "AUGASSIGN": "compound assignment",
    "$END": "end of file",
}
for _text, _kind in OPERATORS.items():
    if _kind != "AUGASSIGN":
        DISPLAY.setdefault(_kind, f"'{_text}'")
for _kw in KEYWORDS:
    DISPLAY[_kw.upper()] = f"'{_kw}'"


class Tok:
    """A token: `type` (terminal name), `value`, character offsets `[start, end)`.

    `nl` is True when a line break (or the start of the file) precedes the token;
    newlines are trivia for the grammar but matter to the context layer and to
    error recovery. `value` is the text for names/keywords/operators, the
    processed string for STRING/TRIPLE, a tuple of parts for ISTRING/ITRIPLE.
    """

    __slots__ = ("end", "nl", "start", "type", "value")

    def __init__(self, type_: str, value: object, start: int, end: int, nl: bool = False) -> None:
        self.type = type_
        self.value = value
        self.start = start
        self.end = end
        self.nl = nl

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.start}, {self.end})"


def describe(tok: Tok) -> str:
    """How a token is named in diagnostics."""
    t = tok.type
    if t == "$END":
        return "end of file"
    if t == "NAME":
        return f"identifier '{tok.value}'"
    if t in ("INT", "FLOAT"):
        return f"number {tok.value if isinstance(tok.value, str) else ''}".rstrip()
    if t in ("STRING", "ISTRING", "TRIPLE", "ITRIPLE"):
        return "string"
    if t == "DEF_MARK":
        return "function definition"
    if t == "AUGASSIGN":
        return f"'{tok.value}'"
    return DISPLAY.get(t, t)
