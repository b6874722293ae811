"""Names of a compiled app: the import name, the distribution name, the version.

The import name is what `python -m NAME` runs, so it must be a Python identifier that
shadows neither the runtime (`haira`) nor a standard library module. The distribution name
is spelled like the import name; the wheel file name uses its PEP 427 escaped form.

    app_name_from_path("examples/streaming-chat.haira") == "streaming_chat"
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path

from hairac.build.errors import BadName

# Import names the app's package may not take: the runtime, the compiler and what they
# pull in would be shadowed (or would shadow the app) in the app's virtual environment.
_TAKEN: frozenset[str] = frozenset(
    {"haira", "hairac", "haira_runtime", "falcon", "uvicorn", "uvloop", "httptools", "httpx",
     "httpx_sse", "httpcore", "orjson", "anyio", "h11", "idna", "certifi", "sniffio", "click",
     "mypy", "mypyc", "lark", "setuptools", "wheel", "pip", "librt"}
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# PEP 440, the forms people write: 1, 1.2, 1.2.3, 1.0a1, 1.0.post2, 1.0.dev3, 1.0+local.
_VERSION = re.compile(
    r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?\Z"
)


def app_name_from_path(path: str) -> str:
    """The default app name: the file's stem with `-` and `.` turned into `_`."""
    stem = Path(path).name
    if stem.endswith(".haira"):
        stem = stem[: -len(".haira")]
    return re.sub(r"[-.\s]+", "_", stem)


def check_app_name(name: str) -> str:
    """`name` if it can be the app's import name; `BadName` saying why otherwise."""
    if not _IDENTIFIER.match(name):
        raise BadName(
            f"`{name}` is not a valid Python package name (letters, digits and `_`, "
            "not starting with a digit); pass --name NAME"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise BadName(f"`{name}` is a Python keyword; pass --name NAME")
    if name in _TAKEN or name.lower() in _TAKEN:
        raise BadName(f"`{name}` is the name of a package the app runs on; pass --name NAME")
    if name in sys.stdlib_module_names:
        raise BadName(
            f"`{name}` is a Python standard library module, so `python -m {name}` would "
            "run that instead; pass --name NAME"
        )
    return name


def check_version(version: str) -> str:
    """`version` if it is a PEP 440 version; `BadName` otherwise."""
    if not _VERSION.match(version):
        raise BadName(f"`{version}` is not a version number like 1.0.0 (PEP 440)")
    return version


def wheel_name_component(name: str) -> str:
    """The PEP 427 escaped form of a distribution name or version for wheel file names."""
    return re.sub(r"[^A-Za-z0-9.+]+", "_", name)
