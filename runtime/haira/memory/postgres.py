"""PostgreSQL implementation of `Store` (`HAIRA_DATABASE_URL=postgresql://...`).

Several worker processes and hosts share one database, so every conversation continues
on whichever worker gets the next request. psycopg 3 (async) with a psycopg-pool pool per
event loop; every write is one transaction; the schema migrations in `migrations/` are
applied on first use (and at server startup), serialised by an advisory lock so workers
starting together do not race. A schema other than `public` is chosen the libpq way:
`postgresql://host/db?options=-csearch_path%3Dmyschema`.

When the server cannot be reached (restart, network), operations fail within
`HAIRA_DB_TIMEOUT` seconds with `StoreUnavailable`; broken pooled connections are
discarded on their next checkout, so the store recovers by itself once the server is back.

Knobs: `HAIRA_DB_POOL_MIN` (1), `HAIRA_DB_POOL_MAX` (10), `HAIRA_DB_TIMEOUT` (5 s).
"""

from __future__ import annotations

import asyncio
import importlib.resources
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
import psycopg_pool

from haira.errors import ConfigError
from haira.memory import runs_codec
from haira.memory.limits import store_limits
from haira.memory.perloop import PerLoop
from haira.memory.store import Chat, ChatEntry, ChatSummary, Message, Store, rfc3339
from haira.memory.unavailable import StoreUnavailable

if TYPE_CHECKING:
    from haira.memory.store import RunRecord

__all__ = ["PostgresStore", "migrations"]

T = TypeVar("T")
Conn = psycopg.AsyncConnection[Any]

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS haira_schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped with the runtime, in order."""
    folder = importlib.resources.files("haira.memory").joinpath("migrations")
    out: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    out.sort()
    return out


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def _cause(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresStore(Store):
    """The shared store on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.min_size = int(_env_number("HAIRA_DB_POOL_MIN", 1))
        self.max_size = max(self.min_size, int(_env_number("HAIRA_DB_POOL_MAX", 10)))
        self.timeout = _env_number("HAIRA_DB_TIMEOUT", 5.0)
        self._pools: PerLoop[psycopg_pool.AsyncConnectionPool[Conn]] = PerLoop(self._new_pool)
        self._opened: set[int] = set()  # ids of pools that are open and migrated
        self._open_lock: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)
        self.migrated = False
        self.limits = store_limits()

    # ------------------------------------------------------------ plumbing

    def _new_pool(self) -> psycopg_pool.AsyncConnectionPool[Conn]:
        return psycopg_pool.AsyncConnectionPool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            open=False,
            timeout=self.timeout,
            # No check on checkout (it would cost a round trip per operation): a connection
            # broken by a server restart fails its next statement, is discarded by the pool
            # on return, and `_run` checks the idle ones and retries once on a fresh one.
            kwargs={"connect_timeout": max(1, int(self.timeout))},
            name="haira",
        )

    async def _pool(self) -> psycopg_pool.AsyncConnectionPool[Conn]:
        pool = self._pools.get()
        if id(pool) in self._opened:
            return pool
        async with self._open_lock.get():
            if id(pool) not in self._opened:
                # wait=False: a database that is down now must not block startup; the
                # first real use fails clearly after `timeout` instead.
                await pool.open(wait=False)
                self._opened.add(id(pool))
        return pool

    async def _run(self, fn: Callable[[Conn], Awaitable[T]], *, write: bool) -> T:
        try:
            pool = await self._pool()
            if not self.migrated:
                await self.migrate()
            for attempt in (1, 2):
                used: Conn | None = None
                try:
                    async with pool.connection() as conn:
                        used = conn
                        if write:
                            async with conn.transaction():
                                return await fn(conn)
                        return await fn(conn)
                except psycopg.OperationalError:
                    # A pooled connection the server closed (restart, idle timeout) breaks
                    # on its first statement, so nothing was committed: try once more on a
                    # fresh one. A server that is really down fails again and is reported.
                    if used is None or not used.broken or attempt == 2:
                        raise
                    await pool.check()  # its idle siblings are likely dead too: drop them
            raise AssertionError("unreachable")
        except psycopg_pool.PoolTimeout as exc:
            raise StoreUnavailable(
                f"the database is unavailable (no connection within {self.timeout:g}s): {_cause(exc)}"
            ) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise StoreUnavailable(f"the database is unavailable: {_cause(exc)}") from None
        except psycopg.Error as exc:
            raise StoreUnavailable(f"database error: {_cause(exc)}") from None

    async def migrate(self) -> list[str]:
        """Apply the migrations this database lacks; returns the names applied."""
        pool = await self._pool()
        applied: list[str] = []
        async with pool.connection() as conn, conn.transaction():
            # One worker at a time per schema; the others then find nothing left to do.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':haira_migrations'))"
            )
            await conn.execute(_MIGRATIONS_TABLE)
            cur = await conn.execute("SELECT version FROM haira_schema_migrations")
            done = {int(r[0]) for r in await cur.fetchall()}
            for version, name, sql in migrations():
                if version in done:
                    continue
                await conn.execute(sql.encode())  # a trusted file shipped with the runtime
                await conn.execute(
                    "INSERT INTO haira_schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
                applied.append(name)
        self.migrated = True
        return applied

    async def prepare(self) -> None:
        """Open the pool, apply migrations and mark the runs this host's dead processes
        left `running` as failed (server startup), wrapped like any call."""
        await self._run(_fail_orphaned_runs, write=True)

    # ------------------------------------------------------------ runs (/_api/runs)

    async def save_run(self, run: RunRecord) -> None:
        row = runs_codec.to_row(run)

        async def q(db: Conn) -> None:
            await db.execute(
                "INSERT INTO haira_runs (id, workflow_name, workflow_path, status, params, steps,"
                " result, error, started_at, finished_at, owner)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET workflow_name=excluded.workflow_name,"
                " workflow_path=excluded.workflow_path, status=excluded.status,"
                " params=excluded.params, steps=excluded.steps, result=excluded.result,"
                " error=excluded.error, started_at=excluded.started_at,"
                " finished_at=excluded.finished_at, owner=excluded.owner",
                row,
            )

        await self._run(q, write=True)

    async def get_run(self, run_id: str) -> RunRecord | None:
        async def q(db: Conn) -> RunRecord | None:
            cur = await db.execute(f"SELECT {_RUN_COLUMNS} FROM haira_runs WHERE id=%s", (run_id,))
            row = await cur.fetchone()
            return None if row is None else runs_codec.from_row(tuple(row))

        return await self._run(q, write=False)

    async def list_runs(self) -> list[RunRecord]:
        async def q(db: Conn) -> list[RunRecord]:
            cur = await db.execute(
                f"SELECT {_RUN_COLUMNS} FROM haira_runs ORDER BY started_at DESC, seq DESC"
            )
            return [runs_codec.from_row(tuple(r)) for r in await cur.fetchall()]

        return await self._run(q, write=False)

    # ------------------------------------------------------------ memory

    async def load_messages(self, agent: str, session: str, *, limit: int = 0) -> list[Message]:
        async def q(db: Conn) -> list[Message]:
            if limit > 0:
                cur = await db.execute(
                    "SELECT role, content, interrupted FROM haira_memory"
                    " WHERE agent=%s AND session=%s ORDER BY id DESC LIMIT %s",
                    (agent, session, limit),
                )
                rows = await cur.fetchall()
                rows.reverse()
            else:
                cur = await db.execute(
                    "SELECT role, content, interrupted FROM haira_memory"
                    " WHERE agent=%s AND session=%s ORDER BY id",
                    (agent, session),
                )
                rows = await cur.fetchall()
            return [Message(str(r[0]), str(r[1]), bool(r[2])) for r in rows]

        return await self._run(q, write=False)

    async def append_messages(
        self, agent: str, session: str, messages: list[Message], *, keep: int = 0
    ) -> None:
        now = time.time()
        max_sessions = self.limits.sessions_per_agent

        async def q(db: Conn) -> None:
            async with db.cursor() as cur:
                new = False
                if max_sessions > 0 and messages:
                    await cur.execute(
                        "SELECT 1 FROM haira_memory WHERE agent=%s AND session=%s LIMIT 1",
                        (agent, session),
                    )
                    new = await cur.fetchone() is None
                await cur.executemany(
                    "INSERT INTO haira_memory (agent, session, role, content, interrupted, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    [(agent, session, m.role, m.content, m.interrupted, now) for m in messages],
                )
                if keep > 0:
                    await cur.execute(
                        "DELETE FROM haira_memory WHERE agent=%s AND session=%s AND id <= ("
                        " SELECT id FROM haira_memory WHERE agent=%s AND session=%s"
                        " ORDER BY id DESC LIMIT 1 OFFSET %s)",
                        (agent, session, agent, session, keep),
                    )
                if new:
                    # A new session: evict the agent's least recently written ones over the
                    # cap (this one holds the newest id, so it is never among them).
                    await cur.execute(
                        "DELETE FROM haira_memory WHERE agent=%s AND session IN ("
                        " SELECT session FROM haira_memory WHERE agent=%s GROUP BY session"
                        " ORDER BY MAX(id) DESC OFFSET %s)",
                        (agent, agent, max_sessions),
                    )

        await self._run(q, write=True)

    async def replace_messages(self, agent: str, session: str, messages: list[Message]) -> None:
        now = time.time()

        async def q(db: Conn) -> None:
            async with db.cursor() as cur:
                await cur.execute(
                    "DELETE FROM haira_memory WHERE agent=%s AND session=%s", (agent, session)
                )
                await cur.executemany(
                    "INSERT INTO haira_memory (agent, session, role, content, interrupted, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    [(agent, session, m.role, m.content, m.interrupted, now) for m in messages],
                )

        await self._run(q, write=True)

    # ------------------------------------------------------------ chats

    async def record_chat_message(
        self, session_id: str, workflow: str, role: str, content: str, *, interrupted: bool = False
    ) -> None:
        now = time.time()
        title = content[:80] if role == "user" else ""
        limits = self.limits

        async def q(db: Conn) -> None:
            new = False
            if limits.chats > 0:
                cur = await db.execute(
                    "SELECT 1 FROM haira_chats WHERE session_id=%s", (session_id,)
                )
                new = await cur.fetchone() is None
            await db.execute(
                "INSERT INTO haira_chats (session_id, workflow, title, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (session_id) DO UPDATE SET"
                " updated_at=GREATEST(haira_chats.updated_at, excluded.updated_at),"
                " title=CASE WHEN haira_chats.title='' THEN excluded.title"
                " ELSE haira_chats.title END",
                (session_id, workflow, title, now, now),
            )
            await db.execute(
                "INSERT INTO haira_chat_messages (session_id, role, content, interrupted, created_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (session_id, role, content, interrupted, now),
            )
            if limits.chat_messages > 0:
                await db.execute(
                    "DELETE FROM haira_chat_messages WHERE session_id=%s AND id <= ("
                    " SELECT id FROM haira_chat_messages WHERE session_id=%s"
                    " ORDER BY id DESC LIMIT 1 OFFSET %s)",
                    (session_id, session_id, limits.chat_messages),
                )
            if new:
                # Messages go with their chat (ON DELETE CASCADE).
                await db.execute(
                    "DELETE FROM haira_chats WHERE session_id IN ("
                    " SELECT session_id FROM haira_chats WHERE session_id<>%s"
                    " ORDER BY updated_at DESC, session_id OFFSET %s)",
                    (session_id, limits.chats - 1),
                )

        await self._run(q, write=True)

    async def list_chats(self) -> list[ChatSummary]:
        async def q(db: Conn) -> list[ChatSummary]:
            cur = await db.execute(
                "SELECT c.session_id, c.workflow, c.title, c.created_at, c.updated_at,"
                " (SELECT COUNT(*) FROM haira_chat_messages m WHERE m.session_id=c.session_id)"
                " FROM haira_chats c ORDER BY c.updated_at DESC, c.session_id"
            )
            rows = await cur.fetchall()
            return [
                ChatSummary(str(r[0]), str(r[1]), str(r[2]), int(r[5]), rfc3339(r[3]), rfc3339(r[4]))
                for r in rows
            ]

        return await self._run(q, write=False)

    async def get_chat(self, session_id: str) -> Chat | None:
        async def q(db: Conn) -> Chat | None:
            cur = await db.execute(
                "SELECT workflow, created_at, updated_at FROM haira_chats WHERE session_id=%s",
                (session_id,),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            cur = await db.execute(
                "SELECT role, content, interrupted, created_at FROM haira_chat_messages"
                " WHERE session_id=%s ORDER BY id",
                (session_id,),
            )
            msgs = await cur.fetchall()
            return Chat(
                session_id,
                str(row[0]),
                rfc3339(row[1]),
                rfc3339(row[2]),
                [ChatEntry(str(m[0]), str(m[1]), bool(m[2]), rfc3339(m[3])) for m in msgs],
            )

        return await self._run(q, write=False)

    async def delete_chat(self, session_id: str) -> bool:
        async def q(db: Conn) -> bool:
            await db.execute("DELETE FROM haira_chat_messages WHERE session_id=%s", (session_id,))
            cur = await db.execute("DELETE FROM haira_chats WHERE session_id=%s", (session_id,))
            return cur.rowcount > 0

        return await self._run(q, write=True)

    async def close(self) -> None:
        """Close this loop's pool (other loops' pools close with their loops)."""
        pool = self._pools.pop_current()
        if pool is not None:
            self._opened.discard(id(pool))
            await pool.close(timeout=1.0)

    def after_fork(self) -> None:
        """In a forked worker: the parent's pools (and sockets) are not ours to use."""
        self._pools.clear()
        self._opened.clear()
        self._open_lock.clear()


_RUN_COLUMNS = (
    "id, workflow_name, workflow_path, status, params, steps, result, error, started_at, finished_at"
)


async def _fail_orphaned_runs(db: Conn) -> None:
    from haira.memory.store import INTERRUPTED, rfc3339

    cur = await db.execute("SELECT id, owner FROM haira_runs WHERE status='running'")
    now = rfc3339(time.time())
    for run_id, owner in await cur.fetchall():
        if runs_codec.orphaned(str(owner)):
            await db.execute(
                "UPDATE haira_runs SET status='failed', error=%s, finished_at=%s"
                " WHERE id=%s AND status='running'",
                (INTERRUPTED, now, run_id),
            )
