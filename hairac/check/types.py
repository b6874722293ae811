"""The Haira type model used by the checker and by code generation.

Types are immutable values compared structurally, except structs and enums which are
nominal (compared by their declaration, `StructInfo`/`EnumInfo`, which the checker fills
in during its first pass so forward references work).

    ListType(INT).show() == "[int]";  join(INT, FLOAT) == FLOAT
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Type:
    """Base of all types."""

    __slots__ = ()

    def show(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Prim(Type):
    name: str  # int float string bool nil void any error

    def show(self) -> str:
        return self.name


INT = Prim("int")
FLOAT = Prim("float")
STRING = Prim("string")
BOOL = Prim("bool")
NIL = Prim("nil")
VOID = Prim("void")
ANY = Prim("any")
ERROR = Prim("error")


@dataclass(frozen=True, slots=True)
class ListType(Type):
    elem: Type

    def show(self) -> str:
        return f"[{self.elem.show()}]"


@dataclass(frozen=True, slots=True)
class MapType(Type):
    key: Type
    value: Type

    def show(self) -> str:
        return f"{{{self.key.show()}: {self.value.show()}}}"


@dataclass(frozen=True, slots=True)
class OptionalType(Type):
    inner: Type

    def show(self) -> str:
        return f"{self.inner.show()}?"


@dataclass(frozen=True, slots=True)
class TupleType(Type):
    items: tuple[Type, ...]

    def show(self) -> str:
        return "(" + ", ".join(t.show() for t in self.items) + ")"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: Type
    has_default: bool = False
    rest: bool = False


@dataclass(frozen=True, slots=True)
class FnType(Type):
    params: tuple[Param, ...]
    ret: Type
    # Parameters not known (an `any` callable, a lambda with untyped params): any arity.
    loose: bool = False

    def show(self) -> str:
        return "fn"

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.has_default and not p.rest)

    @property
    def max_args(self) -> int | None:
        if any(p.rest for p in self.params):
            return None
        return len(self.params)


@dataclass(eq=False)
class StructInfo:
    """A declared struct: filled by the checker's first pass."""

    name: str
    module: str  # Haira module key (relative path without .haira) of the declaration
    fields: dict[str, Type] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)  # field -> default expr node
    methods: dict[str, FnType] = field(default_factory=dict)
    field_order: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StructType(Type):
    info: StructInfo

    def show(self) -> str:
        return self.info.name


@dataclass(eq=False)
class EnumInfo:
    name: str
    module: str
    # variant -> payload params (empty tuple for a payload-less variant)
    variants: dict[str, tuple[Param, ...]] = field(default_factory=dict)
    defaults: dict[tuple[str, str], object] = field(default_factory=dict)

    @property
    def has_payload(self) -> bool:
        return any(self.variants.values())


@dataclass(frozen=True, slots=True)
class EnumType(Type):
    info: EnumInfo

    def show(self) -> str:
        return self.info.name


@dataclass(frozen=True, slots=True)
class AgentType(Type):
    name: str

    def show(self) -> str:
        return "agent"


@dataclass(frozen=True, slots=True)
class ProviderType(Type):
    name: str

    def show(self) -> str:
        return "provider"


@dataclass(frozen=True, slots=True)
class WorkflowType(Type):
    name: str
    fn: FnType

    def show(self) -> str:
        return "workflow"


@dataclass(frozen=True, slots=True)
class ToolType(Type):
    name: str
    fn: FnType

    def show(self) -> str:
        return "tool"


@dataclass(frozen=True, slots=True)
class ModuleType(Type):
    """A stdlib module name used as a qualifier (`io`, `string`)."""

    name: str

    def show(self) -> str:
        return "module"


@dataclass(frozen=True, slots=True)
class OpaqueType(Type):
    """A runtime object with a Python class (stream, server, http response ...)."""

    name: str  # Haira-facing name
    py: str  # Python annotation text

    def show(self) -> str:
        return self.name


STREAM = OpaqueType("stream", "haira.agents.AgentStream")
SERVER = OpaqueType("server", "haira.server.Server")


def is_any(t: Type) -> bool:
    return t == ANY


def is_numeric(t: Type) -> bool:
    return t in (INT, FLOAT)


def compatible(expected: Type, got: Type) -> bool:
    """May a value of type `got` be used where `expected` is required? `any` matches at any depth."""
    if expected == got or is_any(expected) or is_any(got):
        return True
    if isinstance(expected, OptionalType):
        return got == NIL or compatible(expected.inner, got)
    if got == NIL:
        return expected in (ERROR, NIL) or isinstance(expected, OptionalType)
    if expected == FLOAT and got == INT:
        return True
    if expected == ERROR and got == STRING:
        return True  # a string in an error slot becomes an error (§0 #13)
    if isinstance(expected, ListType) and isinstance(got, ListType):
        return compatible(expected.elem, got.elem)
    if isinstance(expected, MapType) and isinstance(got, MapType):
        return compatible(expected.key, got.key) and compatible(expected.value, got.value)
    if isinstance(expected, TupleType) and isinstance(got, TupleType):
        return len(expected.items) == len(got.items) and all(
            compatible(e, g) for e, g in zip(expected.items, got.items, strict=True)
        )
    if isinstance(expected, FnType) and isinstance(got, FnType | WorkflowType | ToolType):
        return True
    if isinstance(expected, OpaqueType) and isinstance(got, OpaqueType):
        return expected.name == got.name
    return False


def join(a: Type, b: Type) -> Type:
    """The type of a value that is either `a` or `b` (list elements, if branches)."""
    if a == b:
        return a
    if {a, b} == {INT, FLOAT}:
        return FLOAT
    if a == NIL and b not in (VOID, ANY):
        return b if isinstance(b, OptionalType) or b == ERROR else OptionalType(b)
    if b == NIL and a not in (VOID, ANY):
        return a if isinstance(a, OptionalType) or a == ERROR else OptionalType(a)
    if isinstance(a, OptionalType) and compatible(a.inner, b) and not is_any(b):
        return a if a.inner == b or b == NIL else ANY
    if isinstance(b, OptionalType) and compatible(b.inner, a) and not is_any(a):
        return b if b.inner == a or a == NIL else ANY
    if isinstance(a, ListType) and isinstance(b, ListType):
        return ListType(join(a.elem, b.elem))
    if isinstance(a, MapType) and isinstance(b, MapType):
        return MapType(join(a.key, b.key), join(a.value, b.value))
    return ANY
