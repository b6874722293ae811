"""`tool` declarations: schema for the model, argument conversion, result text (REF §2).

`define_tool("get_weather", description="…", parameters=schema, params=(FieldT("city",
STRING),), fn=get_weather)`; the model's JSON arguments are converted to the declared
Haira types and the function runs in a worker thread (Haira code is synchronous and may
itself block, e.g. on another agent's `ask`). What the model sees back is the result's
JSON, or `error: <message>` (REF §2.4).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import orjson

from haira.errors import ConfigError, HairaError, HairaException
from haira.providers.types import ToolSpec
from haira.types import ConversionError, FieldT, convert, object_schema, to_jsonable

__all__ = ["Tool", "ToolOutcome", "define_tool"]


class ToolOutcome:
    """The text sent back to the model and whether the call succeeded."""

    __slots__ = ("content", "error", "ok")

    def __init__(self, content: str, ok: bool, error: str | None) -> None:
        self.content = content
        self.ok = ok
        self.error = error


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# Tools are synchronous Haira code that may block (HTTP, another agent's ask); the default
# executor (cores + 4 threads) would queue concurrent streams' tool calls behind each other.
_TOOL_THREADS = 64


def _executor() -> ThreadPoolExecutor:
    global _pool
    pool = _pool
    if pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=_TOOL_THREADS, thread_name_prefix="haira-tool")
            pool = _pool
    return pool


def _failed(message: str) -> ToolOutcome:
    return ToolOutcome("error: " + message, False, message)


class Tool:
    """A declared tool."""

    __slots__ = ("description", "fn", "name", "parameters", "params")

    def __init__(
        self,
        name: str,
        description: str,
        parameters: dict[str, object],
        params: tuple[FieldT, ...],
        fn: Callable[..., object],
    ) -> None:
        self.name = name
        self.description = description
        self.parameters = parameters
        self.params = params
        self.fn = fn

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)

    def bind(self, arguments: str) -> dict[str, object]:
        """The model's JSON arguments → keyword arguments of `fn` (raises ConversionError)."""
        try:
            raw = orjson.loads(arguments or "{}")
        except orjson.JSONDecodeError as exc:
            raise ConversionError(f"invalid tool arguments: {exc}") from None
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConversionError("invalid tool arguments: expected a JSON object")
        kwargs: dict[str, object] = {}
        for p in self.params:
            if p.name in raw and raw[p.name] is not None:
                kwargs[p.name] = convert(raw[p.name], p.type, textual=False, path=p.name)
            elif p.required:
                raise ConversionError(f"invalid tool arguments: missing argument '{p.name}'")
            else:
                kwargs[p.name] = p.default_value()
        return kwargs

    def call_sync(self, arguments: str) -> ToolOutcome:
        """Convert, call, and render the result; never raises for Haira-level failures."""
        try:
            kwargs = self.bind(arguments)
        except ConversionError as exc:
            return _failed(str(exc))
        try:
            # Positional, in declaration order: generated parameter names may differ from
            # the Haira names (`from` becomes `from_`).
            result = self.fn(*[kwargs[p.name] for p in self.params])
        except HairaException as exc:
            return _failed(str(exc))
        except Exception as exc:  # a bug below Haira code: the model is told, the stream lives
            print(f"[haira] tool {self.name} failed: {exc!r}", file=sys.stderr)
            return _failed(f"tool {self.name} failed: {exc}")
        # Haira functions returning `(T, error)` report failures as a value.
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], HairaError):
            return _failed(result[1].message)
        if isinstance(result, tuple) and len(result) == 2 and result[1] is None:
            result = result[0]
        if isinstance(result, HairaError):
            return _failed(result.message)
        try:
            text = orjson.dumps(to_jsonable(result), option=orjson.OPT_SORT_KEYS).decode()
        except TypeError as exc:
            return _failed(f"tool result is not JSON-encodable: {exc}")
        return ToolOutcome(text, True, None)

    async def call(self, arguments: str) -> ToolOutcome:
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()  # like asyncio.to_thread: step events see the workflow
        return await loop.run_in_executor(_executor(), ctx.run, self.call_sync, arguments)

    def __call__(self, *args: object, **kwargs: object) -> object:
        """Tools are also plain functions callable from Haira code."""
        return self.fn(*args, **kwargs)


def define_tool(
    name: str,
    *,
    description: str,
    parameters: dict[str, object] | None = None,
    params: tuple[FieldT, ...] = (),
    fn: Callable[..., object],
) -> Tool:
    """A `tool` block. `parameters` defaults to the schema derived from `params`."""
    if not name.replace("_", "a").isalnum():
        raise ConfigError(f'tool "{name}": tool names may only use letters, digits and "_"')
    return Tool(name, description, parameters if parameters is not None else object_schema(params), params, fn)
