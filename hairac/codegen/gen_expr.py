"""Expressions -> `Lowered(stmts, expr)` (style.md rules 9-10).

Precise types compile to plain Python operators or `haira.rt` int helpers; `any` operands
go through the dynamic helpers (`haira.rt.add`, `haira.rt.eq`, ...).

    a + b  (int, int)      -> haira.rt.iadd(a, b)
    "n=${n}"               -> ("n=" + str(n))
    if c { 1 } else { 2 }  -> stmts: `_t_if1: int` / `if c: _t_if1 = 1 else: ...`, expr `_t_if1`
"""

from __future__ import annotations

import re

from hairac import nodes
from hairac.check import types as t
from hairac.check.info import (
    BuiltinRef,
    GlobalRef,
    LocalRef,
    StdFuncRef,
    StdModuleRef,
    VariantRef,
)
from hairac.codegen.context import GenContext
from hairac.codegen.lowered import Line, Lowered
from hairac.codegen.names import py_name

_SIMPLE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_.]*|-?[0-9][0-9_.e+]*|\"[^\"\\]*\"|True|False|None)$")


def py_str(s: str) -> str:
    """A Python string literal, double-quoted when possible (readable output)."""
    r = repr(s)
    if r.startswith("'") and '"' not in s:
        r = '"' + r[1:-1].replace("\\'", "'") + '"'
    return r


def _is_name(code: str) -> bool:
    return code.replace(".", "").replace("_", "").isalnum() and not code[0].isdigit()


def is_simple(code: str) -> bool:
    return bool(_SIMPLE.match(code))


def float_lit(v: float) -> str:
    r = repr(v)
    if r in ("inf", "-inf", "nan"):
        return f'float("{r}")'
    return f"({r})" if r.startswith("-") else r


def int_lit(v: int) -> str:
    return f"({v})" if v < 0 else str(v)


# ---------------------------------------------------------------- coercion


def coerce(ctx: GenContext, code: str, frm: t.Type, to: t.Type | None) -> str:  # noqa: C901
    """Convert a value of Haira type `frm` for a slot of type `to`."""
    if to is None or frm == to or t.is_any(to):
        return code
    if to == t.FLOAT and frm == t.INT:
        if re.fullmatch(r"\(?-?[0-9]+\)?", code):
            return code.rstrip(")") + ".0" + (")" if code.endswith(")") else "")
        return f"float({code})"
    if to == t.ERROR and frm not in (t.ERROR, t.NIL):
        return f"haira.rt.to_error({code})"
    if isinstance(to, t.OptionalType) and (frm == to.inner or frm == t.NIL):
        return code
    if isinstance(to, t.OptionalType) and t.compatible(to.inner, frm):
        return coerce(ctx, code, frm, to.inner)
    if frm == t.NIL:
        return code
    if t.is_any(frm):
        # Values of static type any are `typing.Any` in generated code, except results of
        # runtime functions declared `-> object`: those need a cast into a typed slot.
        if _is_name(code) or code.startswith(("haira.rt.", "typing.cast(", "_t_oi")):
            return code
        ctx.imports.add("typing")
        return f"typing.cast({py_str(ctx.annot(to))}, {code})"
    if isinstance(to, t.ListType | t.MapType | t.TupleType | t.OptionalType):
        src = ctx.annot(frm)
        dst = ctx.annot(to)
        if src != dst and "typing.Any" not in src and "typing.Any" not in dst:
            ctx.imports.add("typing")
            return f'typing.cast("{dst}", {code})'
    return code


def gen_value(ctx: GenContext, e: nodes.Expr, to: t.Type | None) -> Lowered:
    """`e` converted for a slot of type `to`."""
    low = gen_expr(ctx, e, to)
    return low.with_expr(coerce(ctx, low.expr, ctx.type_of(e), to))


def combine(ctx: GenContext, parts: list[Lowered]) -> tuple[list[Line], list[str]]:
    """Several sub-expressions evaluated left to right: when a later one needs statements,
    earlier values are saved in temporaries first so the order of effects is kept."""
    stmts: list[Line] = []
    exprs: list[str] = []
    for p in parts:
        if p.stmts and not p.hoistable:
            for j, x in enumerate(exprs):
                if not is_simple(x):
                    tmp = ctx.temp("a")
                    stmts.append(Line(f"{tmp} = {x}"))
                    exprs[j] = tmp
        stmts.extend(p.stmts)
        exprs.append(p.expr)
    return stmts, exprs


def as_any(ctx: GenContext, code: str, ty: t.Type) -> str:
    """Let mypy accept a dynamic operation on an optional value (nil faults at run time)."""
    if isinstance(ty, t.OptionalType):
        ctx.imports.add("typing")
        return f"typing.cast(typing.Any, {code})"
    return code


# ---------------------------------------------------------------- dispatcher


def gen_expr(ctx: GenContext, e: nodes.Expr, expected: t.Type | None = None) -> Lowered:  # noqa: C901
    const = ctx.result.consts.get(id(e))
    if const is not None:
        ty = ctx.type_of(e)
        if isinstance(const, float) or ty == t.FLOAT:
            return Lowered.pure(float_lit(float(const)))
        return Lowered.pure(int_lit(const))
    match e:
        case nodes.IntLit(value=v):
            return Lowered.pure(int_lit(v))
        case nodes.FloatLit(value=v):
            return Lowered.pure(float_lit(v))
        case nodes.StringLit(value=s):
            return Lowered.pure(py_str(s))
        case nodes.InterpString():
            return gen_interp(ctx, e)
        case nodes.BoolLit(value=b):
            return Lowered.pure("True" if b else "False")
        case nodes.NilLit():
            return Lowered.pure("None")
        case nodes.Ident():
            return Lowered.pure(gen_ident(ctx, e))
        case nodes.ListLit():
            return gen_list(ctx, e)
        case nodes.MapLit():
            return gen_map(ctx, e)
        case nodes.StructLit():
            return gen_struct_lit(ctx, e)
        case nodes.Unary():
            return gen_unary(ctx, e)
        case nodes.Binary():
            return gen_binary(ctx, e)
        case nodes.Range(start=start, end=end, inclusive=incl):
            stmts, (lo, hi) = combine(ctx, [gen_expr(ctx, start), gen_expr(ctx, end)])
            return Lowered(tuple(stmts), f"list(range({lo}, {_plus1(hi) if incl else hi}))")
        case nodes.Pipe():
            return gen_expr(ctx, ctx.result.pipes[id(e)], expected)
        case nodes.OrElse():
            return gen_orelse(ctx, e)
        case nodes.Call():
            from hairac.codegen.gen_call import gen_call

            return gen_call(ctx, e)
        case nodes.FieldAccess():
            return gen_field(ctx, e)
        case nodes.Index():
            return gen_index(ctx, e)
        case nodes.Propagate(expr=inner):
            low = gen_expr(ctx, inner)
            it = ctx.type_of(inner)
            if it == t.ERROR:
                return low.with_expr(f"haira.rt.raise_error({low.expr})")
            return low.with_expr(f"haira.rt.unwrap(*{low.expr})")
        case nodes.Lambda():
            from hairac.codegen.gen_stmt import gen_lambda

            return gen_lambda(ctx, e)
        case nodes.IfExpr() | nodes.MatchExpr() | nodes.BlockExpr():
            from hairac.codegen.gen_stmt import gen_value_construct

            return gen_value_construct(ctx, e)
        case nodes.SpawnExpr():
            from hairac.codegen.gen_stmt import gen_spawn

            return gen_spawn(ctx, e)
        case nodes.SomeExpr(value=value):
            return gen_expr(ctx, value, expected)
        case nodes.AsyncExpr() | nodes.SelectExpr():
            from hairac.codegen.gen_stmt import gen_async

            return gen_async(ctx, e)
    raise AssertionError(f"unhandled expression {type(e).__name__}")


def _plus1(code: str) -> str:
    if re.fullmatch(r"[0-9]+", code):
        return str(int(code) + 1)
    return f"{code} + 1"


# ---------------------------------------------------------------- names


def gen_ident(ctx: GenContext, e: nodes.Ident) -> str:
    ref = ctx.result.refs.get(id(e))
    if isinstance(ref, LocalRef):
        return py_name(ref.name)
    if isinstance(ref, GlobalRef):
        return ctx.ref_symbol(ref.symbol)
    if isinstance(ref, StdModuleRef):
        return ctx.need(f"haira.stdlib.{ref.module}")
    if isinstance(ref, BuiltinRef):
        if ref.name == "len":
            return "haira.rt.len_"
        return py_name(ref.name)
    return py_name(e.name)


# ---------------------------------------------------------------- literals


def gen_interp(ctx: GenContext, e: nodes.InterpString) -> Lowered:
    parts: list[Lowered] = []
    for part in e.parts:
        if isinstance(part, nodes.InterpText):
            if part.text:
                parts.append(Lowered.pure(py_str(part.text)))
            continue
        low = gen_expr(ctx, part.expr)
        ty = ctx.type_of(part.expr)
        if ty == t.STRING:
            parts.append(low)
        elif ty == t.INT:
            parts.append(low.with_expr(f"str({low.expr})"))
        else:
            parts.append(low.with_expr(f"haira.rt.fmt({low.expr})"))
    if not parts:
        return Lowered.pure('""')
    stmts, exprs = combine(ctx, parts)
    if len(exprs) == 1:
        only = exprs[0]
        return Lowered(tuple(stmts), only)
    return Lowered(tuple(stmts), "(" + " + ".join(exprs) + ")")


def gen_list(ctx: GenContext, e: nodes.ListLit) -> Lowered:
    ty = ctx.type_of(e)
    elem = ty.elem if isinstance(ty, t.ListType) else None
    stmts, exprs = combine(ctx, [gen_value(ctx, x, elem) for x in e.elems])
    return Lowered(tuple(stmts), "[" + ", ".join(exprs) + "]")


def gen_map(ctx: GenContext, e: nodes.MapLit) -> Lowered:
    ty = ctx.type_of(e)
    val = ty.value if isinstance(ty, t.MapType) else None
    parts: list[Lowered] = []
    for entry in e.entries:
        parts.append(gen_expr(ctx, entry.key))
        parts.append(gen_value(ctx, entry.value, val))
    stmts, exprs = combine(ctx, parts)
    pairs = [f"{exprs[i]}: {exprs[i + 1]}" for i in range(0, len(exprs), 2)]
    return Lowered(tuple(stmts), "{" + ", ".join(pairs) + "}")


def gen_struct_lit(ctx: GenContext, e: nodes.StructLit) -> Lowered:
    ty = ctx.type_of(e)
    if isinstance(ty, t.EnumType):
        info = ty.info
        params = info.variants.get(e.type_name, ())
        given: dict[str, nodes.Expr] = {}
        for i, f in enumerate(e.fields):
            name = f.name if f.name is not None else (params[i].name if i < len(params) else "")
            given[name] = f.value
        parts = []
        for p in params:
            x = given.get(p.name)
            if x is None:
                d = info.defaults.get((e.type_name, p.name))
                parts.append(gen_value(ctx, d, p.type) if isinstance(d, nodes.Expr) else Lowered.pure(zero_value(ctx, p.type)))
            else:
                parts.append(gen_value(ctx, x, p.type))
        stmts, exprs = combine(ctx, parts)
        return Lowered(tuple(stmts), variant_value(ctx, info, e.type_name, exprs))
    if not isinstance(ty, t.StructType):
        return Lowered.pure("None")
    sinfo = ty.info
    given = {}
    for i, f in enumerate(e.fields):
        name = f.name if f.name is not None else (sinfo.field_order[i] if i < len(sinfo.field_order) else "")
        given[name] = f.value
    parts = []
    for fname in sinfo.field_order:
        ft = sinfo.fields[fname]
        x = given.get(fname)
        if x is not None:
            parts.append(gen_value(ctx, x, ft))
            continue
        d = sinfo.defaults.get(fname)
        if isinstance(d, nodes.Expr):
            parts.append(gen_value(ctx, d, ft))
        else:
            parts.append(Lowered.pure(zero_value(ctx, ft)))
    stmts, exprs = combine(ctx, parts)
    return Lowered(tuple(stmts), f"{ctx.qualify(sinfo)}({', '.join(exprs)})")


def variant_value(ctx: GenContext, info: t.EnumInfo, variant: str, payload: list[str]) -> str:
    cls = ctx.qualify(info)
    if not payload:
        return f"{cls}__{variant}" if "." not in cls else f"{cls}__{variant}"
    tup = "(" + ", ".join(payload) + ("," if len(payload) == 1 else "") + ")"
    return f"{cls}({py_str(variant)}, {tup})"


def zero_value(ctx: GenContext, ty: t.Type, depth: int = 0) -> str:
    """Go's zero value of a type (missing struct fields, missing returns)."""
    if ty == t.INT:
        return "0"
    if ty == t.FLOAT:
        return "0.0"
    if ty == t.STRING:
        return '""'
    if ty == t.BOOL:
        return "False"
    if isinstance(ty, t.ListType):
        return "[]"
    if isinstance(ty, t.MapType):
        return "{}"
    if isinstance(ty, t.TupleType):
        items = [zero_value(ctx, x, depth) for x in ty.items]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(ty, t.StructType) and depth < 4:
        info = ty.info
        args = [zero_value(ctx, info.fields[f], depth + 1) for f in info.field_order]
        return f"{ctx.qualify(info)}({', '.join(args)})"
    if isinstance(ty, t.EnumType):
        first = next(iter(ty.info.variants), None)
        if first is not None and not ty.info.variants[first]:
            return variant_value(ctx, ty.info, first, [])
    return "None"


# ---------------------------------------------------------------- operators


def gen_unary(ctx: GenContext, e: nodes.Unary) -> Lowered:
    low = gen_expr(ctx, e.operand)
    ty = ctx.type_of(e.operand)
    if e.op == "not":
        return low.with_expr(f"(not {low.expr})")
    if e.op == "~":
        if ty == t.INT:
            return low.with_expr(f"(~{low.expr})")
        return low.with_expr(f"haira.rt.bitnot({low.expr})")
    if ty == t.INT:
        return low.with_expr(f"haira.rt.ineg({low.expr})")
    if ty == t.FLOAT:
        return low.with_expr(f"(-{low.expr})")
    return low.with_expr(f"haira.rt.neg({low.expr})")


_INT_OPS = {"+": "iadd", "-": "isub", "*": "imul", "/": "idiv", "%": "imod", "<<": "ishl", ">>": "ishr"}
_ANY_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}


_OPT_INT_OPS = {"+": "oiadd", "-": "oisub", "*": "oimul"}


def _int_or_opt(ty: t.Type) -> bool:
    """`int` or `int?` (the second: a map lookup), where `int?` arithmetic stays native."""
    return ty == t.INT or (isinstance(ty, t.OptionalType) and ty.inner == t.INT)


def gen_binary(ctx: GenContext, e: nodes.Binary) -> Lowered:  # noqa: C901 - operator table
    op = e.op
    if op in ("and", "or"):
        return gen_logic(ctx, e)
    lt, rt = ctx.type_of(e.left), ctx.type_of(e.right)
    stmts, (a, b) = combine(ctx, [gen_expr(ctx, e.left), gen_expr(ctx, e.right)])
    s = tuple(stmts)
    if op in ("==", "!="):
        return Lowered(s, gen_equality(ctx, op, a, b, lt, rt))
    if op in ("<", ">", "<=", ">="):
        dyn = (lt, rt)
        if any(t.is_any(x) or isinstance(x, t.OptionalType) for x in dyn):
            name = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[op]
            return Lowered(s, f"haira.rt.{name}({a}, {b})")
        return Lowered(s, f"({a} {op} {b})")
    if op in ("&", "|", "^"):
        if lt == rt == t.INT:
            return Lowered(s, f"({a} {op} {b})")
        name = {"&": "bitand", "|": "bitor", "^": "bitxor"}[op]
        return Lowered(s, f"haira.rt.{name}({a}, {b})")
    if op in ("<<", ">>"):
        fn = _INT_OPS[op]
        return Lowered(s, f"haira.rt.{fn}({a}, {b})")
    if op in _OPT_INT_OPS and not lt == rt == t.INT and _int_or_opt(lt) and _int_or_opt(rt):
        name = _OPT_INT_OPS[op]
        ctx.helpers.add(name)
        ctx.need("haira.errors")
        ctx.need("haira.rt")
        ctx.imports.add("typing")
        return Lowered(s, f"_t_{name}({a}, {b})")
    if lt == rt == t.INT:
        name = _INT_OPS[op]
        if name in ("iadd", "isub", "imul", "idiv", "imod"):
            ctx.helpers.add(name)
            ctx.need("haira.errors")
            return Lowered(s, f"_t_{name}({a}, {b})")
        return Lowered(s, f"haira.rt.{name}({a}, {b})")
    if op == "+" and lt == rt == t.STRING:
        return Lowered(s, f"({a} + {b})")
    if op == "+" and (lt == t.STRING or rt == t.STRING):
        return Lowered(s, f"haira.rt.concat({a}, {b})")
    if t.is_numeric(lt) and t.is_numeric(rt):
        if op == "/":
            return Lowered(s, f"haira.rt.fdiv({a}, {b})")
        return Lowered(s, f"({a} {op} {b})")
    if op == "+" and isinstance(lt, t.ListType) and isinstance(rt, t.ListType):
        res = ctx.type_of(e)
        code = f"[*{a}, *{b}]"
        if lt != rt:
            code = coerce(ctx, code, t.ListType(t.ANY), res)
        return Lowered(s, code)
    return Lowered(s, f"haira.rt.{_ANY_OPS[op]}({a}, {b})")


def gen_equality(ctx: GenContext, op: str, a: str, b: str, lt: t.Type, rt: t.Type) -> str:
    neg = op == "!="
    if lt == t.NIL or rt == t.NIL:
        other = b if lt == t.NIL else a
        return f"({other} is {'not ' if neg else ''}None)"
    prims = (t.INT, t.FLOAT, t.STRING, t.BOOL)
    if (lt in prims and rt in prims and (lt == rt or (t.is_numeric(lt) and t.is_numeric(rt)))) or (
        isinstance(lt, t.EnumType) and isinstance(rt, t.EnumType)
    ):
        return f"({a} {op} {b})"
    if isinstance(lt, t.StructType) and isinstance(rt, t.StructType):
        ctx.need("haira.values")
        code = f"haira.values.struct_eq({a}, {b})"
        return f"(not {code})" if neg else code
    code = f"haira.rt.eq({a}, {b})"
    return f"(not {code})" if neg else code


def gen_logic(ctx: GenContext, e: nodes.Binary) -> Lowered:
    left = gen_expr(ctx, e.left)
    right = gen_expr(ctx, e.right)
    if ctx.type_of(e.left) != t.BOOL:
        left = left.with_expr(f"bool({left.expr})")
    if ctx.type_of(e.right) != t.BOOL:
        right = right.with_expr(f"bool({right.expr})")
    if not right.stmts:
        return Lowered(left.stmts, f"({left.expr} {e.op} {right.expr})")
    # The right operand needs statements: they may only run when it is evaluated.
    tmp = ctx.temp("b")
    lines = list(left.stmts)
    lines.append(Line(f"{tmp} = {left.expr}"))
    lines.append(Line(f"if {'' if e.op == 'and' else 'not '}{tmp}:"))
    lines.extend(Line(ln.text, ln.depth + 1, ln.pos) for ln in right.stmts)
    lines.append(Line(f"{tmp} = {right.expr}", 1))
    return Lowered(tuple(lines), tmp)


def gen_orelse(ctx: GenContext, e: nodes.OrElse) -> Lowered:
    lt = ctx.type_of(e.left)
    res = ctx.type_of(e)
    left = gen_expr(ctx, e.left)
    right = gen_value(ctx, e.right, res)
    tmp = ctx.temp("or")
    lines = [*left.stmts, Line(f"{tmp} = {left.expr}")]
    out = ctx.temp("v")
    if isinstance(lt, t.TupleType):
        cond = f"{tmp}[1] is None"
        value = coerce(ctx, f"{tmp}[0]", lt.items[0], res)
    else:
        cond = f"{tmp} is not None"
        value = tmp
    lines.append(Line(f"{out}: {ctx.annot(res)}"))
    lines.append(Line(f"if {cond}:"))
    lines.append(Line(f"{out} = {value}", 1))
    lines.append(Line("else:"))
    lines.extend(Line(ln.text, ln.depth + 1, ln.pos) for ln in right.stmts)
    lines.append(Line(f"{out} = {right.expr}", 1))
    return Lowered(tuple(lines), out)


# ---------------------------------------------------------------- access


def gen_field(ctx: GenContext, e: nodes.FieldAccess) -> Lowered:
    ref = ctx.result.refs.get(id(e))
    if isinstance(ref, VariantRef):
        if ref.info.variants[ref.variant]:
            cls = ctx.qualify(ref.info)
            return Lowered.pure(f"(lambda *args: {cls}({py_str(ref.variant)}, tuple(args)))")
        return Lowered.pure(variant_value(ctx, ref.info, ref.variant, []))
    if isinstance(ref, StdFuncRef):
        mod = ctx.need(f"haira.stdlib.{ref.module}")
        ty = ctx.type_of(e)
        if not isinstance(ty, t.FnType):
            return Lowered.pure(f"{mod}.{ref.py_name}()")
        return Lowered.pure(f"{mod}.{ref.py_name}")
    if isinstance(ref, GlobalRef):
        return Lowered.pure(ctx.ref_symbol(ref.symbol))
    obj = gen_expr(ctx, e.obj)
    ot = ctx.type_of(e.obj)
    if (ot == t.ERROR or isinstance(ot, t.OptionalType)) and e.name == "message":
        return obj.with_expr(f"haira.rt.fmt({obj.expr})")
    return obj.with_expr(f"{as_any(ctx, obj.expr, ot)}.{py_name(e.name)}")


def gen_index(ctx: GenContext, e: nodes.Index) -> Lowered:
    ot = ctx.type_of(e.obj)
    stmts, (a, i) = combine(ctx, [gen_expr(ctx, e.obj), gen_expr(ctx, e.index)])
    s = tuple(stmts)
    if isinstance(ot, t.ListType):
        ctx.helpers.add("index")
        ctx.need("haira.errors")
        return Lowered(s, f"_t_index({a}, {i})")
    if isinstance(ot, t.MapType):
        return Lowered(s, f"{a}.get({i})")
    return Lowered(s, f"haira.rt.index_any({a}, {i})")
