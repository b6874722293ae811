"""`observe` (reference-runtime.md §8.5): usage totals, costs, events, the HTTP views."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator

import pytest
from haira.stdlib import observe


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    observe.reset()
    yield
    observe.reset()


def _record() -> None:
    observe.record_generation(
        "Writer", "gpt-4o", "openai", 1000, 500, 120,
        session_id="s1", input_token_cost=2.5, output_token_cost=10.0, tool_calls=1,
    )  # fmt: skip
    observe.record_tool_exec("Writer", "search", 30, True, "s1")
    observe.record_generation("Critic", "mock", "local", 10, 5, 7, session_id="s2")


def test_usage_and_costs() -> None:
    _record()
    assert observe.usage() == {
        "input_tokens": 1010,
        "output_tokens": 505,
        "total_tokens": 1515,
        "llm_calls": 2,
        "tool_calls": 1,
        "total_latency_ms": 157,
        "estimated_cost_usd": 0.0075,
    }
    assert observe.agent_usage("Writer")["llm_calls"] == 1
    assert observe.agent_usage("Writer")["tool_calls"] == 1
    assert observe.session_usage("s2")["total_tokens"] == 15
    assert observe.model_usage("gpt-4o")["tool_calls"] == 0
    assert observe.cost() == pytest.approx(0.0075)
    assert observe.agent_cost("Writer") == pytest.approx(0.0075)
    assert observe.agent_cost("Nobody") == 0.0


def test_events_and_ids() -> None:
    _record()
    evs = observe.events()
    # REF: one id counter for both kinds; generations listed before tool executions.
    ids = [e["id"] for e in evs]
    assert str(ids[0]).startswith("gen_") and str(ids[2]).startswith("tool_")
    assert [e["type"] for e in evs] == ["generation", "generation", "tool_exec"]
    n = [int(str(i).split("_")[1]) for i in ids]
    assert n[1] == n[0] + 2 and n[2] == n[0] + 1
    assert observe.agent_events("Critic")[0]["model"] == "mock"
    observe.reset()
    assert observe.events() == []
    assert observe.record_tool_exec("A", "t", 1, False)["id"] == f"tool_{n[1] + 1}"


def test_exporters_receive_events_and_cannot_break_recording() -> None:
    seen: list[object] = []
    observe.use(seen.append)
    observe.use(lambda e: 1 // 0)
    _record()
    assert len(seen) == 3


def test_json_views() -> None:
    _record()
    assert json.loads(observe.usage_json("agent=Critic"))["llm_calls"] == 1
    assert json.loads(observe.usage_json("model=gpt-4o"))["tool_calls"] == 0
    assert len(json.loads(observe.events_json("session=s1"))) == 2
    assert len(json.loads(observe.events_json("agent=Writer&session=s2"))) == 0
    assert json.loads(observe.agents_json()) == ["Writer", "Critic"]
    observe.reset()
    assert observe.events_json() == "[]"


def test_start_on_its_own_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    observe.start(port)
    assert f"http://localhost:{port}/_observe" in capsys.readouterr().out
    _record()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_observe/api/usage?agent=Writer") as r:
        assert json.loads(r.read())["llm_calls"] == 1
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_observe/") as r:
        assert b"Haira observe" in r.read()
    assert not observe.dashboard_enabled()
    observe.start(object())
    assert observe.dashboard_enabled()
