"""What generated code hands the server for each workflow.

    Chat__workflow = WorkflowSpec(name="Chat", method="POST", path="/chat", is_stream=True,
                                  params=(FieldT("message", STRING),), returns=None, fn=Chat)

`fn` is the compiled workflow function; for a streaming workflow it returns an object with
`async run(sink)` (an `haira.agents.AgentStream`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from haira.types import FieldT

__all__ = ["WorkflowSpec"]

_CHAT_PARAM_NAMES: Final = ("message", "prompt", "input")


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """One workflow as the server sees it: route, parameters, result type and function."""

    name: str
    method: str
    path: str
    is_stream: bool
    params: tuple[FieldT, ...]
    returns: object | None
    fn: Callable[..., object]
    blocking: bool = True
    description: str = ""
    decorators: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # The workflow's `step` labels: its SSE clients get step events (REF §4.7).
    steps: tuple[str, ...] = ()

    @property
    def chat_param(self) -> str:
        """The parameter that carries the user's message (REF `findChatParam`)."""
        from haira.types import STRING

        strings = [p.name for p in self.params if p.type is STRING]
        for name in _CHAT_PARAM_NAMES:
            if name in strings:
                return name
        return strings[0] if strings else "message"

    @property
    def has_session(self) -> bool:
        """Whether calls are recorded as chats (the workflow takes `session_id`)."""
        return any(p.name == "session_id" for p in self.params)

    @property
    def webui(self) -> Mapping[str, object]:
        """The `@webui(...)` arguments, empty when there is none."""
        return self.decorators.get("webui", {})
