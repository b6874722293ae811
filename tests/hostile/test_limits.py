"""Limits (docs/limits.md), each set from the environment and proven on the compiled app:
concurrent streams per client, request body size, messages per session (memory), size of
one stored message, sessions per agent, chats, messages per chat."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from haira.testing import endless, reply

from tests.hostile.app_support import App, hostile_app
from tests.hostile.test_disconnects import open_stream, read_until_text

pytestmark = pytest.mark.xdist_group("hostile-limits")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_limits"), HAIRA_MAX_STREAMS_PER_CLIENT="2",
                     HAIRA_MAX_BODY_BYTES="2000", HAIRA_MAX_MESSAGE_BYTES="3000",
                     HAIRA_LLM_TOTAL_TIMEOUT="60",
                     HAIRA_LLM_IDLE_TIMEOUT="30", HAIRA_MAX_SESSIONS_PER_AGENT="3",
                     HAIRA_MAX_CHATS="3", HAIRA_MAX_CHAT_MESSAGES="4") as a:
        yield a
        a.assert_no_secrets()


def test_concurrent_streams_per_client(app: App) -> None:
    app.fake.reset()
    app.fake.script(endless(token_rate=20), endless(token_rate=20))
    a, b = open_stream(app, "lim-a"), open_stream(app, "lim-b")
    try:
        read_until_text(a)
        read_until_text(b)
        for accept in ("text/event-stream", "application/json"):
            r = app.post("/api/stream", {"message": "third", "session_id": "lim-c"}, accept=accept)
            assert r.status_code == 429, r.text
            assert r.json()["code"] == "too_many_streams"
            assert r.headers["retry-after"] == "1"
        # Plain JSON workflows are not streams and are not counted.
        ok = httpx.post(app.url("/api/calc"), headers=app.auth, timeout=10,
                        json={"a": 1, "ratio": 1.0, "flag": True, "tags": [], "p": {"x": 1, "y": 2}})
        assert ok.status_code == 200, ok.text
    finally:
        a.close()
    # The slot comes back once the vanished stream is gone.
    deadline = time.monotonic() + 5
    while True:
        r = app.post("/api/stream", {"message": "again", "session_id": "lim-d"}, accept="application/json")
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status_code == 200, r.text
    b.close()


def test_request_body_limit_from_the_environment(app: App) -> None:
    r = app.post("/api/stream", {"message": "x" * 2100, "session_id": "big"}, accept="application/json")
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    r = app.post("/api/stream", {"message": "x" * 1500, "session_id": "big"}, accept="application/json")
    assert r.status_code == 200, r.text


def test_messages_per_session_follow_max_turns(app: App) -> None:
    """`memory: conversation(max_turns: 10)` keeps the newest 20 messages of a session."""
    app.fake.reset()
    for i in range(14):
        r = app.post("/api/stream", {"message": f"m{i}", "session_id": "turns"}, accept="application/json")
        assert r.status_code == 200
    last = app.fake.model_requests()[-1].messages
    # The prompt: system prompt, the older stored messages folded into one summary, the
    # newest 16 verbatim, the new message. Stored: exactly the newest 20 (m3 .. Echo: m12).
    verbatim = [m for m in last if m["role"] != "system"][:-1]
    assert len(verbatim) == 16 and verbatim[0]["content"] == "m5", json.dumps(last)
    folded = str(last[1]["content"])
    assert last[1]["role"] == "system" and "m3" in folded and "m4" in folded, folded
    assert "m2" not in folded.replace("m12", ""), folded


def test_stored_message_size(app: App) -> None:
    """The client gets the whole reply; the store keeps HAIRA_MAX_MESSAGE_BYTES of it, marked."""
    long = "wörd " * 1000  # 6000 bytes of UTF-8
    app.fake.reset()
    app.fake.script(reply(long))
    r = app.post("/api/stream", {"message": "long", "session_id": "size"}, accept="application/json")
    assert r.status_code == 200 and r.json()["reply"] == long
    chat = httpx.get(app.url("/_api/chats/size"), headers=app.auth, timeout=10).json()
    stored = chat["messages"][1]
    assert stored["interrupted"] is True
    assert long.startswith(stored["content"]) and 2990 <= len(stored["content"].encode()) <= 3000
    app.fake.reset()
    app.post("/api/stream", {"message": "next", "session_id": "size"}, accept="application/json")
    remembered = app.fake.model_requests()[0].messages[2]
    assert remembered["role"] == "assistant" and remembered["content"] == stored["content"]


def test_sessions_chats_and_chat_messages_are_capped(app: App) -> None:
    """HAIRA_MAX_SESSIONS_PER_AGENT / HAIRA_MAX_CHATS = 3, HAIRA_MAX_CHAT_MESSAGES = 4: the
    least recently used session and chat are dropped, a long chat keeps its newest 4."""
    app.fake.reset()

    def say(session: str, message: str) -> None:
        r = app.post("/api/stream", {"message": message, "session_id": session}, accept="application/json")
        assert r.status_code == 200, r.text
        assert r.json()["reply"] == f"Echo: {message}"

    say("cap-0", "zero")
    for s in ("cap-1", "cap-2"):
        say(s, f"{s} hello")
    for i in range(3):
        say("cap-3", f"turn {i}")  # the current exchange is always kept whole
    with app.client() as c:
        chats = c.get("/_api/chats").json()
        ids = [chat.get("id", chat.get("session_id")) for chat in chats]
        assert ids == ["cap-3", "cap-2", "cap-1"], chats
        assert c.get("/_api/chats/cap-0").status_code == 404
        long = c.get("/_api/chats/cap-3").json()
        assert [m["content"] for m in long["messages"]] == ["turn 1", "Echo: turn 1", "turn 2", "Echo: turn 2"]
    # The agent's memory of cap-0 went too (4 sessions > 3); cap-3 remembers all its turns.
    app.fake.reset()
    say("cap-3", "again")
    say("cap-0", "back")
    with_history, fresh = (r.messages for r in app.fake.model_requests())
    assert [m["content"] for m in with_history if m["role"] == "user"] == [
        "turn 0", "turn 1", "turn 2", "again"]
    assert [m["content"] for m in fresh if m["role"] != "system"] == ["back"], fresh
