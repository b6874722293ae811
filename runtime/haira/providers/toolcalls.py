"""Assembles tool calls from streamed `delta.tool_calls` fragments.

Example: fragments `{index:0,id:"c1",function:{name:"f",arguments:"{\\"a\\""}}` then
`{index:0,function:{arguments:":1}"}}` give `ToolCall("c1", "f", '{"a":1}')`.

Providers differ: some omit `index`, some reuse index 0 for every call, most send `id`
and `name` only in the first fragment. A fragment starts a new call when it carries an
`id` different from the call it would extend, or a `name` while that call already has a
complete one; otherwise it extends the call its `index` (or, without one, the last call)
points at.
"""

from __future__ import annotations

import orjson

from haira.providers.types import ToolCall

__all__ = ["ToolCallAssembler"]


class _Partial:
    __slots__ = ("args", "id", "name")

    def __init__(self, id_: str, name: str) -> None:
        self.id = id_
        self.name = name
        self.args: list[str] = []


def _complete_json(parts: list[str]) -> bool:
    if not parts:
        return False
    try:
        orjson.loads("".join(parts))
    except orjson.JSONDecodeError:
        return False
    return True


class ToolCallAssembler:
    """Feed `delta.tool_calls` lists with `feed`; read the calls with `calls()`."""

    __slots__ = ("_by_index", "_calls", "_current")

    def __init__(self) -> None:
        self._calls: list[_Partial] = []
        self._by_index: dict[int, _Partial] = {}
        self._current: _Partial | None = None

    def __bool__(self) -> bool:
        return bool(self._calls)

    def feed(self, fragments: object) -> None:
        if not isinstance(fragments, list):
            return
        for frag in fragments:
            if isinstance(frag, dict):
                self._feed_one(frag)

    def start(self, index: int, id_: str, name: str) -> None:
        """An explicit start (Anthropic `content_block_start` of a `tool_use` block)."""
        call = _Partial(id_, name)
        self._calls.append(call)
        self._by_index[index] = call
        self._current = call

    def append_args(self, index: int, text: str) -> None:
        call = self._by_index.get(index)
        if call is not None:
            call.args.append(text)

    def _feed_one(self, frag: dict[str, object]) -> None:
        raw_index = frag.get("index")
        id_ = frag.get("id")
        fn = frag.get("function")
        name: object = None
        args: object = None
        if isinstance(fn, dict):
            name = fn.get("name")
            args = fn.get("arguments")
        id_s = id_ if isinstance(id_, str) and id_ else ""
        name_s = name if isinstance(name, str) and name else ""

        index = raw_index if isinstance(raw_index, int) else None
        target = self._by_index.get(index) if index is not None else self._current
        if target is None or self._starts_new(target, id_s, name_s):
            target = _Partial(id_s, name_s)
            self._calls.append(target)
            if index is not None:
                self._by_index[index] = target
        else:
            if id_s and not target.id:
                target.id = id_s
            if name_s and not target.name:
                target.name = name_s
        self._current = target
        if isinstance(args, str) and args:
            target.args.append(args)

    @staticmethod
    def _starts_new(target: _Partial, id_s: str, name_s: str) -> bool:
        if id_s and target.id and id_s != target.id:
            return True
        if name_s and target.name:
            # A repeated name with unfinished arguments is the same call re-announced.
            return name_s != target.name or _complete_json(target.args)
        return False

    def calls(self) -> list[ToolCall]:
        out: list[ToolCall] = []
        for n, c in enumerate(self._calls):
            args = "".join(c.args) or "{}"
            out.append(ToolCall(c.id or f"call_{n}", c.name, args))
        return out
