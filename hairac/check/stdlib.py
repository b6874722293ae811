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
    # Python annotations by parameter name (and "return") when the signature is generic
    # (uses TypeVars): `array.map(xs: [int], x => x * 2)` is then `[int]`, not `[any]`.
    generic: tuple[tuple[str, object], ...] = ()


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
            return StdFunc(runtime_module(module), attr, fn_type(obj), _generic_hints(obj))
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


def _generic_hints(obj: object) -> tuple[tuple[str, object], ...]:
    try:
        hints = typing.get_type_hints(obj)
    except Exception:  # noqa: BLE001 - unreadable annotations mean "not generic"
        return ()
    if not any(_has_typevar(h) for h in hints.values()):
        return ()
    return tuple(hints.items())


def _has_typevar(hint: object) -> bool:
    if isinstance(hint, typing.TypeVar):
        return True
    return any(_has_typevar(a) for a in typing.get_args(hint) if not isinstance(a, list)) or any(
        _has_typevar(x) for a in typing.get_args(hint) if isinstance(a, list) for x in a
    )


def unify(hint: object, ty: t.Type, bindings: dict[object, t.Type]) -> None:  # noqa: C901
    """Bind the TypeVars of a Python annotation from the Haira type of an argument."""
    if isinstance(hint, typing.TypeVar):
        if ty in (t.NIL, t.VOID):
            return
        old = bindings.get(hint)
        bindings[hint] = ty if old is None else (old if t.compatible(old, ty) and not t.is_any(ty) else t.join(old, ty))
        return
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, pytypes.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            inner = ty.inner if isinstance(ty, t.OptionalType) else ty
            unify(rest[0], inner, bindings)
        return
    if origin in (list, collections.abc.Sequence, collections.abc.Iterable, collections.abc.MutableSequence):
        if args and isinstance(ty, t.ListType):
            unify(args[0], ty.elem, bindings)
        return
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        if len(args) == 2 and isinstance(ty, t.MapType):
            unify(args[0], ty.key, bindings)
            unify(args[1], ty.value, bindings)
        return
    if origin is collections.abc.Callable and isinstance(ty, t.FnType) and args:
        if isinstance(args[0], list):
            for a, p in zip(args[0], ty.params, strict=False):
                unify(a, p.type, bindings)
        unify(args[-1], ty.ret, bindings)


def substitute(hint: object, bindings: dict[object, t.Type]) -> t.Type:  # noqa: C901
    """A Python annotation as a Haira type, with bound TypeVars replaced."""
    if isinstance(hint, typing.TypeVar):
        return bindings.get(hint, t.ANY)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, pytypes.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            inner = substitute(rest[0], bindings)
            return inner if t.is_any(inner) or inner == t.ERROR else t.OptionalType(inner)
        return py_to_type(hint)
    if origin in (list, collections.abc.Sequence, collections.abc.Iterable, collections.abc.MutableSequence):
        return t.ListType(substitute(args[0], bindings) if args else t.ANY)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping) and len(args) == 2:
        return t.MapType(substitute(args[0], bindings), substitute(args[1], bindings))
    if origin is tuple and args and args[-1] is not Ellipsis:
        return t.TupleType(tuple(substitute(a, bindings) for a in args))
    if origin is collections.abc.Callable and args:
        if isinstance(args[0], list):
            ps = tuple(t.Param(f"p{i}", substitute(a, bindings)) for i, a in enumerate(args[0]))
            return t.FnType(ps, substitute(args[-1], bindings))
        return t.FnType((), substitute(args[-1], bindings), loose=True)
    return py_to_type(hint)
