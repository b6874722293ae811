"""Haira identifiers -> collision-free Python identifiers (one place for all mangling).

A Haira name keeps its spelling unless it is a Python keyword or soft keyword, a name the
generated module needs for itself (`haira`, `typing`), or starts with the prefix reserved
for compiler temporaries; then it gets a trailing `_`.

    py_name("class") == "class_";  NameGenerator().temp("m") == "_t_m1"
"""

from __future__ import annotations

import builtins
import keyword

# Names the generated module binds itself (imports and helpers).
RESERVED: frozenset[str] = frozenset(
    {"haira", "typing", "annotations", "__name__", "__file__", "_HAIRA_SOURCE_MAP"}
)
TEMP_PREFIX = "_t_"
# Python builtins generated code itself calls; shadowing them would break it.
_USED_BUILTINS: frozenset[str] = frozenset(
    {"len", "str", "int", "float", "bool", "list", "dict", "tuple", "range", "enumerate",
     "object", "None", "True", "False", "Exception", "BaseException", "abs"}
)


def py_name(name: str) -> str:
    """The Python spelling of a Haira identifier."""
    if (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in RESERVED
        or name in _USED_BUILTINS
        or name.startswith(TEMP_PREFIX)
        or (name.startswith("__") and name.endswith("__"))
    ):
        return name + "_"
    return name


def is_builtin(name: str) -> bool:
    return hasattr(builtins, name)


class NameGenerator:
    """Fresh temporaries for one generated module (deterministic: a counter per module)."""

    def __init__(self) -> None:
        self._counter = 0

    def temp(self, hint: str = "v") -> str:
        self._counter += 1
        return f"{TEMP_PREFIX}{hint}{self._counter}"
