"""PostgreSQL specifics: migrations (once, concurrently, recorded), transactional writes,
clear errors for an unreachable server, and the factory's URL forms."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from haira.errors import ConfigError
from haira.memory import Message, open_store
from haira.memory.postgres import PostgresStore, migrations
from haira.memory.unavailable import StoreUnavailable
from scaleout_support import free_port

pytestmark = pytest.mark.postgres


async def test_migrations_run_once_even_when_workers_start_together(pg_url: str) -> None:
    stores = [PostgresStore(pg_url) for _ in range(4)]
    applied = await asyncio.gather(*(s.migrate() for s in stores))
    names = [m[1] for m in migrations()]
    # Exactly one store applied each migration; the others found nothing to do.
    assert sorted(n for a in applied for n in a) == sorted(names)
    assert await stores[0].migrate() == []
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT version, name FROM haira_schema_migrations ORDER BY version").fetchall()
    assert [r[1] for r in rows] == names
    for s in stores:
        await s.close()


async def test_a_failed_write_leaves_nothing_behind(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    await store.append_messages("A", "s", [Message("user", "kept")])
    # PostgreSQL rejects NUL in text: the second row fails, so the first of the batch
    # must not stay either (one transaction per write).
    with pytest.raises(StoreUnavailable, match="database error"):
        await store.append_messages("A", "s", [Message("user", "ok"), Message("user", "bad\x00")])
    with pytest.raises(StoreUnavailable):
        await store.replace_messages("A", "s", [Message("system", "bad\x00")])
    assert [m.content for m in await store.load_messages("A", "s")] == ["kept"]
    await store.close()


async def test_unreachable_server_fails_fast_and_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_DB_TIMEOUT", "1")
    store = PostgresStore(f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    with pytest.raises(StoreUnavailable, match="the database is unavailable"):
        await store.load_messages("A", "s")
    assert loop.time() - t0 < 5
    await store.close()


def test_factory_url_forms(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(open_store(pg_url), PostgresStore)
    assert isinstance(open_store(pg_url.replace("postgresql://", "postgres://")), PostgresStore)
    with pytest.raises(ConfigError, match="supported: sqlite, postgresql, redis"):
        open_store("mysql://x/y")
    monkeypatch.setenv("HAIRA_DB_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="HAIRA_DB_TIMEOUT"):
        open_store(pg_url)


async def test_connections_killed_by_the_server_are_replaced_without_an_error(pg_url: str) -> None:
    app_name = "haira_t_kill"
    store = PostgresStore(f"{pg_url}&application_name={app_name}")
    await store.append_messages("A", "s", [Message("user", "before")])
    # Hold several pooled connections, then have the server kill them all (what a restart
    # or an idle timeout does to a pool).
    await asyncio.gather(*(store.load_messages("A", "s") for _ in range(6)))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            (app_name,),
        ).fetchone()
    assert killed is not None and killed[0] >= 1
    await asyncio.sleep(0.2)
    await store.append_messages("A", "s", [Message("user", "after")])
    got = await asyncio.gather(*(store.load_messages("A", "s") for _ in range(6)))
    assert all([m.content for m in g] == ["before", "after"] for g in got)
    await store.close()
