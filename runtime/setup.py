"""Build haira-runtime: metadata lives in pyproject.toml; this file adds the native hot path.

The modules every streamed token passes through (the upstream SSE parser, the agent
streaming loop, the server's SSE writer) and `haira.rt` (the Haira-semantics operations
generated code calls in its inner loops) are compiled with mypyc into extension modules.
Their `.py` files stay in the wheel: they are the pure-Python fallback (and what
`HAIRA_RUNTIME_PURE=1` builds), and the test suite runs against both.

An editable install (`pip install -e runtime`, what ci/setup does) and metadata-only
commands stay pure Python, so a change to a `.py` file is seen at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup

HERE = Path(__file__).resolve().parent

# The hot path, in the order a token travels. A module not written yet is skipped.
HOT_PATH: tuple[str, ...] = (
    "haira/providers/sse.py",  # upstream `data:` lines -> payloads
    "haira/providers/openai.py",  # OpenAI-compatible chunk parsing -> deltas
    "haira/providers/anthropic.py",  # Anthropic event parsing -> deltas
    "haira/providers/toolcalls.py",  # streamed tool-call assembly
    "haira/agents/loop.py",  # the agent loop: deltas -> sink, tools, memory
    "haira/agents/stream.py",  # AgentStream: drives the loop for the server
    "haira/server/sse.py",  # SSE frames -> ASGI send
    "haira/rt.py",  # Haira-semantics operations in generated code
)
# Build commands that produce installable binaries; metadata and editable builds do not.
_BUILD_COMMANDS = frozenset({"bdist_wheel", "build_ext", "build", "install"})
_PURE_COMMANDS = frozenset({"editable_wheel", "develop"})


def _want_native(argv: list[str]) -> bool:
    if os.environ.get("HAIRA_RUNTIME_PURE", "").strip() not in ("", "0"):
        return False
    commands = set(argv[1:])
    return bool(commands & _BUILD_COMMANDS) and not commands & _PURE_COMMANDS


def _native_extensions() -> list[Any]:
    try:
        from mypyc.build import mypycify
    except ImportError:
        print(
            "haira-runtime: mypy is not installed; building the pure-Python runtime",
            file=sys.stderr,
        )
        return []
    sources = [path for path in HOT_PATH if (HERE / path).is_file()]
    if not sources:
        return []
    # One shared library for the group keeps calls between hot modules native.
    extensions: list[Any] = mypycify(
        sources,
        opt_level="3",
        group_name="haira_runtime",
        target_dir=os.path.join("build", "mypyc"),
    )
    return extensions


os.chdir(HERE)
setup(ext_modules=_native_extensions() if _want_native(sys.argv) else [])
