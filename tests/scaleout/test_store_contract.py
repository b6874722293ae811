"""The `Store` contract, run against every backend: SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from haira.memory import Message, Store, open_store


@pytest.fixture(params=["sqlite", "postgres", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    kind = request.param
    if kind == "sqlite":
        s = open_store(str(tmp_path / "contract.db"))
    elif kind == "postgres":
        s = open_store(request.getfixturevalue("pg_url"))
    else:
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("HAIRA_REDIS_PREFIX", request.getfixturevalue("redis_prefix"))
        s = open_store(request.getfixturevalue("redis_base"))
    yield s
    await s.close()


def M(role: str, content: str, interrupted: bool = False) -> Message:  # noqa: N802
    return Message(role, content, interrupted)


async def test_memory_append_load_limit(store: Store) -> None:
    assert await store.load_messages("A", "s1") == []
    await store.append_messages("A", "s1", [M("user", "one"), M("assistant", "two")])
    await store.append_messages("A", "s1", [M("user", "three"), M("assistant", "fo\nur", True)])
    got = await store.load_messages("A", "s1")
    assert got == [M("user", "one"), M("assistant", "two"), M("user", "three"),
                   M("assistant", "fo\nur", True)]
    assert await store.load_messages("A", "s1", limit=2) == got[2:]
    assert await store.load_messages("A", "s1", limit=10) == got


async def test_memory_keep_trims_to_newest(store: Store) -> None:
    for i in range(5):
        await store.append_messages("A", "s", [M("user", f"q{i}"), M("assistant", f"a{i}")], keep=4)
    got = await store.load_messages("A", "s")
    assert [m.content for m in got] == ["q3", "a3", "q4", "a4"]


async def test_memory_replace(store: Store) -> None:
    await store.append_messages("A", "s", [M("user", "x"), M("assistant", "y")])
    await store.replace_messages("A", "s", [M("system", "summary: x y")])
    assert await store.load_messages("A", "s") == [M("system", "summary: x y")]
    await store.replace_messages("A", "s", [])
    assert await store.load_messages("A", "s") == []


async def test_memory_is_per_agent_and_session(store: Store) -> None:
    # Names with separators must not collide ("a:b"+"c" vs "a"+"b:c").
    await store.append_messages("a:b", "c", [M("user", "1")])
    await store.append_messages("a", "b:c", [M("user", "2")])
    await store.append_messages("a", "b", [M("user", "3")])
    assert [m.content for m in await store.load_messages("a:b", "c")] == ["1"]
    assert [m.content for m in await store.load_messages("a", "b:c")] == ["2"]
    assert [m.content for m in await store.load_messages("a", "b")] == ["3"]


async def test_unicode_and_large_content(store: Store) -> None:
    text = "héllo 世界 🎉 " + "x" * 200_000
    await store.append_messages("A", "u", [M("user", text)])
    assert (await store.load_messages("A", "u"))[0].content == text


async def test_concurrent_appends_keep_every_message(store: Store) -> None:
    async def one(i: int) -> None:
        await store.append_messages("A", "c", [M("user", f"m{i}")])

    await asyncio.gather(*(one(i) for i in range(40)))
    got = await store.load_messages("A", "c")
    assert sorted(m.content for m in got) == sorted(f"m{i}" for i in range(40))


async def test_chats_record_list_get_delete(store: Store) -> None:
    assert await store.list_chats() == []
    assert await store.get_chat("nope") is None
    # An assistant message first leaves the title empty until the first user message.
    await store.record_chat_message("s1", "/chat", "assistant", "Welcome!")
    await store.record_chat_message("s1", "/chat", "user", "Tell me a story " + "x" * 100)
    await store.record_chat_message("s1", "/chat", "assistant", "Once", interrupted=True)
    await asyncio.sleep(0.01)
    await store.record_chat_message("s2", "/other", "user", "second chat")
    chats = await store.list_chats()
    assert [c.session_id for c in chats] == ["s2", "s1"]
    s1 = chats[1]
    assert s1.workflow == "/chat"
    assert s1.title == ("Tell me a story " + "x" * 100)[:80]
    assert s1.message_count == 3
    assert s1.created_at.endswith("Z") and s1.updated_at >= s1.created_at
    chat = await store.get_chat("s1")
    assert chat is not None
    assert [(e.role, e.content[:4], e.interrupted) for e in chat.messages] == [
        ("assistant", "Welc", False), ("user", "Tell", False), ("assistant", "Once", True)
    ]
    assert all(e.timestamp.endswith("Z") for e in chat.messages)
    # Updating s1 moves it to the top.
    await asyncio.sleep(0.01)
    await store.record_chat_message("s1", "/chat", "user", "more")
    assert [c.session_id for c in await store.list_chats()] == ["s1", "s2"]
    assert (await store.list_chats())[0].title.startswith("Tell me a story")
    assert await store.delete_chat("s1") is True
    assert await store.delete_chat("s1") is False
    assert await store.get_chat("s1") is None
    assert [c.session_id for c in await store.list_chats()] == ["s2"]
    # A deleted chat starts afresh.
    await store.record_chat_message("s1", "/chat", "user", "again")
    chat = await store.get_chat("s1")
    assert chat is not None and [e.content for e in chat.messages] == ["again"]


async def test_runs_save_get_list(store: Store) -> None:
    from haira.memory.store import RunRecord

    assert await store.get_run("nope") is None
    first = RunRecord(id="r1", workflow_name="Flow", workflow_path="/flow", status="running",
                      started_at="2026-11-25T10:00:00Z", params={"n": 1, "z": "é", "a": [1, 2]})
    await store.save_run(first)
    await store.save_run(RunRecord(id="r2", workflow_name="Flow", workflow_path="/flow",
                                   status="running", started_at="2026-11-25T10:00:01Z"))
    first.status = "completed"
    first.steps = [{"name": "one", "status": "done"}]
    first.result = {"b": 2, "a": None}
    first.finished_at = "2026-11-25T10:00:02Z"
    await store.save_run(first)
    got = await store.get_run("r1")
    assert got == first
    assert list(got.params) == ["n", "z", "a"] and list(got.result) == ["b", "a"]  # type: ignore[union-attr, arg-type]
    assert [r.id for r in await store.list_runs()] == ["r2", "r1"]


# ---- caps (docs/limits.md "Sessions and history"): least recently used data goes first,
# the session or chat being written never does.


def _cap(store: Store, **caps: int) -> None:
    from haira.memory.limits import StoreLimits

    store.limits = StoreLimits(**caps)  # type: ignore[attr-defined]  # every backend has one


async def test_sessions_per_agent_evicts_least_recently_written(store: Store) -> None:
    _cap(store, sessions_per_agent=3)
    for s in ("s0", "s1", "s2"):
        await store.append_messages("A", s, [M("user", f"{s}-q"), M("assistant", f"{s}-a")])
        await asyncio.sleep(0.01)
    await store.append_messages("B", "other", [M("user", "b")])  # another agent: not counted
    await store.append_messages("A", "s0", [M("user", "s0-again")])  # s0 is now the newest
    await asyncio.sleep(0.01)
    await store.append_messages("A", "s3", [M("user", "s3-q")])  # the 4th session: s1 goes
    assert await store.load_messages("A", "s1") == []
    for s in ("s0", "s2", "s3"):
        assert await store.load_messages("A", s) != [], s
    assert [m.content for m in await store.load_messages("A", "s0")] == ["s0-q", "s0-a", "s0-again"]
    assert [m.content for m in await store.load_messages("B", "other")] == ["b"]
    await asyncio.sleep(0.01)
    await store.append_messages("A", "s4", [M("user", "s4-q"), M("assistant", "s4-a")], keep=4)
    assert await store.load_messages("A", "s2") == []
    assert [m.content for m in await store.load_messages("A", "s4")] == ["s4-q", "s4-a"]


async def test_chat_messages_keep_the_newest(store: Store) -> None:
    _cap(store, chat_messages=4)
    for i in range(3):
        await store.record_chat_message("c", "/chat", "user", f"q{i}")
        await store.record_chat_message("c", "/chat", "assistant", f"a{i}", interrupted=i == 2)
    chat = await store.get_chat("c")
    assert chat is not None
    assert [(e.content, e.interrupted) for e in chat.messages] == [
        ("q1", False), ("a1", False), ("q2", False), ("a2", True)
    ]
    [summary] = await store.list_chats()
    assert summary.message_count == 4 and summary.title == "q0"  # the title stays


async def test_chats_evict_least_recently_updated(store: Store) -> None:
    _cap(store, chats=2)
    await store.record_chat_message("c1", "/chat", "user", "one")
    await asyncio.sleep(0.01)
    await store.record_chat_message("c2", "/chat", "user", "two")
    await asyncio.sleep(0.01)
    await store.record_chat_message("c1", "/chat", "assistant", "one-reply")  # c1 newest again
    await asyncio.sleep(0.01)
    await store.record_chat_message("c3", "/chat", "user", "three")
    assert [c.session_id for c in await store.list_chats()] == ["c3", "c1"]
    assert await store.get_chat("c2") is None
    # An evicted chat that comes back starts afresh (its old messages went with it).
    await asyncio.sleep(0.01)
    await store.record_chat_message("c2", "/chat", "user", "back")
    chat = await store.get_chat("c2")
    assert chat is not None and [e.content for e in chat.messages] == ["back"]
    assert [c.session_id for c in await store.list_chats()] == ["c2", "c3"]


def test_caps_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from haira.memory.limits import StoreLimits, store_limits

    assert store_limits() == StoreLimits()
    monkeypatch.setenv("HAIRA_MAX_SESSIONS_PER_AGENT", "5")
    monkeypatch.setenv("HAIRA_MAX_CHATS", "0")
    monkeypatch.setenv("HAIRA_MAX_CHAT_MESSAGES", "1")
    assert store_limits() == StoreLimits(sessions_per_agent=5, chats=0, chat_messages=2)
    monkeypatch.setenv("HAIRA_MAX_CHATS", "lots")  # a bad value: the default, and a warning
    assert store_limits().chats == StoreLimits().chats
    assert "[haira] HAIRA_MAX_CHATS must be a whole number" in capsys.readouterr().err
