"""Statements, function bodies, lambdas and value-producing blocks.

    for i in 0..n { total += i }   ->  for i in range(0, n):
                                           total = haira.rt.iadd(total, i)
    try { ... } catch e { ... }    ->  try: ... / except Exception as _t_exc1: e = haira.rt.catch_text(_t_exc1)
"""

from __future__ import annotations

from hairac import nodes
from hairac.check import types as t
from hairac.check.info import FuncInfo, GlobalRef, LocalRef, VariantRef
from hairac.codegen.context import FnFrame, GenContext
from hairac.codegen.gen_expr import (
    as_any,
    coerce,
    combine,
    gen_expr,
    gen_value,
    int_lit,
    is_simple,
    py_str,
    zero_value,
)
from hairac.codegen.lowered import Line, Lowered
from hairac.codegen.names import py_name


def emit(ctx: GenContext, low: Lowered) -> str:
    """Emit the statements a value needs; return its expression."""
    ctx.em.emit_lines(low.stmts)
    return low.expr


def gen_block(ctx: GenContext, block: nodes.Block) -> None:
    for stmt in block.stmts:
        gen_stmt(ctx, stmt)


def _gen_suite(ctx: GenContext, block: nodes.Block) -> None:
    """A block that is a Python suite of its own: `pass` keeps an empty one valid."""
    if not block.stmts:
        ctx.em.line("pass")
    gen_block(ctx, block)


def gen_stmt(ctx: GenContext, stmt: nodes.Stmt) -> None:  # noqa: C901 - dispatcher
    pos = ctx.pos(stmt)
    match stmt:
        case nodes.ExprStmt(expr=e):
            if isinstance(e, nodes.MatchExpr):
                gen_match(ctx, e, None, None)
                return
            code = emit(ctx, gen_expr(ctx, e))
            if code and not code.isidentifier():
                ctx.em.line(code, pos=pos)
        case nodes.Assign():
            gen_assign(ctx, stmt)
        case nodes.AugAssign():
            fake = _aug_binary(ctx, stmt)
            if _string_append(ctx, stmt.target, fake, pos):
                return
            value = emit(ctx, gen_expr(ctx, fake))
            assign_to(ctx, stmt.target, value, ctx.type_of(fake), pos)
        case nodes.LetStmt():
            ident = _let_ident(ctx, stmt)
            value = emit(ctx, gen_value(ctx, stmt.value, var_type(ctx, ident)))
            assign_to(ctx, ident, value, var_type(ctx, ident), pos, coerced=True)
        case nodes.IfStmt():
            gen_if(ctx, stmt, None, None)
        case nodes.WhileStmt(cond=cond, body=body):
            low = gen_expr(ctx, cond)
            if low.stmts:
                ctx.em.line("while True:", pos=pos)
                with ctx.em.indent():
                    ctx.em.emit_lines(low.stmts)
                    ctx.em.line(f"if not {_wrap(low.expr)}:")
                    with ctx.em.indent():
                        ctx.em.line("break")
                    gen_block(ctx, body)
            else:
                ctx.em.line(f"while {_strip(low.expr)}:", pos=pos)
                with ctx.em.indent():
                    gen_block(ctx, body)
        case nodes.ForStmt():
            gen_for(ctx, stmt)
        case nodes.ReturnStmt():
            gen_return(ctx, stmt)
        case nodes.BreakStmt():
            ctx.em.line("break", pos=pos)
        case nodes.ContinueStmt():
            ctx.em.line("continue", pos=pos)
        case nodes.MatchStmt():
            gen_match(ctx, stmt, None, None)
        case nodes.TryStmt():
            gen_try(ctx, stmt)
        case nodes.DeferStmt():
            gen_defer(ctx, stmt)
        case nodes.StepStmt():
            gen_step(ctx, stmt)
        case nodes.AssertStmt():
            gen_assert(ctx, stmt)
        case nodes.VerifyStmt(body=body):
            gen_block(ctx, body)


def _decorator_int(d: nodes.Decorator, name: str, default: int) -> int:
    for a in d.args:
        if a.name == name and isinstance(a.value, nodes.IntLit):
            return a.value.value
    return default


def gen_step(ctx: GenContext, stmt: nodes.StepStmt) -> None:
    """`step "Label" { ... }` (reference-runtime.md §4.5) drives a `haira.steps.Step`, which
    emits the step events (SSE, runs store), prints REF's console lines, sleeps between
    `@retry(max:, delay:, backoff:)` attempts and asks for `@confirm`. After the last failed
    attempt the step's `onerror` hook runs, or the workflow fails (`raise_failed`);
    `onsuccess` runs after a successful body."""
    pos = ctx.pos(stmt)
    steps = ctx.need("haira.steps")
    args = [py_str(ctx.workflow_name or "main"), py_str(stmt.label)]
    retry = next((d for d in stmt.decorators if d.name == "retry"), None)
    if retry is not None:
        args.append(f"retry_max={_decorator_int(retry, 'max', 3)}")
        args.append(f"delay_ms={_decorator_int(retry, 'delay', 1000)}")
        for a in retry.args:
            if a.name == "backoff" and isinstance(a.value, nodes.StringLit):
                args.append(f"backoff={py_str(a.value.value)}")
    confirm = next((d for d in stmt.decorators if d.name == "confirm"), None)
    if confirm is not None:
        cargs = [
            (f"{a.name}=" if a.name else "") + emit(ctx, gen_expr(ctx, a.value))
            for a in confirm.args
        ]
        args.append(f"confirm={steps}.confirm_request({', '.join(cargs)})")
    onerror = next((h for h in stmt.hooks if h.kind == "onerror"), None)
    onsuccess = next((h for h in stmt.hooks if h.kind == "onsuccess"), None)
    s, exc = ctx.temp("step"), ctx.temp("exc")
    ctx.em.line(f"{s} = {steps}.Step({', '.join(args)})", pos=pos)
    ctx.em.line("try:")
    with ctx.em.indent():
        ctx.em.line(f"while {s}.next_attempt():")
        with ctx.em.indent():
            ctx.em.line("try:")
            with ctx.em.indent():
                _gen_suite(ctx, stmt.body)
            ctx.em.line(f"except Exception as {exc}:")
            with ctx.em.indent():
                ctx.em.line(f"{s}.fail({exc})")
            ctx.em.line("else:")
            with ctx.em.indent():
                ctx.em.line(f"{s}.done()")
    ctx.em.line("finally:")
    with ctx.em.indent():
        ctx.em.line(f"{s}.close()")
    ctx.em.line(f"if {s}.error is not None:")
    with ctx.em.indent():
        if onerror is not None:
            ctx.em.line(f"{py_name(onerror.binding or 'err')} = {s}.error")
            _gen_suite(ctx, onerror.body)
        else:
            ctx.em.line(f"{steps}.raise_failed({s})")
    if onsuccess is not None:
        ctx.em.line("else:")
        with ctx.em.indent():
            _gen_suite(ctx, onsuccess.body)


def gen_assert(ctx: GenContext, stmt: nodes.AssertStmt) -> None:
    """`assert` with REF's messages (language.md §7.3): `assertion failed: got A, want B`,
    `... expected not equal, got A`, or the message / the condition's source text."""
    pos = ctx.pos(stmt)
    cond, message = stmt.cond, stmt.message
    prefix = "assertion failed"
    msg_code = emit(ctx, gen_expr(ctx, message)) if message is not None else None
    head = f'"{prefix} (" + haira.rt.str_({msg_code}) + ")"' if msg_code else py_str(prefix)
    if isinstance(cond, nodes.Binary) and cond.op in ("==", "!="):
        stmts, (a, b) = combine(ctx, [gen_expr(ctx, cond.left), gen_expr(ctx, cond.right)])
        ctx.em.emit_lines(stmts)
        ta, tb = ctx.new_tmp("got"), ctx.new_tmp("want")
        ctx.em.line(f"{ta} = {a}", pos=pos)
        ctx.em.line(f"{tb} = {b}", pos=pos)
        lt, rt = ctx.type_of(cond.left), ctx.type_of(cond.right)
        from hairac.codegen.gen_expr import gen_equality

        test = gen_equality(ctx, cond.op, ta, tb, lt, rt)
        ctx.em.line(f"if not {test}:", pos=pos)
        with ctx.em.indent():
            if cond.op == "==":
                text = f'{head} + ": got " + haira.rt.fmt({ta}) + ", want " + haira.rt.fmt({tb})'
            else:
                text = f'{head} + ": expected not equal, got " + haira.rt.fmt({ta})'
            ctx.em.line(f"haira.rt.assertion_failed({text})", pos=pos)
        return
    c = emit(ctx, gen_expr(ctx, cond))
    ctx.em.line(f"if not {_wrap(c)}:", pos=pos)
    with ctx.em.indent():
        text = (
            f'"{prefix}: " + haira.rt.str_({msg_code})' if msg_code
            else py_str(f"{prefix}: {cond.span.text}")
        )
        ctx.em.line(f"haira.rt.assertion_failed({text})", pos=pos)


def _last_args(code: str) -> str:
    """The argument text of the outermost (last) call in `f(x).g(a, b)`: `a, b`."""
    depth = 0
    for i in range(len(code) - 1, -1, -1):
        ch = code[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return code[i + 1 : -1]
    return ""


def _wrap(code: str) -> str:
    """`code` safe as an operand of `not`."""
    if is_simple(code) or (code.startswith("(") and code.endswith(")") and _balanced(code[1:-1])):
        return code
    return f"({code})"


def _strip(code: str) -> str:
    if code.startswith("(") and code.endswith(")") and _balanced(code[1:-1]):
        return code[1:-1]
    return code


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _aug_binary(ctx: GenContext, stmt: nodes.AugAssign) -> nodes.Binary:
    return ctx.result.aug_binaries[id(stmt)]


def _let_ident(ctx: GenContext, stmt: nodes.LetStmt) -> nodes.Ident:
    return ctx.result.let_idents[id(stmt)]


def var_type(ctx: GenContext, target: nodes.Ident) -> t.Type:
    """The declared (function-level) type of an assigned name."""
    ref = ctx.result.refs.get(id(target))
    if isinstance(ref, GlobalRef):
        return ref.symbol.type
    frame = ctx.frame
    info = frame.info
    while info is not None:
        for name, ty in info.params:
            if name == target.name:
                return ty
        if target.name in info.locals:
            return info.locals[target.name]
        info = info.parent
    return t.ANY


# ---------------------------------------------------------------- assignment


def gen_assign(ctx: GenContext, stmt: nodes.Assign) -> None:
    pos = ctx.pos(stmt)
    targets = stmt.targets
    if len(targets) == 1:
        target = targets[0].target
        slot = var_type(ctx, target) if isinstance(target, nodes.Ident) else ctx.type_of(target)
        if isinstance(target, nodes.Ident) and target.name == "_":
            code = emit(ctx, gen_expr(ctx, stmt.value))
            ctx.em.line(code, pos=pos)
            return
        if ctx.frame.inline.get(id(stmt)) is None and _string_append(ctx, target, stmt.value, pos):
            return
        value = emit(ctx, gen_value(ctx, stmt.value, slot))
        if ctx.frame.inline.get(id(stmt)) is not None and isinstance(target, nodes.Ident):
            ctx.em.line(f"{py_name(target.name)}: {ctx.annot(slot)} = {value}", pos=pos)
            return
        assign_to(ctx, target, value, slot, pos, coerced=True)
        return
    vt = ctx.type_of(stmt.value)
    value = emit(ctx, gen_expr(ctx, stmt.value))
    items = list(vt.items) if isinstance(vt, t.TupleType) else [t.ANY] * len(targets)
    plain = all(
        isinstance(tg.target, nodes.Ident)
        and (tg.target.name == "_" or var_type(ctx, tg.target) == it)
        for tg, it in zip(targets, items, strict=False)
    )
    if plain and isinstance(vt, t.TupleType):
        names = ", ".join(
            py_name(tg.target.name) if isinstance(tg.target, nodes.Ident) and tg.target.name != "_" else "_"
            for tg in targets
        )
        ctx.em.line(f"{names} = {value}", pos=pos)
        return
    tmp = ctx.temp("r")
    ctx.em.line(f"{tmp} = {value}", pos=pos)
    for i, (tg, it) in enumerate(zip(targets, items, strict=False)):
        if isinstance(tg.target, nodes.Ident) and tg.target.name == "_":
            continue
        slot = var_type(ctx, tg.target) if isinstance(tg.target, nodes.Ident) else ctx.type_of(tg.target)
        assign_to(ctx, tg.target, coerce(ctx, f"{tmp}[{i}]", it, slot), slot, pos, coerced=True)


def _string_append(
    ctx: GenContext, target: nodes.Expr, value: nodes.Expr, pos: tuple[int, int]
) -> bool:
    """`s = s + x` / `s += x` on a local string as Python's in-place `s += x`: mypyc compiles
    that to `PyUnicode_Append` (amortised in place), while `s = s + x` builds a fresh string
    every time, quadratic in a loop (contracts.md, "Generated code under mypyc"). Same order
    of evaluation: `s` is read, then `x` is evaluated."""
    if not (
        isinstance(target, nodes.Ident)
        and isinstance(value, nodes.Binary)
        and value.op == "+"
        and isinstance(value.left, nodes.Ident)
        and value.left.name == target.name
        and isinstance(ctx.result.refs.get(id(target)), LocalRef)
        and isinstance(ctx.result.refs.get(id(value.left)), LocalRef)
        and ctx.result.consts.get(id(value)) is None
        and var_type(ctx, target) == t.STRING
        and ctx.type_of(value.left) == t.STRING
        and ctx.type_of(value.right) == t.STRING
    ):
        return False
    name = py_name(target.name)
    left = gen_expr(ctx, value.left)
    if left.stmts or left.expr != name:
        return False
    right = emit(ctx, gen_expr(ctx, value.right))
    ctx.em.line(f"{name} += {_strip(right)}", pos=pos)
    return True


def assign_to(
    ctx: GenContext,
    target: nodes.Ident | nodes.FieldAccess | nodes.Index,
    value: str,
    vt: t.Type,
    pos: tuple[int, int],
    *,
    coerced: bool = False,
) -> None:
    if isinstance(target, nodes.Ident):
        slot = var_type(ctx, target)
        code = value if coerced else coerce(ctx, value, vt, slot)
        ref = ctx.result.refs.get(id(target))
        if isinstance(ref, GlobalRef) and not ctx.frames:
            ctx.em.line(f"{py_name(target.name)} = {code}", pos=pos)
            return
        ctx.em.line(f"{py_name(target.name)} = {code}", pos=pos)
        return
    if isinstance(target, nodes.FieldAccess):
        obj = emit(ctx, gen_expr(ctx, target.obj))
        ot = ctx.type_of(target.obj)
        ft = ctx.type_of(target)
        code = value if coerced else coerce(ctx, value, vt, ft)
        ctx.em.line(f"{as_any(ctx, obj, ot)}.{py_name(target.name)} = {code}", pos=pos)
        return
    ot = ctx.type_of(target.obj)
    stmts, (obj, idx) = combine(ctx, [gen_expr(ctx, target.obj), gen_expr(ctx, target.index)])
    ctx.em.emit_lines(stmts)
    if isinstance(ot, t.ListType):
        ctx.helpers.add("set_index")
        ctx.need("haira.errors")
        ctx.em.line(f"_t_set_index({obj}, {idx}, {coerce(ctx, value, vt, ot.elem)})", pos=pos)
    elif isinstance(ot, t.MapType):
        ctx.em.line(f"{obj}[{idx}] = {coerce(ctx, value, vt, ot.value)}", pos=pos)
    else:
        ctx.em.line(f"haira.rt.set_index_any({obj}, {idx}, {value})", pos=pos)


# ---------------------------------------------------------------- control flow


def gen_if(ctx: GenContext, stmt: nodes.IfStmt, out: str | None, out_t: t.Type | None) -> None:
    pos = ctx.pos(stmt)
    cond = emit(ctx, gen_expr(ctx, stmt.cond))
    ctx.em.line(f"if {_strip(cond)}:", pos=pos)
    with ctx.em.indent():
        _branch(ctx, stmt.then, out, out_t)
    els = stmt.else_
    if els is None:
        if out is not None:
            ctx.em.line("else:")
            with ctx.em.indent():
                ctx.em.line(f"{out} = {coerce(ctx, 'None', t.NIL, out_t)}")
        return
    ctx.em.line("else:")
    with ctx.em.indent():
        if isinstance(els, nodes.Block):
            _branch(ctx, els, out, out_t)
        else:
            gen_if(ctx, els, out, out_t)


def _branch(ctx: GenContext, block: nodes.Block, out: str | None, out_t: t.Type | None) -> None:
    if out is None:
        gen_block(ctx, block)
    else:
        gen_block_value(ctx, block, out, out_t)


def gen_block_value(ctx: GenContext, block: nodes.Block, out: str, out_t: t.Type | None) -> None:
    """Run a block and store the value of its last expression statement in `out`."""
    stmts = block.stmts
    if not stmts:
        ctx.em.line(f"{out} = None")
        return
    for s in stmts[:-1]:
        gen_stmt(ctx, s)
    last = stmts[-1]
    if isinstance(last, nodes.ExprStmt):
        if isinstance(last.expr, nodes.MatchExpr):
            gen_match(ctx, last.expr, out, out_t)
            return
        ty = ctx.type_of(last.expr)
        if ty == t.VOID:
            gen_stmt(ctx, last)
            ctx.em.line(f"{out} = None")
            return
        value = emit(ctx, gen_value(ctx, last.expr, out_t))
        ctx.em.line(f"{out} = {value}", pos=ctx.pos(last))
    elif isinstance(last, nodes.IfStmt):
        gen_if(ctx, last, out, out_t)
    elif isinstance(last, nodes.MatchStmt):
        gen_match(ctx, last, out, out_t)
    else:
        gen_stmt(ctx, last)
        if not isinstance(last, nodes.ReturnStmt | nodes.BreakStmt | nodes.ContinueStmt):
            ctx.em.line(f"{out} = None")


def gen_value_construct(ctx: GenContext, e: nodes.IfExpr | nodes.MatchExpr | nodes.BlockExpr) -> Lowered:
    ty = ctx.type_of(e)
    out = ctx.temp("val")
    with ctx.em.capture() as lines:
        ctx.em.line(f"{out}: {ctx.annot(ty)}")
        if isinstance(e, nodes.IfExpr):
            gen_if_expr(ctx, e, out, ty)
        elif isinstance(e, nodes.MatchExpr):
            gen_match(ctx, e, out, ty)
        else:
            gen_block_value(ctx, e.block, out, ty)
    return Lowered(tuple(lines), out)


def gen_if_expr(ctx: GenContext, e: nodes.IfExpr, out: str, out_t: t.Type) -> None:
    cond = emit(ctx, gen_expr(ctx, e.cond))
    ctx.em.line(f"if {_strip(cond)}:", pos=ctx.pos(e))
    with ctx.em.indent():
        gen_block_value(ctx, e.then, out, out_t)
    ctx.em.line("else:")
    with ctx.em.indent():
        if e.else_ is None:
            ctx.em.line(f"{out} = None")
        elif isinstance(e.else_, nodes.Block):
            gen_block_value(ctx, e.else_, out, out_t)
        else:
            gen_if_expr(ctx, e.else_, out, out_t)


def gen_for(ctx: GenContext, stmt: nodes.ForStmt) -> None:
    pos = ctx.pos(stmt)
    names = [py_name(n.name) if n.name != "_" else "_" for n in stmt.names]
    it = stmt.iterable
    if isinstance(it, nodes.Range):
        stmts, (a, b) = combine(ctx, [gen_expr(ctx, it.start), gen_expr(ctx, it.end)])
        ctx.em.emit_lines(stmts)
        end = (str(int(b) + 1) if b.isdigit() else f"{b} + 1") if it.inclusive else b
        rng = f"range({a}, {end})" if a != "0" else f"range({end})"
        if len(names) == 1:
            ctx.em.line(f"for {names[0]} in {rng}:", pos=pos)
        else:
            ctx.em.line(f"for {names[0]}, {names[1]} in enumerate({rng}):", pos=pos)
    else:
        src = emit(ctx, gen_expr(ctx, it))
        ty = ctx.type_of(it)
        if isinstance(ty, t.ListType):
            head = f"enumerate({src})" if len(names) == 2 else src
        elif isinstance(ty, t.MapType):
            # a snapshot: the body may add or remove keys (Go allows it)
            head = f"list({src}.items())" if len(names) == 2 else f"list({src})"
        elif ty == t.STREAM:
            head = src
        elif len(names) == 2:
            head = f"haira.rt.iter_pairs({src})"
        else:
            head = f"haira.rt.iter_values({src})"
        ctx.em.line(f"for {', '.join(names)} in {head}:", pos=pos)
    ctx.frame.loop_vars.append({n.name for n in stmt.names})
    try:
        with ctx.em.indent():
            gen_block(ctx, stmt.body)
    finally:
        ctx.frame.loop_vars.pop()


def gen_return(ctx: GenContext, stmt: nodes.ReturnStmt) -> None:
    pos = ctx.pos(stmt)
    info = ctx.frame.info
    ret = info.ret if info is not None else t.ANY
    values = stmt.values
    if not values:
        if ret in (t.VOID, t.NIL) or info is None:
            ctx.em.line("return", pos=pos)
        else:
            ctx.em.line(f"return {zero_value(ctx, ret)}", pos=pos)
        return
    if len(values) == 1:
        low = gen_value(ctx, values[0], ret)
        code = emit(ctx, low)
        vt = ctx.type_of(values[0])
        if t.is_any(vt) and not t.is_any(ret) and ret not in (t.VOID, t.NIL):
            ctx.imports.add("typing")
            code = f"typing.cast({py_str(ctx.annot(ret))}, {code})"
        ctx.em.line(f"return {code}", pos=pos)
        return
    items = ret.items if isinstance(ret, t.TupleType) else (t.ANY,) * len(values)
    stmts, exprs = combine(ctx, [gen_value(ctx, v, it) for v, it in zip(values, items, strict=False)])
    ctx.em.emit_lines(stmts)
    ctx.em.line(f"return {', '.join(exprs)}", pos=pos)


def gen_try(ctx: GenContext, stmt: nodes.TryStmt) -> None:
    pos = ctx.pos(stmt)
    exc = ctx.temp("exc")
    ctx.em.line("try:", pos=pos)
    with ctx.em.indent():
        gen_block(ctx, stmt.body)
    ctx.em.line(f"except Exception as {exc}:", pos=pos)
    with ctx.em.indent():
        ctx.em.line(f"{py_name(stmt.catch_name)} = haira.rt.catch_text({exc})", pos=ctx.pos(stmt.handler))
        gen_block(ctx, stmt.handler)


def gen_defer(ctx: GenContext, stmt: nodes.DeferStmt) -> None:
    pos = ctx.pos(stmt)
    frame = ctx.frame
    target = frame.defers if stmt.kind == "defer" else (frame.defers and frame.defers + "_err")
    if target is None:
        target = "_t_defers"
    e = stmt.expr
    plan = ctx.result.calls.get(id(e)) if isinstance(e, nodes.Call) else None
    if plan is not None and plan.kind in ("fn", "std", "method", "opaque", "dynamic") and not any(
        a.keyword for a in plan.args
    ):
        # Go evaluates the deferred call's function value and arguments now.
        from hairac.codegen.gen_call import gen_call

        low = gen_call(ctx, e)  # type: ignore[arg-type]
        code = emit(ctx, low)
        fn, _, rest = code.partition("(")
        args = rest[:-1]
        if fn.replace(".", "").replace("_", "").isalnum() and code.endswith(")") and _balanced(args):
            ctx.em.line(
                f"{target}.append(haira.rt.deferred({fn}{', ' + args if args else ''}))", pos=pos
            )
            return
        # a callee that is itself computed: evaluate it now, call it later
        callee = ctx.temp("deferred")
        ctx.em.line(f"{callee} = {code[: code.rfind('(', 0, len(code) - len(_last_args(code)))]}", pos=pos)
        ctx.em.line(f"{target}.append(haira.rt.deferred({callee}{', ' + _last_args(code) if _last_args(code) else ''}))", pos=pos)
        return
    with ctx.em.capture() as lines:
        code = emit(ctx, gen_expr(ctx, e))
    if lines:
        fn = ctx.temp("deferred")
        ctx.em.line(f"def {fn}() -> None:", pos=pos)
        with ctx.em.indent():
            ctx.em.emit_lines(lines)
            ctx.em.line(code)
        ctx.em.line(f"{target}.append({fn})", pos=pos)
    else:
        ctx.em.line(f"{target}.append(lambda: {code})", pos=pos)


# ---------------------------------------------------------------- match


def gen_match(  # noqa: C901
    ctx: GenContext,
    m: nodes.MatchExpr | nodes.MatchStmt,
    out: str | None,
    out_t: t.Type | None,
) -> None:
    pos = ctx.pos(m)
    st = ctx.result.match_types.get(id(m), t.ANY)
    subj = emit(ctx, gen_expr(ctx, m.subject))
    if not subj.isidentifier():
        tmp = ctx.temp("subj")
        ctx.em.line(f"{tmp} = {subj}", pos=pos)
        subj = tmp
    guards = [gen_expr(ctx, arm.guard) if arm.guard is not None else None for arm in m.arms]
    nested = any(
        g is not None and (g.stmts or pattern_binds(ctx, arm.pattern, subj))
        for arm, g in zip(m.arms, guards, strict=True)
    )
    if nested:
        _match_with_flag(ctx, m, subj, st, guards, out, out_t)
        return
    first = True
    has_default = False
    for arm, guard_low in zip(m.arms, guards, strict=True):
        cond = pattern_cond(ctx, arm.pattern, subj, st)
        full = cond
        if guard_low is not None:
            full = f"{cond} and {guard_low.expr}" if cond else guard_low.expr
        if not full:
            ctx.em.line("if True:" if first else "else:", pos=ctx.pos(arm))
            has_default = True
            with ctx.em.indent():
                _arm_body(ctx, arm, out, out_t)
            break
        kw = "if" if first else "elif"
        ctx.em.line(f"{kw} {full}:", pos=ctx.pos(arm))
        with ctx.em.indent():
            for b in pattern_binds(ctx, arm.pattern, subj):
                ctx.em.line(b)
            _arm_body(ctx, arm, out, out_t)
        first = False
    if out is not None and not has_default and not ctx.result.exhaustive.get(id(m), False):
        if first:
            ctx.em.line(f"{out} = None")
        else:
            ctx.em.line("else:")
            with ctx.em.indent():
                ctx.em.line(f"{out} = None")


def _match_with_flag(
    ctx: GenContext,
    m: nodes.MatchExpr | nodes.MatchStmt,
    subj: str,
    st: t.Type,
    guards: list[Lowered | None],
    out: str | None,
    out_t: t.Type | None,
) -> None:
    """Arms whose guard needs the arm's bindings (or statements) first: a failed guard falls
    through to the next arm, so each arm is tried in turn until one sets the flag."""
    flag = ctx.temp("matched")
    ctx.em.line(f"{flag} = False", pos=ctx.pos(m))
    for arm, guard_low in zip(m.arms, guards, strict=True):
        cond = pattern_cond(ctx, arm.pattern, subj, st)
        ctx.em.line(f"if not {flag}{' and ' + cond if cond else ''}:", pos=ctx.pos(arm))
        with ctx.em.indent():
            for b in pattern_binds(ctx, arm.pattern, subj):
                ctx.em.line(b)
            if guard_low is not None:
                g = emit(ctx, guard_low)
                ctx.em.line(f"if {_strip(g)}:")
                with ctx.em.indent():
                    ctx.em.line(f"{flag} = True")
                    _arm_body(ctx, arm, out, out_t)
            else:
                ctx.em.line(f"{flag} = True")
                _arm_body(ctx, arm, out, out_t)
    if out is not None and not ctx.result.exhaustive.get(id(m), False):
        ctx.em.line(f"if not {flag}:")
        with ctx.em.indent():
            ctx.em.line(f"{out} = None")


def _arm_body(ctx: GenContext, arm: nodes.MatchArm, out: str | None, out_t: t.Type | None) -> None:
    body = arm.body
    if isinstance(body, nodes.Block):
        if out is None:
            gen_block(ctx, body)
        else:
            gen_block_value(ctx, body, out, out_t)
    elif isinstance(body, nodes.ReturnStmt | nodes.BreakStmt | nodes.ContinueStmt):
        gen_stmt(ctx, body)
    elif out is None:
        gen_stmt(ctx, nodes.ExprStmt(span=body.span, expr=body))
    else:
        if ctx.type_of(body) == t.VOID:
            gen_stmt(ctx, nodes.ExprStmt(span=body.span, expr=body))
            ctx.em.line(f"{out} = None")
            return
        value = emit(ctx, gen_value(ctx, body, out_t))
        ctx.em.line(f"{out} = {value}", pos=ctx.pos(body))


def pattern_cond(ctx: GenContext, p: nodes.Pattern, subj: str, st: t.Type) -> str:  # noqa: C901
    """The Python condition for a pattern ('' = always matches)."""
    match p:
        case nodes.WildcardPattern():
            return ""
        case nodes.LiteralPattern(value=lit):
            code = gen_expr(ctx, lit).expr
            if isinstance(lit, nodes.NilLit):
                return f"{subj} is None"
            if st in (t.INT, t.FLOAT, t.STRING, t.BOOL):
                return f"{subj} == {code}"
            return f"haira.rt.eq({subj}, {code})"
        case nodes.RangePattern(start=a, end=b, inclusive=inc):
            op = "<=" if inc else "<"
            if st == t.INT:
                return f"{int_lit(a)} <= {subj} {op} {int_lit(b)}"
            return f"haira.rt.in_range({subj}, {a}, {b}, {inc})"
        case nodes.OrPattern(alternatives=alts):
            conds = [pattern_cond(ctx, a, subj, st) for a in alts]
            if any(c == "" for c in conds):
                return ""
            return "(" + " or ".join(conds) + ")"
        case nodes.QualifiedPattern() | nodes.CtorPattern() | nodes.NamePattern():
            ref = ctx.result.refs.get(id(p))
            if isinstance(ref, VariantRef):
                if isinstance(p, nodes.CtorPattern) or ref.info.variants[ref.variant]:
                    return f"{as_any(ctx, subj, st)}.name == {py_str(ref.variant)}" if isinstance(st, t.EnumType | t.OptionalType) else f"haira.rt.is_variant({subj}, {py_str(ref.variant)})"
                from hairac.codegen.gen_expr import variant_value

                value = variant_value(ctx, ref.info, ref.variant, [])
                return f"{subj} == {value}" if isinstance(st, t.EnumType) else f"haira.rt.eq({subj}, {value})"
            if isinstance(p, nodes.NamePattern):
                if isinstance(ref, LocalRef):
                    other = py_name(ref.name)
                elif isinstance(ref, GlobalRef):
                    other = ctx.ref_symbol(ref.symbol)
                else:
                    other = py_name(p.name)
                return f"haira.rt.eq({subj}, {other})"
            return "False"


def pattern_binds(ctx: GenContext, p: nodes.Pattern, subj: str) -> list[str]:
    if not isinstance(p, nodes.CtorPattern):
        return []
    ref = ctx.result.refs.get(id(p))
    if not isinstance(ref, VariantRef):
        return []
    params = ref.info.variants[ref.variant]
    index = {pp.name: (i, pp.type) for i, pp in enumerate(params)}
    out = []
    for f in p.fields:
        if f.name not in index:
            continue
        i, ty = index[f.name]
        ctx.imports.add("typing")
        value = f"{subj}.payload[{i}]"
        if not t.is_any(ty):
            value = f"typing.cast({py_str(ctx.annot(ty))}, {value})"
        out.append(f"{py_name(f.name)} = {value}")
    return out


# ---------------------------------------------------------------- functions and lambdas


def first_assignments(ctx: GenContext, body: nodes.Block, info: FuncInfo) -> dict[int, str]:
    """Top-level `x = e` statements that are the first assignment of `x`: those declare
    `x: T = e` in place instead of up front (more readable generated code)."""
    out: dict[int, str] = {}
    seen: set[str] = set()
    params = {n for n, _ in info.params}
    for stmt in body.stmts:
        if (
            isinstance(stmt, nodes.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0].target, nodes.Ident)
        ):
            name = stmt.targets[0].target.name
            if name in info.locals and name not in seen and name not in params:
                out[id(stmt)] = name
        for n in nodes.walk(stmt):
            if isinstance(n, (nodes.Ident, nodes.Name)):
                seen.add(n.name)
            elif isinstance(n, nodes.LetStmt | nodes.TryStmt):
                seen.add(n.name if isinstance(n, nodes.LetStmt) else n.catch_name)
    return out


def emit_locals(ctx: GenContext, info: FuncInfo, skip: set[str]) -> None:
    """Declare a function's locals up front: one type per name (function-level scope)."""
    for name in ctx.result.nonlocals.get(id(info.node), set()):
        ctx.em.line(f"nonlocal {py_name(name)}")
    params = {n for n, _ in info.params}
    for name, ty in info.locals.items():
        if name in params or name in skip or name == "_":
            continue
        if name in ctx.result.nonlocals.get(id(info.node), set()):
            continue
        ctx.em.line(f"{py_name(name)}: {ctx.annot(ty)}")


def gen_function_body(
    ctx: GenContext,
    info: FuncInfo,
    body: nodes.Block,
    *,
    prologue: list[str] | None = None,
    declare: bool = True,
) -> None:
    """The body of a def: locals, deferred calls, statements."""
    frame = FnFrame(info)
    ctx.frames.append(frame)
    try:
        if declare:
            frame.inline = first_assignments(ctx, body, info)
            emit_locals(ctx, info, set(frame.inline.values()))
        for line in prologue or []:
            ctx.em.line(line)
        if info.has_defer or info.has_errdefer:
            frame.defers = ctx.temp("defers")
            ctx.imports.add("typing")
            ctx.em.line(f"{frame.defers}: list[typing.Callable[[], object]] = []")
            if info.has_errdefer:
                ctx.em.line(f"{frame.defers}_err: list[typing.Callable[[], object]] = []")
            ctx.em.line("try:")
            with ctx.em.indent():
                gen_block(ctx, body)
            if info.has_errdefer:
                ctx.em.line("except BaseException:")
                with ctx.em.indent():
                    ctx.em.line(f"haira.rt.run_defers({frame.defers}_err)")
                    ctx.em.line("raise")
            ctx.em.line("finally:")
            with ctx.em.indent():
                ctx.em.line(f"haira.rt.run_defers({frame.defers})")
        else:
            gen_block(ctx, body)
        if info.ret not in (t.VOID, t.NIL) and not t.is_any(info.ret) and not _ends_in_return(body):
            # A path without `return` (only reachable when the checker allowed it).
            ctx.em.line(f"return {zero_value(ctx, info.ret)}")
    finally:
        ctx.frames.pop()


def _ends_in_return(body: nodes.Block) -> bool:
    from hairac.check.checker import terminates

    return terminates(body)


def params_text(ctx: GenContext, info: FuncInfo, params: tuple[nodes.Param, ...], *, skip_self: bool = False) -> tuple[str, list[str]]:
    """The Python parameter list and the prologue lines it needs (rest parameters)."""
    out: list[str] = []
    prologue: list[str] = []
    types = dict(info.params)
    if skip_self:
        out.append("self")
    for p in params:
        ty = types.get(p.name, t.ANY)
        name = py_name(p.name)
        if p.rest:
            elem = ty.elem if isinstance(ty, t.ListType) else t.ANY
            tmp = f"_t_rest_{p.name}"
            out.append(f"*{tmp}: {ctx.annot(elem)}")
            prologue.append(f"{name}: {ctx.annot(ty)} = list({tmp})")
            continue
        text = f"{name}: {ctx.annot(ty)}"
        if p.default is not None and _const_default(p.default):
            d = gen_value(ctx, p.default, ty).expr
            text += f" = {d}"
        elif p.default is not None and any("=" in o for o in out):
            text += f" = {zero_value(ctx, ty)}"
        out.append(text)
    return ", ".join(out), prologue


def _const_default(e: nodes.Expr) -> bool:
    if isinstance(e, nodes.IntLit | nodes.FloatLit | nodes.StringLit | nodes.BoolLit | nodes.NilLit):
        return True
    return isinstance(e, nodes.Unary) and e.op == "-" and isinstance(e.operand, nodes.IntLit | nodes.FloatLit)


def gen_lambda(ctx: GenContext, e: nodes.Lambda) -> Lowered:
    info = ctx.result.funcs[id(e)]
    body = e.body
    # A Python lambda's parameters get their types from mypy's inference at the call it is
    # passed to, which need not agree with the checker's; a def states them. Only lambdas
    # without parameters stay lambdas.
    simple_ok = not ctx.result.nonlocals.get(id(e)) and not info.params
    if isinstance(body, nodes.Expr) and simple_ok:
        ctx.frames.append(FnFrame(info))
        try:
            low = gen_value(ctx, body, info.ret if info.ret != t.VOID else None)
        finally:
            ctx.frames.pop()
        if not low.stmts and not info.locals and not any(p.rest or p.default for p in e.params):
            names = ", ".join(py_name(p.name) for p in e.params)
            return Lowered.pure(f"(lambda {names}: {low.expr})" if names else f"(lambda: {low.expr})")
    fn = ctx.temp("fn")
    params, prologue = params_text(ctx, info, e.params)
    # A closure made inside a loop sees that iteration's loop variables (as in Go 1.22+),
    # not Python's late-bound last value: bind them as parameter defaults.
    captured = _captured_loop_vars(ctx, e, info)
    if captured:
        extra = ", ".join(f"{py_name(n)}: {ctx.annot(ty)} = {py_name(n)}" for n, ty in captured)
        params = f"{params}, {extra}" if params else extra
    with ctx.em.capture() as lines:
        ctx.em.line(f"def {fn}({params}) -> {ctx.annot(info.ret)}:", pos=ctx.pos(e))
        with ctx.em.indent():
            if isinstance(body, nodes.Block):
                gen_function_body(ctx, info, body, prologue=prologue)
            else:
                ctx.frames.append(FnFrame(info))
                try:
                    emit_locals(ctx, info, set())
                    for line in prologue:
                        ctx.em.line(line)
                    value = emit(ctx, gen_value(ctx, body, info.ret))
                    if info.ret == t.VOID:
                        ctx.em.line(value)
                    else:
                        ctx.em.line(f"return {value}")
                finally:
                    ctx.frames.pop()
    return Lowered(tuple(lines), fn, hoistable=True)


def _captured_loop_vars(ctx: GenContext, e: nodes.Lambda, info: FuncInfo) -> list[tuple[str, t.Type]]:
    loop_vars = {n for frame_vars in ctx.frame.loop_vars for n in frame_vars}
    if not loop_vars:
        return []
    own = {n for n, _ in info.params} | set(info.locals) | ctx.result.nonlocals.get(id(e), set())
    out: list[tuple[str, t.Type]] = []
    for n in nodes.walk(e.body):
        if (
            isinstance(n, nodes.Ident)
            and n.name in loop_vars
            and n.name not in own
            and isinstance(ctx.result.refs.get(id(n)), LocalRef)
            and all(n.name != c for c, _ in out)
        ):
            out.append((n.name, ctx.type_of(n)))
    return out


def gen_spawn(ctx: GenContext, e: nodes.SpawnExpr) -> Lowered:
    tasks: list[str] = []
    with ctx.em.capture() as lines:
        for stmt in e.body.stmts:
            if isinstance(stmt, nodes.ExprStmt | nodes.Assign):
                expr = stmt.expr if isinstance(stmt, nodes.ExprStmt) else stmt.value
                with ctx.em.capture() as inner:
                    code = emit(ctx, gen_expr(ctx, expr))
                if not inner and ctx.type_of(expr) != t.VOID:
                    tasks.append(f"lambda: {code}")
                    continue
                fn = ctx.temp("task")
                ctx.em.line(f"def {fn}() -> object:", pos=ctx.pos(stmt))
                with ctx.em.indent():
                    ctx.em.emit_lines(inner)
                    if ctx.type_of(expr) == t.VOID:
                        ctx.em.line(code)
                        ctx.em.line("return None")
                    else:
                        ctx.em.line(f"return {code}")
                tasks.append(fn)
            else:
                fn = ctx.temp("task")
                ctx.em.line(f"def {fn}() -> object:", pos=ctx.pos(stmt))
                with ctx.em.indent():
                    gen_stmt(ctx, stmt)
                    ctx.em.line("return None")
                tasks.append(fn)
    return Lowered(tuple(lines), f"haira.rt.spawn([{', '.join(tasks)}])")


def gen_async(ctx: GenContext, e: nodes.AsyncExpr | nodes.SelectExpr) -> Lowered:
    if isinstance(e, nodes.AsyncExpr):
        out = ctx.temp("async")
        with ctx.em.capture() as lines:
            fn = ctx.temp("task")
            ctx.em.line(f"def {fn}() -> object:", pos=ctx.pos(e))
            with ctx.em.indent():
                ctx.em.line(f"{out}: typing.Any")
                gen_block_value(ctx, e.body, out, t.ANY)
                ctx.em.line(f"return {out}")
        ctx.imports.add("typing")
        return Lowered(tuple(lines), f"haira.rt.go({fn})")
    return gen_select(ctx, e)


def gen_select(ctx: GenContext, e: nodes.SelectExpr) -> Lowered:
    """`select { v from ch => ... default => ... }` -> `haira.aio.select` + one branch per arm."""
    aio = ctx.need("haira.aio")
    ctx.imports.add("typing")
    out = ctx.temp("sel")
    idx, val = ctx.temp("i"), ctx.temp("v")
    arms = [a for a in e.arms if a.channel is not None]
    default = next((a for a in e.arms if a.channel is None), None)
    with ctx.em.capture() as lines:
        chans = [emit(ctx, gen_expr(ctx, a.channel)) for a in arms if a.channel is not None]
        ctx.em.line(f"{out}: typing.Any = None")
        ctx.em.line(
            f"{idx}, {val} = {aio}.select([{', '.join(chans)}], {default is not None})",
            pos=ctx.pos(e),
        )
        for i, arm in enumerate([*arms, *([default] if default else [])]):
            head = f"if {idx} == {i}:" if i == 0 else f"elif {idx} == {i}:"
            if arm is default:
                head = "else:" if arms else "if True:"
            ctx.em.line(head, pos=ctx.pos(arm))
            with ctx.em.indent():
                if arm.binding is not None:
                    ctx.em.line(f"{py_name(arm.binding.name)} = {val}")
                if isinstance(arm.body, nodes.Block):
                    gen_block_value(ctx, arm.body, out, t.ANY)
                else:
                    value = emit(ctx, gen_expr(ctx, arm.body))
                    if ctx.type_of(arm.body) == t.VOID:
                        ctx.em.line(value)
                    else:
                        ctx.em.line(f"{out} = {value}")
    return Lowered(tuple(lines), out)


def module_level_value(ctx: GenContext, low: Lowered, pos: tuple[int, int]) -> str:
    ctx.em.emit_lines(low.stmts)
    return low.expr


__all__ = ["gen_block", "gen_stmt", "gen_lambda", "gen_value_construct", "gen_spawn", "gen_async",
           "gen_function_body", "params_text", "emit", "module_level_value", "Line"]
