"""What the checker learns about a program, for code generation.

The checker annotates nodes through side tables keyed by `id(node)` (AST nodes are frozen
and live as long as the `Program`): the type of every expression, what every name refers
to, how every call is made, and the locals of every function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hairac import nodes
from hairac.check import types as t

SymbolKind = Literal[
    "fn", "struct", "enum", "alias", "provider", "agent", "tool", "workflow", "global", "test"
]


@dataclass(eq=False)
class Symbol:
    """A top-level declaration of some module."""

    kind: SymbolKind
    name: str
    module: str  # ModuleUnit.key
    node: nodes.Node | None
    type: t.Type = t.ANY
    is_pub: bool = True
    const: bool = False


# ---------------------------------------------------------------- references


@dataclass(frozen=True, slots=True)
class LocalRef:
    name: str


@dataclass(frozen=True, slots=True)
class GlobalRef:
    symbol: Symbol


@dataclass(frozen=True, slots=True)
class StdModuleRef:
    module: str  # runtime module name


@dataclass(frozen=True, slots=True)
class StdFuncRef:
    module: str
    py_name: str


@dataclass(frozen=True, slots=True)
class VariantRef:
    info: t.EnumInfo
    variant: str


@dataclass(frozen=True, slots=True)
class BuiltinRef:
    name: str


Ref = LocalRef | GlobalRef | StdModuleRef | StdFuncRef | VariantRef | BuiltinRef

# ---------------------------------------------------------------- calls

CallKind = Literal[
    "fn",  # a user function / workflow / tool: `f(args)` (args in parameter order)
    "method",  # a struct method: `obj.m(args)`
    "std",  # haira.stdlib.<module>.<fn>(args)
    "builtin",  # len, keys, join, env, error, panic, print, println, append
    "agent",  # Agent.ask / run / stream
    "variant",  # Enum.Variant(payload...)
    "dynamic",  # calling a value of function (or any) type
    "opaque",  # a method of a runtime object (server.listen)
    "server",  # http.Server([workflows])
]


@dataclass(frozen=True, slots=True)
class ArgPlan:
    """One argument as emitted: the expression (or a parameter default), its expected type,
    and the Python keyword when it is passed by name."""

    expr: nodes.Expr
    expected: t.Type
    keyword: str | None = None


@dataclass
class CallPlan:
    kind: CallKind
    args: list[ArgPlan]
    ret: t.Type
    symbol: Symbol | None = None
    module: str = ""  # std: runtime module
    py_name: str = ""  # std / builtin / method / agent / opaque: the Python attribute
    receiver: nodes.Expr | None = None  # method / agent / opaque: the object
    variant: VariantRef | None = None
    # a struct-typed field holding a function: call the field's value
    field_call: bool = False
    # an agent `ask`/`run` used as a single value: its reply (a failure is a panic)
    unwrap: bool = False


# ---------------------------------------------------------------- functions


@dataclass(eq=False)
class FuncInfo:
    """One function body: a fn, method, lambda, tool, workflow, test or `main`."""

    node: nodes.Node
    name: str
    module: str
    params: list[tuple[str, t.Type]] = field(default_factory=list)
    ret: t.Type = t.VOID
    ret_declared: bool = False
    locals: dict[str, t.Type] = field(default_factory=dict)
    consts: set[str] = field(default_factory=set)
    has_defer: bool = False
    has_errdefer: bool = False
    receiver: t.StructInfo | None = None
    rest_param: str | None = None
    parent: FuncInfo | None = None
    # names assigned in this function that live in an enclosing function (closures)
    returns_values: bool = False


@dataclass
class CheckResult:
    types: dict[int, t.Type] = field(default_factory=dict)
    refs: dict[int, Ref] = field(default_factory=dict)
    calls: dict[int, CallPlan] = field(default_factory=dict)
    funcs: dict[int, FuncInfo] = field(default_factory=dict)
    # a Pipe node -> the Call it means
    pipes: dict[int, nodes.Call] = field(default_factory=dict)
    # folded numeric constants: id(expr) -> value
    consts: dict[int, int | float] = field(default_factory=dict)
    symbols: dict[str, list[Symbol]] = field(default_factory=dict)
    structs: dict[int, t.StructInfo] = field(default_factory=dict)  # id(StructDecl) ->
    enums: dict[int, t.EnumInfo] = field(default_factory=dict)  # id(EnumDecl) ->
    # module key -> top-level variables (name -> type)
    globals: dict[str, dict[str, t.Type]] = field(default_factory=dict)
    # struct field default expressions / enum payload defaults by info
    # a Binary `==` etc. whose operands were compared dynamically is just typed by operands
    # match subjects: id(match) -> subject type
    match_types: dict[int, t.Type] = field(default_factory=dict)
    # an AugAssign -> the Binary it means; a LetStmt -> the Ident it binds
    aug_binaries: dict[int, nodes.Binary] = field(default_factory=dict)
    let_idents: dict[int, nodes.Ident] = field(default_factory=dict)
    # a function/lambda node -> names it assigns in an enclosing function (`nonlocal`)
    nonlocals: dict[int, set[str]] = field(default_factory=dict)
    exhaustive: dict[int, bool] = field(default_factory=dict)

    def type_of(self, e: nodes.Node) -> t.Type:
        return self.types.get(id(e), t.ANY)
