"""Agent memory and the persistent store.

Generated code: `"memory": haira.memory.conversation(max_turns=10)`, `haira.memory.summary()`,
`haira.memory.none`. `get_store()` returns the process-wide `Store` chosen by
`HAIRA_DATABASE_URL` (default: SQLite file `.haira.db` in the working directory).
"""

from __future__ import annotations

import os
import threading

from haira.errors import ConfigError
from haira.memory.policy import MemoryPolicy, conversation, history_for_prompt, none, summary
from haira.memory.sqlite import SQLiteStore
from haira.memory.store import Chat, ChatEntry, ChatSummary, Message, RunRecord, Store

__all__ = [
    "Chat",
    "ChatEntry",
    "ChatSummary",
    "MemoryPolicy",
    "Message",
    "RunRecord",
    "SQLiteStore",
    "Store",
    "conversation",
    "get_store",
    "history_for_prompt",
    "none",
    "open_store",
    "set_store",
    "summary",
]

_lock = threading.Lock()
_store: Store | None = None


def open_store(url: str) -> Store:
    """A new store for `url`: `sqlite:///path`, `sqlite://path`, `sqlite:path` or a file path."""
    if "://" not in url and not url.startswith("sqlite:"):
        return SQLiteStore(url)
    for prefix in ("sqlite:///", "sqlite://", "sqlite:"):
        if url.startswith(prefix):
            # sqlite:///rel.db is relative, sqlite:////abs.db absolute (SQLAlchemy's rule).
            return SQLiteStore(url[len(prefix) :] or ".haira.db")
    scheme = url.split("://", 1)[0]
    shared = _open_shared(scheme, url)
    if shared is not None:
        return shared
    raise ConfigError(
        f"HAIRA_DATABASE_URL: unsupported store {scheme!r} (supported: sqlite, postgresql, redis)"
    )


def _open_shared(scheme: str, url: str) -> Store | None:
    # The shared backends (scale-out) import their drivers only when chosen: they are the
    # optional extras haira-runtime[postgres] and haira-runtime[redis].
    if scheme in ("postgresql", "postgres"):
        try:
            from haira.memory.postgres import PostgresStore
        except ImportError as exc:
            raise ConfigError(
                f"HAIRA_DATABASE_URL is PostgreSQL but {exc.name or 'psycopg'} is not installed"
                " (pip install 'haira-runtime[postgres]')"
            ) from None
        return PostgresStore(url)
    if scheme in ("redis", "rediss"):
        try:
            from haira.memory.redis_store import RedisStore
        except ImportError:
            raise ConfigError(
                "HAIRA_DATABASE_URL is Redis but redis is not installed"
                " (pip install 'haira-runtime[redis]')"
            ) from None
        return RedisStore(url)
    return None


def get_store() -> Store:
    """The process-wide store (created on first use)."""
    global _store
    s = _store
    if s is not None:
        return s
    with _lock:
        if _store is None:
            _store = open_store(os.environ.get("HAIRA_DATABASE_URL", "") or ".haira.db")
        return _store


def _after_fork_in_child() -> None:
    # A forked worker (`--workers N`) must not use the parent's store: its SQLite thread
    # does not exist in the child and its pooled sockets are the parent's. Each worker
    # opens its own on first use.
    global _store, _lock
    _store = None
    _lock = threading.Lock()  # another thread may have held it at the fork


os.register_at_fork(after_in_child=_after_fork_in_child)


def set_store(store: Store | None) -> None:
    """Replace the process-wide store (tests; the server when it opens its own)."""
    global _store
    with _lock:
        _store = store
