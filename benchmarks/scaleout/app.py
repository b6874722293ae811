"""The app the scale-out benchmark serves: one chat workflow with conversation memory.

`POST /api/chat {"message", "session_id"}`: the mock provider (HAIRA_PROVIDER=mock, no
network) answers at once, so each request measures the server and the store: memory
loaded and appended, the chat recorded (user + assistant), about five store round trips.
"""

from __future__ import annotations

import sys

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
from haira.server import Server, WorkflowSpec
from haira.types import STRING, FieldT

model = providers.define_provider("openai", {"api_key": "unused", "model": "bench"})
Chat = agents.define_agent(
    "Chat", {"provider": model, "system": "Be brief.", "memory": memory.conversation(max_turns=10)}
)


def chat(message: str, session_id: str) -> agents.AgentStream:
    return Chat.stream(message, session=session_id)


SPEC = WorkflowSpec(
    name="Chat", method="POST", path="/api/chat", is_stream=True,
    params=(FieldT("message", STRING), FieldT("session_id", STRING)),
    returns=None, fn=chat, blocking=False,
)

if __name__ == "__main__":
    sys.exit(1 if Server([SPEC]).listen(8080) is not None else 0)
