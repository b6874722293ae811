"""Expression typing (language.md §3.3) and constant folding (§0 #12).

`ExprChecker.expr(e, expected)` returns the type of `e` and records it, plus what names
refer to and how calls are made, in the shared `CheckResult`.

    x + 1.5     -> float        [1, 2]  -> [int]        f()?  on (int, error) -> int
"""

from __future__ import annotations

from fractions import Fraction

from hairac import nodes
from hairac.check import messages as msg
from hairac.check import types as t
from hairac.check.base import CheckerBase
from hairac.check.info import (
    BuiltinRef,
    GlobalRef,
    LocalRef,
    StdModuleRef,
    VariantRef,
)
from hairac.diagnostics import Span

ARITH = {"+", "-", "*", "/", "%"}
COMPARE = {"==", "!=", "<", ">", "<=", ">="}
BITWISE = {"&", "|", "^", "<<", ">>"}


class ExprChecker(CheckerBase):
    """Expression rules; statements and items live in `checker.py`."""

    def expr(self, e: nodes.Expr, expected: t.Type | None = None) -> t.Type:
        ty = self._expr(e, expected)
        self.result.types[id(e)] = ty
        return ty

    def _expr(self, e: nodes.Expr, expected: t.Type | None) -> t.Type:  # noqa: C901
        match e:
            case nodes.IntLit():
                return t.FLOAT if expected == t.FLOAT else t.INT
            case nodes.FloatLit():
                return t.FLOAT
            case nodes.StringLit():
                return t.STRING
            case nodes.InterpString(parts=parts):
                for part in parts:
                    if isinstance(part, nodes.InterpExpr):
                        self.value(part.expr)
                return t.STRING
            case nodes.BoolLit():
                return t.BOOL
            case nodes.NilLit():
                return t.NIL
            case nodes.Ident():
                return self.ident(e)
            case nodes.ListLit():
                return self.list_lit(e, expected)
            case nodes.MapLit():
                return self.map_lit(e, expected)
            case nodes.StructLit():
                return self.struct_lit(e)
            case nodes.Unary():
                return self.unary(e)
            case nodes.Binary():
                return self.binary(e)
            case nodes.Range(start=start, end=end):
                self.expect(start, t.INT)
                self.expect(end, t.INT)
                return t.ListType(t.INT)
            case nodes.Pipe():
                return self.pipe(e, expected)
            case nodes.OrElse(left=left, right=right):
                lt = self.value(left)
                if isinstance(lt, t.TupleType) and len(lt.items) == 2:
                    inner = lt.items[0]
                elif isinstance(lt, t.OptionalType):
                    inner = lt.inner
                else:
                    inner = lt
                rt = self.value(right, inner)
                return t.join(inner, rt) if inner != t.NIL else rt
            case nodes.Call():
                return self.call(e, expected)
            case nodes.FieldAccess():
                return self.field_access(e)
            case nodes.Index():
                return self.index(e)
            case nodes.Propagate(expr=inner):
                ty = self.value(inner)
                if self.try_depth == 0:
                    self.warn(e.span, msg.PROPAGATE_OUTSIDE_TRY.format(), hint=(
                        "wrap in try { ... } catch err { ... } to handle the error, or use "
                        "'result, err = call()' pattern"), code="W404")
                if isinstance(ty, t.TupleType) and len(ty.items) == 2:
                    return ty.items[0]
                if ty == t.ERROR:
                    return t.NIL
                if t.is_any(ty):
                    return t.ANY
                self.error(e.span, msg.BAD_PROPAGATE.format(type=ty.show()), code="E421")
                return t.ANY
            case nodes.Lambda():
                return self.lambda_(e, expected)
            case nodes.IfExpr():
                return self.if_expr(e, expected)
            case nodes.MatchExpr():
                return self.match_(e, as_value=True, expected=expected)
            case nodes.BlockExpr(block=block):
                return self.block_value(block, expected)
            case nodes.SpawnExpr(body=body):
                for stmt in body.stmts:
                    self.spawn_task(stmt)
                return t.ListType(t.ANY)
            case nodes.AsyncExpr(body=body):
                self.block_value(body, None)
                return t.ANY
            case nodes.SelectExpr(arms=arms):
                for arm in arms:
                    if arm.channel is not None:
                        self.value(arm.channel)
                    if arm.binding is not None:
                        self.declare_local(arm.binding.name, t.ANY, arm.binding.span)
                    if isinstance(arm.body, nodes.Block):
                        self.check_block(arm.body)
                    else:
                        self.expr(arm.body)
                return t.ANY
            case nodes.SomeExpr(value=value):
                return self.expr(value, expected)

    # ------------------------------------------------------------ helpers

    multi_value = False
    # argument types already computed (generic stdlib calls bind arguments after typing them)
    precomputed: dict[int, t.Type] | None = None

    def value(self, e: nodes.Expr, expected: t.Type | None = None) -> t.Type:
        """An expression whose value is used: a void call is an error."""
        if self.precomputed is not None and id(e) in self.precomputed:
            return self.precomputed[id(e)]
        multi = self.multi_value
        self.multi_value = False
        ty = self.expr(e, expected)
        if isinstance(e, nodes.Call) and isinstance(ty, t.TupleType) and not multi:
            plan = self.result.calls.get(id(e))
            if plan is not None and plan.kind == "agent" and not isinstance(expected, t.TupleType):
                # `reply = A.ask(m)` (DOC style): the reply; a failure stops the program
                plan.unwrap = True
                ty = ty.items[0]
                self.result.types[id(e)] = ty
        if ty == t.VOID:
            what = "call" if isinstance(e, nodes.Call) else "expression"
            if isinstance(e, nodes.Call):
                what = _callee_text(e.callee)
            self.error(e.span, msg.VOID_VALUE.format(what=what), code="E412")
            return t.ANY
        return ty

    def expect(self, e: nodes.Expr, expected: t.Type, what: str | None = None) -> t.Type:
        got = self.value(e, expected)
        if not t.compatible(expected, got):
            self.error(
                e.span,
                msg.TYPE_MISMATCH.format(expected=expected.show(), got=got.show()),
                code="E401",
            )
        return got

    def spawn_task(self, stmt: nodes.Stmt) -> None:
        if isinstance(stmt, nodes.ExprStmt):
            self.expr(stmt.expr)
        elif isinstance(stmt, nodes.Assign):
            self.value(stmt.value)
        else:
            self.check_stmt(stmt)

    # ------------------------------------------------------------ names

    def ident(self, e: nodes.Ident) -> t.Type:
        name = e.name
        found = self.scope.lookup(name) if self.scope is not None else None
        if found is not None:
            self.result.refs[id(e)] = LocalRef(name)
            return found[0]
        gl = self.module_global(name)
        if gl is not None:
            self.result.refs[id(e)] = GlobalRef(gl)
            return gl.type
        sym = self.lookup_symbol(name)
        if sym is not None:
            self.result.refs[id(e)] = GlobalRef(sym)
            if sym.kind in ("struct", "enum", "alias"):
                return t.ANY
            if sym.kind == "fn" and isinstance(sym.type, t.FnType):
                return self.fn_type_of(sym)
            return sym.type
        std = self.std_qualifier(name)
        if std is not None:
            self.result.refs[id(e)] = StdModuleRef(std)
            return t.ModuleType(std)
        from hairac.check import stdlib
        from hairac.check.info import StdFuncRef

        mods = [m for m, _ in [self.unit.std_names[name]]] if name in self.unit.std_names else []
        for mod in [*mods, *self.unit.std_globs]:
            std_fn = stdlib.lookup(mod, name)
            if isinstance(std_fn, stdlib.StdFunc):
                self.result.refs[id(e)] = StdFuncRef(std_fn.module, std_fn.py_name)
                return std_fn.fn
        if name in BUILTINS:
            self.result.refs[id(e)] = BuiltinRef(name)
            return t.FnType((), t.ANY, loose=True)
        if name in ("int", "float", "string", "bool"):
            self.result.refs[id(e)] = BuiltinRef(name)
            return t.ANY
        self.error(e.span, msg.UNDEFINED_NAME.format(name=name), code="E500")
        return t.ANY

    # ------------------------------------------------------------ literals

    def list_lit(self, e: nodes.ListLit, expected: t.Type | None) -> t.Type:
        want = expected.elem if isinstance(expected, t.ListType) else None
        if isinstance(expected, t.OptionalType) and isinstance(expected.inner, t.ListType):
            want = expected.inner.elem
        elem: t.Type | None = None
        for x in e.elems:
            xt = self.value(x, want)
            elem = xt if elem is None else t.join(elem, xt)
        if want is not None and (elem is None or t.compatible(want, elem)):
            return t.ListType(want)
        if elem is None or elem == t.NIL:
            return t.ListType(t.ANY)
        return t.ListType(elem)

    def map_lit(self, e: nodes.MapLit, expected: t.Type | None) -> t.Type:
        want_v = expected.value if isinstance(expected, t.MapType) else None
        val: t.Type | None = None
        for entry in e.entries:
            kt = self.value(entry.key, t.STRING)
            if not t.compatible(t.STRING, kt):
                self.error(
                    entry.key.span,
                    msg.TYPE_MISMATCH.format(expected="string", got=kt.show()),
                    code="E401",
                )
            vt = self.value(entry.value, want_v)
            val = vt if val is None else t.join(val, vt)
        if want_v is not None and (val is None or t.compatible(want_v, val)):
            return t.MapType(t.STRING, want_v)
        if val is None or val == t.NIL:
            return t.MapType(t.STRING, t.ANY)
        return t.MapType(t.STRING, val)

    def struct_lit(self, e: nodes.StructLit) -> t.Type:
        # `Shape.Circle { radius = 1.0 }`: a payload variant built with field syntax.
        if e.qualifier is not None:
            enum = self.lookup_type_symbol(e.qualifier)
            if enum is not None and isinstance(enum.type, t.EnumType):
                return self.variant_lit(e, enum.type.info)
        sym = self.lookup_type_symbol(e.type_name)
        info: t.StructInfo | None = None
        if sym is not None and isinstance(sym.type, t.StructType):
            info = sym.type.info
        if info is None:
            self.error(e.type_span, msg.NOT_A_TYPE.format(name=e.type_name), code="E424")
            for f in e.fields:
                self.value(f.value)
            return t.ANY
        order = info.field_order
        for i, f in enumerate(e.fields):
            fname = f.name if f.name is not None else (order[i] if i < len(order) else None)
            if fname is None or fname not in info.fields:
                span = f.name_span or f.span
                self.error(
                    span,
                    msg.UNKNOWN_FIELD.format(field=fname or f"#{i + 1}", type=info.name),
                    code="E403",
                )
                self.value(f.value)
                continue
            ft = info.fields[fname]
            got = self.value(f.value, ft)
            if not t.compatible(ft, got):
                self.error(
                    f.value.span,
                    msg.TYPE_MISMATCH.format(expected=ft.show(), got=got.show()),
                    code="E401",
                )
        return t.StructType(info)

    def variant_lit(self, e: nodes.StructLit, info: t.EnumInfo) -> t.Type:
        params = info.variants.get(e.type_name)
        if params is None:
            self.error(
                e.type_span,
                msg.UNKNOWN_VARIANT.format(enum=info.name, variant=e.type_name),
                code="E416",
            )
            return t.EnumType(info)
        names = {p.name: p for p in params}
        for i, f in enumerate(e.fields):
            fname = f.name if f.name is not None else (params[i].name if i < len(params) else None)
            p = names.get(fname or "")
            if p is None:
                self.error(
                    f.name_span or f.span,
                    msg.UNKNOWN_PAYLOAD_FIELD.format(variant=e.type_name, field=fname or "?"),
                    code="E418",
                )
                self.value(f.value)
                continue
            got = self.value(f.value, p.type)
            if not t.compatible(p.type, got):
                self.error(
                    f.value.span,
                    msg.TYPE_MISMATCH.format(expected=p.type.show(), got=got.show()),
                    code="E401",
                )
        return t.EnumType(info)

    # ------------------------------------------------------------ operators

    def unary(self, e: nodes.Unary) -> t.Type:
        ty = self.value(e.operand)
        if e.op == "-":
            folded = self.fold(e)
            if folded is not None:
                return t.INT if isinstance(folded, int) else t.FLOAT
            if ty in (t.INT, t.FLOAT) or t.is_any(ty):
                return ty
            self.error(e.span, msg.CANNOT_NEGATE.format(type=ty.show()), code="E402")
            return t.ANY
        if e.op == "not":
            if ty not in (t.BOOL,) and not t.is_any(ty):
                self.error(e.span, msg.BAD_OPERANDS.format(left="", op="not", right=ty.show()).replace(":  not", ": not"), code="E410")
            return t.BOOL
        # "~"
        if ty != t.INT and not t.is_any(ty):
            self.error(e.span, msg.BAD_OPERANDS.format(left="", op="~", right=ty.show()).replace(":  ~", ": ~"), code="E410")
        return t.INT if ty == t.INT else t.ANY

    def binary(self, e: nodes.Binary) -> t.Type:  # noqa: C901 - one rule per operator family
        folded = self.fold(e)
        if folded is not None:
            self.value(e.left)
            self.value(e.right)
            return t.INT if isinstance(folded, int) else t.FLOAT
        op = e.op
        if op in ("and", "or"):
            lt = self.value(e.left, t.BOOL)
            rt = self.value(e.right, t.BOOL)
            for side, ty in ((e.left, lt), (e.right, rt)):
                if ty != t.BOOL and not t.is_any(ty):
                    self.error(
                        side.span,
                        msg.BAD_OPERANDS.format(left=lt.show(), op=op, right=rt.show()),
                        code="E410",
                    )
                    break
            return t.BOOL
        lt = self.value(e.left)
        rt = self.value(e.right, lt if lt in (t.FLOAT,) else None)
        if op in ("==", "!="):
            comparable = t.compatible(lt, rt) or t.compatible(rt, lt)
            numeric = t.is_numeric(lt) and t.is_numeric(rt)
            if not comparable and not numeric and t.NIL not in (lt, rt):
                self.bad_operands(e, lt, rt)
            return t.BOOL
        if op in ("<", ">", "<=", ">="):
            ok = (t.is_numeric(lt) and t.is_numeric(rt)) or (lt == rt == t.STRING)
            if not ok and not (t.is_any(lt) or t.is_any(rt)):
                self.bad_operands(e, lt, rt)
            return t.BOOL
        if op in BITWISE:
            if (lt != t.INT and not t.is_any(lt)) or (rt != t.INT and not t.is_any(rt)):
                self.bad_operands(e, lt, rt)
                return t.ANY
            return t.INT if lt == rt == t.INT else t.ANY
        # arithmetic
        if t.is_any(lt) or t.is_any(rt) or isinstance(lt, t.OptionalType) or isinstance(rt, t.OptionalType):
            if op == "+" and (lt == t.STRING or rt == t.STRING):
                return t.STRING
            return t.ANY
        if op == "+" and (lt == t.STRING or rt == t.STRING):
            return t.STRING
        if t.is_numeric(lt) and t.is_numeric(rt):
            if op == "%" and (lt == t.FLOAT or rt == t.FLOAT):
                self.bad_operands(e, lt, rt)
                return t.ANY
            return t.INT if lt == rt == t.INT else t.FLOAT
        if op == "+" and isinstance(lt, t.ListType) and isinstance(rt, t.ListType):
            return t.join(lt, rt)
        self.bad_operands(e, lt, rt)
        return t.ANY

    def bad_operands(self, e: nodes.Binary, lt: t.Type, rt: t.Type) -> None:
        self.error(
            e.op_span,
            msg.BAD_OPERANDS.format(left=lt.show(), op=e.op, right=rt.show()),
            code="E410",
        )

    # ------------------------------------------------------------ constant folding

    def fold(self, e: nodes.Expr) -> int | float | None:
        """Literal-only arithmetic, evaluated exactly like Go untyped constants (§0 #12)."""
        key = id(e)
        if key in self.result.consts:
            return self.result.consts[key]
        if not isinstance(e, nodes.Binary | nodes.Unary):
            return None
        got = self._fold(e)
        if got is None:
            return None
        is_float, value = got
        result: int | float
        if is_float:
            result = float(value)
        else:
            iv = int(value)
            if not (-(1 << 63) <= iv < (1 << 63)):
                self.error(e.span, msg.CONST_OVERFLOW.format(), code="E429")
                return None
            result = iv
        self.result.consts[key] = result
        return result

    def _fold(self, e: nodes.Expr) -> tuple[bool, Fraction] | None:
        if isinstance(e, nodes.IntLit):
            return False, Fraction(e.value)
        if isinstance(e, nodes.FloatLit):
            return True, Fraction(e.text.replace("_", ""))
        if isinstance(e, nodes.Unary) and e.op == "-":
            inner = self._fold(e.operand)
            return None if inner is None else (inner[0], -inner[1])
        if isinstance(e, nodes.Binary) and e.op in ("+", "-", "*", "/"):
            a = self._fold(e.left)
            b = self._fold(e.right)
            if a is None or b is None:
                return None
            is_float = a[0] or b[0]
            x, y = a[1], b[1]
            if e.op == "+":
                return is_float, x + y
            if e.op == "-":
                return is_float, x - y
            if e.op == "*":
                return is_float, x * y
            if y == 0:
                self.error(e.span, msg.CONST_DIV_ZERO.format(), code="E419")
                return None
            if is_float:
                return True, x / y
            q = abs(x.numerator) // abs(y.numerator)
            return False, Fraction(q if (x >= 0) == (y >= 0) else -q)
        return None

    # ------------------------------------------------------------ access

    def field_access(self, e: nodes.FieldAccess) -> t.Type:  # noqa: C901
        obj = e.obj
        if isinstance(obj, nodes.Ident) and not self.is_local(obj.name):
            # Enum.Variant
            sym = self.lookup_type_symbol(obj.name) if self.module_global(obj.name) is None else None
            if sym is not None and isinstance(sym.type, t.EnumType):
                info = sym.type.info
                self.result.refs[id(obj)] = GlobalRef(sym)
                if e.name not in info.variants:
                    self.error(
                        e.name_span,
                        msg.UNKNOWN_VARIANT.format(enum=info.name, variant=e.name),
                        code="E416",
                    )
                    return t.ANY
                self.result.refs[id(e)] = VariantRef(info, e.name)
                if info.variants[e.name]:
                    params = info.variants[e.name]
                    return t.FnType(params, t.EnumType(info))
                return t.EnumType(info)
            std = self.std_qualifier(obj.name) if sym is None else None
            if std is not None and self.lookup_symbol(obj.name) is None:
                return self.std_member(e, std)
            mod_sym = self.module_member(obj.name, e.name)
            if mod_sym is not None:
                self.result.refs[id(e)] = GlobalRef(mod_sym)
                return mod_sym.type
        ot = self.value(obj)
        return self.member_type(e, ot)

    def member_type(self, e: nodes.FieldAccess, ot: t.Type) -> t.Type:
        name = e.name
        if isinstance(ot, t.StructType):
            info = ot.info
            if name in info.fields:
                return info.fields[name]
            if name in info.methods:
                return info.methods[name]
            self.error(
                e.name_span, msg.UNKNOWN_FIELD.format(field=name, type=info.name), code="E403"
            )
            return t.ANY
        is_error = ot == t.ERROR or (isinstance(ot, t.OptionalType) and ot.inner == t.ERROR)
        if is_error and name == "message":
            return t.STRING
        if isinstance(ot, t.OpaqueType):
            return self.opaque_attr(ot, name)
        if isinstance(ot, t.EnumType) and name in ("name",):
            return t.STRING
        if isinstance(ot, t.AgentType) and name == "name":
            return t.STRING
        if t.is_any(ot) or isinstance(ot, (t.OptionalType, t.MapType)):
            return t.ANY
        self.error(e.name_span, msg.UNKNOWN_FIELD.format(field=name, type=ot.show()), code="E403")
        return t.ANY

    def std_member(self, e: nodes.FieldAccess, module: str) -> t.Type:
        from hairac.check import stdlib
        from hairac.check.info import StdFuncRef

        found = stdlib.lookup(module, e.name)
        if found is None:
            self.error(e.span, msg.UNKNOWN_STD.format(module=module, name=e.name), code="E508")
            return t.ANY
        if isinstance(found, stdlib.StdFunc):
            self.result.refs[id(e)] = StdFuncRef(found.module, found.py_name)
            if not found.fn.params and found.fn.ret in (t.FLOAT, t.INT, t.STRING):
                # math.pi / math.e: constants readable without parentheses (§6.4)
                return found.fn.ret
            return found.fn
        self.result.refs[id(e)] = StdFuncRef(stdlib.runtime_module(module), e.name)
        return found

    def index(self, e: nodes.Index) -> t.Type:
        ot = self.value(e.obj)
        if isinstance(ot, t.ListType):
            self.expect(e.index, t.INT)
            return ot.elem
        if isinstance(ot, t.MapType):
            self.expect(e.index, ot.key)
            # a missing key gives nil (§0 #9)
            v = ot.value
            return v if t.is_any(v) or isinstance(v, t.OptionalType) else t.OptionalType(v)
        self.value(e.index)
        if t.is_any(ot) or isinstance(ot, t.OptionalType):
            return t.ANY
        if ot == t.STRING:
            return t.ANY
        self.error(e.span, msg.NOT_INDEXABLE.format(type=ot.show()), code="E426")
        return t.ANY

    def pipe(self, e: nodes.Pipe, expected: t.Type | None) -> t.Type:
        right = e.right
        first = nodes.Arg(span=e.left.span, value=e.left)
        if isinstance(right, nodes.Call):
            call = nodes.Call(span=e.span, callee=right.callee, args=(first, *right.args))
        else:
            call = nodes.Call(span=e.span, callee=right, args=(first,))
        self.result.pipes[id(e)] = call
        return self.expr(call, expected)


BUILTINS = frozenset(
    {"len", "keys", "values", "join", "env", "error", "panic", "print", "println", "append",
     "typeof", "type_of", "str", "int", "float", "string", "bool"}
)


def _callee_text(e: nodes.Expr) -> str:
    if isinstance(e, nodes.Ident):
        return e.name
    if isinstance(e, nodes.FieldAccess):
        return f"{_callee_text(e.obj)}.{e.name}"
    return "call"


def span_of(e: nodes.Node) -> Span:
    return e.span
