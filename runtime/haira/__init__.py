"""haira: the runtime library that programs compiled by hairac import.

Generated code uses `haira.rt` (Haira-semantics operations), `haira.types` (type
descriptors), `haira.values` (enum/struct shapes), `haira.aio` (sync → async bridge),
`haira.stdlib.<module>` and the error types re-exported here.
"""

from haira import aio, errors, rt, types, values
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
