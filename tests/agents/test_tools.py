"""Tools end to end: schemas go upstream, streamed tool-call fragments are assembled
however the provider splits them, calls of one turn run concurrently, results go back
as tool messages, and the caller sees tool_start / tool_end events."""

from __future__ import annotations

import threading
import time

import haira.agents as agents
import haira.providers as providers
import orjson
import pytest
from agent_helpers import RecordingSink, unique
from haira.errors import HairaError, HairaRuntimeError
from haira.testing import FakeLLM, call, reply, tool_calls
from haira.types import FLOAT, INT, STRING, FieldT


def weather_tool(log: list[str] | None = None, delay: float = 0.0) -> agents.Tool:
    def get_weather(city: str, days: int = 1) -> str:
        if log is not None:
            log.append(f"{city}:{days}")
        if delay:
            time.sleep(delay)
        return f"{city}: 4C"

    return agents.define_tool(
        "get_weather",
        description="Current weather for a city.",
        params=(FieldT("city", STRING), FieldT("days", INT, 1)),
        fn=get_weather,
    )


def agent_with(tools: list[agents.Tool], **extra: object) -> agents.Agent:
    p = providers.define_provider("openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"})
    return agents.define_agent(unique("Assistant"), {"provider": p, "system": "Be concise.", "tools": tools, **extra})


async def test_tool_call_round_trip(fake: FakeLLM) -> None:
    log: list[str] = []
    a = agent_with([weather_tool(log)])
    fake.script(tool_calls(call("get_weather", {"city": "Oslo"}, id="call_1")), reply("It is 4C in Oslo."))
    sink = RecordingSink()
    result = await a.stream("Weather in Oslo?", session="t").run(sink)

    assert result.text == "It is 4C in Oslo."
    assert log == ["Oslo:1"]  # the default of `days` applied
    assert sink.kinds() == ["tool_start", "tool_end", "usage"]
    assert sink.events[0] == ("tool_start", "get_weather", {"city": "Oslo"})
    assert sink.events[1] == ("tool_end", "get_weather", True, None)

    reqs = fake.model_requests()
    assert len(reqs) == 2  # one streamed request per model turn, no probe call
    first = reqs[0].json
    assert isinstance(first, dict)
    assert first["stream"] is True
    assert first["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "number"}},
                    "required": ["city"],
                },
            },
        }
    ]
    assert reqs[1].messages[-2:] == [
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}
            ],
        },
        {"role": "tool", "content": '"Oslo: 4C"', "tool_call_id": "call_1"},
    ]


@pytest.mark.parametrize("style", ["standard", "no_index", "same_index", "id_every_fragment"])
async def test_fragment_styles_assemble_to_the_same_calls(fake: FakeLLM, style: str) -> None:
    log: list[str] = []
    a = agent_with([weather_tool(log)])
    fake.script(
        tool_calls(
            call("get_weather", {"city": "Oslo", "days": 2}, id="call_a"),
            call("get_weather", {"city": "Bergen"}, id="call_b"),
            style=style,
        ),
        reply("done"),
    )
    await a.stream("Two cities", session=style).run(RecordingSink())
    assert sorted(log) == ["Bergen:1", "Oslo:2"]
    assistant = fake.model_requests()[1].messages[-3]
    calls = assistant["tool_calls"]
    assert isinstance(calls, list)
    assert [(c["id"], c["function"]["name"], orjson.loads(c["function"]["arguments"])) for c in calls] == [
        ("call_a", "get_weather", {"city": "Oslo", "days": 2}),
        ("call_b", "get_weather", {"city": "Bergen"}),
    ]


async def test_calls_of_one_turn_run_concurrently(fake: FakeLLM) -> None:
    a = agent_with([weather_tool(delay=0.4)])
    fake.script(
        tool_calls(*(call("get_weather", {"city": f"C{i}"}) for i in range(4))),
        reply("ok"),
    )
    start = time.monotonic()
    sink = RecordingSink()
    await a.stream("four cities", session="c").run(sink)
    assert time.monotonic() - start < 1.2  # sequential would take 1.6 s
    assert sink.kinds()[:4] == ["tool_start"] * 4
    assert sink.kinds()[4:8] == ["tool_end"] * 4
    tool_msgs = [m for m in fake.model_requests()[1].messages if m["role"] == "tool"]
    assert [m["content"] for m in tool_msgs] == [f'"C{i}: 4C"' for i in range(4)]  # in call order


async def test_tool_failure_and_unknown_tool_are_reported_to_the_model(fake: FakeLLM) -> None:
    def divide(a: float, b: float) -> tuple[float, HairaError | None]:
        if b == 0:
            return 0.0, HairaError("division by zero")
        return a / b, None

    tool = agents.define_tool(
        "divide", description="a/b", params=(FieldT("a", FLOAT), FieldT("b", FLOAT)), fn=divide
    )
    a = agent_with([tool])
    fake.script(
        tool_calls(call("divide", {"a": 1, "b": 0}), call("nope", {}), call("divide", {"a": "x", "b": 1})),
        reply("sorry"),
    )
    sink = RecordingSink()
    await a.stream("divide", session="f").run(sink)
    ends = [e for e in sink.events if e[0] == "tool_end"]  # in completion order
    assert ("tool_end", "divide", False, "division by zero") in ends
    assert ("tool_end", "nope", False, 'unknown tool "nope"') in ends
    assert [e[2] for e in ends] == [False, False, False]
    contents = [m["content"] for m in fake.model_requests()[1].messages if m["role"] == "tool"]
    assert contents[0] == "error: division by zero"
    assert contents[1] == 'error: unknown tool "nope"'
    assert str(contents[2]).startswith("error: ")


async def test_tool_memory_prefix_and_max_steps(fake: FakeLLM) -> None:
    a = agent_with([weather_tool()], max_steps=2)
    fake.script(
        tool_calls(call("get_weather", {"city": "Oslo"})),
        tool_calls(call("get_weather", {"city": "Rome"})),
    )
    with pytest.raises(HairaRuntimeError, match="tool-calling loop exceeded maximum iterations"):
        await a.stream("loop", session="m").run(RecordingSink())
    assert len(fake.model_requests()) == 2

    b = agent_with([weather_tool()])
    fake.script(tool_calls(call("get_weather", {"city": "Oslo"})), reply("4C."), reply("bye"))
    await b.stream("weather", session="p").run(RecordingSink())
    await b.stream("thanks", session="p").run(RecordingSink())
    history = fake.model_requests()[-1].messages
    assert history[2] == {"role": "assistant", "content": '[Completed: get_weather → "Oslo: 4C"]\n4C.'}


def test_tool_runs_off_the_event_loop(fake: FakeLLM) -> None:
    threads: list[str] = []

    def where() -> str:
        threads.append(threading.current_thread().name)
        return "here"

    a = agent_with([agents.define_tool("where", description="w", params=(), fn=where)])
    fake.script(tool_calls(call("where", {})), reply("done"))
    assert a.ask("where?") == "done"
    assert threads and threads[0] != "haira-aio"


async def test_request_fields_scope_and_max_tokens(fake: FakeLLM) -> None:
    a = agent_with([], max_tokens=64, scope="cooking", temperature=0)
    await a.stream("hi", session="s").run(RecordingSink())
    body = fake.model_requests()[0].json
    assert isinstance(body, dict)
    assert body["max_tokens"] == 64
    assert "temperature" not in body and "tools" not in body
    system = body["messages"][0]["content"]
    assert "only answer requests related to: cooking" in system
    assert "I can only help with topics within my scope." in system
    assert system.endswith("Be concise.")


async def test_a_python_failure_inside_a_tool_is_reported_not_raised(fake: FakeLLM) -> None:
    def broken(x: str) -> str:
        raise ValueError("boom")

    a = agent_with([agents.define_tool("broken", description="b", params=(FieldT("x", STRING),), fn=broken)])
    fake.script(tool_calls(call("broken", {"x": "1"})), reply("it failed"))
    sink = RecordingSink()
    result = await a.stream("go", session="b").run(sink)
    assert result.text == "it failed"
    assert ("tool_end", "broken", False, "tool broken failed: boom") in sink.events
