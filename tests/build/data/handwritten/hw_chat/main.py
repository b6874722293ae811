"""The complete example (tests/build/data/app.haira) as the code generator writes it."""

from __future__ import annotations

import haira.agents
import haira.memory
import haira.providers
import haira.rt
import haira.server
import haira.stdlib.env
import haira.stdlib.io
import haira.types

openai = haira.providers.define_provider(
    "openai", {"api_key": haira.stdlib.env.env("OPENAI_API_KEY"), "model": "gpt-4o"}
)
Writer = haira.agents.define_agent(
    "Writer",
    {
        "provider": openai,
        "system": "You are a creative writer. Write short, engaging responses.",
        "memory": haira.memory.conversation(max_turns=10),
        "temperature": 0.9,
    },
)


def Stream(message: str, session_id: str) -> haira.agents.AgentStream:
    return Writer.stream(message, session=session_id)


Stream__workflow = haira.server.WorkflowSpec(
    name="Stream",
    method="POST",
    path="/api/stream",
    is_stream=True,
    params=(
        haira.types.FieldT("message", haira.types.STRING),
        haira.types.FieldT("session_id", haira.types.STRING),
    ),
    returns=None,
    fn=Stream,
    blocking=False,
)


def main() -> None:
    server = haira.server.Server([Stream__workflow])
    haira.stdlib.io.println("Server running on :8080")
    server.listen(8080)


def entry() -> int:
    return haira.rt.execute_main(main)
