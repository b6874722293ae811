"""Caps on what the store keeps (docs/limits.md), shared by every backend.

Each cap is read from the environment when a store is made (0 = no cap). Over a cap the
store drops the *least recently used* data: whole sessions of an agent's memory, whole
chats, or the oldest messages of one chat. The session or chat being written is never the
one dropped, so the current exchange is never lost.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

__all__ = ["StoreLimits", "store_limits"]


@dataclass(frozen=True, slots=True)
class StoreLimits:
    sessions_per_agent: int = 10_000  # HAIRA_MAX_SESSIONS_PER_AGENT
    chats: int = 10_000  # HAIRA_MAX_CHATS
    chat_messages: int = 1_000  # HAIRA_MAX_CHAT_MESSAGES (at least 2: a whole exchange)


def _env_cap(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        # A store opens lazily (often inside a request), where an exception would cost the
        # request, not stop a misconfigured deployment: warn once per store and go on.
        print(f"[haira] {name} must be a whole number >= 0 (0 = no cap), got {raw!r};"
              f" using {default}", file=sys.stderr, flush=True)
        return default
    return 0 if value == 0 else max(minimum, value)


def store_limits() -> StoreLimits:
    """The caps set by `HAIRA_MAX_SESSIONS_PER_AGENT`, `HAIRA_MAX_CHATS`, `HAIRA_MAX_CHAT_MESSAGES`."""
    d = StoreLimits()
    return StoreLimits(
        sessions_per_agent=_env_cap("HAIRA_MAX_SESSIONS_PER_AGENT", d.sessions_per_agent, 1),
        chats=_env_cap("HAIRA_MAX_CHATS", d.chats, 1),
        chat_messages=_env_cap("HAIRA_MAX_CHAT_MESSAGES", d.chat_messages, 2),
    )
