"""The canonical layout of a Haira module, printed from its AST.

Rules (one layout, whatever the input looked like):

* 4-space indentation, one statement / declaration / field / arm per line,
  at most one blank line kept where the source had any (never after `{`).
* Literals (numbers, strings, interpolations) are printed as written, so no
  escape or trimming rule can change a value.
* Parentheses are exactly those the operator levels need (language.md §1.7).
* A list, map, call, struct literal, struct or enum body is broken one item
  per line (with a trailing comma) when the source had a line break right
  after its opening bracket, and kept on one line otherwise.
* `=` in struct literals and named arguments becomes `:` in arguments and `=`
  in struct literals; both spellings build the same AST.
* Lifecycle hooks and the description come first in a workflow/tool/step body
  (the parser lifts them out of the body wherever they are).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final, cast

from hairac import nodes as n
from hairac.diagnostics import SourceFile, Span
from hairac.fmt.comments import Comment, Comments

IND: Final = "    "
_BLANK_LINE: Final = re.compile(r"\n[ \t\f\v]*\r?\n")

# Operator levels, loosest first (the grammar's `expr` … `postfix`, `atom`).
LAMBDA, ORELSE, PIPE, OR, AND, CMP, SUM, PROD, UNARY, POSTFIX, ATOM = range(11)

_BINARY_LEVEL: Final[dict[str, int]] = {
    "or": OR, "and": AND,
    "==": CMP, "!=": CMP, "<": CMP, ">": CMP, "<=": CMP, ">=": CMP,
    "+": SUM, "-": SUM, "|": SUM, "^": SUM,
    "*": PROD, "/": PROD, "%": PROD, "<<": PROD, ">>": PROD, "&": PROD,
}  # fmt: skip

# (start, end, render(indent) -> text): one line-level entry of a sequence.
Entry = tuple[int, int, Callable[[int], str]]


class Printer:
    def __init__(self, source: SourceFile) -> None:
        self.text = source.text
        self.comments = Comments(source)
        # Inside an if/while/for/match head a `Name {` would open the block, so struct
        # literals there keep parentheses (language.md §0 #31a).
        self.in_head = False
        # Comments to print above the entry being rendered (a stack shared by nested seqs).
        self.above: list[Comment] = []

    # ------------------------------------------------------------------ sequences

    def module(self, module: n.Module) -> str:
        entries: list[Entry] = [self._entry(item, self.item) for item in module.items]
        lines = self.seq(entries, 0, len(self.text) + 1)
        out = "\n".join(lines).rstrip()
        return out + "\n" if out else ""

    def _entry(self, node: n.Node, render: Callable[[n.Node, int], str]) -> Entry:
        end = node.span.end
        if isinstance(node, n.EnumVariant) and node.params is not None:
            end = self._open(")", end) + 1  # the parser's variant span stops before its `)`
        return (node.span.start, end, lambda ind: render(node, ind))

    def seq(self, entries: Sequence[Entry], ind: int, end_pos: int, suffix: str = "") -> list[str]:
        """Entries one per line at `ind`, with the comments before, between and after them."""
        pad = IND * ind
        out: list[str] = []
        prev: int | None = None

        def gap(start: int) -> None:
            # A blank line in the source between the previous entry and this one is kept
            # (one at most); code between them (a hook lifted to the top) is not a blank line.
            if prev is not None and _BLANK_LINE.search(self.text, prev, start):
                out.append("")

        for start, end, render in entries:
            for c in self.comments.take_before(start):
                gap(c.start)
                out.append(pad + c.text)
                prev = c.end
            gap(start)
            mark = len(self.above)
            body = render(ind)
            # Comments inside the entry that no nested block took (or that sat in a block's
            # head, before its `{`): keep them, above the entry.
            hoisted, self.above[mark:] = self.above[mark:], []
            for c in hoisted + self.comments.take_before(end):
                out.append(pad + c.text)
            trail = self.comments.take_trailing(end)
            line = pad + body + suffix
            if trail:
                line += " " + " ".join(c.text for c in trail)
            out.append(line)
            prev = trail[-1].end if trail else end
        for c in self.comments.take_before(end_pos):
            gap(c.start)
            out.append(pad + c.text)
            prev = c.end
        return out

    def braced(self, entries: Sequence[Entry], ind: int, end_pos: int, suffix: str = "") -> str:
        """`{` entries `}` (entries at ind + 1); `{}` when there is nothing inside."""
        lines = self.seq(entries, ind + 1, end_pos, suffix)
        if not lines:
            return "{}"
        return "{\n" + "\n".join(lines) + "\n" + IND * ind + "}"

    def head(self, e: n.Expr, ind: int) -> str:
        saved, self.in_head = self.in_head, True
        try:
            return self.expr(e, ind)
        finally:
            self.in_head = saved

    def block(self, block: n.Block, ind: int, head: Sequence[Entry] = ()) -> str:
        saved, self.in_head = self.in_head, False
        try:
            return self._block(block, ind, head)
        finally:
            self.in_head = saved

    def _block(self, block: n.Block, ind: int, head: Sequence[Entry] = ()) -> str:
        entries = list(head) + [self._entry(s, self.stmt) for s in block.stmts]
        start, end = block.span.start, block.span.end
        # Comments before the `{` (after a decorator, in a signature) go above the statement.
        self.above.extend(self.comments.take_before(start))
        # `{ stmt }` stays on one line when it was written so (one statement, no comment).
        one_line = len(entries) == 1 and not head and not self._has_newline(start, end)
        if one_line and not self.comments.any_before(end):
            text = entries[0][2](ind + 1)
            if "\n" not in text:
                return "{ " + text + " }"
        return self.braced(entries, ind, end)

    def _has_newline(self, start: int, end: int) -> bool:
        return "\n" in self.text[start:end] or "\r" in self.text[start:end]

    def _broken(self, open_pos: int, close_pos: int, nodes: Sequence[n.Node]) -> bool:
        """Did the source break a line between the items of a bracketed list (not inside one)?"""
        if not nodes:
            return False
        pos = open_pos
        for x in nodes:
            if self._has_newline(pos, x.span.start):
                return True
            pos = x.span.end
        return self._has_newline(pos, close_pos)

    def _open(self, ch: str, after: int) -> int:
        pos = self.text.find(ch, after)
        return pos if pos >= 0 else after

    def items_list(
        self, open_pos: int, close_pos: int, nodes: Sequence[n.Node],
        render: Callable[[n.Node, int], str], ind: int, comma: str = ",",
    ) -> tuple[str, bool]:  # fmt: skip
        """The inside of a bracketed list, and whether it is broken over lines (then each
        item ends with `comma`). `close_pos` is the closing bracket's end (or the last item's)."""
        saved, self.in_head = self.in_head, False  # inside brackets `Name {` is a literal again
        try:
            return self._items_list(open_pos, close_pos, nodes, render, ind, comma)
        finally:
            self.in_head = saved

    def _items_list(
        self, open_pos: int, close_pos: int, nodes: Sequence[n.Node],
        render: Callable[[n.Node, int], str], ind: int, comma: str,
    ) -> tuple[str, bool]:  # fmt: skip
        if self._broken(open_pos, close_pos, nodes):
            lines = self.seq([self._entry(x, render) for x in nodes], ind + 1, close_pos, comma)
            return "\n" + "\n".join(lines) + "\n" + IND * ind, True
        return ", ".join(render(x, ind) for x in nodes), False

    def src(self, node: n.Node) -> str:
        return self.text[node.span.start : node.span.end]

    # ------------------------------------------------------------------ items

    def item(self, node: n.Node, ind: int) -> str:  # noqa: C901 - one arm per item kind
        pub = "pub " if getattr(node, "is_pub", False) else ""
        match node:
            case n.ImportDecl():
                path = self.text[node.path_span.start : node.path_span.end]
                if node.kind == "module":
                    return f"{pub}import {path}"
                if node.kind == "alias":
                    return f"{pub}import {node.alias} from {path}"
                if node.kind == "glob":
                    return f"{pub}import * from {path}"
                names = ", ".join(x.name for x in node.names)
                return f"{pub}import {{ {names} }} from {path}"
            case n.ExportDecl():
                return "export { " + ", ".join(x.name for x in node.names) + " }"
            case n.FnDecl():
                kw = "" if node.short else "fn "
                sig = f"{pub}{kw}{node.name}{self.params(node.params, ind)}{self.ret(node.return_type)}"
                return f"{sig} {self.block(node.body, ind)}"
            case n.MethodDecl():
                sig = f"{pub}{node.receiver}.{node.name}{self.params(node.params, ind)}"
                return f"{sig}{self.ret(node.return_type)} {self.block(node.body, ind)}"
            case n.StructDecl():
                inner, broken = self.items_list(
                    self._open("{", node.name_span.end), node.span.end, node.fields, self.struct_field,
                    ind, comma="",
                )  # fmt: skip
                return f"{pub}struct {node.name} " + self._brace_wrap(inner, broken)
            case n.EnumDecl():
                inner, broken = self.items_list(
                    self._open("{", node.name_span.end), node.span.end, node.variants, self.variant, ind,
                    comma="",
                )  # fmt: skip
                return f"{pub}enum {node.name} " + self._brace_wrap(inner, broken)
            case n.TypeAliasDecl():
                return f"{pub}type {node.name} = {self.type(node.target)}"
            case n.ProviderDecl() | n.AgentDecl():
                kw = "provider" if isinstance(node, n.ProviderDecl) else "agent"
                return f"{pub}{kw} {node.name} {self.config(node.fields, ind, node.span.end)}"
            case n.EvalDecl():
                name = self.text[node.name_span.start : node.name_span.end]
                return f"eval {name} {self.config(node.fields, ind, node.span.end)}"
            case n.TestDecl():
                name = self.text[node.name_span.start : node.name_span.end]
                return f"test {name} {self.block(node.body, ind)}"
            case n.ToolDecl():
                sig = f"{pub}tool {node.name}{self.params(node.params, ind)}{self.ret(node.return_type)}"
                head = self._description(node.description_span) + [
                    self._entry(h, self.stmt) for h in node.hooks
                ]
                return (
                    self.decorators(node.decorators, ind)
                    + f"{sig} {self.block(node.body, ind, head)}"
                )
            case n.WorkflowDecl():
                sig = f"{pub}workflow {node.name}{self.params(node.params, ind)}{self.ret(node.return_type)}"
                head = self._description(node.description_span) + [
                    self._entry(h, self.stmt) for h in node.hooks
                ]
                return (
                    self.decorators(node.decorators, ind)
                    + f"{sig} {self.block(node.body, ind, head)}"
                )
            case _:
                return self.stmt(node, ind)

    @staticmethod
    def _brace_wrap(inner: str, broken: bool) -> str:
        if not inner:
            return "{}"
        return "{" + inner + "}" if broken else "{ " + inner + " }"

    def _description(self, span: Span | None) -> list[Entry]:
        if span is None:
            return []
        text = self.text[span.start : span.end]
        return [(span.start, span.end, lambda ind: text)]

    def config(self, fields: Sequence[n.ConfigField], ind: int, end: int) -> str:
        return self.braced([self._entry(f, self.config_field) for f in fields], ind, end)

    def config_field(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.ConfigField)
        return f"{node.name}: {self.expr(node.value, ind)}"

    def struct_field(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.StructField)
        out = node.name
        if node.type is not None:
            out += f": {self.type(node.type)}"
        if node.default is not None:
            out += f" = {self.expr(node.default, ind)}"
        return out

    def variant(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.EnumVariant)
        if node.params is None:
            return node.name
        return node.name + self.params(node.params, ind)

    def decorators(self, decorators: Sequence[n.Decorator], ind: int) -> str:
        return "".join(self.decorator(d, ind) + "\n" + IND * ind for d in decorators)

    def decorator(self, d: n.Decorator, ind: int) -> str:
        if not d.has_parens:
            return f"@{d.name}"
        inner, _ = self.items_list(d.name_span.end, d.span.end, d.args, self._arg_node, ind)
        return f"@{d.name}({inner})"

    def params(self, params: Sequence[n.Param], ind: int) -> str:
        if not params:
            return "()"
        inner, _ = self.items_list(
            self._open_before("(", params[0].span.start), self._open(")", params[-1].span.end) + 1, params,
            self._param_node, ind,
        )  # fmt: skip
        return f"({inner})"

    def _open_before(self, ch: str, pos: int) -> int:
        """The bracket `ch` right before `pos` (only blanks between), else `pos`."""
        found = self.text.rfind(ch, 0, pos)
        if found < 0 or self.text[found + 1 : pos].strip():
            return pos
        return found

    def _param_node(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.Param)
        return self.param(node, ind)

    def param(self, p: n.Param, ind: int) -> str:
        out = ("..." if p.rest else "") + p.name
        if p.type is not None:
            out += f": {self.type(p.type)}"
        if p.default is not None:
            out += f" = {self.expr(p.default, ind)}"
        return out

    def ret(self, t: n.TypeExpr | None) -> str:
        return "" if t is None else f" -> {self.type(t)}"

    # ------------------------------------------------------------------ types

    def type(self, t: n.TypeExpr) -> str:
        match t:
            case n.NamedType():
                name = f"{t.qualifier}.{t.name}" if t.qualifier else t.name
                if t.args:
                    name += "<" + ", ".join(self.type(a) for a in t.args) + ">"
                return name
            case n.ListType():
                return f"[{self.type(t.elem)}]"
            case n.MapType():
                return f"{{{self.type(t.key)}: {self.type(t.value)}}}"
            case n.RecordType():
                return "{ " + ", ".join(f"{f.name}: {self.type(f.type)}" for f in t.fields) + " }"
            case n.FuncType():
                return (
                    "(" + ", ".join(self.type(p) for p in t.params) + f") -> {self.type(t.result)}"
                )
            case n.TupleType():
                return "(" + ", ".join(self.type(e) for e in t.elems) + ")"
            case n.OptionalType():
                return f"{self.type(t.inner)}?"
            case n.UnionType():
                return " | ".join(self.type(m) for m in t.members)

    # ------------------------------------------------------------------ statements

    def stmt(self, node: n.Node, ind: int) -> str:  # noqa: C901 - one arm per statement kind
        match node:
            case n.ExprStmt():
                return self.expr(node.expr, ind)
            case n.Assign():
                targets = ", ".join(self.target(t, ind) for t in node.targets)
                return f"{targets} = {self.expr(node.value, ind)}"
            case n.AugAssign():
                return f"{self.expr(node.target, ind)} {node.op}= {self.expr(node.value, ind)}"
            case n.LetStmt():
                typ = f": {self.type(node.type)}" if node.type is not None else ""
                return f"{node.kind} {node.name}{typ} = {self.expr(node.value, ind)}"
            case n.IfStmt():
                return self.if_chain(node, ind)
            case n.WhileStmt():
                return f"while {self.head(node.cond, ind)} {self.block(node.body, ind)}"
            case n.ForStmt():
                names = ", ".join(x.name for x in node.names)
                return (
                    f"for {names} in {self.head(node.iterable, ind)} {self.block(node.body, ind)}"
                )
            case n.ReturnStmt():
                if not node.values:
                    return "return"
                return "return " + ", ".join(self.expr(v, ind) for v in node.values)
            case n.BreakStmt():
                return "break"
            case n.ContinueStmt():
                return "continue"
            case n.MatchStmt():
                return self.match(node.subject, node.arms, node.span.end, ind)
            case n.TryStmt():
                return (
                    f"try {self.block(node.body, ind)} catch {node.catch_name} "
                    f"{self.block(node.handler, ind)}"
                )
            case n.DeferStmt():
                return f"{node.kind} {self.expr(node.expr, ind)}"
            case n.StepStmt():
                label = self.text[node.label_span.start : node.label_span.end]
                head = [self._entry(h, self.stmt) for h in node.hooks]
                return (
                    self.decorators(node.decorators, ind)
                    + f"step {label} {self.block(node.body, ind, head)}"
                )
            case n.AssertStmt():
                out = f"assert {self.expr(node.cond, ind)}"
                if node.message is not None:
                    out += f", {self.expr(node.message, ind)}"
                return out
            case n.VerifyStmt():
                return f"verify {self.block(node.body, ind)}"
            case n.LifecycleHook():
                binding = f" {node.binding}" if node.binding else ""
                return f"{node.kind}{binding} {self.block(node.body, ind)}"
            case n.ToolHook():
                return f"@{node.kind} {self.block(node.body, ind)}"
            case _:
                raise AssertionError(f"not a statement: {type(node).__name__}")

    def target(self, t: n.AssignTarget, ind: int) -> str:
        out = self.expr(t.target, ind)
        return out if t.type is None else f"{out}: {self.type(t.type)}"

    def if_chain(self, node: n.IfStmt | n.IfExpr, ind: int) -> str:
        out = f"if {self.head(node.cond, ind)} {self.block(node.then, ind)}"
        if node.else_ is None:
            return out
        if isinstance(node.else_, n.Block):
            return out + f" else {self.block(node.else_, ind)}"
        return out + " else " + self.if_chain(node.else_, ind)

    def match(self, subject: n.Expr, arms: Sequence[n.MatchArm], end: int, ind: int) -> str:
        entries = [self._entry(a, self.arm) for a in arms]
        return f"match {self.head(subject, ind)} {self.braced(entries, ind, end)}"

    def arm(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.MatchArm)
        out = self.pattern(node.pattern)
        if node.guard is not None:
            out += f" if {self.expr(node.guard, ind)}"
        return f"{out} => {self.arm_body(node.body, ind)}"

    def arm_body(
        self, body: n.Expr | n.Block | n.ReturnStmt | n.BreakStmt | n.ContinueStmt, ind: int
    ) -> str:
        if isinstance(body, n.Block):
            return self.block(body, ind)
        if isinstance(body, n.ReturnStmt | n.BreakStmt | n.ContinueStmt):
            return self.stmt(body, ind)
        return self.body_expr(body, ind)

    def body_expr(self, e: n.Expr, ind: int) -> str:
        """An expression after `=>`: a map there would read as a block, so it keeps parentheses."""
        text = self.expr(e, ind)
        return f"({text})" if isinstance(e, n.MapLit) else text

    def pattern(self, p: n.Pattern) -> str:
        match p:
            case n.WildcardPattern():
                return "_"
            case n.LiteralPattern():
                return self.src(p)
            case n.NamePattern():
                return p.name
            case n.QualifiedPattern():
                return f"{p.qualifier}.{p.name}"
            case n.CtorPattern():
                name = f"{p.qualifier}.{p.name}" if p.qualifier else p.name
                if not p.fields:
                    return f"{name} {{}}"
                return f"{name} {{ " + ", ".join(f.name for f in p.fields) + " }"
            case n.RangePattern():
                return f"{p.start}{'..=' if p.inclusive else '..'}{p.end}"
            case n.OrPattern():
                return " | ".join(self.pattern(a) for a in p.alternatives)

    # ------------------------------------------------------------------ expressions

    def expr(self, e: n.Expr, ind: int, level: int = LAMBDA) -> str:
        text, own = self.expr_level(e, ind)
        return f"({text})" if own < level else text

    def expr_level(self, e: n.Expr, ind: int) -> tuple[str, int]:  # noqa: C901 - one arm per kind
        match e:
            case n.IntLit() | n.FloatLit() | n.StringLit() | n.InterpString():
                return self.src(e), ATOM
            case n.BoolLit():
                return ("true" if e.value else "false"), ATOM
            case n.NilLit():
                return e.keyword, ATOM
            case n.Ident():
                return e.name, ATOM
            case n.ListLit():
                if not e.elems:
                    return "[]", ATOM
                inner, _ = self.items_list(e.span.start, e.span.end, e.elems, self._elem, ind)
                return f"[{inner}]", ATOM
            case n.MapLit():
                if not e.entries:
                    return "{}", ATOM
                inner, broken = self.items_list(
                    e.span.start, e.span.end, e.entries, self._map_entry, ind
                )
                if broken or not all(self._bare_key(x.key) for x in e.entries):
                    return "{" + inner + "}", ATOM
                return "{ " + inner + " }", ATOM  # a record-like map: `{ ok: true }`
            case n.StructLit():
                name = f"{e.qualifier}.{e.type_name}" if e.qualifier else e.type_name
                if not e.fields:
                    text = f"{name} {{}}"
                else:
                    open_pos = self._open("{", e.type_span.end)
                    inner, broken = self.items_list(
                        open_pos, e.span.end, e.fields, self._sfield, ind
                    )
                    text = f"{name} " + self._brace_wrap(inner, broken)
                return (f"({text})", ATOM) if self.in_head else (text, POSTFIX)
            case n.Unary():
                operand = self.expr(e.operand, ind, UNARY)
                if e.op == "not":
                    return f"not {operand}", UNARY
                if operand.startswith(("-", "~")):
                    operand = f"({operand})"
                return f"{e.op}{operand}", UNARY
            case n.Binary():
                lv = _BINARY_LEVEL[e.op]
                return f"{self.expr(e.left, ind, lv)} {e.op} {self.expr(e.right, ind, lv + 1)}", lv
            case n.Range():
                op = "..=" if e.inclusive else ".."
                return f"{self.expr(e.start, ind, CMP)}{op}{self.expr(e.end, ind, SUM)}", CMP
            case n.Pipe():
                # A chain written one step per line stays so (continuation lines indented).
                sep = (
                    "\n" + IND * (ind + 1)
                    if self._has_newline(e.left.span.end, e.right.span.start)
                    else " "
                )
                return f"{self.expr(e.left, ind, PIPE)}{sep}|> {self.expr(e.right, ind, OR)}", PIPE
            case n.OrElse():
                return (
                    f"{self.expr(e.left, ind, ORELSE)} orelse {self.expr(e.right, ind, PIPE)}",
                    ORELSE,
                )
            case n.Call():
                callee = self.expr(e.callee, ind, POSTFIX)
                if not e.args:
                    return f"{callee}()", POSTFIX
                open_pos = self._open("(", e.callee.span.end)
                inner, _ = self.items_list(open_pos, e.span.end, e.args, self._arg_node, ind)
                return f"{callee}({inner})", POSTFIX
            case n.FieldAccess():
                return f"{self.expr(e.obj, ind, POSTFIX)}.{e.name}", POSTFIX
            case n.Index():
                return f"{self.expr(e.obj, ind, POSTFIX)}[{self.expr(e.index, ind)}]", POSTFIX
            case n.Propagate():
                return f"{self.expr(e.expr, ind, POSTFIX)}?", POSTFIX
            case n.Lambda():
                return self.lambda_(e, ind)
            case n.IfExpr():
                return self.if_chain(e, ind), ATOM
            case n.MatchExpr():
                return self.match(e.subject, e.arms, e.span.end, ind), ATOM
            case n.SpawnExpr():
                return f"spawn {self.block(e.body, ind)}", ATOM
            case n.AsyncExpr():
                return f"async {self.block(e.body, ind)}", ATOM
            case n.SelectExpr():
                entries = [self._entry(a, self.select_arm) for a in e.arms]
                return f"select {self.braced(entries, ind, e.span.end)}", ATOM
            case n.SomeExpr():
                return f"some({self.expr(e.value, ind)})", ATOM
            case n.BlockExpr():
                return self.block(e.block, ind), ATOM

    def lambda_(self, e: n.Lambda, ind: int) -> tuple[str, int]:
        if e.is_fn:
            params = self.params(e.params, ind)
            assert isinstance(e.body, n.Block)
            return f"fn{params}{self.ret(e.return_type)} {self.block(e.body, ind)}", ATOM
        if len(e.params) == 1 and _plain_param(e.params[0]):
            params = e.params[0].name
        else:
            params = self.params(e.params, ind)
        if isinstance(e.body, n.Block):
            return f"{params} => {self.block(e.body, ind)}", LAMBDA
        return f"{params} => {self.body_expr(e.body, ind)}", LAMBDA

    def select_arm(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.SelectArm)
        body = (
            self.block(node.body, ind)
            if isinstance(node.body, n.Block)
            else self.body_expr(node.body, ind)
        )
        if node.binding is None or node.channel is None:
            return f"default => {body}"
        return f"{node.binding.name} from {self.expr(node.channel, ind)} => {body}"

    def _elem(self, node: n.Node, ind: int) -> str:
        return self.expr(cast(n.Expr, node), ind)

    def _map_entry(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.MapEntry)
        return f"{self.expr(node.key, ind)}: {self.expr(node.value, ind)}"

    def _bare_key(self, key: n.Expr) -> bool:
        """A map key written as a bare name (`{ok: true}`)."""
        return isinstance(key, n.StringLit) and not self.src(key).startswith(('"', "'"))

    def _sfield(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.StructLitField)
        if node.shorthand or node.name is None:
            return self.expr(node.value, ind)
        return f"{node.name} = {self.expr(node.value, ind)}"

    def _arg_node(self, node: n.Node, ind: int) -> str:
        assert isinstance(node, n.Arg)
        return self.arg(node, ind)

    def arg(self, a: n.Arg, ind: int) -> str:
        if a.spread:
            return "..." + self.expr(a.value, ind, UNARY)
        if a.name is not None:
            return f"{a.name}: {self.expr(a.value, ind)}"
        return self.expr(a.value, ind)


def _plain_param(p: n.Param) -> bool:
    return p.type is None and p.default is None and not p.rest
