"""Provider selection and the wire formats: OpenAI-compatible endpoints, Azure OpenAI,
Anthropic Messages (native, streamed), the mock backend, and missing API keys."""

from __future__ import annotations

import haira.agents as agents
import haira.providers as providers
import pytest
from agent_helpers import RecordingSink, unique
from haira.errors import ConfigError
from haira.providers.config import ProviderConfig
from haira.testing import FakeLLM, call, reply, tool_calls
from haira.types import STRING, FieldT


def echo_tool() -> agents.Tool:
    return agents.define_tool(
        "lookup", description="Look a word up.", params=(FieldT("word", STRING),), fn=lambda word: f"{word}!"
    )


async def test_anthropic_native_stream_with_tools(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_KEY", "sk-ant-test")
    p = providers.define_provider(
        "claude", {"backend": "anthropic", "api_key": providers.EnvRef("CLAUDE_KEY"), "model": "claude-x"}
    )
    a = agents.define_agent(unique("Claude"), {"provider": p, "system": "Be brief.", "tools": [echo_tool()], "temperature": 0.5})
    fake.script(tool_calls(call("lookup", {"word": "hi"}, id="toolu_1"), text="Let me check."), reply("It says hi!"))
    sink = RecordingSink()
    result = await a.stream("What does it say?", session="an").run(sink)
    assert result.text == sink.text_out == "Let me check.It says hi!"  # all the caller saw
    assert ("tool_end", "lookup", True, None) in sink.events
    assert sink.events[-1] == ("usage", result.usage.prompt_tokens, result.usage.completion_tokens)  # type: ignore[union-attr]

    first, second = fake.model_requests()
    assert first.path == "/v1/messages"
    assert first.headers["x-api-key"] == "sk-ant-test"
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in first.headers
    assert first.json == {
        "model": "claude-x",
        "max_tokens": 8192,
        "messages": [{"role": "user", "content": "What does it say?"}],
        "stream": True,
        "system": "Be brief.",
        "temperature": 0.5,
        "tools": [
            {
                "name": "lookup",
                "description": "Look a word up.",
                "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]},
            }
        ],
    }
    assert second.messages[1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"word": "hi"}},
            ],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": '"hi!"'}]},
    ]


async def test_provider_named_anthropic_uses_the_native_api(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-oat-token")
    p = providers.define_provider("anthropic", {"model": "claude-x"})
    a = agents.define_agent(unique("Claude"), {"provider": p})
    result = await a.stream("hello", session="n").run(RecordingSink())
    assert result.text == "Echo: hello"
    req = fake.model_requests()[0]
    assert req.headers["authorization"] == "Bearer sk-ant-oat-token"
    assert req.headers["anthropic-beta"] == "oauth-2025-04-20"


async def test_azure_openai(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_KEY", "az-secret")
    p = providers.define_provider(
        "azure",
        {"endpoint": fake.url, "api_version": "2024-06-01", "api_key": providers.EnvRef("AZURE_KEY"), "model": "gpt-4.1"},
    )
    a = agents.define_agent(unique("Az"), {"provider": p})
    assert (await a.stream("hi", session="z").run(RecordingSink())).text == "Echo: hi"
    req = fake.model_requests()[0]
    assert req.path == "/openai/deployments/gpt-41/chat/completions?api-version=2024-06-01"
    assert req.headers["api-key"] == "az-secret"
    assert "authorization" not in req.headers


async def test_openai_compatible_endpoint_and_host(fake: FakeLLM) -> None:
    p = providers.define_provider("local", {"endpoint": fake.openai_base, "model": "llama3"})
    a = agents.define_agent(unique("Local"), {"provider": p})
    await a.stream("hi", session="l").run(RecordingSink())
    p2 = providers.define_provider("ollama", {"backend": "ollama", "host": f"127.0.0.1:{fake.port}", "model": "qwen"})
    b = agents.define_agent(unique("Ollama"), {"provider": p2})
    await b.stream("hi", session="l").run(RecordingSink())
    reqs = fake.model_requests()
    assert [r.json["model"] for r in reqs] == ["llama3", "qwen"]  # type: ignore[index]
    assert all(r.path == "/v1/chat/completions" for r in reqs)


def test_backend_resolution() -> None:
    def base(fields: dict[str, object], name: str = "p") -> str:
        return ProviderConfig.from_fields(name, fields).base_url()

    assert base({"backend": "groq"}) == "https://api.groq.com/openai/v1"
    assert base({"backend": "ollama"}) == "http://localhost:11434/v1"
    assert base({"backend": "cloudflare", "account_id": "acc"}) == (
        "https://api.cloudflare.com/client/v4/accounts/acc/ai/v1"
    )
    assert base({"host": "gpu:8000"}) == "http://gpu:8000/v1"
    assert base({"endpoint": "http://x/v1", "backend": "groq"}) == "http://x/v1"
    assert base({}) == "https://api.openai.com/v1"
    assert base({}, name="anthropic") == "https://api.anthropic.com/v1"


def test_backend_mock_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    p = providers.define_provider("demo", {"backend": "mock", "model": "m", "reply": "Fixed.", "token_rate": 0})
    a = agents.define_agent(unique("Demo"), {"provider": p})
    assert a.ask("anything") == "Fixed."


def test_missing_key_warns_at_startup_and_fails_clearly_on_first_use(capsys: pytest.CaptureFixture[str]) -> None:
    p = providers.define_provider("openai", {"api_key": providers.EnvRef("MY_OPENAI_KEY"), "model": "gpt-4o"})
    err = capsys.readouterr().err
    assert "MY_OPENAI_KEY" in err and "warning" in err
    a = agents.define_agent(unique("NoKey"), {"provider": p})
    with pytest.raises(ConfigError, match="environment variable MY_OPENAI_KEY is not set"):
        a.ask("hi")


def test_no_warning_when_the_mock_is_selected(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    providers.define_provider("openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"})
    assert capsys.readouterr().err == ""


def test_unknown_provider_field() -> None:
    with pytest.raises(ConfigError, match='unknown field "modle"'):
        providers.define_provider("openai", {"modle": "gpt-4o"})
    with pytest.raises(ConfigError, match='field "temperature" must be a number'):
        providers.define_provider("openai", {"temperature": "hot"})


def test_keys_never_appear_in_errors(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    from haira.errors import UpstreamError
    from haira.testing import error

    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    a = agents.define_agent(unique("Sec"), {"provider": providers.define_provider("openai", {"model": "gpt-4o"})})
    fake.script(error(401, message="invalid key"))
    with pytest.raises(UpstreamError) as info:
        a.ask("hi")
    assert "sk-very-secret" not in str(info.value)
    assert "HTTP 401: invalid key" in str(info.value)


async def test_mock_provider_shows_tool_activity_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_PROVIDER", "mock")
    p = providers.define_provider("openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"})
    a = agents.define_agent(unique("Offline"), {"provider": p, "tools": [echo_tool()]})
    sink = RecordingSink()
    result = await a.stream("please lookup something", session="o").run(sink)
    assert sink.events[0] == ("tool_start", "lookup", {"word": "mock"})
    assert sink.events[1] == ("tool_end", "lookup", True, None)
    assert result.text == 'Mock reply to: please lookup something (tool said "mock!")'


async def test_provider_temperature_and_max_tokens_are_agent_defaults(fake: FakeLLM) -> None:
    p = providers.define_provider("openai", {"model": "gpt-4o", "temperature": 0.3, "max_tokens": 99})
    plain = agents.define_agent(unique("Plain"), {"provider": p})
    own = agents.define_agent(unique("Own"), {"provider": p, "temperature": 0.8, "max_tokens": 10})
    await plain.stream("a", session="d").run(RecordingSink())
    await own.stream("b", session="d").run(RecordingSink())
    first, second = (r.json for r in fake.model_requests())
    assert isinstance(first, dict) and isinstance(second, dict)
    assert (first["temperature"], first["max_tokens"]) == (0.3, 99)
    assert (second["temperature"], second["max_tokens"]) == (0.8, 10)


async def test_endpoint_rejecting_stream_options_still_streams(fake: FakeLLM) -> None:
    from haira.testing import error

    p = providers.define_provider("strict", {"endpoint": fake.openai_base, "model": "m"})
    a = agents.define_agent(unique("Strict"), {"provider": p})
    fake.script(error(422, message="extra fields not permitted: stream_options"), reply("fine"), reply("again"))
    sink = RecordingSink()
    assert (await a.stream("hi", session="so").run(sink)).text == "fine"
    assert (await a.stream("hi", session="so2").run(RecordingSink())).text == "again"
    first, second, third = fake.model_requests()
    assert "stream_options" in first.json  # type: ignore[operator]
    assert "stream_options" not in second.json and "stream_options" not in third.json  # type: ignore[operator]
    assert sink.kinds() == []  # no usage reported without it
