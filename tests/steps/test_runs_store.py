"""The runs part of the store (reference-runtime.md §5.4): SQLite rows round-trip, newest
first, and a run left `running` by a process that is gone is `failed` when the file is opened."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

from haira.memory import SQLiteStore
from haira.memory.store import INTERRUPTED, RunRecord


def _record(run_id: str, started: str, status: str = "completed") -> RunRecord:
    return RunRecord(
        id=run_id, workflow_name="W", workflow_path="/w", status=status, started_at=started,
        params={"text": "héllo"}, steps=[{"name": "A", "status": "start"}],
        result={"n": 1} if status == "completed" else None, finished_at=None,
    )


def test_round_trip_and_order(tmp_path: Path) -> None:
    async def go() -> None:
        store = SQLiteStore(str(tmp_path / "r.db"))
        await store.save_run(_record("old", "2026-01-01T00:00:00.000001Z"))
        await store.save_run(_record("new", "2026-01-02T00:00:00.000001Z"))
        updated = _record("old", "2026-01-01T00:00:00.000001Z")
        updated.steps.append({"name": "A", "status": "end", "duration_ms": 3})
        await store.save_run(updated)
        assert [r.id for r in await store.list_runs()] == ["new", "old"]
        got = await store.get_run("old")
        assert got == updated
        assert await store.get_run("missing") is None
        await store.close()

    asyncio.run(go())


def test_runs_of_a_dead_process_fail_at_open(tmp_path: Path) -> None:
    db = tmp_path / "r.db"

    async def save(store: SQLiteStore, record: RunRecord) -> None:
        await store.save_run(record)
        await store.close()

    asyncio.run(save(SQLiteStore(str(db)), _record("mine", "2026-01-01T00:00:00Z", "running")))
    # Another (finished) process owned this one.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE haira_runs SET owner=? WHERE id='mine'", (int(dead.stdout),))

    async def reopen() -> RunRecord | None:
        store = SQLiteStore(str(db))
        try:
            return await store.get_run("mine")
        finally:
            await store.close()

    got = asyncio.run(reopen())
    assert got is not None
    assert got.status == "failed" and got.error == INTERRUPTED and got.finished_at


def test_runs_of_a_live_sibling_stay_running(tmp_path: Path) -> None:
    db = tmp_path / "r.db"

    async def save() -> None:
        store = SQLiteStore(str(db))
        await store.save_run(_record("theirs", "2026-01-01T00:00:00Z", "running"))
        await store.close()

    asyncio.run(save())
    sibling = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE haira_runs SET owner=? WHERE id='theirs'", (sibling.pid,))

        async def reopen() -> RunRecord | None:
            store = SQLiteStore(str(db))
            try:
                return await store.get_run("theirs")
            finally:
                await store.close()

        got = asyncio.run(reopen())
        assert got is not None and got.status == "running" and got.error is None
    finally:
        sibling.kill()
        sibling.wait()
