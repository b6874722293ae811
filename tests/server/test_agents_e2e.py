"""Real agents behind the server: the fake OpenAI server and the mock provider, over loopback."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import httpx
import pytest
from haira.testing import FakeLLM, call, endless, error, reply, tool_calls
from haira.types import STRING, FieldT
from server_support import live_server, parse_events, stream_id, stream_spec

_ids = itertools.count()
SESSION = (FieldT("message", STRING), FieldT("session_id", STRING))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HAIRA_PROVIDER", "HAIRA_MOCK_TOKEN_RATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HAIRA_QUIET", "1")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-key-123")
        yield server


def _writer(tools: list[agents.Tool] | None = None) -> agents.Agent:
    openai = providers.define_provider(
        "openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"}
    )
    fields: dict[str, object] = {
        "provider": openai,
        "system": "You are a creative writer. Write short, engaging responses.",
        "memory": memory.conversation(max_turns=10),
        "temperature": 0.9,
    }
    if tools:
        fields["tools"] = tools
    return agents.define_agent(f"Writer{next(_ids)}", fields)


def _stream_workflow(agent: agents.Agent) -> list:  # type: ignore[type-arg]
    def Stream(message: str, session_id: str) -> agents.AgentStream:  # noqa: N802 - Haira name
        return agent.stream(message, session=session_id)

    return [stream_spec("/api/stream", Stream, params=SESSION, name="Stream")]


def test_fake_openai_stream_and_json_fallback(fake: FakeLLM) -> None:
    fake.script(reply("Once upon a time"), reply("The end"))
    with live_server(_stream_workflow(_writer())) as srv:
        r = httpx.post(
            srv.url("/api/stream"), json={"message": "Tell me a story", "session_id": "abc"}
        )
        events = parse_events(r.content)
        texts = [e["data"] for e in events if "data" in e and "event" not in e]
        assert "".join(__import__("json").loads(t)["content"] for t in texts) == "Once upon a time"
        assert [e.get("event") for e in events if "event" in e] == ["usage", "done"]
        r = httpx.post(
            srv.url("/api/stream"),
            json={"message": "And then?", "session_id": "abc"},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 200
        assert r.json()["reply"] == "The end"
    second = fake.requests[1].messages
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[2]["content"] == "Once upon a time"


def test_tool_calls_become_events(fake: FakeLLM) -> None:
    def weather(city: str) -> str:
        return f"4C in {city}"

    tool = agents.define_tool(
        "get_weather",
        description="Weather for a city",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}},
        params=(FieldT("city", STRING),),
        fn=weather,
    )
    fake.script(tool_calls(call("get_weather", {"city": "Oslo"})), reply("It is 4C."))
    with live_server(_stream_workflow(_writer([tool]))) as srv:
        body = httpx.post(
            srv.url("/api/stream"), json={"message": "Weather?", "session_id": "t"}
        ).content
    sid = stream_id(body)
    text = body.decode()
    assert (
        f'id: {sid}:1\nevent: tool_start\ndata: {{"tool":"get_weather","args":{{"city":"Oslo"}}}}\n\n'
        f'id: {sid}:2\nevent: tool_end\ndata: {{"tool":"get_weather","ok":true}}\n\n'
    ) in text
    assert text.endswith("event: done\ndata: [DONE]\n\n")


def test_upstream_failure_statuses(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_LLM_MAX_RETRIES", "0")
    fake.script(error(500, message="provider exploded"), error(500, message="again"))
    with live_server(_stream_workflow(_writer())) as srv:
        r = httpx.post(
            srv.url("/api/stream"),
            json={"message": "x", "session_id": "e"},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 502
        assert r.json()["code"] == "upstream_error"
        assert "sk-test-secret-key-123" not in r.text
        body = httpx.post(srv.url("/api/stream"), json={"message": "x", "session_id": "e"}).text
        events = parse_events(body.encode())
        assert events[-2]["event"] == "error"
        assert '"code":"upstream_error"' in events[-2]["data"]
        assert events[-1]["data"] == "[DONE]"


def test_disconnect_closes_the_upstream_request_within_one_second(fake: FakeLLM) -> None:
    fake.script(endless(token_rate=50))
    with live_server(_stream_workflow(_writer())) as srv:
        sock = socket.create_connection(("127.0.0.1", srv.port))
        body = b'{"message":"go on","session_id":"d"}'
        sock.sendall(
            b"POST /api/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        got = b""
        while got.count(b'"content"') < 3:
            got += sock.recv(65536)
        closed_at = time.monotonic()
        sock.close()
        deadline = time.monotonic() + 3
        while fake.requests[0].client_closed_at is None and time.monotonic() < deadline:
            time.sleep(0.01)
        gone = fake.requests[0].client_closed_at
        assert gone is not None
        assert gone - closed_at < 1.0
        # The partial reply is kept as an interrupted chat message.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            chat = httpx.get(srv.url("/_api/chats/d"))
            if chat.status_code == 200 and len(chat.json()["messages"]) == 2:
                break
            time.sleep(0.05)
        msgs = chat.json()["messages"]
        assert msgs[1]["interrupted"] is True
        assert msgs[1]["content"].startswith("and on")


def test_two_concurrent_sessions_keep_separate_memories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    monkeypatch.setenv("HAIRA_MOCK_TOKEN_RATE", "200")
    agent = _writer()
    with live_server(_stream_workflow(agent)) as srv:
        results: dict[str, list[str]] = {}

        def converse(sid: str) -> None:
            replies = []
            for turn in range(3):
                r = httpx.post(
                    srv.url("/api/stream"),
                    json={"message": f"{sid} turn {turn}", "session_id": sid},
                    timeout=10,
                )
                assert r.text.endswith("data: [DONE]\n\n")
                replies.append(r.text)
            results[sid] = replies

        threads = [threading.Thread(target=converse, args=(sid,)) for sid in ("alice", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)

    async def history(sid: str) -> list[str]:
        msgs = await memory.get_store().load_messages(agent.name, sid)
        return [m.content for m in msgs]

    import asyncio

    for sid, other in (("alice", "bob"), ("bob", "alice")):
        contents = asyncio.run(history(sid))
        assert [c for c in contents if not c.startswith("Mock")] == [
            f"{sid} turn 0",
            f"{sid} turn 1",
            f"{sid} turn 2",
        ]
        assert all(other not in c for c in contents)
