"""Anthropic Messages API, native and streamed (REF §10.3).

The agent loop speaks OpenAI-shaped `ChatMessage`s; `build_anthropic_body` translates
them (system prompt lifted out, tool calls → `tool_use` blocks, tool results →
`tool_result` blocks in a user message) and `_AnthropicStream` turns the event stream
(`content_block_delta`, `message_delta`, …) back into text deltas, tool calls and usage.
"""

from __future__ import annotations

import orjson

from haira.errors import UpstreamError
from haira.providers.toolcalls import ToolCallAssembler
from haira.providers.transport import (
    RetryPolicy,
    Timeouts,
    UpstreamCall,
    stream_sse,
)
from haira.providers.types import (
    ChatMessage,
    ChatRequest,
    TextCallback,
    TurnResult,
    Usage,
)

__all__ = ["AnthropicClient", "build_anthropic_body"]

_DEFAULT_MAX_TOKENS = 8192
_STOP_REASONS = {"tool_use": "tool_calls", "max_tokens": "length"}


def _tool_input(arguments: str) -> object:
    try:
        value = orjson.loads(arguments or "{}")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _translate(messages: list[ChatMessage]) -> tuple[str, list[dict[str, object]]]:
    system: list[str] = []
    out: list[dict[str, object]] = []
    for m in messages:
        if m.role == "system":
            if m.content:
                system.append(m.content)
        elif m.role == "tool":
            block: dict[str, object] = {
                "type": "tool_result",
                "tool_use_id": m.tool_call_id or "",
                "content": m.content or "",
            }
            prev = out[-1] if out else None
            if prev is not None and prev["role"] == "user" and isinstance(prev["content"], list):
                prev["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif m.role == "assistant" and m.tool_calls:
            blocks: list[dict[str, object]] = []
            if m.content:
                blocks.append({"type": "text", "text": m.content})
            for c in m.tool_calls:
                blocks.append(
                    {"type": "tool_use", "id": c.id, "name": c.name, "input": _tool_input(c.arguments)}
                )
            out.append({"role": "assistant", "content": blocks})
        else:
            out.append({"role": m.role, "content": m.content or ""})
    return "\n\n".join(system), out


def build_anthropic_body(model: str, request: ChatRequest) -> dict[str, object]:
    system, messages = _translate(request.messages)
    body: dict[str, object] = {
        "model": model,
        "max_tokens": request.max_tokens or _DEFAULT_MAX_TOKENS,
        "messages": messages,
        "stream": True,
    }
    if system:
        body["system"] = system
    if request.temperature:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in request.tools
        ]
    return body


class _AnthropicStream:
    __slots__ = ("finish_reason", "label", "on_text", "prompt", "completion", "stopped", "text", "tools")

    def __init__(self, label: str, on_text: TextCallback) -> None:
        self.label = label
        self.on_text = on_text
        self.text: list[str] = []
        self.tools = ToolCallAssembler()
        self.prompt = -1
        self.completion = -1
        self.finish_reason = ""
        self.stopped = False

    async def handle(self, data: bytes) -> bool:
        try:
            ev = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise UpstreamError(f"{self.label}: malformed stream event from the provider") from None
        if not isinstance(ev, dict):
            raise UpstreamError(f"{self.label}: malformed stream event from the provider")
        kind = ev.get("type")
        if kind == "content_block_delta":
            await self._delta(ev)
        elif kind == "content_block_start":
            block = ev.get("content_block")
            index = ev.get("index")
            if isinstance(block, dict) and isinstance(index, int) and block.get("type") == "tool_use":
                self.tools.start(index, str(block.get("id") or ""), str(block.get("name") or ""))
        elif kind == "message_start":
            msg = ev.get("message")
            usage = msg.get("usage") if isinstance(msg, dict) else None
            if isinstance(usage, dict) and isinstance(usage.get("input_tokens"), int):
                self.prompt = int(usage["input_tokens"])
        elif kind == "message_delta":
            self._message_delta(ev)
        elif kind == "message_stop":
            self.stopped = True
            return True
        elif kind == "error":
            err = ev.get("error")
            msg = err.get("message") if isinstance(err, dict) else err
            raise UpstreamError(f"{self.label}: provider error mid-stream: {msg}")
        return False

    async def _delta(self, ev: dict[str, object]) -> None:
        delta = ev.get("delta")
        if not isinstance(delta, dict):
            return
        dtype = delta.get("type")
        if dtype == "text_delta":
            text = delta.get("text")
            if isinstance(text, str) and text:
                self.text.append(text)
                await self.on_text(text)
        elif dtype == "input_json_delta":
            part = delta.get("partial_json")
            index = ev.get("index")
            if isinstance(part, str) and isinstance(index, int):
                self.tools.append_args(index, part)

    def _message_delta(self, ev: dict[str, object]) -> None:
        delta = ev.get("delta")
        if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
            self.finish_reason = _STOP_REASONS.get(str(delta["stop_reason"]), "stop")
        usage = ev.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("output_tokens"), int):
            self.completion = int(usage["output_tokens"])

    def finish(self) -> None:
        if not self.stopped:
            raise UpstreamError(f"{self.label}: the provider ended the stream before it finished")

    def usage(self) -> Usage | None:
        if self.prompt < 0 and self.completion < 0:
            return None
        return Usage(max(self.prompt, 0), max(self.completion, 0))


class AnthropicClient:
    """Streams `POST <base>/messages`."""

    def __init__(
        self,
        *,
        name: str,
        model: str,
        base_url: str,
        api_key: str,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.endpoint = base_url.rstrip("/")
        self.url = f"{self.endpoint}/messages"
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
            "Accept-Encoding": "identity",
            "anthropic-version": "2023-06-01",
        }
        if api_key.startswith("sk-ant-oat"):
            headers["Authorization"] = f"Bearer {api_key}"
            headers["anthropic-beta"] = "oauth-2025-04-20"
        elif api_key:
            headers["x-api-key"] = api_key
        self.headers = headers
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()

    async def stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult:
        parser = _AnthropicStream(self.name, on_text)
        call = UpstreamCall(
            label=self.name,
            url=self.url,
            headers=self.headers,
            body=orjson.dumps(build_anthropic_body(self.model, request)),
            timeouts=self.timeouts,
            retry=self.retry,
            deadline=request.deadline,
        )
        await stream_sse(call, parser)
        return TurnResult(
            "".join(parser.text), parser.tools.calls(), parser.usage(), parser.finish_reason or "stop"
        )

    def describe(self) -> str:
        return f"anthropic (native): endpoint={self.endpoint} model={self.model}"
