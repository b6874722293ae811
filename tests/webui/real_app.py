"""A real `haira.server` app for the UI tests, written the way generated code calls the
runtime (contracts.md): an OpenAI-compatible provider pointed at the fake LLM server,
an agent with a tool, a streaming chat workflow and a form workflow.

    HAIRA_PORT=8123 FAKE_LLM=http://127.0.0.1:9000/v1 python tests/webui/real_app.py

Run in its own process (and working directory, so its `.haira.db` is private).
"""

from __future__ import annotations

import os

import haira.agents
import haira.memory
import haira.providers
import haira.server
import haira.types as t


def lookup(city: str) -> str:
    return f"It is sunny in {city}."


lookup_tool = haira.agents.define_tool(
    "lookup",
    description="Weather for a city",
    params=(t.FieldT("city", t.STRING),),
    fn=lookup,
)

fake = haira.providers.define_provider(
    "fake",
    {"endpoint": os.environ["FAKE_LLM"], "api_key": "test-key", "model": "fake-model", "max_retries": 0},
)

Assistant = haira.agents.define_agent(
    "Assistant",
    {
        "provider": fake,
        "system": "You are a test assistant.",
        "memory": haira.memory.conversation(max_turns=10),
        "tools": [lookup_tool],
    },
)


def Chat(message: str, session_id: str) -> haira.agents.AgentStream:  # noqa: N802 - Haira names, as generated code keeps them
    return Assistant.stream(message, session=session_id)


def Sum(a: int, b: int, label: str = "") -> dict[str, object]:  # noqa: N802
    return {"sum": a + b, "label": label}


def Upload(doc: str, note: str = "") -> dict[str, object]:  # noqa: N802
    with open(doc, "rb") as f:
        data = f.read()
    return {"size": len(data), "first_line": data.decode(errors="replace").splitlines()[0], "note": note}


def Greet(name: str, times: int) -> str:  # noqa: N802
    return " ".join([f"Hello, {name}!"] * times)


def Count(items: list[str], flag: bool) -> dict[str, object]:  # noqa: N802
    return {"count": len(items), "flag": flag}


Chat__workflow = haira.server.WorkflowSpec(
    name="Chat",
    method="POST",
    path="/api/chat",
    is_stream=True,
    params=(t.FieldT("message", t.STRING), t.FieldT("session_id", t.STRING)),
    returns=None,
    fn=Chat,
    blocking=False,
    description="Talk to the test assistant",
)

Sum__workflow = haira.server.WorkflowSpec(
    name="Sum",
    method="POST",
    path="/api/sum",
    is_stream=False,
    params=(t.FieldT("a", t.INT), t.FieldT("b", t.INT), t.FieldT("label", t.STRING, "")),
    returns=t.MapT(t.ANY),
    fn=Sum,
    description="Adds two numbers",
)


Upload__workflow = haira.server.WorkflowSpec(
    name="Upload",
    method="POST",
    path="/api/upload",
    is_stream=False,
    params=(t.FieldT("doc", t.FILE), t.FieldT("note", t.STRING, "")),
    returns=t.MapT(t.ANY),
    fn=Upload,
    description="Reads an uploaded file",
)


Greet__workflow = haira.server.WorkflowSpec(
    name="Greet",
    method="GET",
    path="/api/greet",
    is_stream=False,
    params=(t.FieldT("name", t.STRING), t.FieldT("times", t.INT)),
    returns=t.STRING,
    fn=Greet,
)

Count__workflow = haira.server.WorkflowSpec(
    name="Count",
    method="POST",
    path="/api/count",
    is_stream=False,
    params=(t.FieldT("items", t.ListT(t.STRING)), t.FieldT("flag", t.BOOL, False)),
    returns=t.MapT(t.ANY),
    fn=Count,
)

WORKFLOWS = [Chat__workflow, Sum__workflow, Upload__workflow, Greet__workflow, Count__workflow]

if __name__ == "__main__":
    haira.server.Server(WORKFLOWS).listen(8080)
