"""`agent` blocks: `define_agent` validates the fields; `Agent` offers ask / run / stream.

    Writer = haira.agents.define_agent("Writer", {"provider": openai, "system": "…",
                                                  "memory": haira.memory.conversation(max_turns=10)})
    Writer.ask("hi", session="s1")            # blocking, returns the reply text
    Writer.stream("hi", session="s1")         # lazy AgentStream; the server runs it with a sink
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from haira.agents.events import AgentResult
from haira.agents.tool import Tool
from haira.errors import ConfigError
from haira.memory.policy import MemoryPolicy, conversation
from haira.providers import Provider
from haira.types import StructT

if TYPE_CHECKING:
    from haira.agents.stream import AgentStream

__all__ = ["Agent", "define_agent", "lookup_agent"]

_STRATEGIES = ("", "parallel", "sequential")
_UNSUPPORTED = ("ui", "mcp", "storage")
_DEFAULT_SCOPE_DENY = "I can only help with topics within my scope."

_registry: dict[str, Agent] = {}
_registry_lock = threading.Lock()


def lookup_agent(name: str) -> Agent:
    agent = _registry.get(name)
    if agent is None:
        raise ConfigError(f'handoff target "{name}" is not a declared agent')
    return agent


def _num(name: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f'agent "{name}": field "{key}" must be a number')
    return float(value)


def _int(name: str, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f'agent "{name}": field "{key}" must be an integer')
    return value


def _str(name: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f'agent "{name}": field "{key}" must be a string')
    return value


class Agent:
    """A declared agent. Attributes mirror the `agent` block fields."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.provider: Provider | None = None
        self.system = ""
        self.tools: list[Tool] = []
        self.handoff_names: list[str] = []
        self.strategy = ""
        self.temperature = 0.0
        self.max_tokens = 0
        self.max_steps = 10
        self.timeout = 120.0
        # REF: no `memory:` field means conversation memory of 10 turns.
        self.memory: MemoryPolicy = conversation(10)
        self.output: StructT | None = None
        self.scope = ""
        self.scope_deny = _DEFAULT_SCOPE_DENY

    # ------------------------------------------------------------ Haira surface

    def ask(self, message: str, session: str | None = None) -> str:
        """Blocking: the final reply (handoffs followed)."""
        from haira.agents.loop import ask_async
        from haira.aio import run_sync

        return run_sync(ask_async(self, message, session))

    def run(self, message: str, session: str | None = None) -> AgentResult:
        """Blocking: reply, the agent handed off to, and the structured output if any."""
        from haira.agents.loop import run_async
        from haira.aio import run_sync

        return run_sync(run_async(self, message, session))

    def stream(self, message: str, session: str | None = None) -> AgentStream:
        """Lazy: nothing is sent upstream until the stream is run with a sink."""
        from haira.agents.stream import AgentStream

        return AgentStream(self, message, session)

    def __repr__(self) -> str:
        return f"<agent {self.name}>"


def _set_provider(agent: Agent, key: str, value: object) -> None:
    if not isinstance(value, Provider):
        raise ConfigError(f'agent "{agent.name}": field "{key}" must name a provider')
    agent.provider = value


def _set_tools(agent: Agent, key: str, value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(t, Tool) for t in value):
        raise ConfigError(f'agent "{agent.name}": field "tools" must be a list of tools')
    agent.tools = [t for t in value if isinstance(t, Tool)]


def _set_handoffs(agent: Agent, key: str, value: object) -> None:
    names: list[str] = []
    for v in value if isinstance(value, list) else [None]:
        if isinstance(v, Agent):
            names.append(v.name)
        elif isinstance(v, str):
            names.append(v)
        else:
            raise ConfigError(f'agent "{agent.name}": field "handoffs" must be a list of agents')
    agent.handoff_names = names


def _set_strategy(agent: Agent, key: str, value: object) -> None:
    agent.strategy = _str(agent.name, key, value)
    if agent.strategy not in _STRATEGIES:
        raise ConfigError(f'agent "{agent.name}": strategy must be "parallel" or "sequential"')


def _set_memory(agent: Agent, key: str, value: object) -> None:
    if not isinstance(value, MemoryPolicy):
        raise ConfigError(f'agent "{agent.name}": memory must be conversation(...), summary(...) or none')
    agent.memory = value


def _set_output(agent: Agent, key: str, value: object) -> None:
    if not isinstance(value, StructT):
        raise ConfigError(f'agent "{agent.name}": output must name a struct type')
    agent.output = value


def _set_str(attr: str) -> Callable[[Agent, str, object], None]:
    def set_(agent: Agent, key: str, value: object) -> None:
        setattr(agent, attr, _str(agent.name, key, value))

    return set_


def _set_temperature(agent: Agent, key: str, value: object) -> None:
    agent.temperature = _num(agent.name, key, value)


def _set_timeout(agent: Agent, key: str, value: object) -> None:
    agent.timeout = _num(agent.name, key, value)


def _set_max_tokens(agent: Agent, key: str, value: object) -> None:
    agent.max_tokens = _int(agent.name, key, value)


def _set_max_steps(agent: Agent, key: str, value: object) -> None:
    agent.max_steps = max(1, _int(agent.name, key, value))


_FIELDS: dict[str, Callable[[Agent, str, object], None]] = {
    "provider": _set_provider,
    "model": _set_provider,  # older examples: `model: <provider>`
    "system": _set_str("system"),
    "tools": _set_tools,
    "handoffs": _set_handoffs,
    "strategy": _set_strategy,
    "temperature": _set_temperature,
    "max_tokens": _set_max_tokens,
    "max_steps": _set_max_steps,
    "timeout": _set_timeout,
    "memory": _set_memory,
    "output": _set_output,
    "scope": _set_str("scope"),
    "scope_deny": _set_str("scope_deny"),
}


def _apply_field(agent: Agent, key: str, value: object) -> None:
    setter = _FIELDS.get(key)
    if setter is not None:
        setter(agent, key, value)
    elif key in _UNSUPPORTED:
        print(f'[haira] warning: agent "{agent.name}": field "{key}" is not supported yet and is ignored', file=sys.stderr)
    else:
        known = ", ".join(sorted(_FIELDS))
        raise ConfigError(f'agent "{agent.name}": unknown field "{key}" (known: {known})')


def define_agent(name: str, fields: dict[str, object]) -> Agent:
    """An `agent` block. Handoff targets are looked up by name when first needed."""
    agent = Agent(name)
    for key, value in fields.items():
        _apply_field(agent, key, value)
    if agent.provider is None and not (agent.handoff_names and agent.strategy):
        raise ConfigError(f'agent "{name}" is missing required field \'provider\'')
    with _registry_lock:
        _registry[name] = agent
    # NOTE: no store warm-up here: importing a program must not create `.haira.db`; the
    # server calls `haira.memory.get_store().warm()` when it starts serving.
    return agent

