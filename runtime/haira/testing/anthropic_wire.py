"""Anthropic Messages streaming events, as the fake server writes them."""

from __future__ import annotations

import orjson

from haira.testing.fake_llm import _Wire, tokens_of
from haira.testing.script import Step

__all__ = ["AnthropicWire"]


def _event(name: str, obj: dict[str, object]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(obj) + b"\n\n"


class AnthropicWire(_Wire):
    def __init__(self, model: str, n: int, prompt: int) -> None:
        self.model = model
        self.n = n
        self.prompt = prompt
        self.completion = 0
        self.block = 0
        self.text_open = False

    def start(self) -> bytes:
        return _event("message_start", {"type": "message_start", "message": {
            "id": f"msg_fake_{self.n}", "type": "message", "role": "assistant", "model": self.model,
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": self.prompt, "output_tokens": 1}}})

    def _open_text(self) -> bytes:
        if self.text_open:
            return b""
        self.text_open = True
        return _event("content_block_start", {"type": "content_block_start", "index": self.block,
                                              "content_block": {"type": "text", "text": ""}})

    def _close_text(self) -> bytes:
        if not self.text_open:
            return b""
        self.text_open = False
        out = _event("content_block_stop", {"type": "content_block_stop", "index": self.block})
        self.block += 1
        return out

    def text(self, tok: str) -> bytes:
        self.completion += 1
        return self._open_text() + _event("content_block_delta", {
            "type": "content_block_delta", "index": self.block,
            "delta": {"type": "text_delta", "text": tok}})

    def tools(self, step: Step, n: int) -> bytes:
        out = b"".join(self.text(t) for t in tokens_of(step.text)) + self._close_text()
        for i, c in enumerate(step.calls):
            idx = self.block
            out += _event("content_block_start", {"type": "content_block_start", "index": idx,
                          "content_block": {"type": "tool_use", "id": c.id or f"toolu_{n}_{i}",
                                            "name": c.name, "input": {}}})
            args = c.arguments
            for k in range(0, len(args), 7):
                self.completion += 1
                out += _event("content_block_delta", {"type": "content_block_delta", "index": idx,
                              "delta": {"type": "input_json_delta", "partial_json": args[k : k + 7]}})
            out += _event("content_block_stop", {"type": "content_block_stop", "index": idx})
            self.block += 1
        return out

    def end(self, reason: str, usage: bool) -> bytes:
        stop = "tool_use" if reason == "tool_calls" else "end_turn"
        out = self._close_text()
        delta: dict[str, object] = {"type": "message_delta",
                                    "delta": {"stop_reason": stop, "stop_sequence": None}}
        if usage:
            delta["usage"] = {"output_tokens": self.completion}
        out += _event("message_delta", delta)
        return out + _event("message_stop", {"type": "message_stop"})
