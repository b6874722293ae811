"""OpenAI chat completions, streamed: OpenAI, any OpenAI-compatible endpoint, Azure OpenAI.

One `stream_turn` = one `POST …/chat/completions` with `"stream": true` and
`stream_options.include_usage`; text deltas go to `on_text` as they arrive, tool-call
fragments are assembled by `ToolCallAssembler`, usage comes from the final chunk.
"""

from __future__ import annotations

import sys

import orjson

from haira.errors import UpstreamError
from haira.providers.toolcalls import ToolCallAssembler
from haira.providers.transport import (
    RetryPolicy,
    Timeouts,
    UpstreamCall,
    UpstreamStatusError,
    stream_sse,
)
from haira.providers.types import (
    ChatRequest,
    TextCallback,
    TurnResult,
    Usage,
)

__all__ = ["OpenAIClient", "build_openai_body"]


def build_openai_body(
    model: str, request: ChatRequest, *, stream: bool = True, stream_usage: bool = True
) -> dict[str, object]:
    """The request JSON object (REF §10.1): zero temperature/max_tokens and no tools omitted."""
    body: dict[str, object] = {
        "model": model,
        "messages": [m.to_openai() for m in request.messages],
    }
    if request.temperature:
        body["temperature"] = request.temperature
    if request.max_tokens:
        body["max_tokens"] = request.max_tokens
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    if request.json_mode:
        body["response_format"] = {"type": "json_object"}
    if stream:
        body["stream"] = True
        if stream_usage:
            body["stream_options"] = {"include_usage": True}
    return body


class _OpenAIStream:
    """Parses `chat.completion.chunk` payloads of one response."""

    __slots__ = ("finish_reason", "label", "on_text", "text", "tools", "usage")

    def __init__(self, label: str, on_text: TextCallback) -> None:
        self.label = label
        self.on_text = on_text
        self.text: list[str] = []
        self.tools = ToolCallAssembler()
        self.usage: Usage | None = None
        self.finish_reason = ""

    async def handle(self, data: bytes) -> bool:
        if data == b"[DONE]":
            return True
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise UpstreamError(f"{self.label}: malformed stream chunk from the provider") from None
        if not isinstance(chunk, dict):
            raise UpstreamError(f"{self.label}: malformed stream chunk from the provider")
        choices = chunk.get("choices")
        if choices:
            choice = choices[0] if isinstance(choices, list) else None
            if isinstance(choice, dict):
                delta = choice.get("delta")
                if isinstance(delta, dict):
                    content = delta.get("content")
                    if content and isinstance(content, str):
                        self.text.append(content)
                        await self.on_text(content)
                    calls = delta.get("tool_calls")
                    if calls:
                        self.tools.feed(calls)
                reason = choice.get("finish_reason")
                if isinstance(reason, str):
                    self.finish_reason = reason
        elif "error" in chunk:
            err = chunk["error"]
            msg = err.get("message") if isinstance(err, dict) else err
            raise UpstreamError(f"{self.label}: provider error mid-stream: {msg}")
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            p = usage.get("prompt_tokens")
            c = usage.get("completion_tokens")
            self.usage = Usage(p if isinstance(p, int) else 0, c if isinstance(c, int) else 0)
        return False

    def finish(self) -> None:
        # Without [DONE] a stream that at least reported why it finished is complete
        # (some compatible servers omit the marker); anything else was cut off.
        if not self.finish_reason:
            raise UpstreamError(f"{self.label}: the provider ended the stream before it finished")


class OpenAIClient:
    """OpenAI-shaped streaming client; `azure_version` switches to Azure's URL and header."""

    def __init__(
        self,
        *,
        name: str,
        model: str,
        base_url: str,
        api_key: str,
        azure_version: str = "",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        kind: str = "OpenAI",
    ) -> None:
        self.name = name
        self.model = model
        self.kind = kind
        base = base_url.rstrip("/")
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
            "Accept-Encoding": "identity",
        }
        if azure_version:
            deployment = model.replace(".", "").replace(":", "")
            self.url = f"{base}/openai/deployments/{deployment}/chat/completions?api-version={azure_version}"
            if api_key:
                headers["api-key"] = api_key
        else:
            self.url = f"{base}/chat/completions"
            if api_key:
                headers["Authorization"] = f"Bearer {api_key}"
        self.endpoint = base
        self.headers = headers
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.stream_usage = True

    async def stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult:
        try:
            return await self._stream_turn(request, on_text)
        except UpstreamStatusError as exc:
            # Some "OpenAI-compatible" servers reject `stream_options`: drop it for this
            # client (usage is then simply not reported) and try once more.
            if not (self.stream_usage and exc.status in (400, 422) and "stream_options" in str(exc)):
                raise
            self.stream_usage = False
            print(f"[haira] {self.name}: the endpoint rejects stream_options; continuing without usage", file=sys.stderr)
            return await self._stream_turn(request, on_text)

    async def _stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult:
        parser = _OpenAIStream(self.name, on_text)
        call = UpstreamCall(
            label=self.name,
            url=self.url,
            headers=self.headers,
            body=orjson.dumps(build_openai_body(self.model, request, stream_usage=self.stream_usage)),
            timeouts=self.timeouts,
            retry=self.retry,
            deadline=request.deadline,
        )
        await stream_sse(call, parser)
        return TurnResult(
            "".join(parser.text), parser.tools.calls(), parser.usage, parser.finish_reason or "stop"
        )

    def describe(self) -> str:
        return f"{self.kind}: endpoint={self.endpoint} model={self.model}"
