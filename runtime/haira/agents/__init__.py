"""Agents and tools: `define_agent`, `define_tool`, and the streaming agent loop.

Generated code: `Writer = haira.agents.define_agent("Writer", {...})`,
`search = haira.agents.define_tool("search", description=..., params=..., fn=...)`;
`Writer.ask(msg, session=sid)`, `Writer.run(...)`, `Writer.stream(...)`.
"""

from __future__ import annotations

from haira.agents.agent import Agent, define_agent, lookup_agent
from haira.agents.events import AgentResult, EventSink, NullSink, StreamResult
from haira.agents.loop import MAX_HANDOFF_DEPTH
from haira.agents.stream import AgentStream
from haira.agents.tool import Tool, define_tool

__all__ = [
    "MAX_HANDOFF_DEPTH",
    "Agent",
    "AgentResult",
    "AgentStream",
    "EventSink",
    "NullSink",
    "StreamResult",
    "Tool",
    "define_agent",
    "define_tool",
    "lookup_agent",
]
