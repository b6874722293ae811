"""Test helpers: the fake LLM server (`FakeLLM`) and its scripted steps."""

from __future__ import annotations

from haira.testing.fake_llm import FakeLLM, RecordedRequest, tokens_of
from haira.testing.script import (
    Step,
    ToolCallSpec,
    call,
    disconnect,
    endless,
    error,
    malformed,
    reply,
    stall,
    tool_calls,
)

__all__ = [
    "FakeLLM",
    "RecordedRequest",
    "Step",
    "ToolCallSpec",
    "call",
    "disconnect",
    "endless",
    "error",
    "malformed",
    "reply",
    "stall",
    "tokens_of",
    "tool_calls",
]
