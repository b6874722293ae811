"""Scripted behaviours of the fake LLM server, one `Step` per upstream request.

    fake.script(reply("Hello there"), tool_calls(call("get_weather", {"city": "Oslo"})),
                error(429, retry_after="1"), reply("done", token_rate=20))

Steps are consumed in order by the model requests (chat completions / messages); when the
script is empty the server answers with its default reply (`Echo: <last user message>`
unless configured).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

__all__ = [
    "Step",
    "ToolCallSpec",
    "call",
    "disconnect",
    "endless",
    "error",
    "malformed",
    "reply",
    "stall",
    "step_from_json",
    "tool_calls",
]


@dataclass(slots=True)
class ToolCallSpec:
    name: str
    arguments: str  # JSON text, sent in fragments
    id: str = ""


@dataclass(slots=True)
class Step:
    """What the server does for one request.

    kind: reply | tools | error | malformed | stall | disconnect | endless.
    `after` = tokens streamed before the fault; `style` (tools): standard | no_index |
    same_index | id_every_fragment; `usage`: send the usage chunk when asked for it.
    """

    kind: str
    text: str = ""
    calls: list[ToolCallSpec] = field(default_factory=list)
    status: int = 200
    retry_after: str = ""
    retry_after_ms: str = ""
    message: str = ""
    after: int = 0
    seconds: float = 0.0  # stall length; 0 = until the client goes away
    token_rate: float = -1.0  # < 0: the server's rate
    usage: bool = True
    style: str = "standard"
    headers_first: bool = True  # stall/endless: send the 200 headers before stalling


def reply(text: str, *, token_rate: float = -1.0, usage: bool = True) -> Step:
    return Step("reply", text=text, token_rate=token_rate, usage=usage)


def call(name: str, arguments: dict[str, object] | str, id: str = "") -> ToolCallSpec:
    args = arguments if isinstance(arguments, str) else orjson.dumps(arguments).decode()
    return ToolCallSpec(name, args, id)


def tool_calls(*calls: ToolCallSpec, text: str = "", style: str = "standard") -> Step:
    return Step("tools", text=text, calls=list(calls), style=style)


def error(status: int, *, retry_after: str = "", retry_after_ms: str = "", message: str = "") -> Step:
    return Step(
        "error",
        status=status,
        retry_after=retry_after,
        retry_after_ms=retry_after_ms,
        message=message or f"fake error {status}",
    )


def malformed(*, after: int = 0, text: str = "partial reply before the bad chunk") -> Step:
    return Step("malformed", text=text, after=after)


def stall(*, after: int = 0, seconds: float = 0.0, text: str = "this reply stalls", headers_first: bool = True) -> Step:
    return Step("stall", text=text, after=after, seconds=seconds, headers_first=headers_first)


def disconnect(*, after: int = 0, text: str = "this reply is cut off mid-stream") -> Step:
    return Step("disconnect", text=text, after=after)


def endless(*, text: str = "and on ", token_rate: float = -1.0) -> Step:
    return Step("endless", text=text, token_rate=token_rate)


def step_from_json(obj: dict[str, object]) -> Step:
    """A step from the control API's JSON (`POST /_fake/script`)."""
    kind = str(obj.get("kind", "reply"))
    raw_calls = obj.get("calls", [])
    calls: list[ToolCallSpec] = []
    if isinstance(raw_calls, list):
        for c in raw_calls:
            if isinstance(c, dict):
                args = c.get("arguments", {})
                calls.append(
                    ToolCallSpec(
                        str(c.get("name", "")),
                        args if isinstance(args, str) else orjson.dumps(args).decode(),
                        str(c.get("id", "")),
                    )
                )

    def num(key: str, default: float) -> float:
        v = obj.get(key, default)
        return float(v) if isinstance(v, int | float) else default

    return Step(
        kind,
        text=str(obj.get("text", "")),
        calls=calls,
        status=int(num("status", 200)),
        retry_after=str(obj.get("retry_after", "")),
        retry_after_ms=str(obj.get("retry_after_ms", "")),
        message=str(obj.get("message", "")),
        after=int(num("after", 0)),
        seconds=num("seconds", 0.0),
        token_rate=num("token_rate", -1.0),
        usage=bool(obj.get("usage", True)),
        style=str(obj.get("style", "standard")),
        headers_first=bool(obj.get("headers_first", True)),
    )
