"""The Haira AST: frozen, slotted dataclasses; every node has a `span`.

Conventions (stable API, used by resolve/check/codegen):

* All fields are keyword-only (`Call(span=..., callee=..., args=...)`), so adding
  a field later never breaks a constructor call; use keyword patterns in `match`.
* Sequences are tuples. Optional parts are `None`.
* A declared name is stored as `name: str` plus `name_span: Span`; lists of
  declared names use `Name` nodes. Names used as expressions are `Ident`.
* The parser does no semantic work except pure sugar that has exactly one
  meaning: a bare identifier map key `{name: v}` becomes `StringLit("name")`,
  triple-quoted strings are trimmed (language.md §0 #26), escapes are processed,
  `-> T1, T2` becomes `TupleType`, a statement-level `if`/`match` is `IfStmt`/
  `MatchStmt`, and a workflow/tool/step description and lifecycle hooks are
  lifted out of the body into their own fields. Parentheses leave no node
  (`(a + b)` is the `Binary`); an interpolated string without any `${expr}`
  part is a `StringLit`; the DOC type spellings `[]T`, `map[K]V`, `[K: V]`
  become `ListType`/`MapType`; a lambda's or arm's `=> { ... }` body is a
  `Block` (a block elsewhere in operand position is a `BlockExpr`).
* Trees returned without errors are at most 200 levels deep (else-if chains
  count once), so recursive walkers are safe with Python's default limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Literal, TypeAlias

from hairac.diagnostics.source import Span

# ---------------------------------------------------------------------------- base


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    """An identifier in a declaring position (import list, pattern fields, lambda params...)."""

    name: str


# ---------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedType(Node):
    """`int`, `User`, `Result<T>` (args), `ui.StatusCard` (qualifier="ui"), `stream`."""

    name: str
    args: tuple[TypeExpr, ...] = ()
    qualifier: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListType(Node):
    """`[T]`."""

    elem: TypeExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class MapType(Node):
    """`{K: V}`: one pair whose key is a type (`{string: int}`)."""

    key: TypeExpr
    value: TypeExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordField(Node):
    name: str
    type: TypeExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordType(Node):
    """`{ field: type, ... }` (workflow results): keys are field names, not types.

    The parser makes `{k: T}` a RecordType when there are several pairs or the
    single key is a plain name that is not a built-in type name.
    """

    fields: tuple[RecordField, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FuncType(Node):
    """`(A, B) -> R`."""

    params: tuple[TypeExpr, ...]
    result: TypeExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class TupleType(Node):
    """`(int, error)` or the DOC form `-> int, error` in a return position."""

    elems: tuple[TypeExpr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionalType(Node):
    """`T?`."""

    inner: TypeExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class UnionType(Node):
    """`A | B | C` (flattened)."""

    members: tuple[TypeExpr, ...]


TypeExpr: TypeAlias = (
    NamedType | ListType | MapType | RecordType | FuncType | TupleType | OptionalType | UnionType
)

# ---------------------------------------------------------------------------- shared parts


@dataclass(frozen=True, slots=True, kw_only=True)
class Param(Node):
    """`name: T = default`; `rest` for `...xs` / `xs...`."""

    name: str
    name_span: Span
    type: TypeExpr | None = None
    default: Expr | None = None
    rest: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Arg(Node):
    """A call argument; `name` for `f(k: v)` / `f(k = v)`; `spread` for `f(...xs)`."""

    value: Expr
    name: str | None = None
    name_span: Span | None = None
    spread: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Decorator(Node):
    """`@post("/p")`, `@webui(title: "x")`, `@retry(max: 3)`, `@confirm("Sure?")`."""

    name: str
    name_span: Span
    args: tuple[Arg, ...] = ()
    has_parens: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigField(Node):
    """`key: expr` inside provider / agent / eval blocks."""

    name: str
    name_span: Span
    value: Expr


HookKind: TypeAlias = Literal["onerror", "onsuccess", "oncancel"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleHook(Node):
    """`onerror err { }`, `onsuccess [res] { }`, `oncancel { }` (workflow or step)."""

    kind: HookKind
    body: Block
    binding: str | None = None
    binding_span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolHook(Node):
    """`@before { }` / `@after { }` inside a tool body."""

    kind: Literal["before", "after"]
    body: Block


# ---------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True, kw_only=True)
class IntLit(Node):
    value: int
    text: str  # as written, e.g. "0xFF", "1_000"


@dataclass(frozen=True, slots=True, kw_only=True)
class FloatLit(Node):
    value: float
    text: str  # as written, minus underscores: exact value for constant folding


@dataclass(frozen=True, slots=True, kw_only=True)
class StringLit(Node):
    """A string without interpolation; `value` has escapes processed (or is the
    trimmed raw text of a triple-quoted string)."""

    value: str
    triple: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class InterpText(Node):
    """A literal part of an interpolated string (escapes processed)."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InterpExpr(Node):
    """A `${expr}` part of an interpolated string; `span` covers `${...}`."""

    expr: Expr


InterpPart: TypeAlias = InterpText | InterpExpr


@dataclass(frozen=True, slots=True, kw_only=True)
class InterpString(Node):
    parts: tuple[InterpPart, ...]
    triple: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NilLit(Node):
    keyword: Literal["nil", "none"] = "nil"


@dataclass(frozen=True, slots=True, kw_only=True)
class Ident(Node):
    """A name in expression position (`x`, `err`, `self`, `io`, `User`)."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLit(Node):
    elems: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MapEntry(Node):
    key: Expr  # a bare identifier key is already a StringLit here
    value: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class MapLit(Node):
    entries: tuple[MapEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StructLitField(Node):
    """`name = v` / `name: v` (name set), `name` alone (shorthand=True, value is
    `Ident(name)`), or a positional expression (name None)."""

    value: Expr
    name: str | None = None
    name_span: Span | None = None
    shorthand: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StructLit(Node):
    """`User { name = "A" }`, `mod.User { ... }` / `Shape.Circle { r: 1.0 }` (qualifier)."""

    type_name: str
    type_span: Span
    fields: tuple[StructLitField, ...]
    qualifier: str | None = None
    qualifier_span: Span | None = None


UnaryOp: TypeAlias = Literal["-", "not", "~"]
BinaryOp: TypeAlias = Literal[
    "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=",
    "and", "or", "&", "|", "^", "<<", ">>",
]  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary(Node):
    op: UnaryOp
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary(Node):
    op: BinaryOp
    left: Expr
    right: Expr
    op_span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Range(Node):
    """`a..b` (exclusive) / `a..=b` (inclusive)."""

    start: Expr
    end: Expr
    inclusive: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Pipe(Node):
    """`left |> right` (right is a callee or a call that gets `left` first)."""

    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class OrElse(Node):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    callee: Expr
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldAccess(Node):
    """`obj.name` (also `module.func` before a call, and `Enum.Variant`)."""

    obj: Expr
    name: str
    name_span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Index(Node):
    obj: Expr
    index: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Propagate(Node):
    """`expr?`."""

    expr: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Lambda(Node):
    """`x => e`, `(a, b) => e`, `(x) { ... }`, `() => e`, and `fn (x: int) -> int { ... }`
    (is_fn=True; only that form has typed params / a return type)."""

    params: tuple[Param, ...]
    body: Expr | Block
    return_type: TypeExpr | None = None
    is_fn: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IfExpr(Node):
    """`if` used as a value: `x = if c { 1 } else { 2 }`."""

    cond: Expr
    then: Block
    else_: Block | IfExpr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchExpr(Node):
    """`match` used as a value: `y = match x { ... }`."""

    subject: Expr
    arms: tuple[MatchArm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SpawnExpr(Node):
    body: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class AsyncExpr(Node):
    body: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectArm(Node):
    """`v from ch => body`; `default => { }` has binding/channel None."""

    body: Expr | Block
    binding: Name | None = None
    channel: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectExpr(Node):
    arms: tuple[SelectArm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SomeExpr(Node):
    """`some(e)` (just `e` at run time)."""

    value: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockExpr(Node):
    """A block used as a value (its last expression statement)."""

    block: Block


Expr: TypeAlias = (
    IntLit | FloatLit | StringLit | InterpString | BoolLit | NilLit | Ident | ListLit | MapLit
    | StructLit | Unary | Binary | Range | Pipe | OrElse | Call | FieldAccess | Index | Propagate
    | Lambda | IfExpr | MatchExpr | SpawnExpr | AsyncExpr | SelectExpr | SomeExpr | BlockExpr
)  # fmt: skip

# ---------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True, kw_only=True)
class WildcardPattern(Node):
    """`_`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LiteralPattern(Node):
    """`1`, `-1`, `2.5`, `"a"`, `true`, `nil`."""

    value: IntLit | FloatLit | StringLit | BoolLit | NilLit


@dataclass(frozen=True, slots=True, kw_only=True)
class NamePattern(Node):
    """A bare identifier: compares with an existing name (REF `case name:`), not a binding."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QualifiedPattern(Node):
    """`Color.Red`."""

    qualifier: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CtorPattern(Node):
    """`Circle { radius }` / `Shape.Circle { radius, other }`: binds payload fields."""

    name: str
    fields: tuple[Name, ...]
    qualifier: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RangePattern(Node):
    """`1..5` / `1..=5` (integers)."""

    start: int
    end: int
    inclusive: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class OrPattern(Node):
    alternatives: tuple[Pattern, ...]


Pattern: TypeAlias = (
    WildcardPattern | LiteralPattern | NamePattern | QualifiedPattern | CtorPattern
    | RangePattern | OrPattern
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchArm(Node):
    """`pattern [if guard] => body`; body is an expression, a block, or a
    `return` / `break` / `continue` statement."""

    pattern: Pattern
    body: Expr | Block | ReturnStmt | BreakStmt | ContinueStmt
    guard: Expr | None = None


# ---------------------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True, kw_only=True)
class Block(Node):
    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExprStmt(Node):
    expr: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignTarget(Node):
    """One target of an assignment: `Ident`, `FieldAccess` or `Index`, with an
    optional annotation (`x: int = 1`, `a: T, err = f()`)."""

    target: Ident | FieldAccess | Index
    type: TypeExpr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Assign(Node):
    """`x = e`, `p.f = e`, `m[k] = e`, `value, err = f()` (several targets)."""

    targets: tuple[AssignTarget, ...]
    value: Expr


AugOp: TypeAlias = Literal["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AugAssign(Node):
    """`x op= e` (meaning `x = x op e`)."""

    target: Ident | FieldAccess | Index
    op: AugOp
    value: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class LetStmt(Node):
    kind: Literal["let", "const"]
    name: str
    name_span: Span
    value: Expr
    type: TypeExpr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IfStmt(Node):
    cond: Expr
    then: Block
    else_: Block | IfStmt | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WhileStmt(Node):
    cond: Expr
    body: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class ForStmt(Node):
    """`for x in e` (names has 1 element) / `for k, v in e` (2 elements)."""

    names: tuple[Name, ...]
    iterable: Expr
    body: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnStmt(Node):
    values: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakStmt(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ContinueStmt(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchStmt(Node):
    subject: Expr
    arms: tuple[MatchArm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TryStmt(Node):
    body: Block
    catch_name: str
    catch_span: Span
    handler: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class DeferStmt(Node):
    """`defer e` / `errdefer e`."""

    expr: Expr
    kind: Literal["defer", "errdefer"] = "defer"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepStmt(Node):
    """`[@retry(...)] [@confirm(...)] step "Label" { hooks... body }`."""

    label: str
    label_span: Span
    body: Block
    decorators: tuple[Decorator, ...] = ()
    hooks: tuple[LifecycleHook, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AssertStmt(Node):
    cond: Expr
    message: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyStmt(Node):
    body: Block


Stmt: TypeAlias = (
    ExprStmt | Assign | AugAssign | LetStmt | IfStmt | WhileStmt | ForStmt | ReturnStmt
    | BreakStmt | ContinueStmt | MatchStmt | TryStmt | DeferStmt | StepStmt | AssertStmt
    | VerifyStmt
)  # fmt: skip

# ---------------------------------------------------------------------------- items

ImportKind: TypeAlias = Literal["module", "alias", "select", "glob"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportDecl(Node):
    """`import "io"` (module), `import fmt from "io"` (alias), `import { A, b } from "m"`
    (select), `import * from "m"` (glob)."""

    path: str
    path_span: Span
    kind: ImportKind = "module"
    alias: str | None = None
    alias_span: Span | None = None
    names: tuple[Name, ...] = ()
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportDecl(Node):
    names: tuple[Name, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FnDecl(Node):
    """`fn name(params) -> R { }`; short=True for the top-level `name(params) { }` form."""

    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block
    return_type: TypeExpr | None = None
    is_pub: bool = False
    short: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodDecl(Node):
    """`Type.name(params) -> R { ... self ... }`."""

    receiver: str
    receiver_span: Span
    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block
    return_type: TypeExpr | None = None
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StructField(Node):
    name: str
    name_span: Span
    type: TypeExpr | None = None
    default: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StructDecl(Node):
    name: str
    name_span: Span
    fields: tuple[StructField, ...]
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumVariant(Node):
    """`Red` (params None) or `Circle(radius: float)` (payload params)."""

    name: str
    params: tuple[Param, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumDecl(Node):
    name: str
    name_span: Span
    variants: tuple[EnumVariant, ...]
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeAliasDecl(Node):
    """`type Name = T`."""

    name: str
    name_span: Span
    target: TypeExpr
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderDecl(Node):
    name: str
    name_span: Span
    fields: tuple[ConfigField, ...]
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentDecl(Node):
    name: str
    name_span: Span
    fields: tuple[ConfigField, ...]
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolDecl(Node):
    """`tool name(params) -> R { '''desc''' @before { } body @after { } }` (desc is triple-quoted)."""

    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block
    return_type: TypeExpr | None = None
    description: str | None = None
    description_span: Span | None = None
    hooks: tuple[ToolHook, ...] = ()
    decorators: tuple[Decorator, ...] = ()
    is_pub: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowDecl(Node):
    """`@post("/p") workflow Name(params) -> stream | { f: T } | T { hooks; desc; body }`."""

    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block
    return_type: TypeExpr | None = None
    description: str | None = None
    description_span: Span | None = None
    hooks: tuple[LifecycleHook, ...] = ()
    decorators: tuple[Decorator, ...] = ()
    is_pub: bool = False

    @property
    def is_stream(self) -> bool:
        rt = self.return_type
        return isinstance(rt, NamedType) and rt.name == "stream" and rt.qualifier is None


@dataclass(frozen=True, slots=True, kw_only=True)
class TestDecl(Node):
    name: str
    name_span: Span
    body: Block


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalDecl(Node):
    name: str
    name_span: Span
    fields: tuple[ConfigField, ...]


Decl: TypeAlias = (
    ImportDecl | ExportDecl | FnDecl | MethodDecl | StructDecl | EnumDecl | TypeAliasDecl
    | ProviderDecl | AgentDecl | ToolDecl | WorkflowDecl | TestDecl | EvalDecl
)  # fmt: skip

# A top-level item is a declaration or a script-style statement (the checker
# decides which statements are allowed at top level, language.md §0 #4).
Item: TypeAlias = Decl | Stmt


@dataclass(frozen=True, slots=True, kw_only=True)
class Module(Node):
    """One source file. `span` covers the whole file; `path` is `span.file.path`."""

    items: tuple[Item, ...]

    @property
    def path(self) -> str:
        return self.span.file.path


# ---------------------------------------------------------------------------- traversal


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of `node`, in field order."""
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Node):
                    yield item


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, pre-order (iterative: deep trees are fine)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))
