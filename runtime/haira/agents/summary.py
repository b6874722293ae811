"""`memory: summary(...)`: when a session's history outgrows `2 × max_turns` messages, the
model condenses the older part into one summary message (a real summary, made by the
agent's own provider, replacing those messages in the store)."""

from __future__ import annotations

from haira.agents.agent import Agent
from haira.memory import get_store
from haira.memory.store import Message
from haira.providers.types import ChatMessage, ChatRequest

__all__ = ["SUMMARY_PREFIX", "maybe_summarize"]

SUMMARY_PREFIX = "Summary of earlier conversation:\n"
_INSTRUCTION = (
    "Summarize the conversation below for your own future reference: keep names, facts, "
    "decisions, open questions and the user's preferences. Reply with the summary only."
)


class _Discard:
    async def __call__(self, text: str) -> None:
        return None


async def maybe_summarize(agent: Agent, session: str) -> None:
    """Fold all but the last few messages into one model-written summary when over budget."""
    store = get_store()
    messages = await store.load_messages(agent.name, session)
    summarized = 1 if messages and messages[0].content.startswith(SUMMARY_PREFIX) else 0
    if len(messages) - summarized <= agent.memory.keep:
        return
    # Keep the newest half of the budget verbatim; everything older (including an earlier
    # summary) is folded into the new summary.
    keep_recent = max(2, agent.memory.keep // 2)
    old, recent = messages[:-keep_recent], messages[-keep_recent:]
    transcript = "\n".join(
        f"{m.role}: {m.content[len(SUMMARY_PREFIX):] if m.content.startswith(SUMMARY_PREFIX) else m.content}"
        for m in old
    )
    assert agent.provider is not None
    request = ChatRequest(
        [ChatMessage("system", _INSTRUCTION), ChatMessage("user", transcript)],
        max_tokens=agent.memory.max_tokens,
    )
    turn = await agent.provider.client().stream_turn(request, _Discard())
    summary = turn.text.strip()
    if not summary:
        return  # keep the full history rather than lose it to an empty summary
    await store.replace_messages(agent.name, session, [Message("system", SUMMARY_PREFIX + summary), *recent])
