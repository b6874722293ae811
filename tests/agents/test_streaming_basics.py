"""The thin slice: the doc page's Writer agent streams from the mock provider (no key)
and from the fake OpenAI server through real sockets, and remembers its session."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import httpx
import pytest
from agent_helpers import RecordingSink, unique
from haira.testing import FakeLLM


def writer(name: str | None = None) -> agents.Agent:
    """The doc page's provider + agent blocks, as codegen emits them."""
    openai = providers.define_provider(
        "openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"}
    )
    return agents.define_agent(
        name or unique("Writer"),
        {
            "provider": openai,
            "system": "You are a creative writer. Write short, engaging responses.",
            "memory": memory.conversation(max_turns=10),
            "temperature": 0.9,
        },
    )


async def test_mock_provider_streams_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    w = writer()
    sink = RecordingSink()
    result = await w.stream("Tell me a story", session="abc").run(sink)
    assert result.text == "Mock reply to: Tell me a story"
    assert [e[1] for e in sink.events if e[0] == "text"] == ["Mock", " reply", " to:", " Tell", " me", " a", " story"]
    assert sink.events[-1][0] == "usage"
    assert not result.interrupted


async def test_mock_token_rate_paces_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    monkeypatch.setenv("HAIRA_MOCK_TOKEN_RATE", "100")
    w = writer()
    start = time.monotonic()
    result = await w.stream("one two three four five six seven eight", session="r").run(RecordingSink())
    elapsed = time.monotonic() - start
    assert result.usage is not None and result.usage.completion_tokens == 11
    assert 0.09 <= elapsed < 1.0  # 11 tokens at 100/s: the 11th is due at 0.1 s


def test_ask_is_blocking_and_remembers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    monkeypatch.setenv("HAIRA_MOCK_REPLY", "Once upon a time.")
    w = writer()
    assert w.ask("Tell me a story", session="s1") == "Once upon a time."
    history = asyncio.run(memory.get_store().load_messages(w.name, "s1"))
    assert [(m.role, m.content) for m in history] == [
        ("user", "Tell me a story"),
        ("assistant", "Once upon a time."),
    ]


async def test_stream_from_fake_openai_sends_memory_upstream(fake: FakeLLM) -> None:
    w = writer()
    first = RecordingSink()
    r1 = await w.stream("Tell me a story", session="abc").run(first)
    assert r1.text == "Echo: Tell me a story"
    assert first.text_out == r1.text
    assert ("usage", 13, 5) in first.events  # from the final usage chunk

    r2 = await w.stream("Shorter please", session="abc").run(RecordingSink())
    assert r2.text == "Echo: Shorter please"

    reqs = fake.model_requests()
    assert len(reqs) == 2  # exactly one streamed upstream request per model turn
    body = reqs[1].json
    assert body == {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "You are a creative writer. Write short, engaging responses."},
            {"role": "user", "content": "Tell me a story"},
            {"role": "assistant", "content": "Echo: Tell me a story"},
            {"role": "user", "content": "Shorter please"},
        ],
        "temperature": 0.9,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = reqs[1].headers
    assert headers["authorization"] == "Bearer sk-test-key"
    assert headers["accept"] == "text/event-stream"
    assert headers["content-type"] == "application/json"
    assert reqs[1].path == "/v1/chat/completions"


async def test_sessions_are_separate(fake: FakeLLM) -> None:
    w = writer()
    await w.stream("first", session="a").run(RecordingSink())
    await w.stream("second", session="b").run(RecordingSink())
    msgs = fake.model_requests()[1].messages
    assert [m["content"] for m in msgs if m["role"] != "system"] == ["second"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fake_openai_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "haira.testing.fake_openai", "--port", str(port), "--reply", "Hi from the CLI server"],
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(f"{base}/_fake/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        monkeypatch.setenv("OPENAI_BASE_URL", f"{base}/v1")
        w = writer()
        sink = RecordingSink()
        result = asyncio.run(w.stream("hello", session="cli").run(sink))
        assert result.text == "Hi from the CLI server"
        recorded = httpx.get(f"{base}/_fake/requests").json()
        assert len(recorded) == 1
        assert recorded[0]["json"]["messages"][-1] == {"role": "user", "content": "hello"}
        # No key is needed for a loopback endpoint, and none is sent.
        assert "authorization" not in recorded[0]["headers"]
    finally:
        proc.terminate()
        proc.wait(5)
        assert proc.stderr is not None
        proc.stderr.close()
