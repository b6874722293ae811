"""Statement checking, value-producing blocks (`if`/`match`/block expressions), lambdas
and match patterns (language.md §3.4, §4.2-§4.6, §4.8, §4.11).

    x = 1; x = 2.5      -> x: float (a local's type is the join of what it is assigned)
"""

from __future__ import annotations

from hairac import nodes
from hairac.check import messages as msg
from hairac.check import types as t
from hairac.check.calls import CallChecker
from hairac.check.info import FuncInfo, GlobalRef, LocalRef, VariantRef
from hairac.check.scope import Scope


class StmtChecker(CallChecker):
    # Set by the function being checked: the inferred return type so far (None = no return).
    inferred_ret: t.Type | None = None
    current_fn: FuncInfo | None = None

    def check_block(self, block: nodes.Block) -> None:
        for stmt in block.stmts:
            self.check_stmt(stmt)

    def check_stmt(self, stmt: nodes.Stmt) -> None:  # noqa: C901 - dispatcher
        match stmt:
            case nodes.ExprStmt(expr=e):
                self.expr(e)
            case nodes.Assign():
                self.assign(stmt)
            case nodes.AugAssign():
                self.aug_assign(stmt)
            case nodes.LetStmt():
                self.let(stmt)
            case nodes.IfStmt():
                self.condition(stmt.cond)
                self.check_block(stmt.then)
                if isinstance(stmt.else_, nodes.Block):
                    self.check_block(stmt.else_)
                elif stmt.else_ is not None:
                    self.check_stmt(stmt.else_)
            case nodes.WhileStmt(cond=cond, body=body):
                self.condition(cond)
                self.loop_depth += 1
                self.check_block(body)
                self.loop_depth -= 1
            case nodes.ForStmt():
                self.for_(stmt)
            case nodes.ReturnStmt():
                self.return_(stmt)
            case nodes.BreakStmt() | nodes.ContinueStmt():
                if self.loop_depth == 0:
                    kw = "break" if isinstance(stmt, nodes.BreakStmt) else "continue"
                    self.error(stmt.span, msg.BREAK_OUTSIDE_LOOP.format(kw=kw), code="E425")
            case nodes.MatchStmt():
                self.match_(stmt, as_value=False, expected=None)
            case nodes.TryStmt(body=body, catch_name=name, catch_span=span, handler=handler):
                self.try_depth += 1
                self.check_block(body)
                self.try_depth -= 1
                self.declare_local(name, t.STRING, span)
                self.check_block(handler)
            case nodes.DeferStmt(expr=e, kind=kind):
                if self.current_fn is not None:
                    if kind == "defer":
                        self.current_fn.has_defer = True
                    else:
                        self.current_fn.has_errdefer = True
                self.expr(e)
            case nodes.StepStmt(body=body, hooks=hooks):
                self.check_block(body)
                for hook in hooks:
                    if hook.binding is not None:
                        self.declare_local(hook.binding, t.STRING, hook.binding_span or hook.span)
                    self.check_block(hook.body)
            case nodes.AssertStmt(cond=cond, message=message):
                if not self.in_test:
                    self.error(stmt.span, msg.ASSERT_OUTSIDE_TEST.format(), code="E405")
                ct = self.value(cond)
                if ct != t.BOOL and not t.is_any(ct):
                    self.warn(cond.span, msg.ASSERT_NOT_BOOL.format(type=ct.show()), code="W405")
                if message is not None:
                    self.value(message)
            case nodes.VerifyStmt(body=body):
                saved = self.in_test
                self.in_test = True  # `verify { assert ... }` inside workflow steps
                self.check_block(body)
                self.in_test = saved

    def condition(self, cond: nodes.Expr) -> None:
        ct = self.value(cond, t.BOOL)
        if ct != t.BOOL and not t.is_any(ct):
            self.warn(cond.span, msg.CONDITION_NOT_BOOL.format(type=ct.show()), code="W401")

    # ------------------------------------------------------------ assignment

    def assign(self, stmt: nodes.Assign) -> None:
        targets = stmt.targets
        if len(targets) == 1:
            target = targets[0]
            declared = self.resolve_type(target.type) if target.type is not None else None
            want = declared if declared is not None else self.target_type(target.target)
            vt = self.value(stmt.value, want)
            if declared is not None and not t.compatible(declared, vt):
                self.error(
                    stmt.value.span,
                    msg.TYPE_MISMATCH.format(expected=declared.show(), got=vt.show()),
                    code="E401",
                )
            self.store(target.target, declared if declared is not None else vt, declared is not None)
            return
        self.multi_value = True
        vt = self.value(stmt.value)
        items: list[t.Type]
        if isinstance(vt, t.TupleType):
            items = list(vt.items)
            if len(items) != len(targets):
                what = stmt.value.callee if isinstance(stmt.value, nodes.Call) else None
                self.error(
                    stmt.value.span,
                    msg.BAD_DESTRUCTURE.format(
                        targets=len(targets), s="s" if len(targets) != 1 else "",
                        what=_what(what), values=len(items), vs="s" if len(items) != 1 else "",
                    ),
                    code="E415",
                )
                items = [t.ANY] * len(targets)
        elif t.is_any(vt):
            items = [t.ANY] * len(targets)
        else:
            what = stmt.value.callee if isinstance(stmt.value, nodes.Call) else None
            self.error(
                stmt.value.span,
                msg.BAD_DESTRUCTURE.format(
                    targets=len(targets), s="s", what=_what(what), values=1, vs=""
                ),
                code="E415",
            )
            items = [t.ANY] * len(targets)
        for target, ty in zip(targets, items, strict=True):
            if target.type is not None:
                declared = self.resolve_type(target.type)
                if not t.compatible(declared, ty):
                    self.error(
                        target.span,
                        msg.TYPE_MISMATCH.format(expected=declared.show(), got=ty.show()),
                        code="E401",
                    )
                self.store(target.target, declared, True)
            else:
                self.store(target.target, ty, False)

    def target_type(self, target: nodes.Ident | nodes.FieldAccess | nodes.Index) -> t.Type | None:
        if isinstance(target, nodes.Ident):
            if self.scope is not None:
                found = self.scope.lookup(target.name)
                if found is not None:
                    return found[0]
                return None
            gl = self.module_global(target.name)
            return gl.type if gl is not None and not t.is_any(gl.type) else None
        return None

    def store(
        self, target: nodes.Ident | nodes.FieldAccess | nodes.Index, ty: t.Type, declared: bool
    ) -> None:
        if isinstance(target, nodes.Ident):
            self.store_name(target, ty, declared)
            return
        if isinstance(target, nodes.FieldAccess):
            ft = self.expr(target)
            if not t.compatible(ft, ty):
                self.error(
                    target.span,
                    msg.TYPE_MISMATCH.format(expected=ft.show(), got=ty.show()),
                    code="E401",
                )
            return
        ot = self.value(target.obj)
        if isinstance(ot, t.ListType):
            self.expect(target.index, t.INT)
            if not t.compatible(ot.elem, ty):
                self.error(
                    target.span,
                    msg.TYPE_MISMATCH.format(expected=ot.elem.show(), got=ty.show()),
                    code="E401",
                )
        elif isinstance(ot, t.MapType):
            self.expect(target.index, ot.key)
            if not t.compatible(ot.value, ty):
                self.error(
                    target.span,
                    msg.TYPE_MISMATCH.format(expected=ot.value.show(), got=ty.show()),
                    code="E401",
                )
        else:
            self.value(target.index)
            if not t.is_any(ot) and not isinstance(ot, t.OptionalType):
                self.error(target.span, msg.NOT_INDEXABLE.format(type=ot.show()), code="E426")
        self.result.types[id(target)] = ty

    def store_name(self, target: nodes.Ident, ty: t.Type, declared: bool) -> None:
        name = target.name
        fn = self.current_fn
        if name == "self" and fn is not None and fn.receiver is not None:
            self.error(target.span, msg.REASSIGN_SELF.format(), code="E400")
            return
        if self.scope is None:
            # top level: a module global (registered in the first pass)
            gl = self.module_global(name)
            if gl is not None:
                self.result.refs[id(target)] = GlobalRef(gl)
                if gl.const and self.global_assigned.get(id(gl)):
                    self.error(target.span, msg.REASSIGN_CONST.format(name=name), code="E404")
                if self.global_assigned.get(id(gl)):
                    if not t.compatible(gl.type, ty):
                        gl.type = t.join(gl.type, ty)
                else:
                    gl.type = ty if ty != t.NIL else t.ANY
                self.global_assigned[id(gl)] = True
            return
        self.result.refs[id(target)] = LocalRef(name)
        found = self.scope.lookup(name)
        scope = self.scope
        if found is not None:
            old, owner = found
            if owner is not scope:
                scope.nonlocals.add(name)
                self.nonlocals.setdefault(id(scope.fn.node), set()).add(name)
            if name in owner.fn.consts:
                self.error(target.span, msg.REASSIGN_CONST.format(name=name), code="E404")
            if declared:
                if old != ty:
                    owner.set_type(name, ty)
                return
            if not t.compatible(old, ty) or (old == t.INT and ty == t.FLOAT) or old == t.NIL:
                joined = t.join(old, ty)
                if joined != old:
                    owner.set_type(name, joined)
                    self.widened = True
            return
        scope.fn.locals[name] = ty

    def aug_assign(self, stmt: nodes.AugAssign) -> None:
        fake = nodes.Binary(
            span=stmt.span, op=stmt.op, left=stmt.target, right=stmt.value, op_span=stmt.span
        )
        ty = self.expr(fake)
        self.result.types[id(stmt)] = ty
        self.aug_binaries[id(stmt)] = fake
        if isinstance(stmt.target, nodes.Ident):
            self.store_name(stmt.target, ty, False)
        else:
            tt = self.result.type_of(stmt.target)
            if not t.compatible(tt, ty):
                self.error(
                    stmt.span,
                    msg.TYPE_MISMATCH.format(expected=tt.show(), got=ty.show()),
                    code="E401",
                )

    def let(self, stmt: nodes.LetStmt) -> None:
        declared = self.resolve_type(stmt.type) if stmt.type is not None else None
        vt = self.value(stmt.value, declared)
        if declared is not None and not t.compatible(declared, vt):
            self.error(
                stmt.value.span,
                msg.TYPE_MISMATCH.format(expected=declared.show(), got=vt.show()),
                code="E401",
            )
        ident = nodes.Ident(span=stmt.name_span, name=stmt.name)
        self.let_idents[id(stmt)] = ident
        self.store_name(ident, declared if declared is not None else vt, declared is not None)
        if stmt.kind == "const" and self.scope is not None:
            self.scope.fn.consts.add(stmt.name)

    # ------------------------------------------------------------ loops, returns

    def for_(self, stmt: nodes.ForStmt) -> None:
        it = stmt.iterable
        names = stmt.names
        if isinstance(it, nodes.Range):
            self.expect(it.start, t.INT)
            self.expect(it.end, t.INT)
            self.result.types[id(it)] = t.ListType(t.INT)
            types: list[t.Type] = [t.INT] if len(names) == 1 else [t.INT, t.INT]
        else:
            ty = self.value(it)
            if isinstance(ty, t.ListType):
                types = [ty.elem] if len(names) == 1 else [t.INT, ty.elem]
            elif isinstance(ty, t.MapType):
                types = [ty.key] if len(names) == 1 else [ty.key, ty.value]
            elif ty == t.STREAM and len(names) == 1:
                types = [t.STRING]  # an agent stream yields its text chunks
            elif t.is_any(ty) or isinstance(ty, t.OptionalType) or ty == t.STRING:
                # REF ranges over strings zero times (language.md §4.5); so do we
                types = [t.ANY] * len(names)
            else:
                self.error(it.span, msg.NOT_ITERABLE.format(type=ty.show()), code="E422")
                types = [t.ANY] * len(names)
        for n, ty2 in zip(names, types, strict=False):
            if n.name != "_":
                self.declare_local(n.name, ty2, n.span)
        self.loop_depth += 1
        self.check_block(stmt.body)
        self.loop_depth -= 1

    def return_(self, stmt: nodes.ReturnStmt) -> None:  # noqa: C901 - Go's return rules
        fn = self.current_fn
        values = stmt.values
        if fn is None:
            for v in values:
                self.value(v)
            return
        if fn.ret_declared:
            want = fn.ret
            if not values:
                if want not in (t.VOID, t.NIL) and not t.is_any(want):
                    self.warn(stmt.span, msg.EMPTY_RETURN.format(type=want.show()), code="W402")
                return
            if want == t.VOID:
                for v in values:
                    self.value(v)
                self.error(
                    stmt.span,
                    msg.TOO_MANY_RETURN_VALUES.format(expected=0, got=len(values)),
                    code="E427",
                )
                return
            if len(values) == 1:
                got = self.value(values[0], want)
                if not t.compatible(want, got):
                    self.error(
                        values[0].span,
                        msg.RETURN_MISMATCH.format(expected=want.show(), got=got.show()),
                        code="E423",
                    )
                return
            items = want.items if isinstance(want, t.TupleType) else None
            if items is None or len(items) != len(values):
                for v in values:
                    self.value(v)
                n_expected = len(items) if items is not None else 1
                self.error(
                    stmt.span,
                    msg.TOO_MANY_RETURN_VALUES.format(expected=n_expected, got=len(values)),
                    code="E427",
                )
                return
            for v, w in zip(values, items, strict=True):
                got = self.value(v, w)
                if not t.compatible(w, got):
                    self.error(
                        v.span,
                        msg.RETURN_MISMATCH.format(expected=w.show(), got=got.show()),
                        code="E423",
                    )
            return
        # inferred return type
        if not values:
            inferred: t.Type = t.VOID
        elif len(values) == 1:
            inferred = self.value(values[0])
        else:
            inferred = t.TupleType(tuple(self.value(v) for v in values))
        if inferred != t.VOID:
            fn.returns_values = True
        prev = self.inferred_ret
        self.inferred_ret = inferred if prev is None else _join_ret(prev, inferred)

    # ------------------------------------------------------------ value blocks

    def block_value(self, block: nodes.Block, expected: t.Type | None) -> t.Type:
        stmts = block.stmts
        if not stmts:
            ty: t.Type = t.NIL
        else:
            for s in stmts[:-1]:
                self.check_stmt(s)
            ty = self.stmt_value(stmts[-1], expected)
        self.result.types[id(block)] = ty
        return ty

    def stmt_value(self, last: nodes.Stmt, expected: t.Type | None) -> t.Type:
        if isinstance(last, nodes.ExprStmt):
            ty = self.expr(last.expr, expected)
            return t.NIL if ty == t.VOID else ty
        if isinstance(last, nodes.IfStmt):
            self.condition(last.cond)
            a = self.block_value(last.then, expected)
            if last.else_ is None:
                b: t.Type = t.NIL
            elif isinstance(last.else_, nodes.Block):
                b = self.block_value(last.else_, expected)
            else:
                b = self.stmt_value(last.else_, expected)
            ty = t.join(a, b)
            self.result.types[id(last)] = ty
            return ty
        if isinstance(last, nodes.MatchStmt):
            ty = self.match_(last, as_value=True, expected=expected)
            self.result.types[id(last)] = ty
            return ty
        self.check_stmt(last)
        return t.NIL

    def if_expr(self, e: nodes.IfExpr, expected: t.Type | None) -> t.Type:
        self.condition(e.cond)
        a = self.block_value(e.then, expected)
        if e.else_ is None:
            b: t.Type = t.NIL
        elif isinstance(e.else_, nodes.Block):
            b = self.block_value(e.else_, expected)
        else:
            b = self.expr(e.else_, expected)
        return t.join(a, b)

    # ------------------------------------------------------------ lambdas

    def lambda_(self, e: nodes.Lambda, expected: t.Type | None) -> t.Type:
        info = self.new_func(e, "lambda")
        info.parent = self.current_fn
        want = expected if isinstance(expected, t.FnType) and not expected.loose else None
        params: list[t.Param] = []
        for i, p in enumerate(e.params):
            if p.type is not None:
                pty = self.resolve_type(p.type)
            elif want is not None and i < len(want.params):
                pty = want.params[i].type
            else:
                pty = t.ANY
            if p.rest:
                pty = t.ListType(pty)
            info.params.append((p.name, pty))
            params.append(t.Param(p.name, pty, has_default=p.default is not None, rest=p.rest))
        declared = self.resolve_type(e.return_type) if e.return_type is not None else None
        saved = (self.scope, self.current_fn, self.inferred_ret, self.loop_depth)
        self.scope = Scope(info, parent=self.scope)
        self.current_fn = info
        self.inferred_ret = None
        self.loop_depth = 0
        try:
            if declared is not None:
                info.ret = declared
                info.ret_declared = True
            if isinstance(e.body, nodes.Block):
                self.check_block(e.body)
                if declared is None:
                    info.ret = self.inferred_ret if self.inferred_ret is not None else t.VOID
                    if info.ret == t.VOID and want is not None and want.ret not in (t.VOID,):
                        info.ret = t.VOID
            else:
                body_t = self.expr(e.body, want.ret if want is not None else None)
                if declared is None:
                    info.ret = body_t
        finally:
            self.scope, self.current_fn, self.inferred_ret, self.loop_depth = saved
        return t.FnType(tuple(params), info.ret)

    # ------------------------------------------------------------ match

    def match_(  # noqa: C901 - arms, patterns, exhaustiveness
        self, e: nodes.MatchExpr | nodes.MatchStmt, *, as_value: bool, expected: t.Type | None
    ) -> t.Type:
        st = self.value(e.subject)
        self.result.match_types[id(e)] = st
        result: t.Type | None = None
        seen_wild = False
        covered: set[str] = set()
        for arm in e.arms:
            if seen_wild:
                self.warn(arm.span, msg.UNREACHABLE_ARM.format(), code="W406")
            self.pattern(arm.pattern, st)
            if arm.guard is None and _is_wild(arm.pattern):
                seen_wild = True
            if arm.guard is None:
                covered |= _variants_of(arm.pattern)
            if arm.guard is not None:
                self.condition(arm.guard)
            body = arm.body
            if isinstance(body, nodes.Block):
                if as_value:
                    bt = self.block_value(body, expected)
                    result = bt if result is None else t.join(result, bt)
                else:
                    self.check_block(body)
            elif isinstance(body, nodes.ReturnStmt | nodes.BreakStmt | nodes.ContinueStmt):
                self.check_stmt(body)
            else:
                bt = self.expr(body, expected)
                if as_value:
                    bt = t.NIL if bt == t.VOID else bt
                    result = bt if result is None else t.join(result, bt)
        exhaustive = seen_wild
        if isinstance(st, t.EnumType) and not seen_wild:
            missing = [v for v in st.info.variants if v not in covered]
            if missing:
                self.warn(
                    e.span,
                    msg.NON_EXHAUSTIVE.format(enum=st.info.name, missing=", ".join(missing)),
                    hint="add a wildcard '_' arm or handle all variants",
                    code="W400",
                )
            else:
                exhaustive = True
        if st == t.BOOL and {"true", "false"} <= covered:
            exhaustive = True
        self.result.types[id(e)] = result or t.NIL
        if result is None:
            return t.NIL
        if not exhaustive:
            result = t.join(result, t.NIL)
        self.exhaustive[id(e)] = exhaustive
        return result

    def pattern(self, p: nodes.Pattern, st: t.Type) -> None:  # noqa: C901
        match p:
            case nodes.WildcardPattern() | nodes.RangePattern():
                return
            case nodes.LiteralPattern(value=lit):
                self.expr(lit)
            case nodes.OrPattern(alternatives=alts):
                for a in alts:
                    self.pattern(a, st)
            case nodes.NamePattern(name=name):
                if isinstance(st, t.EnumType) and name in st.info.variants:
                    self.result.refs[id(p)] = VariantRef(st.info, name)
                    return
                ident = nodes.Ident(span=p.span, name=name)
                self.expr(ident)
                ref = self.result.refs.get(id(ident))
                if ref is not None:
                    self.result.refs[id(p)] = ref
            case nodes.QualifiedPattern(qualifier=q, name=name):
                sym = self.lookup_type_symbol(q)
                if sym is None or not isinstance(sym.type, t.EnumType):
                    self.error(p.span, msg.NOT_A_TYPE.format(name=q), code="E424")
                    return
                info = sym.type.info
                if name not in info.variants:
                    self.error(p.span, msg.UNKNOWN_VARIANT.format(enum=q, variant=name), code="E416")
                    return
                self.result.refs[id(p)] = VariantRef(info, name)
            case nodes.CtorPattern(name=name, fields=fields, qualifier=q):
                einfo = self.enum_for_variant(name, q, st)
                if einfo is None:
                    self.error(p.span, msg.UNDEFINED_NAME.format(name=name), code="E500")
                    return
                self.result.refs[id(p)] = VariantRef(einfo, name)
                params = {pp.name: pp.type for pp in einfo.variants[name]}
                for f in fields:
                    if f.name not in params:
                        self.error(
                            f.span,
                            msg.UNKNOWN_PAYLOAD_FIELD.format(variant=name, field=f.name),
                            code="E418",
                        )
                        continue
                    self.declare_local(f.name, params[f.name], f.span)

    def enum_for_variant(self, name: str, qualifier: str | None, st: t.Type) -> t.EnumInfo | None:
        if qualifier is not None:
            sym = self.lookup_type_symbol(qualifier)
            if sym is not None and isinstance(sym.type, t.EnumType) and name in sym.type.info.variants:
                return sym.type.info
            return None
        if isinstance(st, t.EnumType) and name in st.info.variants:
            return st.info
        for info in self.result.enums.values():
            if name in info.variants:
                return info
        return None

    # attributes set up by the Checker
    aug_binaries: dict[int, nodes.Binary]
    let_idents: dict[int, nodes.Ident]
    nonlocals: dict[int, set[str]]
    exhaustive: dict[int, bool]
    global_assigned: dict[int, bool]


def _join_ret(a: t.Type, b: t.Type) -> t.Type:
    if a == t.VOID:
        return b
    if b == t.VOID:
        return a
    if isinstance(a, t.TupleType) and isinstance(b, t.TupleType) and len(a.items) == len(b.items):
        return t.TupleType(tuple(t.join(x, y) for x, y in zip(a.items, b.items, strict=True)))
    return t.join(a, b)


def _is_wild(p: nodes.Pattern) -> bool:
    if isinstance(p, nodes.WildcardPattern):
        return True
    if isinstance(p, nodes.OrPattern):
        return any(_is_wild(a) for a in p.alternatives)
    return False


def _variants_of(p: nodes.Pattern) -> set[str]:
    if isinstance(p, nodes.QualifiedPattern | nodes.NamePattern):
        return {p.name}
    if isinstance(p, nodes.CtorPattern):
        return {p.name}
    if isinstance(p, nodes.LiteralPattern) and isinstance(p.value, nodes.BoolLit):
        return {"true" if p.value.value else "false"}
    if isinstance(p, nodes.OrPattern):
        out: set[str] = set()
        for a in p.alternatives:
            out |= _variants_of(a)
        return out
    return set()


def _what(callee: nodes.Expr | None) -> str:
    if isinstance(callee, nodes.Ident):
        return callee.name
    if isinstance(callee, nodes.FieldAccess):
        return f"{_what(callee.obj)}.{callee.name}"
    return "the expression"
