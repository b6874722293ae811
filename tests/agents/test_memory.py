"""Memory kinds and the SQLite store: conversation windows, REF's compaction of long
histories, model-written summaries, `none`, persistence across restarts, chat records,
and many concurrent streams on one store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import pytest
from agent_helpers import RecordingSink, unique
from haira.memory import Message, SQLiteStore
from haira.testing import FakeLLM, reply


def agent(mem: memory.MemoryPolicy) -> agents.Agent:
    p = providers.define_provider("openai", {"model": "gpt-4o"})
    return agents.define_agent(unique("Mem"), {"provider": p, "memory": mem})


async def test_conversation_keeps_the_last_turns(fake: FakeLLM) -> None:
    a = agent(memory.conversation(max_turns=2))
    for i in range(4):
        await a.stream(f"m{i}", session="w").run(RecordingSink())
    sent = [m["content"] for m in fake.model_requests()[-1].messages]
    assert sent == ["m1", "Echo: m1", "m2", "Echo: m2", "m3"]
    stored = await memory.get_store().load_messages(a.name, "w")
    assert len(stored) == 4  # trimmed in the store too


async def test_long_histories_are_compacted_like_ref(fake: FakeLLM) -> None:
    a = agent(memory.conversation(max_turns=10))
    for i in range(9):
        await a.stream(f"question {i}", session="long").run(RecordingSink())
    sent = fake.model_requests()[-1].messages
    # 16 stored messages: all verbatim; one more turn makes 18 → 2 folded into a summary.
    assert len(sent) == 17
    await a.stream("question 9", session="long").run(RecordingSink())
    sent = fake.model_requests()[-1].messages
    assert sent[0] == {
        "role": "system",
        "content": "Summary of earlier conversation:\n- User: question 0\n- Assistant: Echo: question 0",
    }
    assert len(sent) == 1 + 16 + 1


async def test_none_memory_remembers_nothing(fake: FakeLLM) -> None:
    a = agent(memory.none)
    await a.stream("one", session="n").run(RecordingSink())
    await a.stream("two", session="n").run(RecordingSink())
    assert fake.model_requests()[-1].messages == [{"role": "user", "content": "two"}]
    assert await memory.get_store().load_messages(a.name, "n") == []


async def test_summary_memory_asks_the_model_for_a_summary(fake: FakeLLM) -> None:
    a = agent(memory.summary(max_tokens=200, max_turns=2))
    for i in range(2):
        await a.stream(f"fact {i}", session="s").run(RecordingSink())
    assert len(fake.model_requests()) == 2  # within budget: no summary call
    fake.script(reply("Echo: fact 2"), reply("The user listed facts 0 to 2."))
    await a.stream("fact 2", session="s").run(RecordingSink())
    reqs = fake.model_requests()
    assert len(reqs) == 4
    summary_req = reqs[3].json
    assert isinstance(summary_req, dict)
    assert summary_req["max_tokens"] == 200
    assert "fact 0" in summary_req["messages"][1]["content"]
    stored = await memory.get_store().load_messages(a.name, "s")
    assert stored[0] == Message("system", "Summary of earlier conversation:\nThe user listed facts 0 to 2.")
    assert [m.content for m in stored[1:]] == ["fact 2", "Echo: fact 2"]
    await a.stream("what did I say?", session="s").run(RecordingSink())
    assert fake.model_requests()[-1].messages[0]["content"] == stored[0].content


async def test_memory_survives_a_restart(fake: FakeLLM, tmp_path: Path) -> None:
    path = str(tmp_path / "restart.db")
    memory.set_store(SQLiteStore(path))
    a = agent(memory.conversation())
    await a.stream("remember me", session="r").run(RecordingSink())
    await memory.get_store().close()
    memory.set_store(SQLiteStore(path))  # a new process would open the same file
    await a.stream("who am I?", session="r").run(RecordingSink())
    assert [m["content"] for m in fake.model_requests()[-1].messages] == [
        "remember me",
        "Echo: remember me",
        "who am I?",
    ]


async def test_chat_records(store: SQLiteStore) -> None:
    await store.record_chat_message("c1", "Chat", "user", "Hello there")
    await store.record_chat_message("c1", "Chat", "assistant", "Hi!", interrupted=True)
    await store.record_chat_message("c2", "Chat", "user", "Second chat")
    chats = await store.list_chats()
    assert [c.session_id for c in chats] == ["c2", "c1"]
    assert chats[1].title == "Hello there" and chats[1].message_count == 2
    chat = await store.get_chat("c1")
    assert chat is not None
    assert [(m.role, m.content, m.interrupted) for m in chat.messages] == [
        ("user", "Hello there", False),
        ("assistant", "Hi!", True),
    ]
    assert chat.created_at.endswith("Z")
    assert await store.delete_chat("c1") is True
    assert await store.delete_chat("c1") is False
    assert await store.get_chat("c1") is None


async def test_many_concurrent_streams_share_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    a = agent(memory.conversation(max_turns=3))

    async def session(i: int) -> None:
        for turn in range(3):
            await a.stream(f"s{i} t{turn}", session=f"s{i}").run(RecordingSink())

    await asyncio.gather(*(session(i) for i in range(100)))
    store = memory.get_store()
    for i in (0, 57, 99):
        msgs = await store.load_messages(a.name, f"s{i}")
        assert [m.content for m in msgs] == [
            x for t in range(3) for x in (f"s{i} t{t}", f"Mock reply to: s{i} t{t}")
        ]


def test_database_url_selects_the_store(tmp_path: Path) -> None:
    from haira.errors import ConfigError

    s = memory.open_store(f"sqlite:///{tmp_path}/x.db")
    assert isinstance(s, SQLiteStore) and s.path == f"{tmp_path}/x.db"
    with pytest.raises(ConfigError, match="unsupported store 'mysql'"):
        memory.open_store("mysql://localhost/db")
