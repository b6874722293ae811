"""Call checking: which function a call reaches, its arguments bound to parameters, and
the result type (language.md §3.3, §4.7, §6.0; agents: reference-runtime.md §3.2).

    f(1, b: 2)            -> CallPlan("fn", args in parameter order, defaults filled in)
    string.trim(s)        -> CallPlan("std", module="string", py_name="trim")
    Writer.stream(m, session: sid) -> CallPlan("agent", py_name="stream")
"""

from __future__ import annotations

import collections.abc
import importlib
import typing
from functools import cache

from hairac import nodes
from hairac.check import messages as msg
from hairac.check import stdlib
from hairac.check import types as t
from hairac.check.expr import BUILTINS, ExprChecker, _callee_text
from hairac.check.info import (
    ArgPlan,
    BuiltinRef,
    CallPlan,
    GlobalRef,
    StdFuncRef,
    StdModuleRef,
    Symbol,
    VariantRef,
)

AGENT_METHODS: dict[str, t.Type] = {
    "ask": t.TupleType((t.STRING, t.ERROR)),
    "run": t.TupleType((t.ANY, t.ERROR)),
    "stream": t.STREAM,
}

_TYPE_NAMES = frozenset({"str", "int", "float", "string", "bool"})


class CallChecker(ExprChecker):
    def call(self, e: nodes.Call, expected: t.Type | None) -> t.Type:
        plan = self._plan(e, expected)
        if plan is None:
            for a in e.args:
                self.value(a.value)
            return t.ANY
        self.result.calls[id(e)] = plan
        return plan.ret

    def _plan(self, e: nodes.Call, expected: t.Type | None) -> CallPlan | None:  # noqa: C901
        callee = e.callee
        if isinstance(callee, nodes.Ident) and not self.is_local(callee.name):
            name = callee.name
            gl = self.module_global(name)
            if gl is None:
                sym = self.lookup_symbol(name)
                if sym is not None:
                    self.result.refs[id(callee)] = GlobalRef(sym)
                    return self.symbol_call(e, sym)
                if name in self.unit.std_names:
                    smod = self.unit.std_names[name][0]
                    sfound = stdlib.lookup(smod, name)
                    if isinstance(sfound, stdlib.StdFunc):
                        self.result.refs[id(callee)] = StdFuncRef(sfound.module, sfound.py_name)
                        return self.std_call(e, sfound, f"{smod}.{name}")
                for mod in self.unit.std_globs:
                    found = stdlib.lookup(mod, name)
                    if isinstance(found, stdlib.StdFunc):
                        self.result.refs[id(callee)] = StdFuncRef(found.module, found.py_name)
                        return self.std_call(e, found, f"{mod}.{name}")
                # Type names (`int(x)`, `str(x)`) are not conversion functions in Haira
                # (conv.* is); codegen has no lowering for them, so they are undefined here.
                if name in BUILTINS and name not in _TYPE_NAMES:
                    self.result.refs[id(callee)] = BuiltinRef(name)
                    return self.builtin_call(e, name)
                self.error(callee.span, msg.UNDEFINED_FUNCTION.format(name=name), code="E501")
                return None
        if isinstance(callee, nodes.FieldAccess):
            plan = self.qualified_call(e, callee)
            if not isinstance(plan, bool):
                return plan
        ct = self.value(callee)
        return self.dynamic_call(e, ct)

    # ------------------------------------------------------------ forms

    def symbol_call(self, e: nodes.Call, sym: Symbol) -> CallPlan | None:
        if sym.kind in ("fn", "workflow", "tool"):
            fn = _fn_of(self.fn_type_of(sym))
            if fn is None:
                return None
            decl = sym.node
            defaults = _defaults(decl)
            args = self.bind(e, fn, sym.name, defaults, ordered=True)
            return CallPlan("fn", args, fn.ret, symbol=sym)
        self.error(e.callee.span, msg.NOT_CALLABLE.format(type=sym.name), code="E414")
        return None

    def qualified_call(  # noqa: C901 - one arm per qualifier kind
        self, e: nodes.Call, callee: nodes.FieldAccess
    ) -> CallPlan | None | bool:
        obj = callee.obj
        name = callee.name
        if (
            isinstance(obj, nodes.Ident)
            and not self.is_local(obj.name)
            and self.module_global(obj.name) is None
        ):
            sym = self.lookup_symbol(obj.name)
            if sym is not None and isinstance(sym.type, t.EnumType):
                self.result.refs[id(obj)] = GlobalRef(sym)
                return self.variant_call(e, callee, sym.type.info)
            if sym is not None and sym.kind == "agent":
                self.result.refs[id(obj)] = GlobalRef(sym)
                self.result.types[id(obj)] = sym.type
                return self.agent_call(e, callee, sym.name)
            if sym is None:
                std = self.std_qualifier(obj.name)
                if std is not None:
                    self.result.refs[id(obj)] = StdModuleRef(std)
                    if std == "http" and name == "Server":
                        return self.server_call(e)
                    found = stdlib.lookup(std, name)
                    if not isinstance(found, stdlib.StdFunc):
                        self.error(
                            callee.span,
                            msg.UNKNOWN_STD.format(module=obj.name, name=name),
                            code="E508",
                        )
                        return None
                    self.result.refs[id(callee)] = StdFuncRef(found.module, found.py_name)
                    return self.std_call(e, found, f"{obj.name}.{name}")
                member = self.module_member(obj.name, name)
                if member is not None:
                    self.result.refs[id(callee)] = GlobalRef(member)
                    return self.symbol_call(e, member)
                if name in AGENT_METHODS and obj.name[:1].isupper():
                    self.error(obj.span, msg.UNKNOWN_AGENT.format(agent=obj.name), code="E608")
                    return None
        ot = self.value(obj)
        if isinstance(ot, t.StructType):
            info = ot.info
            if name in info.methods:
                fn = info.methods[name]
                args = self.bind(e, fn, f"{info.name}.{name}", self.method_defaults(info, name), ordered=True)
                return CallPlan("method", args, fn.ret, py_name=name, receiver=obj)
            if name in info.fields:
                ft = info.fields[name]
                plan = self.dynamic_call(e, ft)
                if plan is not None:
                    plan.receiver = obj
                    plan.py_name = name
                    plan.field_call = True
                return plan
            self.error(
                callee.name_span,
                msg.UNKNOWN_METHOD.format(method=name, type=info.name),
                code="E413",
            )
            return None
        if isinstance(ot, t.AgentType):
            return self.agent_call(e, callee, ot.name)
        if isinstance(ot, t.OpaqueType):
            ofn = self.opaque_method(ot, name)
            if ofn is None:
                self.error(
                    callee.name_span,
                    msg.UNKNOWN_METHOD.format(method=name, type=ot.show()),
                    code="E413",
                )
                return None
            args = self.bind(e, ofn, f"{ot.show()}.{name}", None, ordered=False)
            return CallPlan("opaque", args, ofn.ret, py_name=name, receiver=obj)
        if ot == t.ERROR and name in ("error", "message"):
            return CallPlan("opaque", [], t.STRING, py_name="error", receiver=obj)
        if t.is_any(ot) or isinstance(ot, t.OptionalType | t.MapType):
            args = [
                ArgPlan(a.value, self.value(a.value) and t.ANY, a.name)
                for a in e.args
            ]
            return CallPlan("opaque", args, t.ANY, py_name=name, receiver=obj)
        self.error(
            callee.name_span, msg.UNKNOWN_METHOD.format(method=name, type=ot.show()), code="E413"
        )
        return None

    def dynamic_call(self, e: nodes.Call, ct: t.Type) -> CallPlan | None:
        if isinstance(ct, t.OptionalType):
            ct = ct.inner  # calling nil is a runtime error
        if isinstance(ct, t.WorkflowType | t.ToolType):
            ct = ct.fn
        if isinstance(ct, t.FnType) and not ct.loose:
            args = self.bind(e, ct, _callee_text(e.callee), None, ordered=False)
            return CallPlan("dynamic", args, ct.ret)
        if isinstance(ct, t.FnType) or t.is_any(ct):
            args = [ArgPlan(a.value, t.ANY, a.name) for a in e.args]
            for a in e.args:
                self.value(a.value)
            return CallPlan("dynamic", args, ct.ret if isinstance(ct, t.FnType) else t.ANY)
        self.error(e.callee.span, msg.NOT_CALLABLE.format(type=ct.show()), code="E414")
        return None

    def std_call(self, e: nodes.Call, found: stdlib.StdFunc, what: str) -> CallPlan:
        fn = found.fn
        if found.generic:
            return self.generic_std_call(e, found, what)
        args = self.bind(e, fn, what, None, ordered=False)
        ret = fn.ret
        if found.module == "env" and found.py_name == "env":
            ret = self.env_type(e)
        return CallPlan("std", args, ret, module=found.module, py_name=found.py_name)

    def generic_std_call(self, e: nodes.Call, found: stdlib.StdFunc, what: str) -> CallPlan:
        """A generic stdlib function: bind its TypeVars from the arguments (plain values
        first, then functions, whose parameters get the bound types), then the result."""
        hints = dict(found.generic)
        fn = found.fn
        bindings: dict[object, t.Type] = {}
        pre: dict[int, t.Type] = {}
        callables: list[tuple[nodes.Expr, object]] = []
        params = list(fn.params)
        pos = 0
        for a in e.args:
            p = next((q for q in params if q.name == a.name), None) if a.name else None
            if p is None and a.name is None:
                while pos < len(params) and params[pos].rest is False and any(
                    x.name == params[pos].name for x in e.args if x.name
                ):
                    pos += 1
                p = params[pos] if pos < len(params) else (params[-1] if params and params[-1].rest else None)
                if p is not None and not p.rest:
                    pos += 1
            hint = hints.get(p.name) if p is not None else None
            if hint is not None and typing.get_origin(hint) is collections.abc.Callable:
                callables.append((a.value, hint))
                continue
            ty = self.value(a.value)
            pre[id(a.value)] = ty
            if hint is not None:
                stdlib.unify(hint, ty, bindings)
        for value, hint in callables:
            ty = self.value(value, stdlib.substitute(hint, bindings))
            pre[id(value)] = ty
            stdlib.unify(hint, ty, bindings)
        # arity and names, with the argument types already known
        self.precomputed = pre
        try:
            args = self.bind(e, fn, what, None, ordered=False)
        finally:
            self.precomputed = None
        ret = stdlib.substitute(hints.get("return", object), bindings) if "return" in hints else fn.ret
        if ret == t.NIL:
            ret = t.VOID
        return CallPlan("std", args, ret, module=found.module, py_name=found.py_name)

    def env_type(self, e: nodes.Call) -> t.Type:
        if len(e.args) >= 2:
            kind = e.args[1].value
            if isinstance(kind, nodes.Ident) and kind.name == "int":
                return t.INT
            if isinstance(kind, nodes.Ident) and kind.name == "float":
                return t.FLOAT
        return t.STRING

    def builtin_call(self, e: nodes.Call, name: str) -> CallPlan:  # noqa: C901
        args = e.args
        plans: list[ArgPlan] = []
        types: list[t.Type] = []
        for i, a in enumerate(args):
            if name == "env" and i == 1 and isinstance(a.value, nodes.Ident):
                self.result.refs[id(a.value)] = BuiltinRef(a.value.name)
                types.append(t.ANY)
            else:
                types.append(self.value(a.value))
            plans.append(ArgPlan(a.value, t.ANY, None))
        ret: t.Type = t.ANY
        arity = {"len": (1, 1), "keys": (1, 1), "values": (1, 1), "join": (2, 2), "env": (1, 2),
                 "error": (1, 1), "panic": (1, 1), "append": (1, None), "typeof": (1, 1),
                 "type_of": (1, 1)}
        lo, hi = arity.get(name, (0, None))
        if len(args) < lo or (hi is not None and len(args) > hi):
            expected_n = str(lo) if lo == hi else f"at least {lo}"
            self.error(
                e.span,
                msg.WRONG_ARITY.format(what=name, expected=expected_n, s="" if lo == 1 else "s", got=len(args)),
                code="E406",
            )
        if name == "len":
            ret = t.INT
        elif name == "keys":
            ret = t.ListType(types[0].key if types and isinstance(types[0], t.MapType) else t.ANY)
        elif name == "values":
            ret = t.ListType(types[0].value if types and isinstance(types[0], t.MapType) else t.ANY)
        elif name in ("join", "typeof", "type_of"):
            ret = t.STRING
        elif name == "env":
            ret = self.env_type(e)
        elif name == "error":
            ret = t.ERROR
        elif name in ("panic", "print", "println"):
            ret = t.VOID
        elif name == "append":
            first = types[0] if types else t.ANY
            if isinstance(first, t.ListType):
                elem = first.elem
                for a, at in zip(args[1:], types[1:], strict=True):
                    if not t.compatible(elem, at):
                        self.error(a.value.span, msg.TYPE_MISMATCH.format(expected=elem.show(), got=at.show()), code="E401")
                ret = first
            else:
                ret = t.ListType(t.ANY)
        return CallPlan("builtin", plans, ret, py_name=name)

    def variant_call(self, e: nodes.Call, callee: nodes.FieldAccess, info: t.EnumInfo) -> CallPlan | None:
        params = info.variants.get(callee.name)
        if params is None:
            self.error(
                callee.name_span,
                msg.UNKNOWN_VARIANT.format(enum=info.name, variant=callee.name),
                code="E416",
            )
            return None
        if not params:
            self.error(
                callee.span,
                msg.VARIANT_NOT_CALLABLE.format(enum=info.name, variant=callee.name),
                code="E417",
            )
            return None
        ref = VariantRef(info, callee.name)
        self.result.refs[id(callee)] = ref
        fn = t.FnType(params, t.EnumType(info))
        defaults = {
            p.name: d
            for (v, pname), d in info.defaults.items()
            if v == callee.name
            for p in params
            if p.name == pname and isinstance(d, nodes.Node)
        }
        args = self.bind(e, fn, f"{info.name}.{callee.name}", defaults, ordered=True)  # type: ignore[arg-type]
        return CallPlan("variant", args, t.EnumType(info), variant=ref)

    def agent_call(self, e: nodes.Call, callee: nodes.FieldAccess, agent: str) -> CallPlan | None:
        method = callee.name
        ret = AGENT_METHODS.get(method)
        if ret is None:
            self.error(
                callee.name_span,
                msg.UNKNOWN_AGENT_METHOD.format(agent=agent, method=method),
                code="E604",
            )
            return None
        args: list[ArgPlan] = []
        positional = [a for a in e.args if a.name is None]
        if len(positional) != 1:
            self.error(
                e.span,
                msg.WRONG_ARITY.format(what=f"{agent}.{method}", expected=1, s="", got=len(positional)),
                code="E406",
            )
        for a in e.args:
            if a.name is None:
                got = self.value(a.value, t.STRING)
                if not t.compatible(t.STRING, got):
                    self.error(
                        a.value.span,
                        msg.ARG_MISMATCH.format(param="message", what=f"{agent}.{method}", expected="string", got=got.show()),
                        code="E407",
                    )
                args.append(ArgPlan(a.value, t.STRING, None))
            elif a.name == "session":
                got = self.value(a.value, t.STRING)
                if not t.compatible(t.STRING, got) or got == t.NIL:
                    self.error(a.value.span, msg.SESSION_NOT_STRING.format(type=got.show()), code="E605")
                args.append(ArgPlan(a.value, t.STRING, "session"))
            else:
                self.value(a.value)
                self.error(
                    a.name_span or a.span,
                    msg.UNKNOWN_PARAM.format(what=f"{agent}.{method}", name=a.name),
                    code="E408",
                )
        return CallPlan("agent", args, ret, py_name=method, receiver=callee.obj)

    def server_call(self, e: nodes.Call) -> CallPlan:
        args: list[ArgPlan] = []
        for a in e.args:
            v = a.value
            if isinstance(v, nodes.ListLit):
                for x in v.elems:
                    xt = self.value(x)
                    if not isinstance(xt, t.WorkflowType) and not t.is_any(xt):
                        self.error(
                            x.span,
                            msg.TYPE_MISMATCH.format(expected="workflow", got=xt.show()),
                            code="E401",
                        )
                self.result.types[id(v)] = t.ListType(t.ANY)
            else:
                self.value(v)
            args.append(ArgPlan(v, t.ANY, a.name))
        return CallPlan("server", args, t.SERVER)

    # ------------------------------------------------------------ argument binding

    def bind(  # noqa: C901 - the binding rules are one algorithm
        self,
        e: nodes.Call,
        fn: t.FnType,
        what: str,
        defaults: dict[str, nodes.Expr] | None,
        *,
        ordered: bool,
    ) -> list[ArgPlan]:
        params = fn.params
        by_name = {p.name: i for i, p in enumerate(params)}
        slots: list[nodes.Expr | None] = [None] * len(params)
        extras: list[nodes.Expr] = []
        keyword: list[ArgPlan] = []
        rest_index = next((i for i, p in enumerate(params) if p.rest), None)
        pos = 0
        ok = True
        for a in e.args:
            if a.name is None:
                while pos < len(params) and (slots[pos] is not None) and not params[pos].rest:
                    pos += 1
                if pos < len(params) and not params[pos].rest:
                    slots[pos] = a.value
                    pos += 1
                elif rest_index is not None:
                    extras.append(a.value)
                else:
                    extras.append(a.value)
                    ok = False
            else:
                i = by_name.get(a.name)
                if i is None:
                    self.error(
                        a.name_span or a.span,
                        msg.UNKNOWN_PARAM.format(what=what, name=a.name),
                        code="E408",
                    )
                    self.value(a.value)
                    continue
                if slots[i] is not None:
                    self.error(a.span, msg.DUP_ARG.format(name=a.name), code="E409")
                    continue
                slots[i] = a.value
        given = sum(1 for s in slots if s is not None) + len(extras)
        missing = [
            p.name for i, p in enumerate(params) if slots[i] is None and not p.has_default and not p.rest
        ]
        if not ok or missing:
            max_args = fn.max_args
            expected_n = (
                str(fn.min_args)
                if max_args == fn.min_args
                else (f"at least {fn.min_args}" if max_args is None else f"{fn.min_args} to {max_args}")
            )
            self.error(
                e.span,
                msg.WRONG_ARITY.format(
                    what=what, expected=expected_n, s="" if expected_n == "1" else "s", got=given
                ),
                code="E406",
            )
        plans: list[ArgPlan] = []
        for i, p in enumerate(params):
            if p.rest:
                elem = t.Param(p.name, p.type.elem if isinstance(p.type, t.ListType) else t.ANY)
                for x in extras:
                    self.arg(x, elem, what)
                    plans.append(ArgPlan(x, elem.type, None))
                continue
            s = slots[i]
            if s is None:
                d = (defaults or {}).get(p.name)
                if d is not None and ordered:
                    plans.append(ArgPlan(d, p.type, None))
                elif p.has_default:
                    ordered = False  # later arguments must go by keyword
                continue
            self.arg(s, p, what)
            if ordered:
                plans.append(ArgPlan(s, p.type, None))
            else:
                # keep source order for positional arguments; named ones by keyword
                named = next((a for a in e.args if a.value is s and a.name is not None), None)
                if named is not None:
                    keyword.append(ArgPlan(s, p.type, p.name))
                else:
                    plans.append(ArgPlan(s, p.type, None))
        if rest_index is None and extras and not ok:
            for x in extras:
                self.value(x)
        return plans + keyword

    def arg(self, x: nodes.Expr, p: t.Param, what: str) -> None:
        got = self.value(x, p.type)
        if not t.compatible(p.type, got):
            self.error(
                x.span,
                msg.ARG_MISMATCH.format(param=p.name, what=what, expected=p.type.show(), got=got.show()),
                code="E407",
            )

    def method_defaults(self, info: t.StructInfo, name: str) -> dict[str, nodes.Expr] | None:
        node = self.method_nodes.get((id(info), name))
        return _defaults(node)

    method_nodes: dict[tuple[int, str], nodes.MethodDecl]

    # ------------------------------------------------------------ runtime objects

    def opaque_method(self, ot: t.OpaqueType, name: str) -> t.FnType | None:
        cls = _py_class(ot.py)
        if cls is None:
            return None
        attr = getattr(cls, name, None)
        if attr is None or not callable(attr):
            return None
        return stdlib.fn_type(attr)

    def opaque_attr(self, ot: t.OpaqueType, name: str) -> t.Type:
        cls = _py_class(ot.py)
        if cls is None:
            return t.ANY
        import typing

        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - unreadable annotations mean "dynamic"
            hints = {}
        if name in hints:
            return stdlib.py_to_type(hints[name])
        return t.ANY


@cache
def _py_class(path: str) -> type | None:
    mod, _, name = path.rpartition(".")
    try:
        obj = getattr(importlib.import_module(mod), name, None)
    except ImportError:
        return None
    return obj if isinstance(obj, type) else None


def _fn_of(ty: t.Type) -> t.FnType | None:
    if isinstance(ty, t.FnType):
        return ty
    if isinstance(ty, t.WorkflowType | t.ToolType):
        return ty.fn
    return None


def _defaults(decl: nodes.Node | None) -> dict[str, nodes.Expr] | None:
    params = getattr(decl, "params", None)
    if not params:
        return None
    return {p.name: p.default for p in params if p.default is not None}
