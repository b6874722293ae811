"""Types of standard-library functions, read from the runtime's own annotations.

`haira.stdlib.<mod>.<f>` is the single source of truth: its Python signature is mapped back
to Haira types (`str` -> string, `tuple[int, HairaError | None]` -> (int, error), TypeVars
and `object` -> any), so checker and runtime can never disagree.

    signature("string", "trim") -> (FnType(params=(s: string,), ret=string), "trim")
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import types as pytypes
import typing
from dataclasses import dataclass
from functools import cache

from hairac.check import types as t

# language.md §6.0: the names `import "x"` accepts as standard library modules.
STDLIB_MODULES: frozenset[str] = frozenset(
    ["io", "http", "mcp", "env", "json", "postgres", "slack", "excel", "time", "string", "strings", "regex", "math", "conv", "array", "map", "maps", "log", "ui", "vector", "observe", "fs", "os", "gitlab", "github", "langfuse", "algolia", "meilisearch", "auth", "agent", "websearch", "healthcheck", "store"]
)
# Haira module name -> runtime module name where they differ.
_ALIASES = {"strings": "string", "maps": "map"}


@dataclass(frozen=True, slots=True)
class StdFunc:
    module: str  # runtime module name (`string`)
    py_name: str  # attribute name in haira.stdlib.<module> (`print_`)
    fn: t.FnType


def runtime_module(name: str) -> str:
    return _ALIASES.get(name, name)


@cache
def _module(name: str) -> pytypes.ModuleType | None:
    try:
        return importlib.import_module(f"haira.stdlib.{runtime_module(name)}")
    except ImportError:
        return None


def module_exists(name: str) -> bool:
    return _module(name) is not None


@cache
def lookup(module: str, name: str) -> StdFunc | t.Type | None:
    """The function `module.name` (a StdFunc), a constant's type, or None when unknown."""
    mod = _module(module)
    if mod is None:
        return None
    for attr in (name, name + "_"):
        obj = getattr(mod, attr, None)
        if obj is None or isinstance(obj, pytypes.ModuleType):
            continue
        exported = getattr(mod, "__all__", None)
        if exported is not None and attr not in exported:
            continue
        if callable(obj) and not isinstance(obj, type):
            return StdFunc(runtime_module(module), attr, fn_type(obj))
        if isinstance(obj, type):
            return StdFunc(runtime_module(module), attr, fn_type(obj))
        return py_to_type(type(obj))
    return None


def fn_type(obj: object) -> t.FnType:
    """A Haira function type from a Python callable's signature (loose when unreadable)."""
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return t.FnType((), t.ANY, loose=True)
    try:
        hints = typing.get_type_hints(obj)
    except Exception:  # noqa: BLE001 - unresolvable annotations mean "dynamic"
        hints = {}
    params: list[t.Param] = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        ty = py_to_type(hints.get(p.name, object))
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            params.append(t.Param(p.name, ty, rest=True))
        elif p.kind is inspect.Parameter.KEYWORD_ONLY:
            params.append(t.Param(p.name, ty, has_default=True))
        else:
            params.append(t.Param(p.name, ty, has_default=p.default is not inspect.Parameter.empty))
    ret_hint = hints.get("return", object) if not isinstance(obj, type) else obj
    ret = t.VOID if ret_hint is None or ret_hint is type(None) else py_to_type(ret_hint)
    return t.FnType(tuple(params), ret)


def py_to_type(hint: object) -> t.Type:  # noqa: C901 - one arm per typing form
    """Map a Python annotation to a Haira type (anything unusual is `any`)."""
    from haira.errors import HairaError

    if hint is int:
        return t.INT
    if hint is float:
        return t.FLOAT
    if hint is str:
        return t.STRING
    if hint is bool:
        return t.BOOL
    if hint is None or hint is type(None):
        return t.NIL
    if hint is HairaError:
        return t.ERROR
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, pytypes.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            inner = py_to_type(rest[0])
            if inner == t.ERROR or inner == t.ANY:
                return inner
            return t.OptionalType(inner) if len(rest) < len(args) else inner
        return t.ANY
    if origin in (list, collections.abc.Sequence, collections.abc.Iterable, collections.abc.MutableSequence):
        return t.ListType(py_to_type(args[0]) if args else t.ANY)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        if len(args) == 2:
            return t.MapType(py_to_type(args[0]), py_to_type(args[1]))
        return t.MapType(t.STRING, t.ANY)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return t.ListType(py_to_type(args[0]))
        return t.TupleType(tuple(py_to_type(a) for a in args))
    if origin is collections.abc.Callable:
        if args and isinstance(args[0], list):
            params = tuple(t.Param(f"p{i}", py_to_type(a)) for i, a in enumerate(args[0]))
            return t.FnType(params, py_to_type(args[1]))
        return t.FnType((), py_to_type(args[1]) if len(args) > 1 else t.ANY, loose=True)
    if isinstance(hint, type) and hint.__module__.startswith("haira"):
        return t.OpaqueType(hint.__name__, f"{hint.__module__}.{hint.__qualname__}")
    return t.ANY
