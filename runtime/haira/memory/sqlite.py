"""SQLite implementation of `Store` (default: `.haira.db` in the working directory).

All statements run on one dedicated thread that owns the connection, so any number of
concurrent streams (on any event loop) can await the store safely; WAL mode plus a busy
timeout lets several worker processes share the file.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from haira.memory.limits import store_limits
from haira.memory.store import (
    INTERRUPTED,
    Chat,
    ChatEntry,
    ChatSummary,
    Message,
    RunRecord,
    Store,
    rfc3339,
)

__all__ = ["SQLiteStore"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS haira_memory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent TEXT NOT NULL,
    session TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    interrupted INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS haira_memory_by_session ON haira_memory (agent, session, id);
CREATE TABLE IF NOT EXISTS haira_chats (
    session_id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS haira_chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    interrupted INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS haira_chat_messages_by_session ON haira_chat_messages (session_id, id);
CREATE TABLE IF NOT EXISTS haira_runs (
    id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    workflow_path TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    steps TEXT NOT NULL,
    result TEXT,
    error TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner INTEGER NOT NULL DEFAULT 0
);
"""


class SQLiteStore(Store):
    """One connection on one thread; methods hop onto it with `run_in_executor`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="haira-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = threading.Lock()
        self.limits = store_limits()

    # ------------------------------------------------------------ plumbing

    def _db(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.executescript(_SCHEMA)
            _fail_orphaned_runs(conn)
            self._conn = conn
        return conn

    def warm(self) -> None:
        """Open the file and create the schema on the store thread, ahead of first use."""
        if self._conn is None and not self._closed:
            self._executor.submit(self._db)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._db()))

    # ------------------------------------------------------------ memory

    async def load_messages(self, agent: str, session: str, *, limit: int = 0) -> list[Message]:
        def q(db: sqlite3.Connection) -> list[Message]:
            if limit > 0:
                rows = db.execute(
                    "SELECT role, content, interrupted FROM haira_memory WHERE agent=? AND session=?"
                    " ORDER BY id DESC LIMIT ?",
                    (agent, session, limit),
                ).fetchall()
                rows.reverse()
            else:
                rows = db.execute(
                    "SELECT role, content, interrupted FROM haira_memory WHERE agent=? AND session=?"
                    " ORDER BY id",
                    (agent, session),
                ).fetchall()
            return [Message(str(r[0]), str(r[1]), bool(r[2])) for r in rows]

        return await self._run(q)

    async def append_messages(
        self, agent: str, session: str, messages: list[Message], *, keep: int = 0
    ) -> None:
        now = time.time()
        max_sessions = self.limits.sessions_per_agent

        def q(db: sqlite3.Connection) -> None:
            with _Transaction(db):
                new = max_sessions > 0 and db.execute(
                    "SELECT 1 FROM haira_memory WHERE agent=? AND session=? LIMIT 1", (agent, session)
                ).fetchone() is None
                db.executemany(
                    "INSERT INTO haira_memory (agent, session, role, content, interrupted, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(agent, session, m.role, m.content, int(m.interrupted), now) for m in messages],
                )
                if keep > 0:
                    db.execute(
                        "DELETE FROM haira_memory WHERE agent=? AND session=? AND id <= ("
                        " SELECT id FROM haira_memory WHERE agent=? AND session=?"
                        " ORDER BY id DESC LIMIT 1 OFFSET ?)",
                        (agent, session, agent, session, keep),
                    )
                if new and messages:
                    # A new session: evict the agent's least recently written ones over the
                    # cap (this one holds the newest id, so it is never among them).
                    db.execute(
                        "DELETE FROM haira_memory WHERE agent=? AND session IN ("
                        " SELECT session FROM haira_memory WHERE agent=? GROUP BY session"
                        " ORDER BY MAX(id) DESC LIMIT -1 OFFSET ?)",
                        (agent, agent, max_sessions),
                    )

        await self._run(q)

    async def replace_messages(self, agent: str, session: str, messages: list[Message]) -> None:
        now = time.time()

        def q(db: sqlite3.Connection) -> None:
            with _Transaction(db):
                db.execute("DELETE FROM haira_memory WHERE agent=? AND session=?", (agent, session))
                db.executemany(
                    "INSERT INTO haira_memory (agent, session, role, content, interrupted, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(agent, session, m.role, m.content, int(m.interrupted), now) for m in messages],
                )

        await self._run(q)

    # ------------------------------------------------------------ chats

    async def record_chat_message(
        self, session_id: str, workflow: str, role: str, content: str, *, interrupted: bool = False
    ) -> None:
        now = time.time()
        title = content[:80] if role == "user" else ""
        limits = self.limits

        def q(db: sqlite3.Connection) -> None:
            with _Transaction(db):
                new = limits.chats > 0 and db.execute(
                    "SELECT 1 FROM haira_chats WHERE session_id=?", (session_id,)
                ).fetchone() is None
                db.execute(
                    "INSERT INTO haira_chats (session_id, workflow, title, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
                    " updated_at=excluded.updated_at,"
                    " title=CASE WHEN haira_chats.title='' THEN excluded.title ELSE haira_chats.title END",
                    (session_id, workflow, title, now, now),
                )
                db.execute(
                    "INSERT INTO haira_chat_messages (session_id, role, content, interrupted, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (session_id, role, content, int(interrupted), now),
                )
                if limits.chat_messages > 0:
                    db.execute(
                        "DELETE FROM haira_chat_messages WHERE session_id=? AND id <= ("
                        " SELECT id FROM haira_chat_messages WHERE session_id=?"
                        " ORDER BY id DESC LIMIT 1 OFFSET ?)",
                        (session_id, session_id, limits.chat_messages),
                    )
                if new:
                    old = db.execute(
                        "SELECT session_id FROM haira_chats WHERE session_id<>?"
                        " ORDER BY updated_at DESC, session_id LIMIT -1 OFFSET ?",
                        (session_id, limits.chats - 1),
                    ).fetchall()
                    db.executemany("DELETE FROM haira_chats WHERE session_id=?", old)
                    db.executemany("DELETE FROM haira_chat_messages WHERE session_id=?", old)

        await self._run(q)

    async def list_chats(self) -> list[ChatSummary]:
        def q(db: sqlite3.Connection) -> list[ChatSummary]:
            rows = db.execute(
                "SELECT c.session_id, c.workflow, c.title, c.created_at, c.updated_at,"
                " (SELECT COUNT(*) FROM haira_chat_messages m WHERE m.session_id=c.session_id)"
                " FROM haira_chats c ORDER BY c.updated_at DESC, c.session_id"
            ).fetchall()
            return [
                ChatSummary(str(r[0]), str(r[1]), str(r[2]), int(r[5]), rfc3339(r[3]), rfc3339(r[4]))
                for r in rows
            ]

        return await self._run(q)

    async def get_chat(self, session_id: str) -> Chat | None:
        def q(db: sqlite3.Connection) -> Chat | None:
            row = db.execute(
                "SELECT workflow, created_at, updated_at FROM haira_chats WHERE session_id=?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            msgs = db.execute(
                "SELECT role, content, interrupted, created_at FROM haira_chat_messages"
                " WHERE session_id=? ORDER BY id",
                (session_id,),
            ).fetchall()
            return Chat(
                session_id,
                str(row[0]),
                rfc3339(row[1]),
                rfc3339(row[2]),
                [ChatEntry(str(m[0]), str(m[1]), bool(m[2]), rfc3339(m[3])) for m in msgs],
            )

        return await self._run(q)

    async def delete_chat(self, session_id: str) -> bool:
        def q(db: sqlite3.Connection) -> bool:
            with _Transaction(db):
                cur = db.execute("DELETE FROM haira_chats WHERE session_id=?", (session_id,))
                db.execute("DELETE FROM haira_chat_messages WHERE session_id=?", (session_id,))
                return cur.rowcount > 0

        return await self._run(q)

    # ------------------------------------------------------------ runs

    async def save_run(self, run: RunRecord) -> None:
        row = (
            run.id, run.workflow_name, run.workflow_path, run.status, _dumps(run.params),
            _dumps(run.steps), None if run.result is None else _dumps(run.result), run.error,
            run.started_at, run.finished_at, os.getpid(),
        )

        def q(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO haira_runs (id, workflow_name, workflow_path, status,"
                " params, steps, result, error, started_at, finished_at, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        await self._run(q)

    async def get_run(self, run_id: str) -> RunRecord | None:
        def q(db: sqlite3.Connection) -> RunRecord | None:
            row = db.execute(f"SELECT {_RUN_COLUMNS} FROM haira_runs WHERE id=?", (run_id,))
            found = row.fetchone()
            return None if found is None else _run_record(found)

        return await self._run(q)

    async def list_runs(self) -> list[RunRecord]:
        def q(db: sqlite3.Connection) -> list[RunRecord]:
            rows = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM haira_runs ORDER BY started_at DESC, rowid DESC"
            ).fetchall()
            return [_run_record(r) for r in rows]

        return await self._run(q)

    async def close(self) -> None:
        def q(db: sqlite3.Connection) -> None:
            db.close()
            self._conn = None

        if self._conn is not None:
            await self._run(q)
        self._executor.shutdown(wait=False)


_RUN_COLUMNS = (
    "id, workflow_name, workflow_path, status, params, steps, result, error, started_at, finished_at"
)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _run_record(r: tuple[object, ...]) -> RunRecord:
    params, steps = json.loads(str(r[4])), json.loads(str(r[5]))
    return RunRecord(
        id=str(r[0]), workflow_name=str(r[1]), workflow_path=str(r[2]), status=str(r[3]),
        started_at=str(r[8]), params=params if isinstance(params, dict) else {},
        steps=steps if isinstance(steps, list) else [],
        result=None if r[6] is None else json.loads(str(r[6])),
        error=None if r[7] is None else str(r[7]),
        finished_at=None if r[9] is None else str(r[9]),
    )


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _fail_orphaned_runs(db: sqlite3.Connection) -> None:
    """Runs left `running` by a process that is gone are `failed` (REF §5.4). Runs of a
    live process (a sibling worker sharing the file) are left alone."""
    rows = db.execute("SELECT id, owner FROM haira_runs WHERE status='running'").fetchall()
    now = rfc3339(time.time())
    for run_id, owner in rows:
        if not _alive(int(owner)) or int(owner) == os.getpid():
            db.execute(
                "UPDATE haira_runs SET status='failed', error=?, finished_at=?"
                " WHERE id=? AND status='running'",
                (INTERRUPTED, now, run_id),
            )


class _Transaction:
    """`BEGIN IMMEDIATE … COMMIT` (rollback on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
