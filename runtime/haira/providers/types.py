"""Provider-neutral chat types: what the agent loop sends and what one streamed turn yields.

Example: `ChatRequest([ChatMessage("user", "hi")], tools=[])` goes to a `ChatClient`, whose
`stream_turn` calls `on_text("Hel")`, `on_text("lo")` and returns `TurnResult("Hello", [], ...)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "ChatClient",
    "ChatMessage",
    "ChatRequest",
    "TextCallback",
    "ToolCall",
    "ToolSpec",
    "TurnResult",
    "Usage",
]

TextCallback = Callable[[str], Awaitable[None]]


@dataclass(slots=True)
class ToolCall:
    """One function call requested by the model; `arguments` is the raw JSON text."""

    id: str
    name: str
    arguments: str


@dataclass(slots=True)
class ChatMessage:
    """One message of the conversation in OpenAI shape (roles system/user/assistant/tool)."""

    role: str
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    def to_openai(self) -> dict[str, object]:
        """The OpenAI chat-completions JSON object; empty assistant content is omitted."""
        out: dict[str, object] = {"role": self.role}
        if self.content is not None and (self.content != "" or not self.tool_calls):
            out["content"] = self.content
        if self.tool_calls:
            out["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        return out


@dataclass(slots=True)
class ToolSpec:
    """A tool offered to the model: name, description, JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, object]


@dataclass(slots=True)
class ChatRequest:
    """One model turn. Zero temperature / max_tokens mean "not sent"."""

    messages: list[ChatMessage]
    tools: list[ToolSpec] = field(default_factory=list)
    temperature: float = 0.0
    max_tokens: int = 0
    json_mode: bool = False
    # Absolute event-loop time (`loop.time()`) by which the caller's whole call (agent
    # `timeout`) must end; 0 = no caller deadline.
    deadline: float = 0.0


@dataclass(slots=True)
class Usage:
    """Token counts reported by the provider."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass(slots=True)
class TurnResult:
    """What one streamed model turn produced once it finished."""

    text: str
    tool_calls: list[ToolCall]
    usage: Usage | None
    finish_reason: str


class ChatClient(Protocol):
    """A provider backend. `stream_turn` makes exactly one streamed upstream request.

    A Protocol, not a base class: mypyc-compiled classes cannot be subclassed by
    interpreted ones, and the hot-path modules may be compiled while others are not.
    """

    name: str

    async def stream_turn(self, request: ChatRequest, on_text: TextCallback) -> TurnResult: ...

    def describe(self) -> str:
        """A one-line description for startup logs (never contains secrets)."""
        ...
