"""Calls -> Python calls, following the checker's `CallPlan`.

    f(1, b: 2)                    -> f(1, 2)              (parameter order, defaults filled)
    string.trim(s)                -> haira.stdlib.string.trim(s)
    reply, err = A.ask(m)         -> haira.rt.attempt(lambda: A.ask(m), "")
    http.Server([Stream])         -> haira.server.Server([Stream__workflow])
"""

from __future__ import annotations

from hairac import nodes
from hairac.check import types as t
from hairac.check.info import CallPlan, GlobalRef
from hairac.codegen.context import GenContext
from hairac.codegen.gen_expr import combine, gen_expr, gen_value, is_simple, py_str
from hairac.codegen.lowered import Lowered
from hairac.codegen.names import py_name


def gen_call(ctx: GenContext, e: nodes.Call) -> Lowered:
    plan = ctx.result.calls.get(id(e))
    if plan is None:
        raise AssertionError(f"call without a plan at {e.span!r}")
    match plan.kind:
        case "fn" | "method" | "std" | "dynamic" | "opaque" | "variant":
            return gen_plain(ctx, e, plan)
        case "builtin":
            return gen_builtin(ctx, e, plan)
        case "agent":
            return gen_agent_call(ctx, plan)
        case "server":
            return gen_server(ctx, plan)
    raise AssertionError(plan.kind)


def _args(ctx: GenContext, plan: CallPlan, head: list[Lowered]) -> tuple[tuple, list[str]]:  # type: ignore[type-arg]
    parts = list(head)
    for a in plan.args:
        parts.append(gen_value(ctx, a.expr, a.expected))
    stmts, exprs = combine(ctx, parts)
    rendered = exprs[len(head):]
    out: list[str] = []
    for a, code in zip(plan.args, rendered, strict=True):
        out.append(f"{py_name(a.keyword)}={code}" if a.keyword else code)
    return tuple(stmts), exprs[: len(head)] + out


def gen_plain(ctx: GenContext, e: nodes.Call, plan: CallPlan) -> Lowered:  # noqa: C901
    head: list[Lowered] = []
    if plan.kind == "fn":
        assert plan.symbol is not None
        callee = ctx.ref_symbol(plan.symbol)
    elif plan.kind == "std":
        mod = ctx.need(f"haira.stdlib.{plan.module}")
        callee = f"{mod}.{plan.py_name}"
    elif plan.kind in ("method", "opaque"):
        assert plan.receiver is not None
        head.append(gen_expr(ctx, plan.receiver))
        callee = ""
    elif plan.kind == "variant":
        assert plan.variant is not None
        stmts, exprs = _args(ctx, plan, [])
        cls = ctx.qualify(plan.variant.info)
        tup = "(" + ", ".join(exprs) + ("," if len(exprs) == 1 else "") + ")"
        return Lowered(stmts, f"{cls}({py_str(plan.variant.variant)}, {tup})")
    else:  # dynamic
        callee_node = e.callee
        if plan.field_call and plan.receiver is not None:
            head.append(gen_expr(ctx, plan.receiver))
            callee = ""
        else:
            head.append(gen_expr(ctx, callee_node))
            callee = ""
    stmts, exprs = _args(ctx, plan, head)
    if plan.kind in ("method", "opaque"):
        recv_t = ctx.type_of(plan.receiver) if plan.receiver is not None else t.ANY
        recv = exprs[0]
        if isinstance(recv_t, t.OptionalType):
            ctx.imports.add("typing")
            recv = f"typing.cast(typing.Any, {recv})"
        return Lowered(stmts, f"{recv}.{py_name(plan.py_name)}({', '.join(exprs[1:])})")
    if plan.kind == "dynamic":
        if plan.field_call:
            return Lowered(stmts, f"{exprs[0]}.{py_name(plan.py_name)}({', '.join(exprs[1:])})")
        fn = exprs[0]
        if isinstance(ctx.type_of(e.callee), t.OptionalType):
            ctx.imports.add("typing")
            fn = f"typing.cast(typing.Any, {fn})"
        elif not _is_name(fn):
            fn = f"({fn})"
        return Lowered(stmts, f"{fn}({', '.join(exprs[1:])})")
    if _inline_has(ctx, plan, exprs):
        # `map.has(m, k)` on a map: a native `in`, not a call into the runtime (the nil test
        # is kept for a nil that reached a map slot through `any` on CPython).
        return Lowered(stmts, f"({exprs[0]} is not None and {exprs[1]} in {exprs[0]})")
    return Lowered(stmts, f"{callee}({', '.join(exprs)})")


def _inline_has(ctx: GenContext, plan: CallPlan, exprs: list[str]) -> bool:
    """`k in m` evaluates `k` first: only inline when both operands are plain names or
    literals, so the order cannot matter."""
    return (
        plan.kind == "std"
        and plan.module == "map"
        and plan.py_name == "has"
        and len(exprs) == 2
        and not any(a.keyword for a in plan.args)
        and isinstance(ctx.type_of(plan.args[0].expr), t.MapType)
        and all(is_simple(x) for x in exprs)
    )


def _is_name(code: str) -> bool:
    return code.replace(".", "").replace("_", "").isalnum()


def gen_builtin(ctx: GenContext, e: nodes.Call, plan: CallPlan) -> Lowered:  # noqa: C901
    name = plan.py_name
    if name == "env":
        arg = gen_expr(ctx, e.args[0].value)
        mod = ctx.need("haira.stdlib.env")
        kind = e.args[1].value if len(e.args) > 1 else None
        fn = "env_str"
        if isinstance(kind, nodes.Ident) and kind.name == "int":
            fn = "env_int"
        elif isinstance(kind, nodes.Ident) and kind.name == "float":
            fn = "env_float"
        return arg.with_expr(f"{mod}.{fn}({arg.expr})")
    parts = [gen_expr(ctx, a.value) for a in e.args]
    stmts, exprs = combine(ctx, parts)
    s = tuple(stmts)
    types = [ctx.type_of(a.value) for a in e.args]
    if name == "len":
        ty = types[0] if types else t.ANY
        if isinstance(ty, t.ListType | t.MapType):
            return Lowered(s, f"len({exprs[0]})")
        return Lowered(s, f"haira.rt.len_({exprs[0]})")
    if name in ("keys", "values"):
        ty = types[0] if types else t.ANY
        if isinstance(ty, t.MapType):
            return Lowered(s, f"list({exprs[0]}.{name}())")
        mod = ctx.need("haira.stdlib.map")
        return Lowered(s, f"{mod}.{name}({exprs[0]})")
    if name == "join":
        mod = ctx.need("haira.stdlib.string")
        return Lowered(s, f"{mod}.join({', '.join(exprs)})")
    if name == "error":
        return Lowered(s, f"haira.rt.error({exprs[0]})")
    if name == "panic":
        return Lowered(s, f"haira.rt.panic({exprs[0]})")
    if name in ("print", "println"):
        mod = ctx.need("haira.stdlib.io")
        fn = "print_" if name == "print" else "println"
        return Lowered(s, f"{mod}.{fn}({', '.join(exprs)})")
    if name == "append":
        return Lowered(s, "[*" + ", ".join([exprs[0], *exprs[1:]]) + "]")
    if name in ("typeof", "type_of"):
        mod = ctx.need("haira.stdlib.gofmt")
        return Lowered(s, f"{mod}.go_type_name({exprs[0]})")
    raise AssertionError(name)


def gen_agent_call(ctx: GenContext, plan: CallPlan) -> Lowered:
    assert plan.receiver is not None
    recv = gen_expr(ctx, plan.receiver)
    parts = [recv]
    for a in plan.args:
        parts.append(gen_value(ctx, a.expr, a.expected))
    stmts, exprs = combine(ctx, parts)
    args = []
    for a, code in zip(plan.args, exprs[1:], strict=True):
        args.append(f"{a.keyword}={code}" if a.keyword else code)
    call = f"{exprs[0]}.{plan.py_name}({', '.join(args)})"
    if plan.py_name == "stream" or plan.unwrap:
        ctx.need("haira.agents")
        return Lowered(tuple(stmts), call)
    # ask/run report failures as the error of a (value, error) pair (REF §3.2)
    zero = '""' if plan.py_name == "ask" else "None"
    return Lowered(tuple(stmts), f"haira.rt.attempt(lambda: {call}, {zero})")


def gen_server(ctx: GenContext, plan: CallPlan) -> Lowered:
    mod = ctx.need("haira.server")
    parts: list[Lowered] = []
    for a in plan.args:
        v = a.expr
        if isinstance(v, nodes.ListLit):
            specs = []
            for x in v.elems:
                ref = ctx.result.refs.get(id(x))
                if isinstance(ref, GlobalRef) and ref.symbol.kind == "workflow":
                    specs.append(ctx.ref_symbol(ref.symbol, suffix="__workflow"))
                else:
                    specs.append(gen_expr(ctx, x).expr)
            parts.append(Lowered.pure("[" + ", ".join(specs) + "]"))
        else:
            parts.append(gen_expr(ctx, v))
    stmts, exprs = combine(ctx, parts)
    return Lowered(tuple(stmts), f"{mod}.Server({', '.join(exprs)})")
