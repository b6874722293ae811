"""Memory kinds of an agent (`memory:` field) and how history is shown to the model.

`conversation(max_turns=10)` keeps the last `2 × max_turns` messages; `summary(...)` lets
the model condense older messages into one summary message; `none` remembers nothing.
`history_for_prompt` applies REF's compaction: beyond 16 messages, the older ones become
one `Summary of earlier conversation:` system message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from haira.errors import ConfigError
from haira.memory.store import Message

__all__ = ["MemoryPolicy", "cap_message", "conversation", "history_for_prompt", "none", "summary"]

_VERBATIM = 16
DEFAULT_MAX_MESSAGE_BYTES = 1 << 20


def cap_message(content: str) -> tuple[str, bool]:
    """`content` cut to `HAIRA_MAX_MESSAGE_BYTES` of UTF-8 (default 1 MiB) for storing, and
    whether it was cut. A reply is otherwise bounded only by the upstream timeout times the
    model's speed, and every later turn loads the whole history (docs/limits.md)."""
    raw = os.environ.get("HAIRA_MAX_MESSAGE_BYTES", "").strip()
    limit = int(raw) if raw.isdigit() else DEFAULT_MAX_MESSAGE_BYTES
    if limit <= 0 or len(content) * 4 <= limit:  # cheap: no string this short can exceed it
        return content, False
    data = content.encode("utf-8")
    if len(data) <= limit:
        return content, False
    return data[:limit].decode("utf-8", "ignore"), True


@dataclass(frozen=True, slots=True)
class MemoryPolicy:
    """`kind` is "conversation", "summary" or "none"."""

    kind: str
    max_turns: int = 10
    max_tokens: int = 0

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

    @property
    def keep(self) -> int:
        """Stored messages kept per session."""
        return self.max_turns * 2

    def __call__(self) -> MemoryPolicy:
        # `memory: none` may be emitted as `haira.memory.none` or `haira.memory.none()`.
        return self


def conversation(max_turns: int = 10) -> MemoryPolicy:
    if max_turns <= 0:
        raise ConfigError(f"conversation(max_turns: {max_turns}): max_turns must be positive")
    return MemoryPolicy("conversation", max_turns)


def summary(max_tokens: int = 0, max_turns: int = 10) -> MemoryPolicy:
    if max_turns <= 0:
        raise ConfigError(f"summary(max_turns: {max_turns}): max_turns must be positive")
    return MemoryPolicy("summary", max_turns, max_tokens)


none = MemoryPolicy("none", 0)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _summary_line(m: Message) -> str | None:
    if m.role == "user":
        return "- User: " + _cut(m.content, 100)
    if m.role == "assistant":
        if m.content.startswith("[Completed:"):
            end = m.content.find("]")
            if end > 0:
                rest = m.content[end + 1 :].lstrip("\n")
                return "- Assistant: " + m.content[: end + 1] + " " + _cut(rest, 100)
        return "- Assistant: " + _cut(m.content, 150)
    if m.role == "system":
        return m.content
    return None


def history_for_prompt(messages: list[Message]) -> list[Message]:
    """REF: ≤16 messages verbatim; otherwise older ones folded into one system message."""
    if len(messages) <= _VERBATIM:
        return messages
    old, recent = messages[:-_VERBATIM], messages[-_VERBATIM:]
    lines = [line for line in (_summary_line(m) for m in old) if line is not None]
    folded = Message("system", "Summary of earlier conversation:\n" + "\n".join(lines))
    return [folded, *recent]
