"""The LALR(1) driver: tokens -> AST, with error recovery.

The loop is lark's (shift / reduce / goto over the tables from tables.py),
written out here so that it can (a) feed our own tokens, (b) call the node
builder directly, (c) recover from syntax errors and keep going, and (d)
refuse absurd nesting with a diagnostic instead of exhausting memory or
blowing the stack of whoever walks the tree later.

Recovery is panic mode with a trial run: after an error, take the next
token that starts a line (or a `}`), and pop parser states until the parser
can accept that token and the two after it; discard what was popped.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable
from typing import Any

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink, SourceFile, Span
from hairac.diagnostics import messages as msg
from hairac.syntax.build import Builder
from hairac.syntax.layer import Context, apply_context
from hairac.syntax.lexer import Lexer
from hairac.syntax.tables import Tables, load_tables
from hairac.syntax.tokens import DISPLAY, KEYWORDS, Tok, describe

MAX_STACK = 2000  # parser states: a hard stop for absurd input (memory, time)
MAX_DEPTH = 200  # tree nesting handed to later stages (their walkers recurse)
_DEEP_MARK = 100  # parser states; real programs stay below ~40
MAX_ERRORS = 50
_TRIAL_TOKENS = 3
_SYNC_TYPES = frozenset({"RBRACE", "DEF_MARK"})
_OPENERS = frozenset({"LPAR", "LSQB", "LBRACE", "BLOCK_LBRACE", "LAMBDA_LPAR"})
_CLOSERS = frozenset({"RPAR", "RSQB", "RBRACE"})
_CLOSER_OF = {"LPAR": "RPAR", "LAMBDA_LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE",
              "BLOCK_LBRACE": "RBRACE"}  # fmt: skip
# Parser states that sit between two statements, items, fields or arms.
_BOUNDARY = frozenset(
    {"stmt", "item", "match_arm", "struct_field", "config_field", "enum_variant", "select_arm"}
)
_OPERATOR_TERMS = frozenset(
    """PLUS MINUS STAR SLASH PERCENT AMP PIPE CARET SHL SHR PIPEGT ORELSE AND OR EQ NE LT GT
    LE GE DOTDOT DOTDOTEQ DOT QMARK LPAR LSQB AUGASSIGN ASSIGN""".split()  # noqa: SIM905
)

_EXPR_START = frozenset({"INT", "STRING", "LSQB", "NAME"})
_ITEM_START = frozenset({"FN", "STRUCT", "ENUM"})
_ITEM_KEYWORDS = frozenset(
    {"FN", "STRUCT", "ENUM", "AT", "WORKFLOW", "TOOL", "AGENT", "PROVIDER", "TEST", "EVAL",
     "IMPORT", "EXPORT", "TYPE", "PUB", "DEF_MARK"}
)  # fmt: skip
_TYPE_START = frozenset({"NAME", "LSQB", "LPAR", "NIL"})


# Unit-reduction chains, per table set: {(state below, top state, lookahead): final state}.
_UNIT_CACHE: dict[int, dict[tuple[int, int, str], int]] = {}


class _Abort(Exception):
    """Parsing cannot continue (nesting too deep, too many errors)."""


class Parser:
    def __init__(self, file: SourceFile, sink: DiagnosticSink, tables: Tables | None = None) -> None:
        self.file = file
        self.sink = sink
        self.tables = tables or load_tables()
        self.builder = Builder(file, sink, self._parse_interp)
        # Per rule: (size, origin, callback); callback None = a `?rule` unit
        # reduction that passes its child through (the loop just re-gotos).
        self.reductions: list[tuple[int, str, Callable[[list[Any]], Any] | None]] = [
            (rule.size, rule.origin, None if rule.expand1 and rule.size == 1 else
             self._callback(rule.name, rule.expand1))
            for rule in self.tables.rules
        ]  # fmt: skip
        self.error_count = 0
        self.ctx = Context([])
        self.runaway = False  # the lexer ran to EOF in an unterminated string/comment
        self.in_interp = False
        self._depths: list[int] | None = None
        self._end_state = -1
        self.deep = False  # the state stack grew past _DEEP_MARK: check the tree's depth

    def _callback(self, name: str, expand1: bool) -> Callable[[list[Any]], Any]:
        if expand1:
            return _first
        method = getattr(self.builder, name, None)
        if method is not None:
            return method  # type: ignore[no-any-return]
        return _children

    # ------------------------------------------------------------------ entry points

    def parse_module(self) -> n.Module:
        lexer = Lexer(self.file, self.sink)
        ctx = apply_context(lexer.tokens())
        self.ctx = ctx
        self.runaway = lexer.runaway
        for tok, word, hint in ctx.fixes:
            self.sink.error(
                Span(self.file, tok.start, tok.end), f"unknown keyword '{word}'", hint,
                msg.UNEXPECTED_TOKEN.code,
            )  # fmt: skip
            self.error_count += 1
        result = self._run(ctx.toks, "module")
        empty = n.Module(span=Span(self.file, 0, len(self.file.text)), items=())
        if isinstance(result, n.Module):
            if self.deep and not self._depth_ok(result):
                return empty
            if self.error_count == 0:
                self._report_misplaced_hooks()
            return result
        return empty

    def _depth_ok(self, module: n.Module) -> bool:
        """Bound the tree's nesting (MAX_DEPTH) so that recursive tree walkers
        (checker, code generator) stay within Python's recursion limit. An
        `else if` continues its chain: it does not count as nesting."""
        deepest: tuple[int, n.Node] = (0, module)
        stack: list[tuple[n.Node, int]] = [(module, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > deepest[0]:
                deepest = (depth, node)
            chain = node.else_ if isinstance(node, (n.IfStmt, n.IfExpr)) else None
            for child in n.children(node):
                stack.append((child, depth if child is chain else depth + 1))
        if deepest[0] <= MAX_DEPTH:
            return True
        self.sink.error(
            deepest[1].span, msg.TOO_DEEP.format(what="expression or block"),
            "split the expression or block into smaller functions", msg.TOO_DEEP.code,
        )  # fmt: skip
        return False

    def parse_expr_range(self, start: int, end: int) -> n.Expr | None:
        lexer = Lexer(self.file, self.sink, start=start, end=end)
        ctx = apply_context(lexer.tokens())
        saved = (self.ctx, self.runaway, self.in_interp, self._depths)
        self.ctx, self.runaway, self.in_interp, self._depths = ctx, lexer.runaway, True, None
        try:
            result = self._run(ctx.toks, "expr", end_offset=end)
        finally:
            self.ctx, self.runaway, self.in_interp, self._depths = saved
        return result if isinstance(result, n.Node) else None  # type: ignore[return-value]

    def _parse_interp(self, start: int, end: int) -> n.Expr | None:
        before = self.sink.error_count
        expr = self.parse_expr_range(start, end)
        if expr is None and self.sink.error_count == before:
            self.sink.error(Span(self.file, start, end), msg.BAD_INTERP.format(), None, msg.BAD_INTERP.code)
        return expr

    def _report_misplaced_hooks(self) -> None:
        for _block, hooks in self.builder.block_hooks.values():
            for h in hooks:
                if isinstance(h, n.ToolHook):
                    self.sink.error(h.span, msg.MISPLACED_TOOL_HOOK.format(hook=h.kind), None,
                                    msg.MISPLACED_TOOL_HOOK.code)  # fmt: skip
                else:
                    self.sink.error(h.span, msg.MISPLACED_HOOK.format(hook=h.kind), None,
                                    msg.MISPLACED_HOOK.code)  # fmt: skip
        self.builder.block_hooks.clear()

    # ------------------------------------------------------------------ the LALR loop

    def _run(self, toks: list[Tok], start: str, end_offset: int | None = None) -> Any:
        last = toks[-1].end if toks else (end_offset if end_offset is not None else 0)
        toks.append(Tok("$END", "", last, last, True))
        # The parse allocates many small acyclic objects; the cyclic collector
        # would scan them again and again for nothing (about a third of the time).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._loop(toks, start)
        except _Abort:
            return None
        finally:
            if gc_was_enabled:
                gc.enable()

    def _loop(self, toks: list[Tok], start: str) -> Any:  # noqa: C901 - the hot loop stays flat
        tables = self.tables
        states = tables.states
        reductions = self.reductions
        unit_cache = _UNIT_CACHE.setdefault(id(tables), {})
        end_state = tables.end_states[start]
        self._end_state = end_state
        stack_s: list[int] = [tables.start_states[start]]
        stack_v: list[Any] = []
        i = 0
        quiet_until = -1
        while True:
            tok = toks[i]
            ty = tok.type
            act = states[stack_s[-1]].get(ty)
            if act is None:
                if i >= quiet_until:
                    self._report(tok, toks, i, stack_s[-1])
                resumed = self._recover(toks, i, stack_s, stack_v)
                if resumed is None:
                    return None
                i = resumed
                quiet_until = i + _TRIAL_TOKENS
                continue
            if act >= 0:
                stack_s.append(act)
                stack_v.append(tok)
                i += 1
                if len(stack_s) > _DEEP_MARK:
                    # Real programs stay far below this; past it, measure the tree afterwards.
                    self.deep = True
                    if len(stack_s) > MAX_STACK:
                        self._too_deep(tok)
                continue
            size, origin, callback = reductions[-1 - act]
            if callback is None:
                # Unit reduction (atom -> postfix -> ... -> expr): the value stays,
                # only the top state changes, and a chain of them depends only on
                # (state below, top state, lookahead): follow it once, then cache.
                below = stack_s[-2]
                key = (below, stack_s[-1], ty)
                goto = unit_cache.get(key, -1)
                if goto < 0:
                    goto = states[below][origin]
                    while ty != "$END":
                        nxt = states[goto].get(ty)
                        if nxt is None or nxt >= 0 or reductions[-1 - nxt][2] is not None:
                            break
                        goto = states[below][reductions[-1 - nxt][1]]
                    unit_cache[key] = goto
                stack_s[-1] = goto
                if ty == "$END" and goto == end_state:
                    return stack_v[-1]
                continue
            if size:
                children = stack_v[-size:]
                del stack_s[-size:]
                del stack_v[-size:]
            else:
                children = []
            value = callback(children)
            goto = states[stack_s[-1]][origin]
            stack_s.append(goto)
            stack_v.append(value)
            if ty == "$END" and goto == end_state:
                return value

    def _too_deep(self, tok: Tok) -> None:
        self.sink.error(
            Span(self.file, tok.start, tok.end), msg.TOO_DEEP.format(what="expression or block"),
            "split the expression or block into smaller functions", msg.TOO_DEEP.code,
        )  # fmt: skip
        raise _Abort

    # ------------------------------------------------------------------ recovery

    def _accepts(self, stack: list[int], toks: list[Tok], j: int) -> bool:
        """Would the parser, from `stack`, accept toks[j:j+3]? (states only, no values)"""
        states = self.tables.states
        rules = self.tables.rules
        stack = list(stack)
        for k in range(j, min(j + _TRIAL_TOKENS, len(toks))):
            ty = toks[k].type
            while True:
                act = states[stack[-1]].get(ty)
                if act is None:
                    return False
                if act >= 0:
                    stack.append(act)
                    break
                rule = rules[-1 - act]
                if rule.size:
                    del stack[-rule.size :]
                goto = states[stack[-1]].get(rule.origin)
                if goto is None:
                    return False
                stack.append(goto)
                if ty == "$END" and goto == self._end_state:
                    return True
        return True

    def _bracket_depths(self, toks: list[Tok]) -> list[int]:
        """Bracket nesting before each token (computed on the first error only)."""
        if self._depths is None:
            depths: list[int] = []
            d = 0
            for t in toks:
                ty = t.type
                if ty in _CLOSERS:
                    d = max(0, d - 1)
                depths.append(d)
                if ty in _OPENERS:
                    d += 1
            self._depths = depths
        return self._depths

    def _recover(self, toks: list[Tok], i: int, stack_s: list[int], stack_v: list[Any]) -> int | None:
        """Resume at the first line start (or `}`) not nested deeper than the error,
        preferring parser states between statements/items/fields."""
        depths = self._bracket_depths(toks)
        states = self.tables.states
        for constrained in (True, False):
            for j in range(i, len(toks)):
                t = toks[j]
                if not (t.nl or t.type in _SYNC_TYPES or t.type == "$END"):
                    continue
                if constrained and depths[j] > depths[i]:
                    continue
                for want_boundary in (True, False):
                    for depth in range(len(stack_s), 0, -1):
                        state = states[stack_s[depth - 1]]
                        if want_boundary and not _BOUNDARY.intersection(state):
                            continue
                        if self._accepts(stack_s[:depth], toks, j):
                            del stack_s[depth:]
                            del stack_v[depth - 1 :]
                            return j
        return None

    # ------------------------------------------------------------------ messages

    def _report(self, tok: Tok, toks: list[Tok], i: int, state: int) -> None:
        self.error_count += 1
        if self.error_count > MAX_ERRORS:
            self.sink.error(Span(self.file, tok.start, tok.end), msg.TOO_MANY_ERRORS.format(), None,
                            msg.TOO_MANY_ERRORS.code)  # fmt: skip
            raise _Abort
        expected = {s for s in self.tables.states[state] if s.isupper() and not s.startswith("$")}
        if "$END" in self.tables.states[state]:
            expected.add("$END")
        if tok.type == "$END" and self.runaway:
            return  # the lexer already reported the unterminated string or comment
        found = "end of '${...}'" if tok.type == "$END" and self.in_interp else describe(tok)
        if {"TOOL", "WORKFLOW"} <= expected and "FN" not in expected:
            message = msg.EXPECTED_WORKFLOW_OR_TOOL.format() + f", found {found}"
        elif self.in_interp and expected <= _OPERATOR_TERMS | {"$END", "LAMBDA_LPAR"}:
            message = f"expected the end of '${{...}}', found {found}"
        else:
            message = f"expected {self._expected_text(expected)}, found {found}"
        hint = self._hint(tok, toks, i, expected)
        code = msg.UNEXPECTED_EOF.code if tok.type == "$END" else msg.UNEXPECTED_TOKEN.code
        self.sink.error(Span(self.file, tok.start, tok.end), message, hint, code)

    @staticmethod
    def _expected_text(expected: set[str]) -> str:
        if "DEF_MARK" in expected or expected >= _ITEM_START:
            return "item or statement"
        if expected >= _TYPE_START and "INT" not in expected:
            return "type"
        if expected >= _EXPR_START:
            if "RBRACE" in expected and "RETURN" in expected:
                return "statement or '}'"
            return "expression"
        useful = {e for e in expected if e not in _OPERATOR_TERMS and e != "LAMBDA_LPAR"}
        # An operator could always continue an expression: only list them alone.
        shown = sorted({DISPLAY.get(e, e) for e in (useful or expected) if e != "LAMBDA_LPAR"})
        if not shown:
            return "nothing more"
        if len(shown) > 5:
            return ", ".join(shown[:5]) + " or another token"
        if len(shown) == 1:
            return shown[0]
        return ", ".join(shown[:-1]) + " or " + shown[-1]

    def _hint(self, tok: Tok, toks: list[Tok], i: int, expected: set[str]) -> str | None:  # noqa: C901
        unclosed = self.ctx.unclosed
        if tok.type == "$END" and unclosed:
            return self._never_closed(unclosed[-1])
        if expected & _CLOSERS:
            opener = _enclosing_opener(toks, i)
            if opener is not None and toks[opener].start in unclosed and _CLOSER_OF[toks[opener].type] in expected:
                return self._never_closed(toks[opener].start)
        # An item keyword at the start of a line inside an unclosed block: the
        # block above it is missing its `}`.
        head = toks[i - 1] if tok.type == "NAME" and i > 0 and toks[i - 1].type == "FN" else tok
        if head.nl and head.type in _ITEM_KEYWORDS:
            before = [u for u in unclosed if u < head.start and self.file.text[u] == "{"]
            if before:
                return self._never_closed(before[-1])
        if _ternary_before(toks, i):
            return "Haira has no `c ? a : b`; write `if c { a } else { b }`"
        if tok.type == "ASSIGN" and "BLOCK_LBRACE" in expected:
            return "use '==' to compare"
        if tok.type == "COMMA" and "DEF_MARK" in expected:
            return "an assignment has a single value on its right (no tuple assignment)"
        for cand in (tok, toks[i - 1] if i > 0 else None):
            if cand is not None and cand.type == "NAME":
                word = str(cand.value)
                close = difflib.get_close_matches(word, KEYWORDS, n=1, cutoff=0.75)
                if close and close[0] != word:
                    return f"did you mean '{close[0]}'?"
        if tok.type in _CLOSERS and tok.start in self.ctx.stray:
            return f"this '{self.file.text[tok.start]}' has no matching opening bracket"
        return None

    def _never_closed(self, offset: int) -> str:
        line, col = self.file.position(offset)
        return f"the '{self.file.text[offset]}' opened at {line}:{col} is never closed"


_TERNARY_THEN = frozenset({"NAME", "INT", "FLOAT", "STRING", "ISTRING", "TRUE", "FALSE", "NIL",
                           "MINUS", "LPAR", "LSQB", "NOT"})  # fmt: skip


def _ternary_before(toks: list[Tok], i: int) -> bool:
    """A `?` followed by an operand earlier on the error's line: a C-style `c ? a : b`."""
    k = i
    while k > 0:
        k -= 1
        if toks[k].type == "QMARK" and toks[k + 1].type in _TERNARY_THEN and not toks[k + 1].nl:
            return True
        if toks[k].nl:
            return False
    return False


def _enclosing_opener(toks: list[Tok], i: int) -> int | None:
    """Index of the innermost bracket still open before toks[i]."""
    depth = 0
    for k in range(i - 1, -1, -1):
        ty = toks[k].type
        if ty in _CLOSERS:
            depth += 1
        elif ty in _OPENERS:
            if depth == 0:
                return k
            depth -= 1
    return None


def _first(children: list[Any]) -> Any:
    return children[0] if len(children) == 1 else children


def _children(children: list[Any]) -> Any:
    return children


def parse_source(source: SourceFile, sink: DiagnosticSink) -> n.Module:
    """Parse one file. Problems go to `sink`; the module holds what parsed."""
    return Parser(source, sink).parse_module()


def parse_expression(source: SourceFile, sink: DiagnosticSink) -> n.Expr | None:
    """Parse the whole of `source` as one expression (tests, REPL-style tools)."""
    return Parser(source, sink).parse_expr_range(0, len(source.text))
