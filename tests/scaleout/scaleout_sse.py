"""A small blocking SSE reader over httpx for the multi-process tests."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx


class Events:
    """The events of one SSE response, read incrementally; `close()` hangs up."""

    def __init__(self, client: httpx.Client, url: str, *, body: dict[str, object] | None = None,
                 last_event_id: str | None = None) -> None:
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self._cm = client.stream("POST", url, json=body or {}, headers=headers, timeout=30)
        self.response = self._cm.__enter__()
        self.status = self.response.status_code
        self._chunks = self.response.iter_raw()
        self._buf = b""
        self.events: list[dict[str, str]] = []

    def __iter__(self) -> Iterator[dict[str, str]]:
        while True:
            while b"\n\n" not in self._buf:
                try:
                    self._buf += next(self._chunks)
                except (StopIteration, httpx.ReadError, httpx.RemoteProtocolError):
                    return
            block, self._buf = self._buf.split(b"\n\n", 1)
            event: dict[str, str] = {}
            for line in block.decode().split("\n"):
                if line.startswith(":") or not line:
                    continue
                key, _, value = line.partition(": ")
                event[key] = value
            if "id" in event or "event" in event or "data" in event:
                self.events.append(event)
                yield event

    def read_until(self, n_text: int = 0, *, done: bool = False) -> list[dict[str, str]]:
        """Read until `n_text` text deltas in all (or `done`, or the end)."""
        for e in self:
            texts = [x for x in self.events if "event" not in x and "data" in x]
            if e.get("event") == "done" or (not done and n_text and len(texts) >= n_text):
                break
        return self.events

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


def text_of(events: list[dict[str, str]]) -> str:
    return "".join(json.loads(e["data"])["content"] for e in events
                   if "event" not in e and "data" in e)


def names(events: list[dict[str, str]]) -> list[str]:
    return [e["event"] for e in events if "event" in e]
