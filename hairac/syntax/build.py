"""Grammar reductions -> AST nodes.

The LALR driver (parser.py) calls one method per grammar alias with the
rule's children: `Tok`s for terminals, nodes/lists/None for nonterminals
(nothing is filtered, so child positions are fixed per alternative).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, cast

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink, SourceFile, Span
from hairac.diagnostics import messages as msg
from hairac.syntax.tokens import Tok

# Names that make `{K: V}` a map type rather than a record of fields.
_TYPE_NAMES = frozenset({"int", "float", "string", "bool", "any", "error", "nil", "void", "file"})

_INT_BASES = {"x": 16, "X": 16, "b": 2, "B": 2, "o": 8, "O": 8}

C = list[Any]


def _start(x: Any) -> int:
    if type(x) is Tok:
        return x.start
    return cast(int, x.span.start)


def _end(x: Any) -> int:
    if type(x) is Tok:
        return x.end
    return cast(int, x.span.end)


def parse_int(text: str) -> int | None:
    """The value of an integer literal as written (`0xFF`, `1_000`, `010` is ten)."""
    digits = text.replace("_", "")
    try:
        if len(digits) > 2 and digits[0] == "0" and digits[1] in _INT_BASES:
            return int(digits[2:], _INT_BASES[digits[1]])
        return int(digits, 10)
    except ValueError:
        return None


class Builder:
    """Builds nodes for one source file; `parse_expr(start, end)` parses `${...}` bodies."""

    def __init__(
        self,
        file: SourceFile,
        sink: DiagnosticSink,
        parse_expr: Callable[[int, int], n.Expr | None],
    ) -> None:
        self.file = file
        self.sink = sink
        self.parse_expr = parse_expr
        # Lifecycle/tool hooks found in a block, by id(Block); the workflow,
        # step or tool that owns the block takes them, leftovers are misplaced.
        self.block_hooks: dict[int, tuple[n.Block, list[n.LifecycleHook | n.ToolHook]]] = {}

    # -------------------------------------------------------------- helpers

    def sp(self, a: Any, b: Any) -> Span:
        return Span(self.file, _start(a), _end(b))

    def tsp(self, t: Tok) -> Span:
        return Span(self.file, t.start, t.end)

    def error(self, span: Span, m: msg.Message, hint: str | None = None, **values: object) -> None:
        self.sink.error(span, m.format(**values), hint, m.code)

    # -------------------------------------------------------------- generic shapes

    def empty_list(self, c: C) -> list[Any]:
        return []

    def list_first(self, c: C) -> list[Any]:
        return [c[0]]

    def list_more(self, c: C) -> list[Any]:
        lst: list[Any] = c[0]
        lst.append(c[2])
        return lst

    def list_append(self, c: C) -> list[Any]:
        lst: list[Any] = c[0]
        lst.append(c[1])
        return lst

    def first(self, c: C) -> Any:
        return c[0]

    def second(self, c: C) -> Any:
        return c[1]

    def none(self, c: C) -> None:
        return None

    def pair(self, c: C) -> tuple[Any, Any]:
        return (c[0], c[2])

    def name_list_first(self, c: C) -> list[n.Name]:
        t: Tok = c[0]
        return [n.Name(span=self.tsp(t), name=cast(str, t.value))]

    def name_list_more(self, c: C) -> list[n.Name]:
        lst: list[n.Name] = c[0]
        t: Tok = c[-1]
        lst.append(n.Name(span=self.tsp(t), name=cast(str, t.value)))
        return lst

    def name_list_trailing(self, c: C) -> list[n.Name]:
        return cast(list[n.Name], c[0])

    # -------------------------------------------------------------- module and items

    def module(self, c: C) -> n.Module:
        return n.Module(span=Span(self.file, 0, len(self.file.text)), items=tuple(c[0]))

    def item(self, c: C) -> Any:
        return c[0]

    def pub_item(self, c: C) -> Any:
        decl = c[1]
        if any(f.name == "is_pub" for f in dataclasses.fields(decl)):
            return dataclasses.replace(decl, is_pub=True, span=self.sp(c[0], decl))
        return decl

    def decl(self, c: C) -> Any:
        return c[0]

    def _import_path(self, s: n.StringLit | n.InterpString) -> str:
        if isinstance(s, n.InterpString):
            self.sink.error(s.span, "expected string for import path", "an import path cannot interpolate")
            return ""
        return s.value

    def import_module(self, c: C) -> n.ImportDecl:
        s = c[1]
        return n.ImportDecl(
            span=self.sp(c[0], s), path=self._import_path(s), path_span=s.span, kind="module"
        )

    def import_alias(self, c: C) -> n.ImportDecl:
        s = c[3]
        alias: Tok = c[1]
        return n.ImportDecl(
            span=self.sp(c[0], s), path=self._import_path(s), path_span=s.span, kind="alias",
            alias=cast(str, alias.value), alias_span=self.tsp(alias),
        )  # fmt: skip

    def import_select(self, c: C) -> n.ImportDecl:
        s = c[5]
        return n.ImportDecl(
            span=self.sp(c[0], s), path=self._import_path(s), path_span=s.span, kind="select",
            names=tuple(c[2]),
        )  # fmt: skip

    def import_glob(self, c: C) -> n.ImportDecl:
        s = c[3]
        return n.ImportDecl(
            span=self.sp(c[0], s), path=self._import_path(s), path_span=s.span, kind="glob"
        )

    def export_decl(self, c: C) -> n.ExportDecl:
        return n.ExportDecl(span=self.sp(c[0], c[3]), names=tuple(c[2]))

    def _check_params(self, params: list[n.Param]) -> tuple[n.Param, ...]:
        for p in params[:-1]:
            if p.rest:
                self.error(p.span, msg.REST_NOT_LAST)
        return tuple(params)

    def fn_decl(self, c: C) -> n.FnDecl:
        name: Tok = c[1]
        return n.FnDecl(
            span=self.sp(c[0], c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            params=self._check_params(c[2]), return_type=c[3], body=c[4],
        )  # fmt: skip

    def short_fn_decl(self, c: C) -> n.FnDecl:
        name: Tok = c[1]
        return n.FnDecl(
            span=self.sp(name, c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            params=self._check_params(c[2]), return_type=c[3], body=c[4], short=True,
        )  # fmt: skip

    def method_decl(self, c: C) -> n.MethodDecl:
        recv: Tok = c[1]
        name: Tok = c[3]
        return n.MethodDecl(
            span=self.sp(recv, c[6]), receiver=cast(str, recv.value), receiver_span=self.tsp(recv),
            name=cast(str, name.value), name_span=self.tsp(name),
            params=self._check_params(c[4]), return_type=c[5], body=c[6],
        )  # fmt: skip

    def ret_none(self, c: C) -> None:
        return None

    def ret_some(self, c: C) -> n.TypeExpr:
        types: list[n.TypeExpr] = c[1]
        if len(types) == 1:
            return types[0]
        return n.TupleType(span=self.sp(types[0], types[-1]), elems=tuple(types))

    def struct_decl(self, c: C) -> n.StructDecl:
        name: Tok = c[1]
        self._check_field_pairs(c[3])
        return n.StructDecl(
            span=self.sp(c[0], c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            fields=tuple(c[3]),
        )  # fmt: skip

    def _check_field_pairs(self, fields: list[n.StructField]) -> None:
        """`age int` is two untyped fields to the grammar, but surely a missing ':'."""
        for a, b in zip(fields, fields[1:], strict=False):
            if (a.type is None and a.default is None and b.type is None and b.default is None
                    and b.name in _TYPE_NAMES
                    and self.file.line_index(a.span.start) == self.file.line_index(b.span.start)):  # fmt: skip
                self.sink.error(
                    b.name_span, "expected ':' between a field name and its type",
                    f"write '{a.name}: {b.name}'", msg.UNEXPECTED_TOKEN.code,
                )  # fmt: skip

    def struct_field(self, c: C) -> n.StructField:
        name: Tok = c[0]
        last = c[2] or c[1] or name
        return n.StructField(
            span=self.sp(name, last), name=cast(str, name.value), name_span=self.tsp(name),
            type=c[1], default=c[2],
        )  # fmt: skip

    def enum_decl(self, c: C) -> n.EnumDecl:
        name: Tok = c[1]
        return n.EnumDecl(
            span=self.sp(c[0], c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            variants=tuple(c[3]),
        )  # fmt: skip

    def enum_variant(self, c: C) -> n.EnumVariant:
        name: Tok = c[0]
        return n.EnumVariant(span=self.tsp(name), name=cast(str, name.value))

    def enum_variant_payload(self, c: C) -> n.EnumVariant:
        name: Tok = c[0]
        params: list[n.Param] = c[1]
        end = params[-1] if params else name
        return n.EnumVariant(
            span=self.sp(name, end), name=cast(str, name.value), params=self._check_params(params)
        )

    def type_alias(self, c: C) -> n.TypeAliasDecl:
        name: Tok = c[1]
        return n.TypeAliasDecl(
            span=self.sp(c[0], c[3]), name=cast(str, name.value), name_span=self.tsp(name),
            target=c[3],
        )  # fmt: skip

    def config_body(self, c: C) -> tuple[list[n.ConfigField], Tok]:
        return (c[1], c[2])

    def config_field(self, c: C) -> n.ConfigField:
        name: Tok = c[0]
        return n.ConfigField(
            span=self.sp(name, c[2]), name=cast(str, name.value), name_span=self.tsp(name),
            value=c[2],
        )  # fmt: skip

    def provider_decl(self, c: C) -> n.ProviderDecl:
        name: Tok = c[1]
        fields, close = c[2]
        return n.ProviderDecl(
            span=self.sp(c[0], close), name=cast(str, name.value), name_span=self.tsp(name),
            fields=tuple(fields),
        )  # fmt: skip

    def agent_decl(self, c: C) -> n.AgentDecl:
        name: Tok = c[1]
        fields, close = c[2]
        return n.AgentDecl(
            span=self.sp(c[0], close), name=cast(str, name.value), name_span=self.tsp(name),
            fields=tuple(fields),
        )  # fmt: skip

    def eval_decl(self, c: C) -> n.EvalDecl:
        s = c[1]
        fields, close = c[2]
        return n.EvalDecl(
            span=self.sp(c[0], close), name=self._plain(s, "eval name"), name_span=s.span,
            fields=tuple(fields),
        )  # fmt: skip

    def test_decl(self, c: C) -> n.TestDecl:
        s = c[1]
        return n.TestDecl(
            span=self.sp(c[0], c[2]), name=self._plain(s, "test name"), name_span=s.span, body=c[2]
        )

    def _plain(self, s: n.StringLit | n.InterpString, what: str) -> str:
        if isinstance(s, n.InterpString):
            self.sink.error(s.span, f"the {what} must be a plain string", "remove the '${...}'")
            return ""
        return s.value

    def _take_hooks(self, body: n.Block) -> list[n.LifecycleHook | n.ToolHook]:
        entry = self.block_hooks.pop(id(body), None)
        return entry[1] if entry else []

    @staticmethod
    def _description(body: n.Block) -> tuple[n.Block, str | None, Span | None]:
        """A leading triple-quoted string statement is the description."""
        if body.stmts:
            s0 = body.stmts[0]
            if isinstance(s0, n.ExprStmt) and isinstance(s0.expr, n.StringLit) and s0.expr.triple:
                rest = dataclasses.replace(body, stmts=body.stmts[1:])
                return rest, s0.expr.value, s0.expr.span
        return body, None, None

    def tool_decl(self, c: C) -> n.ToolDecl:
        decorators: list[n.Decorator] = c[0] if isinstance(c[0], list) else []
        c = c[1:] if isinstance(c[0], list) else c
        name: Tok = c[1]
        body: n.Block = c[4]
        tool_hooks: list[n.ToolHook] = []
        for h in self._take_hooks(body):
            if isinstance(h, n.ToolHook):
                tool_hooks.append(h)
            else:
                self.error(h.span, msg.MISPLACED_HOOK, hook=h.kind)
        body, desc, desc_span = self._description(body)
        start = decorators[0] if decorators else c[0]
        return n.ToolDecl(
            span=self.sp(start, c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            params=self._check_params(c[2]), return_type=c[3], body=body, description=desc,
            description_span=desc_span, hooks=tuple(tool_hooks), decorators=tuple(decorators),
        )  # fmt: skip

    def _lifecycle_hooks(self, body: n.Block) -> tuple[n.LifecycleHook, ...]:
        hooks: list[n.LifecycleHook] = []
        for h in self._take_hooks(body):
            if isinstance(h, n.LifecycleHook):
                hooks.append(h)
            else:
                self.error(h.span, msg.MISPLACED_TOOL_HOOK, hook=h.kind)
        return tuple(hooks)

    def workflow_decl(self, c: C) -> n.WorkflowDecl:
        decorators: list[n.Decorator] = c[0] if isinstance(c[0], list) else []
        c = c[1:] if isinstance(c[0], list) else c
        name: Tok = c[1]
        body: n.Block = c[4]
        hooks = self._lifecycle_hooks(body)
        body, desc, desc_span = self._description(body)
        start = decorators[0] if decorators else c[0]
        return n.WorkflowDecl(
            span=self.sp(start, c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            params=self._check_params(c[2]), return_type=c[3], body=body, description=desc,
            description_span=desc_span, hooks=hooks, decorators=tuple(decorators),
        )  # fmt: skip

    def decorator(self, c: C) -> n.Decorator:
        name: Tok = c[1]
        return n.Decorator(span=self.sp(c[0], name), name=cast(str, name.value), name_span=self.tsp(name))

    def decorator_args(self, c: C) -> n.Decorator:
        name: Tok = c[1]
        return n.Decorator(
            span=self.sp(c[0], c[4]), name=cast(str, name.value), name_span=self.tsp(name),
            args=tuple(c[3]), has_parens=True,
        )  # fmt: skip

    # -------------------------------------------------------------- params and types

    def params_empty(self, c: C) -> list[n.Param]:
        return []

    def params(self, c: C) -> list[n.Param]:
        return cast(list[n.Param], c[1])

    def param(self, c: C) -> n.Param:
        name: Tok = c[1]
        last = c[4] or c[3] or c[2] or name
        return n.Param(
            span=self.sp(c[0] or name, last), name=cast(str, name.value), name_span=self.tsp(name),
            type=c[2], default=c[3], rest=c[0] is not None or c[4] is not None,
        )  # fmt: skip

    def type_union(self, c: C) -> n.UnionType:
        left, right = c[0], c[2]
        members = left.members if isinstance(left, n.UnionType) else (left,)
        return n.UnionType(span=self.sp(left, right), members=(*members, right))

    def type_optional(self, c: C) -> n.OptionalType:
        return n.OptionalType(span=self.sp(c[0], c[1]), inner=c[0])

    def type_name(self, c: C) -> n.NamedType:
        t: Tok = c[0]
        return n.NamedType(span=self.tsp(t), name=cast(str, t.value))

    def type_generic(self, c: C) -> n.NamedType:
        t: Tok = c[0]
        return n.NamedType(span=self.sp(t, c[3]), name=cast(str, t.value), args=tuple(c[2]))

    def type_qualified(self, c: C) -> n.NamedType:
        q: Tok = c[0]
        t: Tok = c[2]
        return n.NamedType(span=self.sp(q, t), name=cast(str, t.value), qualifier=cast(str, q.value))

    def type_list_of(self, c: C) -> n.ListType:
        return n.ListType(span=self.sp(c[0], c[2]), elem=c[1])

    def type_list_doc(self, c: C) -> n.ListType:
        """`[]T`, the documentation's spelling of `[T]`."""
        return n.ListType(span=self.sp(c[0], c[2]), elem=c[2])

    def type_map_brackets(self, c: C) -> n.MapType:
        """`[K:V]`, a map type spelling found in REF's examples."""
        return n.MapType(span=self.sp(c[0], c[4]), key=c[1], value=c[3])

    def type_map_doc(self, c: C) -> n.MapType:
        """`map[K]V`, the documentation's spelling of `{K: V}`."""
        head: Tok = c[0]
        if head.value != "map":
            self.sink.error(self.tsp(head), "expected type", "write a list as `[T]` and a map as `{K: V}`")
        return n.MapType(span=self.sp(head, c[4]), key=c[2], value=c[4])

    def type_brace(self, c: C) -> n.MapType | n.RecordType:
        pairs: list[tuple[n.TypeExpr, n.TypeExpr]] = c[1]
        span = self.sp(c[0], c[3])
        if len(pairs) == 1:
            key, value = pairs[0]
            if not (isinstance(key, n.NamedType) and key.qualifier is None and not key.args
                    and key.name not in _TYPE_NAMES and key.name[:1].islower()):  # fmt: skip
                return n.MapType(span=span, key=key, value=value)
        fields: list[n.RecordField] = []
        for key, value in pairs:
            if isinstance(key, n.NamedType) and key.qualifier is None and not key.args:
                fields.append(n.RecordField(span=self.sp(key, value), name=key.name, type=value))
            else:
                self.sink.error(key.span, "expected field name", "write `{ name: type, ... }`")
        return n.RecordType(span=span, fields=tuple(fields))

    def type_func0(self, c: C) -> n.FuncType:
        return n.FuncType(span=self.sp(c[0], c[3]), params=(), result=c[3])

    def type_func(self, c: C) -> n.FuncType:
        return n.FuncType(span=self.sp(c[0], c[4]), params=tuple(c[1]), result=c[4])

    def type_func0_kw(self, c: C) -> n.FuncType:
        return n.FuncType(span=self.sp(c[0], c[4]), params=(), result=c[4])

    def type_func_kw(self, c: C) -> n.FuncType:
        return n.FuncType(span=self.sp(c[0], c[5]), params=tuple(c[2]), result=c[5])

    def type_tuple(self, c: C) -> n.TypeExpr:
        types: list[n.TypeExpr] = c[1]
        if len(types) == 1:
            return types[0]
        return n.TupleType(span=self.sp(c[0], c[2]), elems=tuple(types))

    # -------------------------------------------------------------- statements

    def block(self, c: C) -> n.Block:
        stmts: list[Any] = c[1]
        hooks = [s for s in stmts if isinstance(s, (n.LifecycleHook, n.ToolHook))]
        if hooks:
            stmts = [s for s in stmts if not isinstance(s, (n.LifecycleHook, n.ToolHook))]
        block = n.Block(span=self.sp(c[0], c[2]), stmts=tuple(stmts))
        if hooks:
            self.block_hooks[id(block)] = (block, hooks)
        return block

    def expr_stmt(self, c: C) -> n.Stmt:
        return as_stmt(c[0])

    def _assignable(self, e: n.Expr) -> n.Ident | n.FieldAccess | n.Index:
        if isinstance(e, (n.Ident, n.FieldAccess, n.Index)):
            return e
        self.error(e.span, msg.NOT_ASSIGNABLE, "only a variable, a field or an index can be assigned")
        return n.Ident(span=e.span, name="_")

    def target(self, c: C) -> n.AssignTarget:
        e = c[0]
        return n.AssignTarget(span=e.span, target=self._assignable(e))

    def target_typed(self, c: C) -> n.AssignTarget:
        e = c[0]
        if not isinstance(e, n.Ident):
            self.error(e.span, msg.BAD_TARGET_TYPE)
        return n.AssignTarget(span=self.sp(e, c[2]), target=self._assignable(e), type=c[2])

    def assign(self, c: C) -> n.Assign:
        targets: list[n.AssignTarget] = c[0]
        return n.Assign(span=self.sp(targets[0], c[2]), targets=tuple(targets), value=c[2])

    def aug_assign(self, c: C) -> n.AugAssign:
        op: Tok = c[1]
        return n.AugAssign(
            span=self.sp(c[0], c[2]), target=self._assignable(c[0]),
            op=cast(n.AugOp, cast(str, op.value)[:-1]), value=c[2],
        )  # fmt: skip

    def let_stmt(self, c: C) -> n.LetStmt:
        kw: Tok = c[0]
        name: Tok = c[1]
        return n.LetStmt(
            span=self.sp(kw, c[4]), kind=cast(Any, kw.value), name=cast(str, name.value),
            name_span=self.tsp(name), type=c[2], value=c[4],
        )  # fmt: skip

    def while_stmt(self, c: C) -> n.WhileStmt:
        return n.WhileStmt(span=self.sp(c[0], c[2]), cond=c[1], body=c[2])

    def for_stmt(self, c: C) -> n.ForStmt:
        v: Tok = c[1]
        return n.ForStmt(
            span=self.sp(c[0], c[4]), names=(n.Name(span=self.tsp(v), name=cast(str, v.value)),),
            iterable=c[3], body=c[4],
        )  # fmt: skip

    def for2_stmt(self, c: C) -> n.ForStmt:
        a: Tok = c[1]
        b: Tok = c[3]
        names = (
            n.Name(span=self.tsp(a), name=cast(str, a.value)),
            n.Name(span=self.tsp(b), name=cast(str, b.value)),
        )
        return n.ForStmt(span=self.sp(c[0], c[6]), names=names, iterable=c[5], body=c[6])

    def return_stmt(self, c: C) -> n.ReturnStmt:
        if len(c) == 1:
            return n.ReturnStmt(span=self.tsp(c[0]))
        values: list[n.Expr] = c[1]
        return n.ReturnStmt(span=self.sp(c[0], values[-1]), values=tuple(values))

    arm_return = return_stmt

    def break_stmt(self, c: C) -> n.BreakStmt:
        return n.BreakStmt(span=self.tsp(c[0]))

    def continue_stmt(self, c: C) -> n.ContinueStmt:
        return n.ContinueStmt(span=self.tsp(c[0]))

    def try_stmt(self, c: C) -> n.TryStmt:
        name: Tok = c[3]
        return n.TryStmt(
            span=self.sp(c[0], c[4]), body=c[1], catch_name=cast(str, name.value),
            catch_span=self.tsp(name), handler=c[4],
        )  # fmt: skip

    def defer_stmt(self, c: C) -> n.DeferStmt:
        kw: Tok = c[0]
        return n.DeferStmt(span=self.sp(kw, c[1]), expr=c[1], kind=cast(Any, kw.value))

    def step_stmt(self, c: C) -> n.StepStmt:
        decorators: list[n.Decorator] = c[0] if isinstance(c[0], list) else []
        c = c[1:] if isinstance(c[0], list) else c
        label = c[1]
        body: n.Block = c[2]
        hooks = self._lifecycle_hooks(body)
        start = decorators[0] if decorators else c[0]
        return n.StepStmt(
            span=self.sp(start, body), label=self._plain(label, "step name"), label_span=label.span,
            body=body, decorators=tuple(decorators), hooks=hooks,
        )  # fmt: skip

    def assert_stmt(self, c: C) -> n.AssertStmt:
        return n.AssertStmt(
            span=self.sp(c[0], c[-1]), cond=c[1], message=c[3] if len(c) == 4 else None
        )

    def verify_stmt(self, c: C) -> n.VerifyStmt:
        return n.VerifyStmt(span=self.sp(c[0], c[1]), body=c[1])

    def hook_stmt(self, c: C) -> n.LifecycleHook:
        kw: Tok = c[0]
        binding: Tok | None = c[1] if len(c) == 3 else None
        return n.LifecycleHook(
            span=self.sp(kw, c[-1]), kind=cast(n.HookKind, kw.value), body=c[-1],
            binding=cast(str, binding.value) if binding else None,
            binding_span=self.tsp(binding) if binding else None,
        )  # fmt: skip

    def tool_hook_stmt(self, c: C) -> n.ToolHook:
        name: Tok = c[1]
        kind = cast(str, name.value)
        if kind not in ("before", "after"):
            self.error(self.tsp(name), msg.BAD_TOOL_HOOK, hook=kind)
            kind = "before"
        return n.ToolHook(span=self.sp(c[0], c[2]), kind=cast(Any, kind), body=c[2])

    # -------------------------------------------------------------- expressions

    def _param_of(self, t: Tok) -> n.Param:
        span = self.tsp(t)
        return n.Param(span=span, name=cast(str, t.value), name_span=span)

    def lambda1(self, c: C) -> n.Lambda:
        return n.Lambda(span=self.sp(c[0], c[2]), params=(self._param_of(c[0]),), body=_unblock(c[2]))

    def lambda0(self, c: C) -> n.Lambda:
        return n.Lambda(span=self.sp(c[0], c[-1]), params=(), body=_unblock(c[-1]))

    def lambdan(self, c: C) -> n.Lambda:
        return n.Lambda(
            span=self.sp(c[0], c[-1]), params=self._check_params(c[1]), body=_unblock(c[-1])
        )

    def block_expr(self, c: C) -> n.BlockExpr:
        block: n.Block = c[0]
        return n.BlockExpr(span=block.span, block=block)

    def orelse(self, c: C) -> n.OrElse:
        return n.OrElse(span=self.sp(c[0], c[2]), left=c[0], right=c[2])

    def pipe(self, c: C) -> n.Pipe:
        return n.Pipe(span=self.sp(c[0], c[2]), left=c[0], right=c[2])

    def binary(self, c: C) -> n.Binary:
        op: Tok = c[1]
        return n.Binary(
            span=self.sp(c[0], c[2]), op=cast(n.BinaryOp, op.value), left=c[0], right=c[2],
            op_span=self.tsp(op),
        )  # fmt: skip

    def cmp_op(self, c: C) -> Tok:
        return cast(Tok, c[0])

    sum_op = cmp_op
    prod_op = cmp_op

    def range(self, c: C) -> n.Range:
        op: Tok = c[1]
        return n.Range(span=self.sp(c[0], c[2]), start=c[0], end=c[2], inclusive=op.type == "DOTDOTEQ")

    def unary(self, c: C) -> n.Unary:
        op: Tok = c[0]
        return n.Unary(span=self.sp(op, c[1]), op=cast(n.UnaryOp, op.value), operand=c[1])

    def call0(self, c: C) -> n.Call:
        return n.Call(span=self.sp(c[0], c[2]), callee=c[0], args=())

    def call(self, c: C) -> n.Call:
        return n.Call(span=self.sp(c[0], c[4]), callee=c[0], args=tuple(c[2]))

    def index(self, c: C) -> n.Index:
        return n.Index(span=self.sp(c[0], c[3]), obj=c[0], index=c[2])

    def field(self, c: C) -> n.FieldAccess:
        name: Tok = c[2]
        return n.FieldAccess(
            span=self.sp(c[0], name), obj=c[0], name=cast(str, name.value), name_span=self.tsp(name)
        )

    def qual_struct_lit(self, c: C) -> n.Expr:
        obj = c[0]
        name: Tok = c[2]
        if not isinstance(obj, n.Ident):
            self.error(obj.span, msg.STRUCT_LIT_NAME, found="an expression")
            return obj  # type: ignore[no-any-return]
        return n.StructLit(
            span=self.sp(obj, c[5]), type_name=cast(str, name.value), type_span=self.tsp(name),
            fields=tuple(c[4]), qualifier=obj.name, qualifier_span=obj.span,
        )  # fmt: skip

    def propagate(self, c: C) -> n.Propagate:
        return n.Propagate(span=self.sp(c[0], c[1]), expr=c[0])

    def args_empty(self, c: C) -> list[n.Arg]:
        return []

    def args(self, c: C) -> list[n.Arg]:
        return cast(list[n.Arg], c[0])

    def arg(self, c: C) -> n.Arg:
        return n.Arg(span=c[0].span, value=c[0])

    def arg_named(self, c: C) -> n.Arg:
        name: Tok = c[0]
        return n.Arg(
            span=self.sp(name, c[2]), value=c[2], name=cast(str, name.value), name_span=self.tsp(name)
        )

    def arg_spread(self, c: C) -> n.Arg:
        return n.Arg(span=self.sp(c[0], c[1]), value=c[1], spread=True)

    def int_lit(self, c: C) -> n.IntLit:
        t: Tok = c[0]
        text = cast(str, t.value)
        value = parse_int(text)
        if value is None:
            self.error(self.tsp(t), msg.BAD_NUMBER, text=text)
            value = 0
        return n.IntLit(span=self.tsp(t), value=value, text=text)

    def float_lit(self, c: C) -> n.FloatLit:
        t: Tok = c[0]
        text = cast(str, t.value).replace("_", "")
        return n.FloatLit(span=self.tsp(t), value=float(text), text=text)

    def string_lit(self, c: C) -> n.StringLit | n.InterpString:
        t: Tok = c[0]
        span = self.tsp(t)
        if t.type == "STRING":
            return n.StringLit(span=span, value=cast(str, t.value))
        if t.type == "TRIPLE":
            return n.StringLit(span=span, value=cast(str, t.value), triple=True)
        parts: list[n.InterpPart] = []
        for part in cast(tuple[tuple[Any, ...], ...], t.value):
            if part[0] == "text":
                parts.append(n.InterpText(span=Span(self.file, part[2], part[3]), text=part[1]))
                continue
            _, body_start, body_end, pstart, pend = part
            if not self.file.text[body_start:body_end].strip():
                continue  # an empty `${}` produces nothing (§1.5)
            expr = self.parse_expr(body_start, body_end)
            if expr is not None:
                parts.append(n.InterpExpr(span=Span(self.file, pstart, pend), expr=expr))
        triple = t.type == "ITRIPLE"
        if not any(isinstance(p, n.InterpExpr) for p in parts):
            # Only empty `${}`s: a plain string (its escapes were processed, §0 #26).
            text = "".join(p.text for p in parts if isinstance(p, n.InterpText))
            return n.StringLit(span=span, value=text, triple=triple)
        return n.InterpString(span=span, parts=tuple(parts), triple=triple)

    def bool_lit(self, c: C) -> n.BoolLit:
        t: Tok = c[0]
        return n.BoolLit(span=self.tsp(t), value=t.type == "TRUE")

    def nil_lit(self, c: C) -> n.NilLit:
        t: Tok = c[0]
        return n.NilLit(span=self.tsp(t), keyword=cast(Any, t.value))

    def ident(self, c: C) -> n.Ident:
        t: Tok = c[0]
        return n.Ident(span=self.tsp(t), name=cast(str, t.value))

    def some_expr(self, c: C) -> n.SomeExpr:
        return n.SomeExpr(span=self.sp(c[0], c[3]), value=c[2])

    def struct_lit(self, c: C) -> n.StructLit:
        name: Tok = c[0]
        return n.StructLit(
            span=self.sp(name, c[3]), type_name=cast(str, name.value), type_span=self.tsp(name),
            fields=tuple(c[2]),
        )  # fmt: skip

    def paren(self, c: C) -> n.Expr:
        return cast(n.Expr, c[1])

    def empty_parens(self, c: C) -> n.ListLit:
        return n.ListLit(span=self.sp(c[0], c[1]), elems=())

    def list_lit(self, c: C) -> n.ListLit:
        elems = c[1] if len(c) == 4 else []
        return n.ListLit(span=self.sp(c[0], c[-1]), elems=tuple(elems))

    def map_lit(self, c: C) -> n.MapLit:
        entries = c[1] if len(c) == 3 else []
        return n.MapLit(span=self.sp(c[0], c[-1]), entries=tuple(entries))

    def map_entry(self, c: C) -> n.MapEntry:
        key = c[0]
        if isinstance(key, n.Ident):
            key = n.StringLit(span=key.span, value=key.name)
        return n.MapEntry(span=self.sp(key, c[2]), key=key, value=c[2])

    def if_expr(self, c: C) -> n.IfExpr:
        else_ = c[4] if len(c) == 5 else None
        return n.IfExpr(span=self.sp(c[0], c[-1]), cond=c[1], then=c[2], else_=else_)

    def match_expr(self, c: C) -> n.MatchExpr:
        return n.MatchExpr(span=self.sp(c[0], c[4]), subject=c[1], arms=tuple(c[3]))

    def select_expr(self, c: C) -> n.SelectExpr:
        return n.SelectExpr(span=self.sp(c[0], c[3]), arms=tuple(c[2]))

    def spawn_expr(self, c: C) -> n.SpawnExpr:
        return n.SpawnExpr(span=self.sp(c[0], c[1]), body=c[1])

    def async_expr(self, c: C) -> n.AsyncExpr:
        return n.AsyncExpr(span=self.sp(c[0], c[1]), body=c[1])

    def fn_expr(self, c: C) -> n.Lambda:
        return n.Lambda(
            span=self.sp(c[0], c[3]), params=self._check_params(c[1]), return_type=c[2],
            body=c[3], is_fn=True,
        )  # fmt: skip

    def sfield_named(self, c: C) -> n.StructLitField:
        name: Tok = c[0]
        return n.StructLitField(
            span=self.sp(name, c[2]), value=c[2], name=cast(str, name.value), name_span=self.tsp(name)
        )

    def sfield_expr(self, c: C) -> n.StructLitField:
        e = c[0]
        if isinstance(e, n.Ident):
            return n.StructLitField(span=e.span, value=e, name=e.name, name_span=e.span, shorthand=True)
        return n.StructLitField(span=e.span, value=e)

    def _pattern(self, alts: list[n.Pattern]) -> n.Pattern:
        if len(alts) == 1:
            return alts[0]
        return n.OrPattern(span=self.sp(alts[0], alts[-1]), alternatives=tuple(alts))

    def match_arm(self, c: C) -> n.MatchArm:
        pat = self._pattern(c[0])
        return n.MatchArm(span=self.sp(pat, c[2]), pattern=pat, body=as_arm_body(c[2]))

    def match_arm_guard(self, c: C) -> n.MatchArm:
        pat = self._pattern(c[0])
        return n.MatchArm(span=self.sp(pat, c[4]), pattern=pat, body=as_arm_body(c[4]), guard=c[2])

    def select_arm(self, c: C) -> n.SelectArm:
        name: Tok = c[0]
        return n.SelectArm(
            span=self.sp(name, c[4]), body=as_select_body(c[4]),
            binding=n.Name(span=self.tsp(name), name=cast(str, name.value)), channel=c[2],
        )  # fmt: skip

    def select_default(self, c: C) -> n.SelectArm:
        return n.SelectArm(span=self.sp(c[0], c[2]), body=as_select_body(c[2]))

    # -------------------------------------------------------------- patterns

    def pat_name(self, c: C) -> n.Pattern:
        t: Tok = c[0]
        if t.value == "_":
            return n.WildcardPattern(span=self.tsp(t))
        return n.NamePattern(span=self.tsp(t), name=cast(str, t.value))

    def pat_qualified(self, c: C) -> n.QualifiedPattern:
        q: Tok = c[0]
        t: Tok = c[2]
        return n.QualifiedPattern(span=self.sp(q, t), qualifier=cast(str, q.value), name=cast(str, t.value))

    def pat_ctor(self, c: C) -> n.CtorPattern:
        t: Tok = c[0]
        return n.CtorPattern(span=self.sp(t, c[3]), name=cast(str, t.value), fields=tuple(c[2]))

    def pat_ctor_qualified(self, c: C) -> n.CtorPattern:
        q: Tok = c[0]
        t: Tok = c[2]
        return n.CtorPattern(
            span=self.sp(q, c[5]), name=cast(str, t.value), fields=tuple(c[4]),
            qualifier=cast(str, q.value),
        )  # fmt: skip

    def pat_fields_empty(self, c: C) -> list[n.Name]:
        return []

    def pat_int(self, c: C) -> n.IntLit:
        t: Tok = c[-1]
        text = cast(str, t.value)
        value = parse_int(text)
        if value is None:
            self.error(self.tsp(t), msg.BAD_NUMBER, text=text)
            value = 0
        if len(c) == 2:
            return n.IntLit(span=self.sp(c[0], t), value=-value, text="-" + text)
        return n.IntLit(span=self.tsp(t), value=value, text=text)

    def pat_literal(self, c: C) -> n.LiteralPattern:
        return n.LiteralPattern(span=c[0].span, value=c[0])

    def pat_range(self, c: C) -> n.RangePattern:
        a: n.IntLit = c[0]
        b: n.IntLit = c[2]
        op: Tok = c[1]
        return n.RangePattern(
            span=self.sp(a, b), start=a.value, end=b.value, inclusive=op.type == "DOTDOTEQ"
        )

    def pat_float(self, c: C) -> n.LiteralPattern:
        t: Tok = c[-1]
        text = cast(str, t.value).replace("_", "")
        if len(c) == 2:
            text = "-" + text
        lit = n.FloatLit(span=self.sp(c[0], t), value=float(text), text=text)
        return n.LiteralPattern(span=lit.span, value=lit)

    def pat_string(self, c: C) -> n.LiteralPattern:
        t: Tok = c[0]
        lit = n.StringLit(span=self.tsp(t), value=cast(str, t.value))
        return n.LiteralPattern(span=lit.span, value=lit)

    def pat_bool(self, c: C) -> n.LiteralPattern:
        lit = self.bool_lit(c)
        return n.LiteralPattern(span=lit.span, value=lit)

    def pat_nil(self, c: C) -> n.LiteralPattern:
        lit = self.nil_lit(c)
        return n.LiteralPattern(span=lit.span, value=lit)


def as_stmt(e: Any) -> n.Stmt:
    """A statement-level expression: `if`/`match` become IfStmt/MatchStmt."""
    if isinstance(e, n.IfExpr):
        return _if_stmt(e)
    if isinstance(e, n.MatchExpr):
        return n.MatchStmt(span=e.span, subject=e.subject, arms=e.arms)
    return n.ExprStmt(span=e.span, expr=e)


def _if_stmt(e: n.IfExpr) -> n.IfStmt:
    # Iterative over the else-if chain: long chains must not recurse.
    chain: list[n.IfExpr] = []
    cur: n.Block | n.IfExpr | None = e
    while isinstance(cur, n.IfExpr):
        chain.append(cur)
        cur = cur.else_
    tail: n.Block | n.IfStmt | None = cur
    for link in reversed(chain):
        tail = n.IfStmt(span=link.span, cond=link.cond, then=link.then, else_=tail)
    assert isinstance(tail, n.IfStmt)
    return tail


ArmBody = n.Expr | n.Block | n.ReturnStmt | n.BreakStmt | n.ContinueStmt


def _unblock(b: Any) -> n.Expr | n.Block:
    """A lambda's or arm's `=> { ... }` body is the block itself, not a block value."""
    if isinstance(b, n.BlockExpr):
        return b.block
    return cast(n.Expr | n.Block, b)


def as_arm_body(b: Any) -> ArmBody:
    if isinstance(b, n.BlockExpr):
        return b.block
    return cast(ArmBody, b)


def as_select_body(b: Any) -> n.Expr | n.Block:
    if isinstance(b, (n.ReturnStmt, n.BreakStmt, n.ContinueStmt)):
        return n.Block(span=b.span, stmts=(b,))
    return _unblock(b)
