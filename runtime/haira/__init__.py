"""haira: the runtime library that programs compiled by hairac import.

Generated code uses `haira.rt` (Haira-semantics operations), `haira.types` (type
descriptors), `haira.values` (enum/struct shapes), `haira.aio` (sync → async bridge),
`haira.stdlib.<module>` and the error types re-exported here. Submodules load on first
use (NOTE: `haira.aio` pulls in asyncio; a plain CLI program should not pay for it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from haira.errors import (
    ConfigError,
    HairaError,
    HairaException,
    HairaPanic,
    HairaRuntimeError,
    RuntimeFault,
    UpstreamError,
    UpstreamTimeout,
)
from haira.values import EnumValue, Struct

if TYPE_CHECKING:
    from haira import aio, errors, rt, types, values

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EnumValue",
    "HairaError",
    "HairaException",
    "HairaPanic",
    "HairaRuntimeError",
    "RuntimeFault",
    "Struct",
    "UpstreamError",
    "UpstreamTimeout",
    "aio",
    "errors",
    "rt",
    "types",
    "values",
]

_LAZY = frozenset({"aio", "errors", "rt", "types", "values"})


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return importlib.import_module(f"haira.{name}")
    raise AttributeError(f"module 'haira' has no attribute {name!r}")
