"""A Haira program with a tool-using agent, compiled by hairac, streams its tool activity
and its answer with exactly one streamed upstream request per model turn (issue 5, done)."""

from __future__ import annotations

import importlib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from agent_helpers import RecordingSink
from haira.testing import FakeLLM, call, reply, tool_calls

PROGRAM = '''
import "io"
import "http"

provider openai {
    api_key: env("OPENAI_API_KEY")
    model: "gpt-4o"
}

tool get_weather(city: string, days: int = 1) -> string {
    """Get the current weather for a city."""
    return "${city}: 4C for ${days} day(s)"
}

agent Assistant {
    provider: openai
    system: "You answer weather questions."
    tools: [get_weather]
    memory: conversation(max_turns: 10)
    temperature: 0.2
}

@post("/api/chat")
workflow Chat(message: string, session_id: string) -> stream {
    return Assistant.stream(message, session: session_id)
}

fn main() {
    server = http.Server([Chat])
    io.println("Server running on :8080")
    server.listen(8080)
}
'''

_n = itertools.count()


def compile_program(tmp_path: Path) -> object:
    src = tmp_path / "weather.haira"
    src.write_text(PROGRAM)
    package = f"weather_app_{next(_n)}"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "hairac", "emit", str(src), "-o", str(out), "--package", package],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"hairac emit failed:\n{done.stdout}\n{done.stderr}")
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(f"{package}.weather")
    finally:
        sys.path.remove(str(out))


async def test_compiled_tool_agent_streams_tools_and_answer(fake: FakeLLM, tmp_path: Path) -> None:
    app = compile_program(tmp_path)
    fake.script(tool_calls(call("get_weather", {"city": "Oslo"})), reply("It is 4C in Oslo."))
    sink = RecordingSink()
    stream = app.Chat("Weather in Oslo?", "s1")  # type: ignore[attr-defined]
    result = await stream.run(sink)

    assert sink.events[:2] == [
        ("tool_start", "get_weather", {"city": "Oslo"}),
        ("tool_end", "get_weather", True, None),
    ]
    assert result.text == "It is 4C in Oslo."
    reqs = fake.model_requests()
    assert len(reqs) == 2 and all(r.json["stream"] is True for r in reqs)  # type: ignore[index]
    first = reqs[0].json
    assert isinstance(first, dict)
    assert first["temperature"] == 0.2
    assert first["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get the current weather for a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "days": {"type": "number"}},
                    "required": ["city"],
                },
            },
        }
    ]
    assert reqs[1].messages[-1]["content"] == '"Oslo: 4C for 1 day(s)"'
