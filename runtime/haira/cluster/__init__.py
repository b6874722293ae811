"""Scale-out: what several workers and hosts need to serve one set of sessions.

    cluster = configure(settings, sse_limits)     # None unless HAIRA_REDIS_URL is set
    await startup(cluster)                         # server startup: migrations, Redis
    workflows.cluster = cluster                    # track runs, resume/stop across workers

The store (`haira.memory`, `HAIRA_DATABASE_URL`) holds memory and chats; with PostgreSQL
its migrations are applied at startup. Redis (`HAIRA_REDIS_URL`) mirrors every stream's
event log so a `Last-Event-ID` reconnect that lands on another worker is answered there,
and carries Stop (the resumed client going away) back to the worker running the model call.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from haira.errors import ConfigError
from haira.server.config import Settings
from haira.server.sse import SseLimits

if TYPE_CHECKING:
    # NOTE: only for annotations: `redis` is an optional extra (haira-runtime[redis]); the
    # server imports this package on every start and must work without it.
    from haira.cluster.redis_runs import RedisRuns

__all__ = ["configure", "shutdown", "startup"]


def configure(settings: Settings, limits: SseLimits) -> RedisRuns | None:
    """The cross-worker run mirror when `HAIRA_REDIS_URL` is set (else None)."""
    url = os.environ.get("HAIRA_REDIS_URL", "").strip()
    if not url:
        return None
    prefix = os.environ.get("HAIRA_REDIS_PREFIX", "").strip() or "haira"
    try:
        from haira.cluster.redis_runs import RedisRuns
    except ImportError:
        raise ConfigError(
            "HAIRA_REDIS_URL is set but the redis client is not installed "
            "(pip install 'haira-runtime[redis]')"
        ) from None
    return RedisRuns(url, prefix=prefix, limits=limits, ttl_s=settings.resume_ttl_s)


async def startup(cluster: RedisRuns | None, *, workers: int = 1) -> None:
    """Apply the store's migrations now and connect to Redis; failures are reported, not fatal
    (the store and the mirror retry on their own, so a database that starts later is fine)."""
    from haira.memory import get_store

    store = get_store()
    prepare = getattr(store, "prepare", None)
    if prepare is not None:
        try:
            await prepare()
        except Exception as exc:
            sys.stderr.write(f"[haira] store not ready at startup (will retry on use): {exc}\n")
    if cluster is not None:
        await cluster.start()
    elif workers > 1 and os.environ.get("HAIRA_QUIET", "") == "":
        sys.stderr.write(
            "[haira] HAIRA_REDIS_URL is not set: a Last-Event-ID resume or a Stop only reaches "
            "the worker that started the stream\n"
        )


async def shutdown(cluster: RedisRuns | None) -> None:
    """Flush the last events to Redis and disconnect."""
    if cluster is not None:
        await cluster.close()
