"""Haira types -> Python annotation text for generated code.

Precise where the checker knows the type (mypyc compiles `int`, `float`, `list[int]` and
native classes to fast code); `typing.Any` where Haira is dynamic, so values of any type
flow in and out without casts (lists are invariant in Python: `list[int]` is not a
`list[object]`).

    annotation(ListType(INT), q) == "list[int]"
"""

from __future__ import annotations

from collections.abc import Callable

from hairac.check import types as t

Qualify = Callable[[t.StructInfo | t.EnumInfo], str]

ANY_PY = "typing.Any"
ERROR_PY = "haira.errors.HairaError | None"


def annotation(ty: t.Type, qualify: Qualify) -> str:  # noqa: C901 - one arm per type kind
    """The Python annotation for a value of Haira type `ty`."""
    if isinstance(ty, t.Prim):
        return {
            "int": "int",
            "float": "float",
            "string": "str",
            "bool": "bool",
            "nil": "None",
            "void": "None",
            "any": ANY_PY,
            "error": ERROR_PY,
        }[ty.name]
    if isinstance(ty, t.ListType):
        return f"list[{annotation(ty.elem, qualify)}]"
    if isinstance(ty, t.MapType):
        return f"dict[{annotation(ty.key, qualify)}, {annotation(ty.value, qualify)}]"
    if isinstance(ty, t.OptionalType):
        inner = annotation(ty.inner, qualify)
        if inner == ANY_PY or inner.endswith("| None") or inner == "None":
            return inner
        return f"{inner} | None"
    if isinstance(ty, t.TupleType):
        return "tuple[" + ", ".join(annotation(i, qualify) for i in ty.items) + "]"
    if isinstance(ty, t.FnType):
        if ty.loose or any(p.rest or p.has_default for p in ty.params):
            return f"typing.Callable[..., {annotation(ty.ret, qualify)}]"
        params = ", ".join(annotation(p.type, qualify) for p in ty.params)
        return f"typing.Callable[[{params}], {annotation(ty.ret, qualify)}]"
    if isinstance(ty, t.StructType | t.EnumType):
        return qualify(ty.info)
    if isinstance(ty, t.OpaqueType):
        return ty.py
    if isinstance(ty, t.AgentType):
        return "haira.agents.Agent"
    if isinstance(ty, t.ProviderType):
        return "haira.providers.Provider"
    if isinstance(ty, t.WorkflowType):
        return "haira.server.WorkflowSpec"
    if isinstance(ty, t.ToolType):
        return "haira.agents.Tool"
    return ANY_PY
