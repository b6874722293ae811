"""Fixtures for the scale-out tests: the real PostgreSQL and Redis on loopback.

Every test run gets its own PostgreSQL schema and Redis key prefix (dropped afterwards),
so parallel runs (xdist workers, other engineers) never see each other's rows or keys.
`ci/setup` starts both servers when they are down.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
import redis
from scaleout_support import schema_url

PG_BASE = os.environ.get("HAIRA_TEST_PG", "postgresql://root@127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("HAIRA_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def pg_base() -> str:
    try:
        with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_BASE} (run ci/setup): {exc}")
    return PG_BASE


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    """A fresh, empty schema of the test database; dropped after the test."""
    schema = "haira_t_" + secrets.token_hex(6)
    with psycopg.connect(pg_base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]  # generated name
    try:
        yield schema_url(pg_base, schema)
    finally:
        with psycopg.connect(pg_base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def redis_base() -> str:
    try:
        redis.Redis.from_url(REDIS_BASE, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_BASE} (run ci/setup): {exc}")
    return REDIS_BASE


@pytest.fixture
def redis_prefix(redis_base: str) -> Iterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    prefix = "haira-t-" + secrets.token_hex(6)
    yield prefix
    client = redis.Redis.from_url(redis_base)
    keys = list(client.scan_iter(match=prefix + ":*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
