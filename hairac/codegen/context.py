"""The state of generating one Python module from one Haira module.

    ctx = GenContext(program, result, unit)
    ctx.annot(ListType(INT)) == "list[int]";  ctx.ref_symbol(sym) == "agents__agents.Concierge"
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hairac import nodes
from hairac.check import types as t
from hairac.check.info import CheckResult, FuncInfo, Symbol
from hairac.codegen import pytypes
from hairac.codegen.emitter import Emitter
from hairac.codegen.names import NameGenerator, py_name
from hairac.resolve import ModuleUnit, Program


@dataclass
class FnFrame:
    """The function being generated."""

    info: FuncInfo | None
    defers: str | None = None  # name of the deferred-calls list, when the function defers
    inline: dict[int, str] = field(default_factory=dict)  # Assign -> name declared in place
    loop_vars: list[set[str]] = field(default_factory=list)  # enclosing `for` variables
    in_try: int = 0


@dataclass
class GenContext:
    program: Program
    result: CheckResult
    unit: ModuleUnit
    em: Emitter = field(init=False)
    names: NameGenerator = field(default_factory=NameGenerator)
    imports: set[str] = field(default_factory=set)
    user_imports: set[str] = field(default_factory=set)  # py module names of other units
    frames: list[FnFrame] = field(default_factory=list)
    declared_globals: set[str] = field(default_factory=set)
    helpers: set[str] = field(default_factory=set)  # module-local int helpers used
    workflow_name: str | None = None  # the workflow being generated (its steps report it)

    def __post_init__(self) -> None:
        self.em = Emitter(self.unit.path)
        self.imports.add("haira.rt")

    # ------------------------------------------------------------ positions

    @staticmethod
    def pos(node: nodes.Node) -> tuple[int, int]:
        return node.span.file.position(node.span.start)

    # ------------------------------------------------------------ names and types

    def temp(self, hint: str = "v") -> str:
        return self.names.temp(hint)

    def new_tmp(self, hint: str) -> str:
        return self.names.temp(hint)

    def need(self, module: str) -> str:
        """Import a runtime module for the generated code and return its dotted name."""
        self.imports.add(module)
        return module

    def annot(self, ty: t.Type) -> str:
        if isinstance(ty, t.OpaqueType):
            self.need(ty.py.rsplit(".", 1)[0])
        elif isinstance(ty, t.AgentType):
            self.need("haira.agents")
        elif isinstance(ty, t.WorkflowType):
            self.need("haira.server")
        text = pytypes.annotation(ty, self.qualify)
        if "typing." in text:
            self.imports.add("typing")
        if "haira.errors" in text:
            self.need("haira.errors")
        return text

    def qualify(self, info: t.StructInfo | t.EnumInfo) -> str:
        if info.module == self.unit.key:
            return py_name(info.name)
        mod = self.module_alias(info.module)
        return f"{mod}.{py_name(info.name)}"

    def module_alias(self, key: str) -> str:
        unit = self.program.unit(key)
        self.user_imports.add(unit.py_module)
        return unit.py_module

    def ref_symbol(self, sym: Symbol, *, suffix: str = "") -> str:
        name = py_name(sym.name) + suffix
        if sym.module == self.unit.key:
            return name
        return f"{self.module_alias(sym.module)}.{name}"

    @property
    def frame(self) -> FnFrame:
        return self.frames[-1] if self.frames else FnFrame(None)

    def type_of(self, e: nodes.Node) -> t.Type:
        return self.result.type_of(e)
