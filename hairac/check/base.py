"""State shared by the checker's parts: the program, diagnostics, symbols and scopes.

The checker is split by family (`expr.py`, `calls.py`, `stmt.py`, `checker.py`); each part
is a mixin over this base, which owns lookups and reporting.
"""

from __future__ import annotations

from hairac import nodes
from hairac.check import messages as msg
from hairac.check import types as t
from hairac.check.info import CheckResult, FuncInfo, Symbol
from hairac.check.scope import Scope
from hairac.check.stdlib import STDLIB_MODULES, runtime_module
from hairac.diagnostics import DiagnosticSink, Span
from hairac.resolve import ModuleUnit, Program


class CheckerBase:
    def __init__(self, program: Program, sink: DiagnosticSink) -> None:
        self.program = program
        self.sink = sink
        self.result = CheckResult()
        self.unit: ModuleUnit = program.entry
        self.scope: Scope | None = None
        self.try_depth = 0
        self.loop_depth = 0
        self.in_test = False
        self.widened = False
        self.aliases: dict[int, t.Type] = {}
        self.alias_nodes: dict[str, list[tuple[str, nodes.TypeAliasDecl]]] = {}

    # ------------------------------------------------------------ reporting

    def error(self, span: Span, message: str, hint: str | None = None, code: str = "") -> None:
        self.sink.error(span, message, hint, code)

    def warn(self, span: Span, message: str, hint: str | None = None, code: str = "") -> None:
        self.sink.warning(span, message, hint, code)

    # ------------------------------------------------------------ lookups

    def lookup_symbol(self, name: str, module: str | None = None) -> Symbol | None:
        """A top-level item visible from the current module (own module first)."""
        cands = self.result.symbols.get(name)
        if not cands:
            return None
        here = module if module is not None else self.unit.key
        for s in cands:
            if s.module == here and s.kind != "global":
                return s
        for s in cands:
            if s.is_pub and s.kind != "global" and s.kind != "test" and self.visible(s, here):
                return s
        return None

    def visible(self, sym: Symbol, here: str) -> bool:
        """`import { A, b } from "m"` in module `here` shows only A and b of m (§5.3)."""
        if here != self.unit.key:
            return True
        for imp, key in self.unit.user_imports:
            if key == sym.module and imp.kind == "select":
                return any(n.name == sym.name for n in imp.names)
        return True

    def lookup_type_symbol(self, name: str) -> Symbol | None:
        sym = self.lookup_symbol(name)
        if sym is not None and sym.kind in ("struct", "enum", "alias"):
            return sym
        return None

    def module_global(self, name: str) -> Symbol | None:
        """A top-level variable of the current module, or a public one of an imported module."""
        for s in self.result.symbols.get(name, ()):
            if s.kind == "global" and s.module == self.unit.key:
                return s
        imported = {key for _, key in self.unit.user_imports}
        for s in self.result.symbols.get(name, ()):
            if s.kind == "global" and s.module in imported:
                return s
        return None

    def module_member(self, qualifier: str, name: str) -> Symbol | None:
        """`weather.get_weather` where `weather` names an imported user module."""
        for imp, key in self.unit.user_imports:
            last = imp.alias if imp.kind == "alias" and imp.alias else key.split("/")[-1]
            if last == qualifier:
                for s in self.result.symbols.get(name, ()):
                    if s.module == key:
                        return s
        return None

    def std_qualifier(self, name: str) -> str | None:
        """The stdlib module a bare qualifier names (imported, aliased, or a stdlib name §6.0)."""
        if name in self.unit.std_imports:
            return runtime_module(self.unit.std_imports[name])
        if name in STDLIB_MODULES:
            return runtime_module(name)
        return None

    def is_local(self, name: str) -> bool:
        return self.scope is not None and self.scope.lookup(name) is not None

    def declare_local(self, name: str, ty: t.Type, span: Span) -> None:
        """Bind a name in the current function (loop variables, catch variables)."""
        if self.scope is None:
            return
        found = self.scope.own(name)
        if found is None:
            self.scope.fn.locals[name] = ty
        elif found != ty:
            joined = t.join(found, ty)
            if joined != found:
                self.scope.set_type(name, joined)
                self.widened = True

    # ------------------------------------------------------------ types

    def resolve_type(self, te: nodes.TypeExpr | None, module: str | None = None) -> t.Type:  # noqa: C901
        if te is None:
            return t.ANY
        match te:
            case nodes.NamedType(name=name, qualifier=qualifier):
                if qualifier is not None:
                    sym = None
                    if module is None:
                        member = self.module_member(qualifier, name)
                        sym = member if member is not None and member.kind in ("struct", "enum", "alias") else None
                    return sym.type if sym is not None else t.ANY
                prim = PRIMS.get(name)
                if prim is not None:
                    return prim
                sym = self.lookup_symbol(name, module)
                if sym is not None and sym.kind in ("struct", "enum"):
                    return sym.type
                if sym is not None and sym.kind == "alias":
                    return self.alias_target(sym)
                if name in ("Result", "Option", "Map", "List"):
                    return t.ANY
                self.error(te.span, msg.NOT_A_TYPE.format(name=name), code="E424")
                return t.ANY
            case nodes.ListType(elem=elem):
                return t.ListType(self.resolve_type(elem, module))
            case nodes.MapType(key=key, value=value):
                return t.MapType(self.resolve_type(key, module), self.resolve_type(value, module))
            case nodes.RecordType():
                return t.MapType(t.STRING, t.ANY)
            case nodes.FuncType(params=params, result=result):
                ps = tuple(
                    t.Param(f"p{i}", self.resolve_type(p, module)) for i, p in enumerate(params)
                )
                return t.FnType(ps, self.resolve_type(result, module))
            case nodes.TupleType(elems=elems):
                return t.TupleType(tuple(self.resolve_type(x, module) for x in elems))
            case nodes.OptionalType(inner=inner):
                it = self.resolve_type(inner, module)
                return it if t.is_any(it) else t.OptionalType(it)
            case nodes.UnionType(members=members):
                for m in members:
                    self.resolve_type(m, module)
                return t.ANY

    def alias_target(self, sym: Symbol) -> t.Type:
        node = sym.node
        if not isinstance(node, nodes.TypeAliasDecl):
            return t.ANY
        key = id(node)
        if key in self.aliases:
            return self.aliases[key]
        self.aliases[key] = t.ANY  # a cycle resolves to any
        ty = self.resolve_type(node.target, sym.module)
        self.aliases[key] = ty
        return ty

    def fn_type_of(self, sym: Symbol) -> t.Type:
        """The signature of a function, checking its body first when the return is inferred."""
        raise NotImplementedError

    def opaque_attr(self, ot: t.OpaqueType, name: str) -> t.Type:
        raise NotImplementedError

    # ------------------------------------------------------------ implemented elsewhere

    def expr(self, e: nodes.Expr, expected: t.Type | None = None) -> t.Type:
        raise NotImplementedError

    def value(self, e: nodes.Expr, expected: t.Type | None = None) -> t.Type:
        raise NotImplementedError

    def check_block(self, block: nodes.Block) -> None:
        raise NotImplementedError

    def check_stmt(self, stmt: nodes.Stmt) -> None:
        raise NotImplementedError

    def block_value(self, block: nodes.Block, expected: t.Type | None) -> t.Type:
        raise NotImplementedError

    def lambda_(self, e: nodes.Lambda, expected: t.Type | None) -> t.Type:
        raise NotImplementedError

    def if_expr(self, e: nodes.IfExpr, expected: t.Type | None) -> t.Type:
        raise NotImplementedError

    def match_(
        self, e: nodes.MatchExpr | nodes.MatchStmt, *, as_value: bool, expected: t.Type | None
    ) -> t.Type:
        raise NotImplementedError

    def call(self, e: nodes.Call, expected: t.Type | None) -> t.Type:
        raise NotImplementedError

    def new_func(self, node: nodes.Node, name: str) -> FuncInfo:
        info = FuncInfo(node=node, name=name, module=self.unit.key)
        self.result.funcs[id(node)] = info
        return info


PRIMS: dict[str, t.Type] = {
    "int": t.INT,
    "float": t.FLOAT,
    "string": t.STRING,
    "bool": t.BOOL,
    "any": t.ANY,
    "error": t.ERROR,
    "nil": t.NIL,
    "void": t.VOID,
    "file": t.STRING,
    "stream": t.STREAM,
    "map": t.MapType(t.STRING, t.ANY),
    "list": t.ListType(t.ANY),
    "fn": t.FnType((), t.ANY, loose=True),
}
