"""`haira.upstream_hooks`: work the server defers until the agent's first upstream request
is on its way (recording the user's chat message off the first-token path)."""

from __future__ import annotations

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
from agent_helpers import RecordingSink, unique
from haira import upstream_hooks
from haira.testing import FakeLLM, reply


def agent() -> agents.Agent:
    p = providers.define_provider("openai", {"model": "gpt-4o"})
    return agents.define_agent(unique("Hook"), {"provider": p, "memory": memory.conversation(max_turns=5)})


async def test_fires_once_after_the_memory_load_before_the_first_token(fake: FakeLLM) -> None:
    fake.script(reply("one two three", token_rate=200), reply("again"))
    a = agent()
    await memory.get_store().append_messages(a.name, "h", [memory.Message("user", "earlier")])
    sink = RecordingSink()
    token = upstream_hooks.after_first_request(lambda: sink.events.append(("hook",)))
    try:
        await a.stream("first", session="h").run(sink)
        await a.stream("second", session="h").run(sink)  # same context: already released
    finally:
        upstream_hooks.forget(token)
    assert [e[0] for e in sink.events].count("hook") == 1
    assert sink.events.index(("hook",)) == 0  # before any text
    # The request it followed was built from the loaded memory.
    assert [m["content"] for m in fake.model_requests()[0].messages] == ["earlier", "first"]


async def test_nothing_registered_and_nothing_sent() -> None:
    upstream_hooks.release()  # no callbacks: a no-op
    fired: list[int] = []
    token = upstream_hooks.after_first_request(lambda: fired.append(1))
    upstream_hooks.forget(token)
    upstream_hooks.release()
    assert fired == []  # forgotten before any request: the caller does the work itself
