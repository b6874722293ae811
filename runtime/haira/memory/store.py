"""The store interface: agent memory and chat records, async, backend-neutral.

`get_store()` (in `haira.memory`) picks the backend from `HAIRA_DATABASE_URL`; today that
is SQLite (`sqlite.py`). PostgreSQL/Redis implement this same `Store` later.
"""

from __future__ import annotations

import datetime as _dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

__all__ = [
    "INTERRUPTED",
    "Chat",
    "ChatEntry",
    "ChatSummary",
    "Message",
    "RunRecord",
    "Store",
    "rfc3339",
]

# The error of a run that was still running when its server stopped (REF §5.4).
INTERRUPTED = "interrupted: server restarted"


def rfc3339(ts: float) -> str:
    """Epoch seconds → `2026-01-02T03:04:05.123456Z` (UTC)."""
    return _dt.datetime.fromtimestamp(ts, tz=_dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(slots=True)
class Message:
    """One remembered message of an agent's session (`role` user/assistant/system)."""

    role: str
    content: str
    interrupted: bool = False


@dataclass(slots=True)
class ChatEntry:
    """One message of a recorded chat, as the UI shows it."""

    role: str
    content: str
    interrupted: bool
    timestamp: str  # RFC 3339, UTC


@dataclass(slots=True)
class ChatSummary:
    """A chat session in the list of `/_api/chats`."""

    session_id: str
    workflow: str
    title: str  # the first user message, cut to 80 characters
    message_count: int
    created_at: str
    updated_at: str


@dataclass(slots=True)
class Chat:
    """A whole chat session (`/_api/chats/<id>`)."""

    session_id: str
    workflow: str
    created_at: str
    updated_at: str
    messages: list[ChatEntry] = field(default_factory=list)


@dataclass(slots=True)
class RunRecord:
    """One run of a workflow with steps (`/_api/runs`, reference-runtime.md §5.4)."""

    id: str
    workflow_name: str
    workflow_path: str
    status: str  # running | completed | failed
    started_at: str
    params: dict[str, object] = field(default_factory=dict)
    steps: list[dict[str, object]] = field(default_factory=list)
    result: object = None  # JSON-ready; None = no result
    error: str | None = None
    finished_at: str | None = None


class Store(ABC):
    """Persistent state shared by every agent and stream of the process (and its peers)."""

    # ---- memory (per agent and session)

    @abstractmethod
    async def load_messages(self, agent: str, session: str, *, limit: int = 0) -> list[Message]:
        """The session's messages, oldest first; with `limit > 0` only the newest `limit`."""

    @abstractmethod
    async def append_messages(
        self, agent: str, session: str, messages: list[Message], *, keep: int = 0
    ) -> None:
        """Append in order; with `keep > 0`, drop all but the newest `keep` afterwards."""

    @abstractmethod
    async def replace_messages(self, agent: str, session: str, messages: list[Message]) -> None:
        """Replace the whole history (summary memory)."""

    # ---- chats (for /_api/chats)

    @abstractmethod
    async def record_chat_message(
        self, session_id: str, workflow: str, role: str, content: str, *, interrupted: bool = False
    ) -> None:
        """Append a message to the chat `session_id`, creating the chat on first use."""

    @abstractmethod
    async def list_chats(self) -> list[ChatSummary]:
        """All chats, most recently updated first."""

    @abstractmethod
    async def get_chat(self, session_id: str) -> Chat | None: ...

    @abstractmethod
    async def delete_chat(self, session_id: str) -> bool:
        """Delete a chat; True if it existed."""

    # ---- runs (for /_api/runs). Not abstract: a backend without its own table keeps
    # them in this process only (they are lost at a restart, as running ones would be).

    async def save_run(self, run: RunRecord) -> None:
        """Insert or replace the run with `run.id` (the whole record)."""
        self.__dict__.setdefault("_haira_runs", {})[run.id] = run

    async def get_run(self, run_id: str) -> RunRecord | None:
        runs: dict[str, RunRecord] = self.__dict__.get("_haira_runs", {})
        return runs.get(run_id)

    async def list_runs(self) -> list[RunRecord]:
        """All runs, newest first."""
        runs: dict[str, RunRecord] = self.__dict__.get("_haira_runs", {})
        return sorted(runs.values(), key=lambda r: r.started_at, reverse=True)

    @abstractmethod
    async def close(self) -> None: ...

    def warm(self) -> None:
        """Start opening connections in the background (optional; called at definition)."""
        return None
