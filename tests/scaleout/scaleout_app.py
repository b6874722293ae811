"""A chat app for the scale-out tests: `python scaleout_app.py` (HAIRA_PORT etc. set).

`POST /api/stream {"message", "session_id"}`: the agent `Writer` (conversation memory,
OpenAI wire pointed at the fake server by OPENAI_BASE_URL) streams its reply; it is what
a compiled Haira chat app serves.
"""

from __future__ import annotations

import sys

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
from haira.server import Server, WorkflowSpec
from haira.types import STRING, FieldT

openai = providers.define_provider(
    "openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"}
)
Writer = agents.define_agent(
    "Writer",
    {"provider": openai, "system": "You are a writer.", "memory": memory.conversation(max_turns=10)},
)


def Stream(message: str, session_id: str) -> agents.AgentStream:  # noqa: N802 - Haira name
    return Writer.stream(message, session=session_id)


Stream__workflow = WorkflowSpec(
    name="Stream",
    method="POST",
    path="/api/stream",
    is_stream=True,
    params=(FieldT("message", STRING), FieldT("session_id", STRING)),
    returns=None,
    fn=Stream,
    blocking=False,
)


if __name__ == "__main__":
    err = Server([Stream__workflow]).listen(8080)
    sys.exit(1 if err is not None else 0)
