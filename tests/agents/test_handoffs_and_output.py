"""Handoffs (`transfer_to_<Agent>`) in ask/run and stream, the depth limit, the
parallel / sequential strategies, and structured `output:`."""

from __future__ import annotations

import haira.agents as agents
import haira.memory as memory
import haira.providers as providers
import pytest
from agent_helpers import RecordingSink, unique
from haira.errors import HairaRuntimeError
from haira.testing import FakeLLM, call, reply, tool_calls
from haira.types import INT, STRING, FieldT, StructT


def provider() -> providers.Provider:
    return providers.define_provider("openai", {"api_key": providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"})


def pair() -> tuple[agents.Agent, agents.Agent]:
    p = provider()
    billing = agents.define_agent(unique("Billing"), {"provider": p, "system": "You handle billing."})
    router = agents.define_agent(
        unique("Router"), {"provider": p, "system": "Route the user.", "handoffs": [billing.name]}
    )
    return router, billing


async def test_stream_follows_a_handoff_and_says_so(fake: FakeLLM) -> None:
    router, billing = pair()
    fake.script(tool_calls(call(f"transfer_to_{billing.name}", {})), reply("Your invoice is paid."))
    sink = RecordingSink()
    result = await router.stream("Is my invoice paid?", session="h").run(sink)
    assert result.text == "Your invoice is paid."
    assert sink.events[0] == ("handoff", router.name, billing.name)
    # One usage event for the whole stream: the router's turn plus the target's.
    # (the fake counts the call's two fragments and the reply's four words)
    assert result.usage is not None and result.usage.completion_tokens == 2 + 4
    assert sink.events[-1] == ("usage", result.usage.prompt_tokens, 6)
    assert sink.kinds() == ["handoff", "usage"]
    reqs = fake.model_requests()
    assert len(reqs) == 2
    assert reqs[0].json["tools"] == [  # type: ignore[index]
        {
            "type": "function",
            "function": {
                "name": f"transfer_to_{billing.name}",
                "description": f"Transfer the conversation to {billing.name}.",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    # The target gets the original user message under its own system prompt.
    assert reqs[1].messages == [
        {"role": "system", "content": "You handle billing."},
        {"role": "user", "content": "Is my invoice paid?"},
    ]
    # Both agents remember the exchange in the store.
    store = memory.get_store()
    assert [m.content for m in await store.load_messages(router.name, "h")] == [
        "Is my invoice paid?",
        "Your invoice is paid.",
    ]
    assert len(await store.load_messages(billing.name, "h")) == 2


def test_run_reports_the_handoff_target(fake: FakeLLM) -> None:
    router, billing = pair()
    fake.script(tool_calls(call(f"transfer_to_{billing.name}", {})), reply("Paid."))
    result = router.run("Invoice?", session="r")
    assert result.reply == "Paid."
    assert result.handed_off_to == billing.name


def test_circular_handoffs_hit_the_depth_limit(fake: FakeLLM) -> None:
    p = provider()
    a_name, b_name = unique("Ping"), unique("Pong")
    a = agents.define_agent(a_name, {"provider": p, "handoffs": [b_name]})
    agents.define_agent(b_name, {"provider": p, "handoffs": [a_name]})
    fake.script(*(tool_calls(call(f"transfer_to_{n}", {})) for n in [b_name, a_name] * 3))
    with pytest.raises(HairaRuntimeError, match=r"handoff depth limit \(5\) exceeded"):
        a.ask("loop", session="x")
    assert len(fake.model_requests()) == 5


def test_parallel_strategy(fake: FakeLLM) -> None:
    p = provider()
    x = agents.define_agent(unique("X"), {"provider": p})
    y = agents.define_agent(unique("Y"), {"provider": p})
    team = agents.define_agent(unique("Team"), {"handoffs": [x.name, y.name], "strategy": "parallel"})
    fake.reply_text = "same"
    out = team.ask("question", session="p")
    assert sorted(out.split("\n\n")) == sorted([f"[{x.name}]\nsame", f"[{y.name}]\nsame"])
    assert len(fake.model_requests()) == 2


async def test_sequential_strategy_streams_the_last_agent(fake: FakeLLM) -> None:
    p = provider()
    draft = agents.define_agent(unique("Draft"), {"provider": p})
    polish = agents.define_agent(unique("Polish"), {"provider": p})
    chain = agents.define_agent(unique("Chain"), {"handoffs": [draft.name, polish.name], "strategy": "sequential"})
    fake.script(reply("a rough draft"), reply("a polished text"))
    sink = RecordingSink()
    result = await chain.stream("write", session="s").run(sink)
    assert result.text == "a polished text"
    assert sink.kinds()[:2] == ["handoff", "handoff"]
    assert fake.model_requests()[1].messages[-1] == {"role": "user", "content": "a rough draft"}


class Verdict:
    __slots__ = ("label", "score")
    __haira_fields__ = ("label", "score")

    def __init__(self, label: str, score: int) -> None:
        self.label = label
        self.score = score


VERDICT = StructT("Verdict", Verdict, (FieldT("label", STRING), FieldT("score", INT)))


def test_structured_output_is_validated_into_the_struct(fake: FakeLLM) -> None:
    a = agents.define_agent(unique("Judge"), {"provider": provider(), "system": "Judge.", "output": VERDICT})
    fake.script(reply('{"label": "good", "score": 7}'))
    result = a.run("rate this", session="o")
    assert isinstance(result.output, Verdict)
    assert (result.output.label, result.output.score) == ("good", 7)
    body = fake.model_requests()[0].json
    assert isinstance(body, dict)
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]["content"]
    assert system.startswith("Judge.\n\nRespond only with valid JSON matching this schema:\n")
    assert '"required":["label","score"]' in system


def test_structured_output_that_does_not_fit_is_a_clear_error(fake: FakeLLM) -> None:
    a = agents.define_agent(unique("Judge"), {"provider": provider(), "output": VERDICT})
    fake.script(reply('{"label": "good"}'), reply("not json at all"))
    with pytest.raises(HairaRuntimeError, match="does not fit Verdict"):
        a.ask("rate", session="o1")
    with pytest.raises(HairaRuntimeError, match="not valid JSON for Verdict"):
        a.ask("rate", session="o2")


def test_unknown_agent_field_is_reported_at_definition() -> None:
    from haira.errors import ConfigError

    with pytest.raises(ConfigError, match='unknown field "colour"'):
        agents.define_agent(unique("Bad"), {"provider": provider(), "colour": "red"})
    with pytest.raises(ConfigError, match="missing required field 'provider'"):
        agents.define_agent(unique("Bad"), {"system": "x"})
