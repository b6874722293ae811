"""Every server test gets its own store: a SQLite file in its tmp_path (also for the
processes it starts, through HAIRA_DATABASE_URL), never `.haira.db` in the checkout."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from haira.memory import SQLiteStore, set_store


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = str(tmp_path / "server-test.haira.db")
    monkeypatch.setenv("HAIRA_DATABASE_URL", path)
    store = SQLiteStore(path)
    set_store(store)
    yield store
    set_store(None)
    # In a thread of its own: a test may leave an event loop running here (playwright).
    closer = threading.Thread(target=asyncio.run, args=(store.close(),))
    closer.start()
    closer.join(10)
