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
