"""The context layer between the lexer and the LALR grammar.

Newlines are insignificant in Haira, so a few decisions that REF's recursive
descent parser makes by looking around cannot be made by an LALR(1) table.
This pass makes them on the token stream, using bracket matching and newlines,
and encodes them in the token types:

* `BLOCK_LBRACE`: a `{` that opens a block where an expression could also
  start: the block after an `if`/`while`/`for`/`match`/`select` head (so
  `if d != Dir.North {` is not a struct literal, language.md §0 #31a), the
  body after a lambda's or arm's `=>`, the body of a block lambda `(x) { }`.
* `ARM_ARROW`: the `=>` that ends a match/select arm's pattern or guard, so a
  guard `n > limit =>` never reads as a lambda (§0 #31b). Arms are separated
  by newlines: a newline at arm depth ends the arm's body unless the line
  ends with an operator.
* `LAMBDA_LPAR`: a `(` in operand position whose `)` is followed by `=>` or
  by a block: the parameter list of a lambda.
* `DEF_MARK`: a zero-width token before a top-level `name(...) {` or
  `Type.name(...) {` (also with `-> T`): a function or method definition,
  not a call statement (§2.1).
* Keywords used as names: after `.` or `@`, before `:` or `=`, and the
  declaration keywords `agent`/`tool`/`provider` unless a name follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from hairac.syntax.tokens import LITERAL_KEYWORDS, SOFT_DECL_KEYWORDS, Tok

_OPENERS: Final = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
_CLOSERS: Final = {v: k for k, v in _OPENERS.items()}

# Tokens after which a `(` is a call and not the start of an operand.
_ENDERS: Final = frozenset(
    "NAME INT FLOAT STRING ISTRING TRIPLE ITRIPLE RPAR RSQB RBRACE TRUE FALSE NIL NONE QMARK FN".split()  # noqa: SIM905
)

# After these a `(` is a call or a type, never a lambda's parameter list.
_NOT_LAMBDA: Final = _ENDERS | {"ARROW"}

# A line ending with one of these continues the arm body on the next line.
_CONTINUES: Final = frozenset(
    """PLUS MINUS STAR SLASH PERCENT AMP PIPE CARET SHL SHR PIPEGT ORELSE AND OR NOT TILDE EQ NE
    LT GT LE GE DOTDOT DOTDOTEQ DOT ASSIGN FATARROW ARM_ARROW COLON""".split()  # noqa: SIM905
)

# Statements that cannot start an expression: a `{` followed by one opens a block.
_STMT_KEYWORDS: Final = frozenset(
    {"RETURN", "LET", "CONST", "WHILE", "FOR", "DEFER", "ERRDEFER", "TRY", "BREAK", "CONTINUE",
     "ASSERT", "STEP", "VERIFY"}
)  # fmt: skip

# After these a `{` is not a value: either the previous expression ended, or a
# keyword whose grammar takes a plain block (`else {`, `try {`, `spawn {`...).
_NOT_VALUE_BRACE: Final = _ENDERS | {
    "ELSE", "TRY", "VERIFY", "SPAWN", "ASYNC", "ONERROR", "ONSUCCESS", "ONCANCEL",
}  # fmt: skip

_PATTERN, _BODY = 0, 1
_OTHER, _BLOCK, _ARMS = 0, 1, 2


class _Frame:
    __slots__ = ("kind", "phase", "role", "started")

    def __init__(self, kind: str, role: int) -> None:
        self.kind = kind
        self.role = role
        self.phase = _PATTERN
        self.started = False


def match_brackets(toks: list[Tok]) -> tuple[dict[int, int], list[int], list[int]]:
    """Pair brackets: (opener index -> closer index, unclosed opener indices, stray closer indices)."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    stray: list[int] = []
    unclosed: list[int] = []
    for i, t in enumerate(toks):
        ty = t.type
        if ty in _OPENERS:
            stack.append(i)
        elif ty in _CLOSERS:
            want = _CLOSERS[ty]
            if stack and toks[stack[-1]].type == want:
                partner[stack.pop()] = i
                continue
            # A mismatch: if the right opener is further down, the ones above it are unclosed.
            depth = len(stack) - 1
            while depth >= 0 and toks[stack[depth]].type != want:
                depth -= 1
            if depth < 0:
                stray.append(i)
                continue
            partner[stack[depth]] = i
            unclosed.extend(stack[depth + 1 :])
            del stack[depth:]
    return partner, sorted(unclosed + stack), stray


# A keyword right before one of these can only be a name (`f(type)`, `test.x`)...
_NAME_FOLLOWERS: Final = frozenset({"RPAR", "RSQB", "DOT", "COMMA"})
# ...except these, which end a match arm: `0 => break,`.
_JUMPS: Final = frozenset({"break", "continue", "return"})


def _soften_keywords(toks: list[Tok]) -> None:
    """Turn keywords into names where only a name makes sense."""
    n = len(toks)
    for i, t in enumerate(toks):
        word = t.value
        if not isinstance(word, str) or t.type != word.upper() or word in LITERAL_KEYWORDS:
            continue
        prev = toks[i - 1].type if i else ""
        nxt = toks[i + 1].type if i + 1 < n else ""
        if (
            prev in ("DOT", "AT")
            or nxt in ("COLON", "ASSIGN")
            or (nxt in _NAME_FOLLOWERS and word not in _JUMPS)
            or (word in SOFT_DECL_KEYWORDS and nxt != "NAME")
        ):
            t.type = "NAME"


def _is_definition(toks: list[Tok], i: int, partner: dict[int, int]) -> bool:
    """`name(...) {`/`->` or `Type.name(...) {`/`->` starting at `i`."""
    n = len(toks)
    j = i + 1
    if j + 1 < n and toks[j].type == "DOT" and toks[j + 1].type == "NAME":
        j += 2
    if j >= n or toks[j].type != "LPAR" or j not in partner:
        return False
    k = partner[j] + 1
    return k < n and toks[k].type in ("LBRACE", "ARROW")


# Keywords that start a line and are followed by a name, string or number:
# a misspelling of one of these at the start of a line is almost surely that.
_FIXABLE_KEYWORDS: Final = (
    "fn", "struct", "enum", "type", "import", "return", "while", "for", "if", "match", "let",
    "const", "test", "eval", "step", "agent", "tool", "provider", "workflow", "defer",
    "errdefer", "assert", "export", "pub", "spawn", "try",
)
_FIX_FOLLOWERS: Final = frozenset({"NAME", "STRING", "INT", "FLOAT"})
# Other languages' keywords, read as the Haira one (with a hint) so parsing goes on.
_FOREIGN_KEYWORDS: Final = {
    "func": ("fn", "Haira declares functions with 'fn'"),
    "function": ("fn", "Haira declares functions with 'fn'"),
    "def": ("fn", "Haira declares functions with 'fn'"),
    "fun": ("fn", "Haira declares functions with 'fn'"),
    "class": ("struct", "Haira declares data types with 'struct' (methods: `Type.name() { }`)"),
    "var": ("let", "declare a variable with 'let' (or just assign it)"),
    "switch": ("match", "Haira uses 'match'"),
}


@dataclass
class Context:
    """The rewritten tokens plus what the parser needs for messages and recovery."""

    toks: list[Tok]
    unclosed: list[int] = field(default_factory=list)  # offsets of openers never closed
    stray: set[int] = field(default_factory=set)  # offsets of closers without opener
    fixes: list[tuple[Tok, str, str]] = field(default_factory=list)  # (token, word, hint)


def _fix_misspelled_keywords(toks: list[Tok]) -> list[tuple[Tok, str, str]]:
    """`fnn main() {`, `retrun x`, `whlie x < 3 {`: a line that starts with two
    names is never valid; when the first is a near-miss of a keyword, read it as
    that keyword (and let the parser report it), so the rest parses normally."""
    fixes: list[tuple[Tok, str, str]] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t.type != "NAME" or not (t.nl or i == 0) or i + 1 >= n:
            continue
        nxt = toks[i + 1]
        if nxt.nl or nxt.type not in _FIX_FOLLOWERS:
            continue
        word = str(t.value)
        if not word.islower():
            continue  # keywords are lower case; `Test x` is not a misspelt `test`
        alias = _FOREIGN_KEYWORDS.get(word)
        if alias is not None:
            keyword, hint = alias
        else:
            close = [k for k in _FIXABLE_KEYWORDS if _one_edit_apart(word, k)]
            if not close:
                continue
            keyword, hint = close[0], f"did you mean '{close[0]}'?"
        fixes.append((t, word, hint))
        t.type = keyword.upper()
        t.value = keyword
    return fixes


def _one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])  # fmt: skip
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _map_follows(toks: list[Tok], i: int) -> bool:
    """After `=>`, `{"key": ...` can only be a map literal (no statement starts so)."""
    return (
        i + 2 < len(toks)
        and toks[i + 1].type in ("STRING", "ISTRING")
        and toks[i + 2].type == "COLON"
    )


def _is_block_expr(toks: list[Tok], i: int, partner: dict[int, int]) -> bool:
    """Is the `{` at i, in operand position, a block used as a value rather than a
    map literal? A map's first entry has a `:` at its top level before its line
    ends (`{"a": 1}`, `{name: v}`, `{}`); a block starts with a statement
    (`{ a = f() \n a + 1 }`). Only clear statement openers count as a block."""
    close = partner.get(i)
    if close is None or close == i + 1:
        return False
    first = toks[i + 1]
    if first.type in _STMT_KEYWORDS:
        return True
    depth = 0
    for k in range(i + 1, close):
        t = toks[k]
        if t.nl and k > i + 1 and depth == 0:
            break
        ty = t.type
        if ty in _OPENERS:
            depth += 1
        elif ty in _CLOSERS:
            depth -= 1
        elif depth == 0 and ty == "COLON":
            return False
        elif depth == 0 and ty in ("ASSIGN", "AUGASSIGN"):
            return True
    return False


def _opens_block(
    toks: list[Tok], i: int, prev: str, force_block: set[int], partner: dict[int, int]
) -> bool:
    """A `{` that is not a head's: a lambda/arm body, or a block used as a value."""
    if i in force_block:
        return True
    if prev in ("FATARROW", "ARM_ARROW"):
        return not _map_follows(toks, i)
    return prev not in _NOT_VALUE_BRACE and _is_block_expr(toks, i, partner)


def apply_context(toks: list[Tok]) -> Context:  # noqa: C901
    """Rewrite token types in place as described above. DEF_MARK and ARM_END
    tokens are inserted, so `Context.toks` is a new list."""
    partner, unclosed, stray = match_brackets(toks)
    fixes = _fix_misspelled_keywords(toks)
    _soften_keywords(toks)
    out: list[Tok] = []
    frames: list[_Frame] = []
    pending: list[tuple[int, bool]] = []  # (depth, opens arms) of heads awaiting their `{`
    force_block: set[int] = set()
    prev = ""
    for i, t in enumerate(toks):
        ty = t.type
        depth = len(frames)
        arms = frames[-1] if frames and frames[-1].role == _ARMS else None
        if arms is not None and t.nl and arms.phase == _BODY and arms.started and prev not in _CONTINUES:
            arms.phase = _PATTERN
            # Tell the grammar the arm ended, so `"a"\n-1 => ...` is not `"a" - 1`.
            out.append(Tok("ARM_END", "", t.start, t.start, True))
        switched = False
        if ty == "NAME":
            if depth == 0 and (t.nl or i == 0 or prev == "PUB") and _is_definition(toks, i, partner):
                out.append(Tok("DEF_MARK", "", t.start, t.start, t.nl))
        elif ty == "IF":
            if not (arms is not None and arms.phase == _PATTERN):
                pending.append((depth, False))
        elif ty in ("WHILE", "FOR"):
            pending.append((depth, False))
        elif ty in ("MATCH", "SELECT"):
            pending.append((depth, True))
        elif ty == "LBRACE":
            role = _OTHER
            if pending and pending[-1][0] == depth and (prev in _ENDERS or pending[-1][1]):
                # The head's expression is complete (it ends in a name, literal or
                # closer), so this `{` opens the block; after an operator or `in`
                # it starts a map literal (`for k, v in {"a": 1} {`).
                role = _ARMS if pending.pop()[1] else _BLOCK
                t.type = "BLOCK_LBRACE"
            elif _opens_block(toks, i, prev, force_block, partner):
                role = _BLOCK
                t.type = "BLOCK_LBRACE"
            if arms is not None and arms.phase == _BODY:
                arms.started = True
            frames.append(_Frame("LBRACE", role))
        elif ty == "LPAR" or ty == "LSQB":
            if ty == "LPAR" and prev not in _NOT_LAMBDA and i in partner:
                k = partner[i] + 1
                if k < len(toks):
                    after = toks[k].type
                    if after == "FATARROW" and arms is not None and arms.phase == _PATTERN:
                        pass  # `_ if (cond) => ...`: the guard ends, no lambda (§0 #31b)
                    elif after == "FATARROW":
                        t.type = "LAMBDA_LPAR"
                    elif after == "LBRACE" and not (pending and pending[-1][0] == depth):
                        t.type = "LAMBDA_LPAR"
                        force_block.add(k)
            if arms is not None and arms.phase == _BODY:
                arms.started = True
            frames.append(_Frame(ty, _OTHER))
        elif ty in _CLOSERS:
            if frames:
                frames.pop()
            while pending and pending[-1][0] > len(frames):
                pending.pop()
        elif ty == "FATARROW" and arms is not None and arms.phase == _PATTERN:
            t.type = "ARM_ARROW"
            arms.phase = _BODY
            arms.started = False
            switched = True
        if arms is not None and arms.phase == _BODY and not switched and frames and frames[-1] is arms:
            arms.started = True
        out.append(t)
        prev = t.type
    return Context(out, [toks[i].start for i in unclosed], {toks[i].start for i in stray}, fixes)
