"""The AST the parser builds for each construct (issue 3, point 3)."""

from __future__ import annotations

import pytest

from hairac import nodes as n
from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.syntax import parse_expression, parse_source


def parse(src: str) -> n.Module:
    sink = DiagnosticSink()
    module = parse_source(SourceFile("t.haira", src), sink)
    assert sink.render() == ""
    return module


def body(src: str) -> tuple[n.Stmt, ...]:
    """The statements of `fn main() { src }`."""
    fn = parse("fn main() {\n" + src + "\n}\n").items[0]
    assert isinstance(fn, n.FnDecl)
    return fn.body.stmts


def expr(src: str) -> n.Expr:
    sink = DiagnosticSink()
    e = parse_expression(SourceFile("e.haira", src), sink)
    assert sink.render() == "" and e is not None
    return e


def show(e: object) -> str:  # noqa: C901 - one case per node kind
    """A compact, fully parenthesised rendering of an expression tree."""
    match e:
        case n.Binary(op=op, left=l, right=r):
            return f"({show(l)} {op} {show(r)})"
        case n.Unary(op=op, operand=x):
            return f"({op} {show(x)})"
        case n.Range(start=a, end=b, inclusive=inc):
            return f"({show(a)}{'..=' if inc else '..'}{show(b)})"
        case n.Pipe(left=l, right=r):
            return f"({show(l)} |> {show(r)})"
        case n.OrElse(left=l, right=r):
            return f"({show(l)} orelse {show(r)})"
        case n.Call(callee=c, args=args):
            return f"{show(c)}({', '.join((a.name + '=' if a.name else '') + show(a.value) for a in args)})"
        case n.FieldAccess(obj=o, name=name):
            return f"{show(o)}.{name}"
        case n.Index(obj=o, index=i):
            return f"{show(o)}[{show(i)}]"
        case n.Propagate(expr=x):
            return f"{show(x)}?"
        case n.Ident(name=name):
            return name
        case n.IntLit(text=text):
            return text
        case n.FloatLit(text=text):
            return text
        case n.StringLit(value=v):
            return repr(v)
        case n.BoolLit(value=v):
            return str(v).lower()
        case n.NilLit(keyword=k):
            return k
        case n.Lambda(params=ps, body=b):
            inner = "{...}" if isinstance(b, n.Block) else show(b)
            return f"(\\{','.join(p.name for p in ps)}. {inner})"
        case n.StructLit(type_name=t, qualifier=q, fields=fs):
            return f"{q + '.' if q else ''}{t}{{{', '.join((f.name or '') + ':' + show(f.value) for f in fs)}}}"
        case n.ListLit(elems=es):
            return "[" + ", ".join(show(x) for x in es) + "]"
        case n.MapLit(entries=es):
            return "{" + ", ".join(f"{show(x.key)}: {show(x.value)}" for x in es) + "}"
    return type(e).__name__


@pytest.mark.parametrize(
    ("src", "tree"),
    [
        # Go's precedence table (language.md §0 #30, §1.7 examples).
        ("1 | 2 ^ 3", "((1 | 2) ^ 3)"),
        ("6 & 3 | 8", "((6 & 3) | 8)"),
        ("a & b != 0", "((a & b) != 0)"),
        ("x & 1 == 0", "((x & 1) == 0)"),
        ("1 << 2 + 1", "((1 << 2) + 1)"),
        ("2 + 3 << 1", "(2 + (3 << 1))"),
        ("0..n + 1", "(0..(n + 1))"),
        ("0..=n", "(0..=n)"),
        ("1 + 2 |> f", "((1 + 2) |> f)"),
        ("not x == y", "((not x) == y)"),
        ("-a.b()", "(- a.b())"),
        ("a or b and c", "(a or (b and c))"),
        ("a < b < c", "((a < b) < c)"),
        ("a - b - c", "((a - b) - c)"),
        ("x orelse y |> f", "(x orelse (y |> f))"),
        ("a |> f |> g(1)", "((a |> f) |> g(1))"),
        ("~x * -y", "((~ x) * (- y))"),
        ("f(x)?.y", "f(x)?.y"),
        ("m[\"k\"][0]", "m['k'][0]"),
        # Lambdas.
        ("x => x * 2", "(\\x. (x * 2))"),
        ("(a, b) => a + b", "(\\a,b. (a + b))"),
        ("() => 42", "(\\. 42)"),
        ("(x) { return x }", "(\\x. {...})"),
        ("f(x => x + 1, 2)", "f((\\x. (x + 1)), 2)"),
        ("(x)", "x"),
        # Calls with named arguments.
        ("f(a, k: 1, j = 2)", "f(a, k=1, j=2)"),
        # Literals.
        ("0xFF + 0b101 + 0o17 + 1_000 + 010", "((((0xFF + 0b101) + 0o17) + 1_000) + 010)"),
        ("[1, 2,]", "[1, 2]"),
        ("{name: 1, \"k\": 2}", "{'name': 1, 'k': 2}"),
        ("P { x = 1, y: 2 }", "P{x:1, y:2}"),
        ("Shape.Circle { radius = 1.0 }", "Shape.Circle{radius:1.0}"),
        ("Shape.Circle(2.5)", "Shape.Circle(2.5)"),
        ("some(1)", "SomeExpr"),
        ("()", "[]"),
    ],
)
def test_expression_trees(src: str, tree: str) -> None:
    assert show(expr(src)) == tree


def test_int_values() -> None:
    e = expr("0xFF + 0b101 + 0o17 + 1_000 + 010")
    values = [x.value for x in n.walk(e) if isinstance(x, n.IntLit)]
    assert values == [255, 5, 15, 1000, 10]


def test_spans_point_at_source() -> None:
    e = expr("alpha + beta")
    assert isinstance(e, n.Binary)
    assert (e.span.start, e.span.end) == (0, 12)
    assert e.op_span.text == "+"
    assert e.right.span.text == "beta"


def test_condition_struct_literal_trap() -> None:
    """§0 #31a: `if d != Dir.North {` opens the block."""
    (stmt,) = body("if d != Dir.North { x = 1 }")
    assert isinstance(stmt, n.IfStmt)
    assert show(stmt.cond) == "(d != Dir.North)"
    assert isinstance(stmt.then.stmts[0], n.Assign)


def test_struct_literal_allowed_inside_parens_in_condition() -> None:
    (stmt,) = body("if same(p, Point { x = 1 }) { }")
    assert isinstance(stmt, n.IfStmt)
    assert show(stmt.cond) == "same(p, Point{x:1})"


def test_for_over_map_literal() -> None:
    (stmt,) = body('for k, v in {"only": 1} { io.println(k) }')
    assert isinstance(stmt, n.ForStmt)
    assert [x.name for x in stmt.names] == ["k", "v"]
    assert show(stmt.iterable) == "{'only': 1}"


def test_match_guard_trap() -> None:
    """§0 #31b: an identifier or (...) right before `=>` ends the guard."""
    (stmt,) = body("match n {\n  x if n > limit => 1\n  _ if (n % 2 == 0) => 2\n  _ => 3\n}")
    assert isinstance(stmt, n.MatchStmt)
    guards = [show(a.guard) if a.guard else None for a in stmt.arms]
    assert guards == ["(n > limit)", "((n % 2) == 0)", None]


def test_match_arms_separated_by_newlines() -> None:
    (stmt,) = body('s = match x {\n  0 => "zero"\n  -1 => "minus"\n  1 | 2 => "few"\n  3..=9 => "some"\n'
                   '  Circle { r } => r\n  Shape.Rect { w, h } => w\n  Color.Red => 0\n  _ => { y }\n}')
    assert isinstance(stmt, n.Assign) and isinstance(stmt.value, n.MatchExpr)
    pats = [type(a.pattern).__name__ for a in stmt.value.arms]
    assert pats == ["LiteralPattern", "LiteralPattern", "OrPattern", "RangePattern", "CtorPattern",
                    "CtorPattern", "QualifiedPattern", "WildcardPattern"]  # fmt: skip
    minus = stmt.value.arms[1].pattern
    assert isinstance(minus, n.LiteralPattern) and minus.value == n.IntLit(
        span=minus.value.span, value=-1, text="-1")
    ctor = stmt.value.arms[5].pattern
    assert isinstance(ctor, n.CtorPattern) and ctor.qualifier == "Shape"
    assert [f.name for f in ctor.fields] == ["w", "h"]


def test_match_arm_bodies() -> None:
    (loop,) = body("for i in xs {\n match i {\n  0 => break\n  1 => continue\n  2 => return i\n  _ => f(i)\n }\n}")
    assert isinstance(loop, n.ForStmt)
    m = loop.body.stmts[0]
    assert isinstance(m, n.MatchStmt)
    assert [type(a.body).__name__ for a in m.arms] == ["BreakStmt", "ContinueStmt", "ReturnStmt", "Call"]


def test_statement_if_and_match_vs_expressions() -> None:
    a, b, c = body("if x { }\nv = if x { 1 } else { 2 }\nmatch x { _ => 1 }")
    assert isinstance(a, n.IfStmt)
    assert isinstance(b, n.Assign) and isinstance(b.value, n.IfExpr)
    assert isinstance(c, n.MatchStmt)


def test_else_if_chain() -> None:
    (stmt,) = body("if a { } else if b { } else { }")
    assert isinstance(stmt, n.IfStmt) and isinstance(stmt.else_, n.IfStmt)
    assert isinstance(stmt.else_.else_, n.Block)


def test_assignments() -> None:
    stmts = body("x = 1\nx: int = 2\nv, err = f()\na: int, e = g()\np.x = 3\nm[k] = 4\nx += 1\nx <<= 2\n"
                 "let y = 1\nconst Z: int = 2")
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["Assign"] * 6 + ["AugAssign"] * 2 + ["LetStmt"] * 2
    multi = stmts[3]
    assert isinstance(multi, n.Assign)
    assert [(show(t.target), t.type is not None) for t in multi.targets] == [("a", True), ("e", False)]
    aug = stmts[7]
    assert isinstance(aug, n.AugAssign) and aug.op == "<<"


def test_strings() -> None:
    (s1, s2, s3, s4) = body('a = "x\\ty\\q\\{"\nb = "v=${m["k"]} ${1 + 2}!"\nc = """\n   raw \\n ${}\n   x\n"""\n'
                            'd = """\n  hi ${name}\n"""')
    assert isinstance(s1, n.Assign) and s1.value == n.StringLit(span=s1.value.span, value="x\ty\\q{")
    assert isinstance(s2, n.Assign) and isinstance(s2.value, n.InterpString)
    parts = s2.value.parts
    assert [type(p).__name__ for p in parts] == ["InterpText", "InterpExpr", "InterpText", "InterpExpr", "InterpText"]
    assert isinstance(parts[1], n.InterpExpr) and show(parts[1].expr) == "m['k']"
    assert parts[1].span.text == '${m["k"]}'
    assert isinstance(s3, n.Assign) and isinstance(s3.value, n.StringLit) and s3.value.triple
    assert s3.value.value == "raw \n \n   x"  # `${` makes the escapes count (§0 #26)
    assert isinstance(s4, n.Assign) and isinstance(s4.value, n.InterpString) and s4.value.triple


def test_lambda_guard_in_call_still_a_lambda() -> None:
    (stmt,) = body("match n {\n  x if any(xs, y => y > 1) => 1\n}")
    assert isinstance(stmt, n.MatchStmt)
    guard = stmt.arms[0].guard
    assert guard is not None and "\\y." in show(guard)


def test_items() -> None:
    m = parse(
        'import "io"\nimport fmt from "io"\nimport { A, b } from "m/x"\nimport * from "math"\n'
        "export { A, b }\npub fn f(a, b: int = 1, ...rest) -> int, error { return 1, nil }\n"
        "g(x) { return x }\nP.m(o: P) -> float { return 0.0 }\npub struct P { x: int, y = 0 }\n"
        "enum E { A, B(v: int) }\ntype T = [string]\nx = 1\n"
    )
    kinds = [type(i).__name__ for i in m.items]
    assert kinds == ["ImportDecl"] * 4 + ["ExportDecl", "FnDecl", "FnDecl", "MethodDecl", "StructDecl",
                                          "EnumDecl", "TypeAliasDecl", "Assign"]  # fmt: skip
    f = m.items[5]
    assert isinstance(f, n.FnDecl) and f.is_pub and [p.rest for p in f.params] == [False, False, True]
    assert isinstance(f.return_type, n.TupleType) and len(f.return_type.elems) == 2
    g = m.items[6]
    assert isinstance(g, n.FnDecl) and g.short
    meth = m.items[7]
    assert isinstance(meth, n.MethodDecl) and (meth.receiver, meth.name) == ("P", "m")
    e = m.items[9]
    assert isinstance(e, n.EnumDecl) and [v.params is None for v in e.variants] == [True, False]


def test_types() -> None:
    m = parse("type A = {string: int}\ntype B = { name: string, age: int }\ntype C = (int) -> bool\n"
              "type D = int?\ntype E = int | string | nil\ntype F = (int, error)\ntype G = Result<int>\n"
              "type H = ui.Card\ntype I = fn(int) -> int\n")
    targets = [type(i.target).__name__ for i in m.items if isinstance(i, n.TypeAliasDecl)]
    assert targets == ["MapType", "RecordType", "FuncType", "OptionalType", "UnionType", "TupleType",
                       "NamedType", "NamedType", "FuncType"]  # fmt: skip


def test_agentic_items() -> None:
    m = parse(
        'provider p { api_key: env("K"), model: "m" }\n'
        "agent A { provider: p\n tools: [t]\n memory: conversation(max_turns: 3) }\n"
        'tool t(city: string) -> string {\n """\n   Weather.\n """\n @before { log(1) }\n return city\n @after { log(2) }\n}\n'
        '@webui(title: "T") @post("/x")\nworkflow W(m: string) -> { a: int } {\n onerror e { return { a: 0 } }\n'
        '  onsuccess { }\n """Desc."""\n @retry(max: 3) step "S" { onerror { } verify { assert 1 == 1 } }\n return { a: 1 }\n}\n'
        'test "t" { assert 1 + 1 == 2, "math" }\neval "E" { agent: A, cases: [], threshold: 0.5 }\n'
    )
    p, a, t, w, test, ev = m.items
    assert isinstance(p, n.ProviderDecl) and [f.name for f in p.fields] == ["api_key", "model"]
    assert isinstance(a, n.AgentDecl) and a.fields[0].name == "provider"
    assert isinstance(t, n.ToolDecl) and t.description == "Weather."
    assert [h.kind for h in t.hooks] == ["before", "after"]
    assert len(t.body.stmts) == 1
    assert isinstance(w, n.WorkflowDecl) and [d.name for d in w.decorators] == ["webui", "post"]
    assert isinstance(w.return_type, n.RecordType) and w.description == "Desc."
    assert [(h.kind, h.binding) for h in w.hooks] == [("onerror", "e"), ("onsuccess", None)]
    step = w.body.stmts[0]
    assert isinstance(step, n.StepStmt) and step.label == "S"
    assert [d.name for d in step.decorators] == ["retry"] and [h.kind for h in step.hooks] == ["onerror"]
    assert isinstance(test, n.TestDecl) and test.name == "t"
    assert isinstance(test.body.stmts[0], n.AssertStmt)
    assert isinstance(ev, n.EvalDecl) and [f.name for f in ev.fields] == ["agent", "cases", "threshold"]


def test_keywords_as_names_where_unambiguous() -> None:
    stmts = body("x = m.type\ny = f(type: 1, default: 2)\nz = {type: 1}\nagent = 3\nfor tool in tools { }")
    assert show(stmts[0].value) == "m.type"  # type: ignore[union-attr]
    assert isinstance(stmts[2], n.Assign) and show(stmts[2].value) == "{'type': 1}"
    assert isinstance(stmts[4], n.ForStmt) and stmts[4].names[0].name == "tool"


def test_keywords_before_closers_are_names() -> None:
    (stmt,) = body("f(type, test.x, [step])\n")
    assert isinstance(stmt, n.ExprStmt) and show(stmt.expr) == "f(type, test.x, [step])"
    (loop,) = body("for i in xs {\n match i {\n  0 => break,\n  _ => continue,\n }\n}")
    assert isinstance(loop, n.ForStmt)
    m = loop.body.stmts[0]
    assert isinstance(m, n.MatchStmt)
    assert [type(a.body).__name__ for a in m.arms] == ["BreakStmt", "ContinueStmt"]


def test_block_values_and_maps() -> None:
    stmts = body('a = {\n  t = f()\n  t + 1\n}\nb = { return 1 }\nc = {"k": 1}\nd = {}\ne = {\n  k: 1\n}\n'
                 "g = x => { y = x\n y }")
    values = [type(s.value).__name__ for s in stmts if isinstance(s, n.Assign)]
    assert values == ["BlockExpr", "BlockExpr", "MapLit", "MapLit", "MapLit", "Lambda"]
    g = stmts[5]
    assert isinstance(g, n.Assign) and isinstance(g.value, n.Lambda)
    assert isinstance(g.value.body, n.Block)


def test_concurrency_and_errors() -> None:
    stmts = body("r = spawn { a()\n b() }\nc = async { 1 }\nselect {\n v from ch => f(v)\n default => { }\n}\n"
                 "try { x = f()? } catch e { g(e) }\ndefer close()\nerrdefer undo()\nw = f() orelse 0")
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["Assign", "Assign", "ExprStmt", "TryStmt", "DeferStmt", "DeferStmt", "Assign"]
    assert isinstance(stmts[0], n.Assign) and isinstance(stmts[0].value, n.SpawnExpr)
    assert isinstance(stmts[5], n.DeferStmt) and stmts[5].kind == "errdefer"


def test_comments_anywhere() -> None:
    stmts = body("x = 1 /* a /* nested */ b */ + 2 // tail\n// line\n/* block */ y = x")
    assert [type(s).__name__ for s in stmts] == ["Assign", "Assign"]
    assert show(stmts[0].value) == "(1 + 2)"  # type: ignore[union-attr]


def test_newlines_are_insignificant() -> None:
    stmts = body("x = a\n  .b()\n  .c()\ny = 1 +\n 2")
    assert show(stmts[0].value) == "a.b().c()"  # type: ignore[union-attr]
    assert show(stmts[1].value) == "(1 + 2)"  # type: ignore[union-attr]


def test_walk_visits_every_node() -> None:
    e = expr("f(a, [b, c])")
    names = [x.name for x in n.walk(e) if isinstance(x, n.Ident)]
    assert names == ["f", "a", "b", "c"]
