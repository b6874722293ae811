"""Crash safety of the store (issue 10 item 7): `kill -9` the app while it streams and
while short exchanges are being written, restart it on the same SQLite file, and the store
opens cleanly with every completed message present and no half-written one."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from haira.testing import endless

from tests.hostile.app_support import App, hostile_app
from tests.hostile.test_disconnects import open_stream, read_until_text

pytestmark = pytest.mark.xdist_group("hostile-crash")

FLOOD_THREADS = 4


def _flood(app: App, t: int, stop: threading.Event, done: list[str]) -> None:
    """Short exchanges, one session each, until the server dies; `done` gets the session
    of every exchange whose reply arrived (so it was stored before its response)."""
    n = 0
    with httpx.Client(headers={**app.auth, "Accept": "application/json"}, timeout=10) as c:
        while not stop.is_set():
            sid = f"flood-{t}-{n}"
            try:
                r = c.post(app.url("/api/stream"), json={"message": sid, "session_id": sid})
            except httpx.HTTPError:
                return
            if r.status_code == 200 and r.json()["reply"] == f"Echo: {sid}":
                done.append(sid)
            n += 1


def _say(app: App, session: str, message: str) -> None:
    r = app.post("/api/stream", {"message": message, "session_id": session}, accept="application/json")
    assert r.status_code == 200, r.text
    assert r.json()["reply"] == f"Echo: {message}"


def test_sigkill_mid_stream_keeps_every_completed_message(tmp_path: Path) -> None:
    db = tmp_path / "hostile.haira.db"  # hostile_app's HAIRA_DATABASE_URL
    done: list[str] = []
    with hostile_app(tmp_path) as app:
        for i in range(3):
            _say(app, "before", f"before {i}")
        app.fake.script(*[endless(text="and on ", token_rate=50) for _ in range(3)])
        cut = [open_stream(app, f"cut-{i}") for i in range(3)]
        for s in cut:
            read_until_text(s)
        stop = threading.Event()
        threads = [threading.Thread(target=_flood, args=(app, t, stop, done)) for t in range(FLOOD_THREADS)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 10
        while len(done) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        app.proc.kill()  # SIGKILL: no shutdown code runs, writes may be in flight
        app.proc.wait(10)
        stop.set()
        for th in threads:
            th.join(15)
        for s in cut:
            s.close()
        assert "Traceback" not in app.logs(), app.logs()[-4000:]
    assert len(done) >= 5, done

    # The file opens cleanly: WAL recovery, no corruption.
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        memory = raw.execute(
            "SELECT session, role, content, interrupted FROM haira_memory WHERE agent='Writer' ORDER BY id"
        ).fetchall()
        chat_rows = raw.execute(
            "SELECT session_id, role, content, interrupted FROM haira_chat_messages ORDER BY id"
        ).fetchall()
    for rows, what in ((memory, "memory"), (chat_rows, "chat")):
        by_session: dict[str, list[tuple[str, str, bool]]] = {}
        for sid, role, content, interrupted in rows:
            by_session.setdefault(sid, []).append((role, content, bool(interrupted)))
        # Every exchange whose reply arrived is there, whole.
        for sid in done:
            assert by_session.get(sid) == [("user", sid, False), ("assistant", f"Echo: {sid}", False)], (
                what, sid, by_session.get(sid))
        assert by_session["before"] == [
            m for i in range(3) for m in (("user", f"before {i}", False),
                                          ("assistant", f"Echo: before {i}", False))
        ], what
        # No half-written message: an assistant message is a whole reply, or marked interrupted.
        for sid, msgs in by_session.items():
            users = [c for r, c, _ in msgs if r == "user"]
            for role, content, interrupted in msgs:
                if role == "assistant" and not interrupted:
                    assert content.removeprefix("Echo: ") in users, (what, sid, msgs)
                if sid.startswith("cut-") and role == "assistant":
                    assert interrupted and content.startswith("and on"), (what, sid, msgs)

    # The restarted app serves from the same file and remembers the earlier exchanges.
    with hostile_app(tmp_path) as app:
        chat = httpx.get(app.url("/_api/chats/before"), headers=app.auth, timeout=10).json()
        assert [m["content"] for m in chat["messages"]][-1] == "Echo: before 2"
        app.fake.reset()
        _say(app, "before", "after")
        prompt = [m["content"] for m in app.fake.model_requests()[0].messages if m["role"] != "system"]
        assert prompt == ["before 0", "Echo: before 0", "before 1", "Echo: before 1",
                          "before 2", "Echo: before 2", "after"]
        _say(app, "cut-0", "resumed")  # an interrupted session goes on
        app.assert_no_secrets()
