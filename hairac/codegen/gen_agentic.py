"""Agentic declarations -> calls into the runtime (docs/internals/contracts.md).

    provider openai { model: "gpt-4o" }  -> openai = haira.providers.define_provider("openai", {"model": "gpt-4o"})
    agent Writer { provider: openai }    -> Writer = haira.agents.define_agent("Writer", {"provider": openai})
    tool search(q: string) { ... }       -> def search(q: str) -> ...  +  search__tool = haira.agents.define_tool(...)
    @post("/p") workflow W(m: string)    -> def W(m: str) -> ...       +  W__workflow = haira.server.WorkflowSpec(...)
"""

from __future__ import annotations

from hairac import nodes
from hairac.check import types as t
from hairac.check.info import BuiltinRef, FuncInfo, GlobalRef
from hairac.codegen.context import FnFrame, GenContext
from hairac.codegen.gen_expr import gen_expr, gen_value, py_str
from hairac.codegen.gen_stmt import emit, gen_block, gen_function_body, params_text
from hairac.codegen.names import py_name

TRIGGERS = {"post": "POST", "webhook": "POST", "get": "GET", "put": "PUT", "delete": "DELETE"}
OTHER_TRIGGERS = {"cron", "event", "manual", "websocket"}


def gen_provider(ctx: GenContext, item: nodes.ProviderDecl) -> None:
    mod = ctx.need("haira.providers")
    special: dict[str, str] = {}
    for f in item.fields:
        v = f.value
        if (
            isinstance(v, nodes.Call)
            and isinstance(v.callee, nodes.Ident)
            and v.callee.name == "env"
            and len(v.args) == 1
            and isinstance(ctx.result.refs.get(id(v.callee)), BuiltinRef)
        ):
            # read when first used, so the runtime can name the variable if it is unset
            special[f.name] = f"{mod}.EnvRef({gen_expr(ctx, v.args[0].value).expr})"
    fields = _fields(ctx, item.fields, special)
    ctx.em.line(
        f"{py_name(item.name)} = {mod}.define_provider({py_str(item.name)}, {fields})",
        pos=ctx.pos(item),
    )


def gen_agent(ctx: GenContext, item: nodes.AgentDecl) -> None:
    mod = ctx.need("haira.agents")
    special: dict[str, str] = {}
    for f in item.fields:
        v = f.value
        if f.name == "model" and isinstance(v, nodes.Ident):
            # legacy `model: <provider>` names the provider (reference-runtime.md §3.1)
            special["provider"] = gen_expr(ctx, v).expr
            special["model"] = ""
        elif f.name == "tools" and isinstance(v, nodes.ListLit):
            special["tools"] = "[" + ", ".join(_tool_ref(ctx, x) for x in v.elems) + "]"
        elif f.name == "handoffs" and isinstance(v, nodes.ListLit):
            names = [py_str(x.name) if isinstance(x, nodes.Ident) else gen_expr(ctx, x).expr for x in v.elems]
            special["handoffs"] = "[" + ", ".join(names) + "]"
        elif f.name == "memory":
            special["memory"] = _memory(ctx, v)
        elif f.name == "output" and isinstance(v, nodes.Ident):
            ref = ctx.result.refs.get(id(v))
            if isinstance(ref, GlobalRef) and isinstance(ref.symbol.type, t.StructType):
                special["output"] = type_desc(ctx, ref.symbol.type)
    fields = _fields(ctx, item.fields, special)
    ctx.em.line(
        f"{py_name(item.name)} = {mod}.define_agent({py_str(item.name)}, {fields})",
        pos=ctx.pos(item),
    )


def _fields(ctx: GenContext, fields: tuple[nodes.ConfigField, ...], special: dict[str, str]) -> str:
    parts: list[str] = []
    done: set[str] = set()
    for f in fields:
        name = f.name
        if name in special:
            if special[name] == "" or name in done:
                continue
            parts.append(f"{py_str(name)}: {special[name]}")
            done.add(name)
            continue
        if name == "model" and "provider" in special and special.get("model") == "":
            continue
        low = gen_expr(ctx, f.value)
        parts.append(f"{py_str(name)}: {emit(ctx, low)}")
        done.add(name)
    for name, code in special.items():
        if name not in done and code:
            parts.append(f"{py_str(name)}: {code}")
    return "{" + ", ".join(parts) + "}"


def _tool_ref(ctx: GenContext, x: nodes.Expr) -> str:
    ref = ctx.result.refs.get(id(x))
    if isinstance(ref, GlobalRef):
        kind = ref.symbol.kind
        if kind == "tool":
            return ctx.ref_symbol(ref.symbol, suffix="__tool")
        if kind in ("fn", "workflow"):
            return ctx.ref_symbol(ref.symbol, suffix="__tool")
    return gen_expr(ctx, x).expr


def _memory(ctx: GenContext, v: nodes.Expr) -> str:
    mod = ctx.need("haira.memory")
    if isinstance(v, nodes.Call) and isinstance(v.callee, nodes.Ident):
        args = []
        for a in v.args:
            code = gen_expr(ctx, a.value).expr
            args.append(f"{a.name}={code}" if a.name else code)
        return f"{mod}.{py_name(v.callee.name)}({', '.join(args)})"
    if isinstance(v, nodes.NilLit) or (isinstance(v, nodes.Ident) and v.name == "none"):
        return f"{mod}.none"
    if isinstance(v, nodes.Ident):
        return f"{mod}.{py_name(v.name)}()"
    return gen_expr(ctx, v).expr


# ---------------------------------------------------------------- tools


def gen_tool_fn(ctx: GenContext, item: nodes.ToolDecl) -> None:
    info = ctx.result.funcs[id(item)]
    params, prologue = params_text(ctx, info, item.params)
    ctx.em.line(f"def {py_name(item.name)}({params}) -> {ctx.annot(info.ret)}:", pos=ctx.pos(item))
    with ctx.em.indent():
        if item.description:
            ctx.em.line(py_str(item.description))
        before = [h for h in item.hooks if h.kind == "before"]
        after = [h for h in item.hooks if h.kind == "after"]
        if not item.body.stmts:
            # REF: a tool without a body is a stub that fails when called
            msg = py_str(f"tool {item.name} not yet implemented")
            ctx.em.line(f"haira.rt.panic({msg})", pos=ctx.pos(item))
            return
        stmts = [s for h in before for s in h.body.stmts] + list(item.body.stmts)
        stmts += [s for h in after for s in h.body.stmts]
        gen_function_body(ctx, info, nodes.Block(span=item.body.span, stmts=tuple(stmts)), prologue=prologue)


def gen_tool_spec(
    ctx: GenContext, item: nodes.ToolDecl | nodes.FnDecl | nodes.WorkflowDecl, description: str | None
) -> None:
    mod = ctx.need("haira.agents")
    info = ctx.result.funcs.get(id(item))
    types = dict(info.params) if info is not None else {}
    fields = ", ".join(_field_t(ctx, p, types.get(p.name, t.ANY)) for p in item.params)
    params = f"({fields}{',' if len(item.params) == 1 else ''})"
    schema = _schema(item.params, types)
    ctx.em.line(
        f"{py_name(item.name)}__tool = {mod}.define_tool({py_str(item.name)}, "
        f"description={py_str(description or '')}, parameters={schema}, params={params}, "
        f"fn={py_name(item.name)})",
        pos=ctx.pos(item),
    )


def _schema(params: tuple[nodes.Param, ...], types: dict[str, t.Type]) -> str:
    """The exact REF tool schema (reference-runtime.md §2.2)."""
    props = []
    required = []
    for p in params:
        ty = types.get(p.name, t.ANY)
        if p.type is None:
            js = "string"
        elif ty in (t.INT, t.FLOAT):
            js = "number"
        elif ty == t.BOOL:
            js = "boolean"
        elif ty == t.STRING and not (isinstance(p.type, nodes.NamedType) and p.type.name == "file"):
            js = "string"
        elif isinstance(ty, t.ListType):
            js = "array"
        else:
            js = "object"
        props.append(f"{py_str(p.name)}: {{\"type\": {py_str(js)}}}")
        if p.default is None:
            required.append(py_str(p.name))
    return (
        '{"type": "object", "properties": {' + ", ".join(props) + '}, "required": ['
        + ", ".join(required) + "]}"
    )


def _field_t(ctx: GenContext, p: nodes.Param, ty: t.Type) -> str:
    mod = ctx.need("haira.types")
    desc = f"{mod}.UNTYPED" if p.type is None and t.is_any(ty) else type_desc(ctx, ty, p.type)
    if p.default is not None:
        default = gen_value(ctx, p.default, ty)
        if not default.stmts:
            return f"{mod}.FieldT({py_str(p.name)}, {desc}, {default.expr})"
    return f"{mod}.FieldT({py_str(p.name)}, {desc})"


def type_desc(ctx: GenContext, ty: t.Type, te: nodes.TypeExpr | None = None) -> str:  # noqa: C901
    """The `haira.types` descriptor of a Haira type (HTTP binding, tool schemas)."""
    mod = ctx.need("haira.types")
    if isinstance(te, nodes.NamedType) and te.name == "file":
        return f"{mod}.FILE"
    if ty == t.INT:
        return f"{mod}.INT"
    if ty == t.FLOAT:
        return f"{mod}.FLOAT"
    if ty == t.STRING:
        return f"{mod}.STRING"
    if ty == t.BOOL:
        return f"{mod}.BOOL"
    if isinstance(ty, t.ListType):
        inner = te.elem if isinstance(te, nodes.ListType) else None
        return f"{mod}.ListT({type_desc(ctx, ty.elem, inner)})"
    if isinstance(ty, t.MapType):
        return f"{mod}.MapT({type_desc(ctx, ty.value)})"
    if isinstance(ty, t.OptionalType):
        return f"{mod}.OptionalT({type_desc(ctx, ty.inner)})"
    if isinstance(ty, t.StructType):
        info = ty.info
        fields = ", ".join(
            f"{mod}.FieldT({py_str(f)}, {type_desc(ctx, info.fields[f])})" for f in info.field_order
        )
        trail = "," if len(info.field_order) == 1 else ""
        return f"{mod}.StructT({py_str(info.name)}, {ctx.qualify(info)}, ({fields}{trail}))"
    if isinstance(ty, t.EnumType):
        names = ", ".join(py_str(v) for v in ty.info.variants)
        trail = "," if len(ty.info.variants) == 1 else ""
        return f"{mod}.EnumT({py_str(ty.info.name)}, ({names}{trail}))"
    return f"{mod}.ANY"


# ---------------------------------------------------------------- workflows


def gen_workflow_fn(ctx: GenContext, item: nodes.WorkflowDecl) -> None:
    info = ctx.result.funcs[id(item)]
    params, prologue = params_text(ctx, info, item.params)
    ret = ctx.annot(info.ret)
    ctx.em.line(f"def {py_name(item.name)}({params}) -> {ret}:", pos=ctx.pos(item))
    ctx.workflow_name = item.name
    try:
        _gen_workflow_body(ctx, item, info, prologue)
    finally:
        ctx.workflow_name = None


def _gen_workflow_body(
    ctx: GenContext, item: nodes.WorkflowDecl, info: FuncInfo, prologue: list[str]
) -> None:
    with ctx.em.indent():
        if item.description:
            ctx.em.line(py_str(item.description))
        onsuccess = next((h for h in item.hooks if h.kind == "onsuccess"), None)
        if onsuccess is None:
            _gen_guarded_body(ctx, item, info, prologue, None)
            return
        # onsuccess runs on every successful completion, `return` included (issue 12; REF
        # only ran it when the body fell through): a flag the failure paths clear, checked in
        # `finally`. Its panics are swallowed (REF §4.5); its binding is the empty string.
        ok = ctx.temp("ok")
        ctx.em.line(f"{ok} = True")
        ctx.em.line("try:")
        with ctx.em.indent():
            _gen_guarded_body(ctx, item, info, prologue, ok)
        ctx.em.line("except BaseException:")
        with ctx.em.indent():
            ctx.em.line(f"{ok} = False")
            ctx.em.line("raise")
        ctx.em.line("finally:")
        with ctx.em.indent():
            ctx.em.line(f"if {ok}:")
            with ctx.em.indent():
                ctx.em.line("try:")
                with ctx.em.indent():
                    if onsuccess.binding is not None:
                        ctx.em.line(f'{py_name(onsuccess.binding)} = ""')
                    elif not onsuccess.body.stmts:
                        ctx.em.line("pass")
                    ctx.frames.append(FnFrame(info))
                    try:
                        gen_block(ctx, onsuccess.body)
                    finally:
                        ctx.frames.pop()
                ctx.em.line("except Exception:")
                with ctx.em.indent():
                    ctx.em.line("pass")


def _gen_guarded_body(
    ctx: GenContext,
    item: nodes.WorkflowDecl,
    info: FuncInfo,
    prologue: list[str],
    ok: str | None,
) -> None:
    onerror = next((h for h in item.hooks if h.kind == "onerror"), None)
    if onerror is None:
        gen_function_body(ctx, info, item.body, prologue=prologue)
        return
    # onerror: a failure of the body runs the hook with the error text (REF §4.5)
    exc = ctx.temp("exc")
    ctx.em.line("try:")
    with ctx.em.indent():
        gen_function_body(ctx, info, item.body, prologue=prologue)
    ctx.em.line(f"except Exception as {exc}:")
    with ctx.em.indent():
        if ok is not None:
            ctx.em.line(f"{ok} = False")
        name = py_name(onerror.binding or "err")
        ctx.em.line(f"{name} = haira.rt.catch_text({exc})")
        gen_function_body(ctx, info, onerror.body, declare=False)
        ctx.em.line(f"raise haira.errors.HairaRuntimeError({name}) from {exc}")
        ctx.need("haira.errors")


def gen_workflow_spec(ctx: GenContext, item: nodes.WorkflowDecl) -> None:
    mod = ctx.need("haira.server")
    info = ctx.result.funcs[id(item)]
    types = dict(info.params)
    method, path = "POST", "/"
    decorators: list[str] = []
    for d in item.decorators:
        if d.name in TRIGGERS:
            method = TRIGGERS[d.name]
            first = next((a for a in d.args if a.name is None), None)
            if first is not None and isinstance(first.value, nodes.StringLit):
                path = first.value.value
        elif d.name in OTHER_TRIGGERS:
            method, path = "POST", "/"
        else:
            args = []
            for i, a in enumerate(d.args):
                key = a.name if a.name is not None else f"_{i}"
                args.append(f"{py_str(key)}: {gen_expr(ctx, a.value).expr}")
            decorators.append(f"{py_str(d.name)}: {{{', '.join(args)}}}")
    is_stream = item.is_stream
    fields = ", ".join(_field_t(ctx, p, types.get(p.name, t.ANY)) for p in item.params)
    params = f"({fields}{',' if len(item.params) == 1 else ''})"
    returns = "None" if is_stream or info.ret in (t.VOID, t.NIL) else type_desc(ctx, info.ret, item.return_type)
    blocking = "False" if is_stream and _cheap_stream(item) else "True"
    ctx.em.line(f"{py_name(item.name)}__workflow = {mod}.WorkflowSpec(", pos=ctx.pos(item))
    with ctx.em.indent():
        ctx.em.line(f"name={py_str(item.name)},")
        ctx.em.line(f"method={py_str(method)},")
        ctx.em.line(f"path={py_str(path)},")
        ctx.em.line(f"is_stream={is_stream},")
        ctx.em.line(f"params={params},")
        ctx.em.line(f"returns={returns},")
        ctx.em.line(f"fn={py_name(item.name)},")
        ctx.em.line(f"blocking={blocking},")
        ctx.em.line(f"description={py_str(item.description or '')},")
        ctx.em.line(f"decorators={{{', '.join(decorators)}}},")
        steps = [n.label for n in nodes.walk(item.body) if isinstance(n, nodes.StepStmt)]
        if steps:  # the server answers SSE clients of such a workflow with step events
            ctx.em.line(f"steps=({''.join(py_str(n) + ', ' for n in steps).rstrip()}),")
    ctx.em.line(")")


def _cheap_stream(item: nodes.WorkflowDecl) -> bool:
    """A body that only returns `Agent.stream(...)` of parameters: safe on the event loop."""
    stmts = item.body.stmts
    if len(stmts) != 1 or not isinstance(stmts[0], nodes.ReturnStmt):
        return False
    values = stmts[0].values
    if len(values) != 1 or not isinstance(values[0], nodes.Call):
        return False
    call = values[0]
    if not isinstance(call.callee, nodes.FieldAccess) or call.callee.name != "stream":
        return False
    return all(isinstance(a.value, nodes.Ident | nodes.StringLit) for a in call.args)
