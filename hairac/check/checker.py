"""The checker: `check_program(program, sink) -> CheckResult`.

Pass 1 registers every top-level item of every module (forward references work), pass 2
gives structs, enums and signatures their types, pass 3 types the top-level variables in
source order, pass 4 checks every body. A function without a declared return type gets the
type of what it returns, checked on first use.

    fn add(a: int, b: int) -> int { return a + b }   # add: fn(int, int) -> int
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hairac import nodes
from hairac.check import messages as msg
from hairac.check import types as t
from hairac.check.info import CheckResult, FuncInfo, GlobalRef, Symbol
from hairac.check.scope import Scope
from hairac.check.stmt import StmtChecker
from hairac.diagnostics import DiagnosticSink, Span
from hairac.resolve import ModuleUnit, Program

PROVIDER_FIELDS = frozenset(
    ["api_key", "model", "endpoint", "api_version", "backend", "host", "account_id", "temperature", "max_tokens", "input_token_cost", "output_token_cost", "auth", "transport", "command", "args", "env", "headers", "url", "timeout", "base_url", "organization"]
)
AGENT_FIELDS = frozenset(
    ["provider", "model", "system", "tools", "handoffs", "mcp", "temperature", "max_tokens", "max_steps", "memory", "output", "ui", "storage", "strategy", "timeout", "scope", "scope_deny", "description"]
)

PROVIDER_FIELD_TYPES: dict[str, t.Type] = {
    "api_key": t.STRING,
    "model": t.STRING,
    "endpoint": t.STRING,
    "api_version": t.STRING,
    "backend": t.STRING,
    "host": t.STRING,
    "account_id": t.STRING,
    "temperature": t.FLOAT,
    "max_tokens": t.INT,
}
AGENT_FIELD_TYPES: dict[str, t.Type] = {
    "system": t.STRING,
    "temperature": t.FLOAT,
    "max_tokens": t.INT,
    "max_steps": t.INT,
    "timeout": t.FLOAT,
    "strategy": t.STRING,
    "scope": t.STRING,
    "scope_deny": t.STRING,
    "description": t.STRING,
    "storage": t.BOOL,
}


def check_program(program: Program, sink: DiagnosticSink) -> CheckResult:
    checker = Checker(program, sink)
    mark = len(sink.diagnostics)
    checker.run()
    # A type annotation is resolved by more than one pass: report each problem once.
    seen: set[tuple[str, int, int, str]] = set()
    unique = []
    for d in sink.diagnostics[mark:]:
        key = (d.span.file.path, d.span.start, d.span.end, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    sink.diagnostics[mark:] = unique
    return checker.result


class Checker(StmtChecker):
    def __init__(self, program: Program, sink: DiagnosticSink) -> None:
        super().__init__(program, sink)
        self.aug_binaries = self.result.aug_binaries
        self.let_idents = self.result.let_idents
        self.nonlocals = self.result.nonlocals
        self.exhaustive = self.result.exhaustive
        self.global_assigned = {}
        self.method_nodes = {}
        self.checking: set[int] = set()
        self.checked: set[int] = set()
        self.fn_units: dict[int, ModuleUnit] = {}

    def run(self) -> None:
        units = self.program.units
        for unit in units:
            self.unit = unit
            self.register(unit)
        for unit in units:
            self.unit = unit
            self.check_selected_imports(unit)
        for unit in units:
            self.unit = unit
            self.declare_types(unit)
        for unit in units:
            self.unit = unit
            self.signatures(unit)
        for unit in units:
            self.unit = unit
            self.top_level(unit)
        for unit in units:
            self.unit = unit
            self.bodies(unit)

    # ------------------------------------------------------------ pass 1

    def add_symbol(self, sym: Symbol, span: Span) -> None:
        existing = self.result.symbols.setdefault(sym.name, [])
        for other in existing:
            clash = other.module == sym.module or (other.is_pub and sym.is_pub)
            if clash and not (other.kind == "global" and sym.kind == "global"):
                self.error(span, msg.DUPLICATE.format(name=sym.name), code="E502")
                return
            if other.kind == "global" and sym.kind == "global" and other.module == sym.module:
                return
        existing.append(sym)

    def register(self, unit: ModuleUnit) -> None:  # noqa: C901
        from hairac.check import stdlib

        for name, (mod, imp) in unit.std_names.items():
            if stdlib.lookup(mod, name) is None:
                span = next((n.span for n in imp.names if n.name == name), imp.span)
                self.error(span, msg.UNKNOWN_MODULE_MEMBER.format(module=mod, name=name), code="E510")
        for item in unit.ast.items:
            pub = unit.is_entry or bool(getattr(item, "is_pub", False))
            match item:
                case nodes.FnDecl():
                    self.add_symbol(Symbol("fn", item.name, unit.key, item, t.ANY, pub), item.name_span)
                    self.fn_units[id(item)] = unit
                case nodes.StructDecl():
                    info = t.StructInfo(item.name, unit.key)
                    self.result.structs[id(item)] = info
                    self.add_symbol(
                        Symbol("struct", item.name, unit.key, item, t.StructType(info), pub),
                        item.name_span,
                    )
                case nodes.EnumDecl():
                    einfo = t.EnumInfo(item.name, unit.key)
                    self.result.enums[id(item)] = einfo
                    self.add_symbol(
                        Symbol("enum", item.name, unit.key, item, t.EnumType(einfo), pub),
                        item.name_span,
                    )
                case nodes.TypeAliasDecl():
                    self.add_symbol(Symbol("alias", item.name, unit.key, item, t.ANY, True), item.name_span)
                case nodes.ProviderDecl():
                    self.add_symbol(
                        Symbol("provider", item.name, unit.key, item, t.ProviderType(item.name), True),
                        item.name_span,
                    )
                case nodes.AgentDecl():
                    self.add_symbol(
                        Symbol("agent", item.name, unit.key, item, t.AgentType(item.name), True),
                        item.name_span,
                    )
                case nodes.ToolDecl():
                    self.add_symbol(Symbol("tool", item.name, unit.key, item, t.ANY, True), item.name_span)
                case nodes.WorkflowDecl():
                    self.add_symbol(
                        Symbol("workflow", item.name, unit.key, item, t.ANY, True), item.name_span
                    )
                case nodes.Assign(targets=targets) if len(targets) == 1 and isinstance(
                    targets[0].target, nodes.Ident
                ):
                    name = targets[0].target.name
                    self.add_symbol(Symbol("global", name, unit.key, item, t.ANY, True), item.span)
                case nodes.LetStmt():
                    self.add_symbol(
                        Symbol("global", item.name, unit.key, item, t.ANY, True, item.kind == "const"),
                        item.name_span,
                    )
                case (
                    nodes.ImportDecl() | nodes.ExportDecl() | nodes.MethodDecl() | nodes.TestDecl()
                    | nodes.EvalDecl()
                ):
                    pass
                case _:
                    self.error(
                        item.span,
                        msg.TOP_LEVEL_STMT.format(),
                        hint="move it into fn main()",
                        code="E506",
                    )

    def check_selected_imports(self, unit: ModuleUnit) -> None:
        for imp, key in unit.user_imports:
            if imp.kind != "select":
                continue
            for n in imp.names:
                found = any(
                    s.module == key and s.is_pub for s in self.result.symbols.get(n.name, ())
                )
                if not found:
                    self.error(n.span, msg.NOT_EXPORTED.format(path=imp.path, name=n.name), code="E507")

    # ------------------------------------------------------------ pass 2

    def declare_types(self, unit: ModuleUnit) -> None:
        for item in unit.ast.items:
            if isinstance(item, nodes.StructDecl):
                info = self.result.structs[id(item)]
                for f in item.fields:
                    dt = self.static_type(f.default) if f.default is not None else None
                    if f.type is not None:
                        ft = self.resolve_type(f.type)
                        if dt is not None and f.default is not None and not t.compatible(ft, dt):
                            self.error(
                                f.default.span,
                                msg.TYPE_MISMATCH.format(expected=ft.show(), got=dt.show()),
                                code="E401",
                            )
                    elif dt is not None:
                        ft = t.ANY if dt == t.NIL else dt
                    else:
                        ft = t.ANY
                    if f.name in info.fields:
                        self.error(f.name_span, msg.DUPLICATE.format(name=f.name), code="E502")
                        continue
                    info.fields[f.name] = ft
                    info.field_order.append(f.name)
                    if f.default is not None:
                        info.defaults[f.name] = f.default
            elif isinstance(item, nodes.EnumDecl):
                einfo = self.result.enums[id(item)]
                for v in item.variants:
                    params = tuple(
                        t.Param(p.name, self.resolve_type(p.type) if p.type else t.ANY, p.default is not None)
                        for p in (v.params or ())
                    )
                    einfo.variants[v.name] = params
                    for p in v.params or ():
                        if p.default is not None:
                            self.static_type(p.default)
                            einfo.defaults[(v.name, p.name)] = p.default

    def static_type(self, e: nodes.Expr) -> t.Type:
        """The type of a default value, without a scope (literals)."""
        saved = self.sink
        self.sink = DiagnosticSink()
        try:
            return self.value(e)
        finally:
            self.sink = saved

    def signatures(self, unit: ModuleUnit) -> None:
        for item in unit.ast.items:
            if isinstance(item, nodes.MethodDecl):
                sym = self.lookup_type_symbol(item.receiver)
                if sym is None or not isinstance(sym.type, t.StructType):
                    self.error(item.receiver_span, msg.NOT_A_TYPE.format(name=item.receiver), code="E424")
                    continue
                info = sym.type.info
                if sym.module != unit.key:
                    self.error(
                        item.receiver_span,
                        msg.METHOD_ON_IMPORTED.format(type=item.receiver),
                        code="E511",
                    )
                    continue
                fn = self.signature(item.params, item.return_type)
                info.methods[item.name] = fn
                self.method_nodes[(id(info), item.name)] = item
                self.fn_units[id(item)] = unit
            elif isinstance(item, nodes.ToolDecl | nodes.WorkflowDecl):
                fn = self.signature(item.params, item.return_type, workflow=isinstance(item, nodes.WorkflowDecl))
                if (
                    isinstance(item, nodes.WorkflowDecl)
                    and fn.ret not in (t.STREAM, t.VOID)
                    and not t.is_any(fn.ret)
                    and not isinstance(fn.ret, t.OptionalType)
                    and not terminates(item.body)
                ):
                    fn = t.FnType(fn.params, t.OptionalType(fn.ret))  # may answer null
                sym = self.symbol_for(item)
                if sym is not None:
                    sym.type = (
                        t.ToolType(item.name, fn) if isinstance(item, nodes.ToolDecl)
                        else t.WorkflowType(item.name, fn)
                    )
            elif isinstance(item, nodes.FnDecl) and item.return_type is not None:
                sym = self.symbol_for(item)
                if sym is not None:
                    sym.type = self.signature(item.params, item.return_type)

    def symbol_for(self, item: nodes.Node) -> Symbol | None:
        name = getattr(item, "name", "")
        for s in self.result.symbols.get(name, ()):
            if s.node is item:
                return s
        return None

    def signature(
        self, params: tuple[nodes.Param, ...], ret: nodes.TypeExpr | None, *, workflow: bool = False
    ) -> t.FnType:
        ps = tuple(
            t.Param(p.name, self.param_type(p), p.default is not None, p.rest) for p in params
        )
        rt: t.Type
        rt = (t.ANY if workflow else t.VOID) if ret is None else self.resolve_type(ret)
        return t.FnType(ps, rt)

    def param_type(self, p: nodes.Param) -> t.Type:
        if p.type is not None:
            ty = self.resolve_type(p.type)
        elif p.default is not None:
            ty = self.static_type(p.default)
            if ty == t.NIL:
                ty = t.ANY
        else:
            ty = t.ANY
        return t.ListType(ty) if p.rest else ty

    # ------------------------------------------------------------ pass 3

    def top_level(self, unit: ModuleUnit) -> None:
        self.scope = None
        for item in unit.ast.items:
            if isinstance(item, nodes.Assign | nodes.LetStmt):
                self.check_stmt(item)

    # ------------------------------------------------------------ pass 4

    def bodies(self, unit: ModuleUnit) -> None:  # noqa: C901
        for item in unit.ast.items:
            match item:
                case nodes.FnDecl():
                    sym = self.symbol_for(item)
                    if sym is not None:
                        self.fn_type_of(sym)
                case nodes.MethodDecl():
                    self.check_method(item)
                case nodes.ToolDecl():
                    self.check_callable(item, item.name, item.params, item.body, item.return_type)
                    if item.hooks:
                        info = self.result.funcs[id(item)]
                        with self.function(info, unit):
                            for hook in item.hooks:
                                self.check_block(hook.body)
                case nodes.WorkflowDecl():
                    self.check_workflow(item)
                case nodes.TestDecl():
                    info = self.new_func(item, f"test {item.name}")
                    with self.function(info, unit):
                        self.in_test = True
                        self.check_block(item.body)
                case nodes.ProviderDecl():
                    self.check_provider(item)
                case nodes.AgentDecl():
                    self.check_agent(item)
                case nodes.EvalDecl():
                    for f in item.fields:
                        self.scope = None
                        self.expr(f.value)

    @contextmanager
    def function(self, info: FuncInfo, unit: ModuleUnit) -> Iterator[None]:
        saved = (
            self.scope, self.current_fn, self.inferred_ret, self.loop_depth, self.try_depth,
            self.in_test, self.unit, self.widened,
        )
        self.scope = Scope(info)
        self.current_fn = info
        self.inferred_ret = None
        self.loop_depth = 0
        self.try_depth = 0
        self.in_test = False
        self.unit = unit
        try:
            yield
        finally:
            (
                self.scope, self.current_fn, self.inferred_ret, self.loop_depth, self.try_depth,
                self.in_test, self.unit, self.widened,
            ) = saved

    def fn_type_of(self, sym: Symbol) -> t.Type:
        node = sym.node
        if sym.kind != "fn" or not isinstance(node, nodes.FnDecl):
            return sym.type
        key = id(node)
        if key in self.checked:
            return sym.type
        if key in self.checking:
            # recursion while inferring: the result is not known yet
            if isinstance(sym.type, t.FnType):
                return sym.type
            return t.FnType(self.signature(node.params, None).params, t.ANY)
        self.checking.add(key)
        try:
            info = self.check_callable(node, node.name, node.params, node.body, node.return_type)
        finally:
            self.checking.discard(key)
        self.checked.add(key)
        sym.type = t.FnType(
            tuple(
                t.Param(p.name, ty, p.default is not None, p.rest)
                for p, (_, ty) in zip(node.params, info.params, strict=True)
            ),
            info.ret,
        )
        return sym.type

    def check_callable(
        self,
        node: nodes.FnDecl | nodes.ToolDecl | nodes.WorkflowDecl | nodes.MethodDecl,
        name: str,
        params: tuple[nodes.Param, ...],
        body: nodes.Block,
        ret: nodes.TypeExpr | None,
        receiver: t.StructInfo | None = None,
    ) -> FuncInfo:
        unit = self.fn_units.get(id(node)) or self.unit_of(node)
        saved_unit = self.unit
        self.unit = unit
        info = self.new_func(node, name)
        info.module = unit.key
        info.receiver = receiver
        if receiver is not None:
            info.params.append(("self", t.StructType(receiver)))
        for p in params:
            info.params.append((p.name, self.param_type(p)))
            if p.rest:
                info.rest_param = p.name
        is_workflow = isinstance(node, nodes.WorkflowDecl)
        if ret is not None:
            info.ret = self.resolve_type(ret)
            info.ret_declared = True
        self.unit = saved_unit
        outer = self.sink
        for _attempt in range(4):
            self.sink = DiagnosticSink()
            info.locals.clear()
            with self.function(info, unit):
                for p in params:
                    if p.default is not None:
                        self.value(p.default)
                self.check_block(body)
                inferred = self.inferred_ret
                widened = self.widened
                self.widened = False
            if not widened:
                break
            # a local's type widened: check again so every use sees the final type
            self.nonlocals.pop(id(node), None)
        for d in self.sink.diagnostics:
            outer.report(d)
        self.sink = outer
        if not info.ret_declared:
            info.ret = inferred if inferred is not None else (t.ANY if is_workflow else t.VOID)
            if info.ret == t.NIL:
                info.ret = t.ANY
        elif is_workflow and info.ret != t.STREAM and not terminates(body):
            # REF §4.4: a workflow that reaches its end without `return` answers null
            if not isinstance(info.ret, t.OptionalType) and not t.is_any(info.ret):
                info.ret = t.OptionalType(info.ret)
        elif (
            info.ret not in (t.VOID, t.NIL)
            and not t.is_any(info.ret)
            and not terminates(body)
            and not (isinstance(node, nodes.ToolDecl) and not body.stmts)
        ):
            self.error(
                _closing(node),
                msg.MISSING_RETURN.format(type=info.ret.show()),
                code="E411",
            )
        return info

    def unit_of(self, node: nodes.Node) -> ModuleUnit:
        path = node.span.file.path
        for u in self.program.units:
            if u.path == path:
                return u
        return self.unit

    def check_method(self, item: nodes.MethodDecl) -> None:
        sym = self.lookup_type_symbol(item.receiver)
        if sym is None or not isinstance(sym.type, t.StructType):
            return
        info = self.check_callable(
            item, f"{item.receiver}.{item.name}", item.params, item.body, item.return_type,
            receiver=sym.type.info,
        )
        fn = sym.type.info.methods.get(item.name)
        if fn is not None and item.return_type is None:
            sym.type.info.methods[item.name] = t.FnType(fn.params, info.ret)

    def check_workflow(self, item: nodes.WorkflowDecl) -> None:
        info = self.check_callable(item, item.name, item.params, item.body, item.return_type)
        sym = self.symbol_for(item)
        if sym is not None and isinstance(sym.type, t.WorkflowType) and item.return_type is None:
            sym.type = t.WorkflowType(item.name, t.FnType(sym.type.fn.params, info.ret))
        for hook in item.hooks:
            with self.function(info, self.unit):
                if hook.binding is not None:
                    self.declare_local(hook.binding, t.STRING, hook.binding_span or hook.span)
                self.check_block(hook.body)

    # ------------------------------------------------------------ agentic declarations

    def check_provider(self, item: nodes.ProviderDecl) -> None:
        self.scope = None
        for f in item.fields:
            if f.name not in PROVIDER_FIELDS:
                self.warn(
                    f.name_span,
                    msg.UNKNOWN_PROVIDER_FIELD.format(field=f.name),
                    hint="valid fields: api_key, model, endpoint, api_version, backend, host, "
                    "temperature, max_tokens",
                    code="W600",
                )
            want = PROVIDER_FIELD_TYPES.get(f.name)
            got = self.value(f.value, want)
            if want is not None and not t.compatible(want, got):
                self.error(
                    f.value.span,
                    msg.TYPE_MISMATCH.format(expected=want.show(), got=got.show()),
                    code="E401",
                )

    def check_agent(self, item: nodes.AgentDecl) -> None:  # noqa: C901
        self.scope = None
        has_provider = False
        for f in item.fields:
            v = f.value
            if f.name not in AGENT_FIELDS:
                self.warn(f.name_span, msg.UNKNOWN_AGENT_FIELD.format(field=f.name), code="W601")
            if f.name in ("provider", "model") and isinstance(v, nodes.Ident):
                sym = self.lookup_symbol(v.name)
                if sym is None or sym.kind != "provider":
                    self.error(
                        v.span,
                        msg.UNKNOWN_PROVIDER.format(agent=item.name, provider=v.name),
                        code="E600",
                    )
                else:
                    self.result.refs[id(v)] = GlobalRef(sym)
                    self.result.types[id(v)] = sym.type
                has_provider = True
            elif f.name in ("tools", "handoffs") and isinstance(v, nodes.ListLit):
                for x in v.elems:
                    self.agent_ref(item, f.name, x)
                self.result.types[id(v)] = t.ListType(t.ANY)
            elif f.name == "memory":
                self.memory_value(v)
            elif f.name == "output" and isinstance(v, nodes.Ident):
                sym = self.lookup_type_symbol(v.name)
                if sym is None:
                    self.error(v.span, msg.NOT_A_TYPE.format(name=v.name), code="E424")
                else:
                    self.result.refs[id(v)] = GlobalRef(sym)
            else:
                if f.name == "provider":
                    has_provider = True
                want = AGENT_FIELD_TYPES.get(f.name)
                if f.name == "provider":
                    want = t.ProviderType("provider")
                got = self.value(v, want)
                if want is not None and not t.compatible(want, got):
                    self.error(
                        v.span,
                        msg.TYPE_MISMATCH.format(expected=want.show(), got=got.show()),
                        code="E401",
                    )
        if not has_provider:
            self.error(
                item.name_span, msg.MISSING_PROVIDER.format(agent=item.name), code="E602"
            )

    def agent_ref(self, agent: nodes.AgentDecl, field: str, x: nodes.Expr) -> None:
        if not isinstance(x, nodes.Ident):
            self.value(x)
            return
        sym = self.lookup_symbol(x.name)
        if field == "tools":
            if sym is None or sym.kind not in ("tool", "fn", "workflow"):
                self.error(
                    x.span, msg.UNKNOWN_TOOL.format(agent=agent.name, tool=x.name), code="E601"
                )
                return
        else:
            if sym is None or sym.kind != "agent":
                self.error(
                    x.span,
                    msg.UNKNOWN_HANDOFF.format(agent=agent.name, target=x.name),
                    code="E603",
                )
                return
        self.result.refs[id(x)] = GlobalRef(sym)
        self.result.types[id(x)] = sym.type

    def memory_value(self, v: nodes.Expr) -> None:
        if isinstance(v, nodes.Call) and isinstance(v.callee, nodes.Ident):
            for a in v.args:
                self.value(a.value)
            self.result.types[id(v)] = t.ANY
            return
        if isinstance(v, nodes.Ident | nodes.NilLit):
            self.result.types[id(v)] = t.ANY
            return
        self.value(v)


def terminates(block: nodes.Block) -> bool:
    """Whether control cannot reach the end of `block` (Go's terminating statements)."""
    if not block.stmts:
        return False
    return _stmt_terminates(block.stmts[-1])


def _stmt_terminates(s: nodes.Stmt) -> bool:  # noqa: C901
    if isinstance(s, nodes.ReturnStmt):
        return True
    if isinstance(s, nodes.ExprStmt):
        e = s.expr
        if isinstance(e, nodes.Call) and isinstance(e.callee, nodes.Ident) and e.callee.name == "panic":
            return True
        callee = e.callee if isinstance(e, nodes.Call) else None
        if (
            isinstance(callee, nodes.FieldAccess)
            and isinstance(callee.obj, nodes.Ident)
            and callee.obj.name == "os"
            and callee.name == "exit"
        ):
            return True
        if isinstance(e, nodes.MatchExpr):
            return _match_terminates(e.arms)
        return False
    if isinstance(s, nodes.IfStmt):
        if s.else_ is None:
            return False
        other = terminates(s.else_) if isinstance(s.else_, nodes.Block) else _stmt_terminates(s.else_)
        return terminates(s.then) and other
    if isinstance(s, nodes.MatchStmt):
        return _match_terminates(s.arms)
    if isinstance(s, nodes.WhileStmt):
        return isinstance(s.cond, nodes.BoolLit) and s.cond.value and not _has_break(s.body)
    if isinstance(s, nodes.TryStmt):
        return terminates(s.body) and terminates(s.handler)
    return False


def _match_terminates(arms: tuple[nodes.MatchArm, ...]) -> bool:
    if not any(isinstance(a.pattern, nodes.WildcardPattern) and a.guard is None for a in arms):
        return False
    for a in arms:
        b = a.body
        if isinstance(b, nodes.ReturnStmt):
            continue
        if isinstance(b, nodes.Block) and terminates(b):
            continue
        return False
    return True


def _has_break(node: nodes.Node) -> bool:
    """A `break` that leaves this loop (not one of a nested loop or lambda)."""
    for child in nodes.children(node):
        if isinstance(child, nodes.BreakStmt):
            return True
        if isinstance(child, nodes.WhileStmt | nodes.ForStmt | nodes.Lambda):
            continue
        if _has_break(child):
            return True
    return False


def _closing(node: nodes.Node) -> Span:
    span = node.span
    return Span(span.file, max(span.start, span.end - 1), span.end)
