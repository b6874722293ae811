"""The server starts without the optional extras (redis, psycopg): a compiled app installed
from its wheel alone must serve."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
sys.modules["redis"] = None          # not installed
sys.modules["redis.asyncio"] = None
from haira.server import Server, config
from haira.server.app import HairaApp
app = HairaApp([], config.load(8080, env={}))
print("ok", app.cluster)
"""


def test_server_imports_and_builds_without_redis() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HAIRA_REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok None"


def test_redis_url_without_the_client_is_a_clear_error() -> None:
    probe = PROBE.replace('print("ok", app.cluster)', "")
    env = {**os.environ, "HAIRA_REDIS_URL": "redis://127.0.0.1:1/0"}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "HAIRA_REDIS_URL is set but the redis client is not installed" in done.stderr
