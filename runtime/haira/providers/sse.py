"""Lean incremental parser of a `text/event-stream` body: bytes in, `data` payloads out.

Example: `feed(b'data: {"a":1}\\n\\nda')` returns `[b'{"a":1}']` and keeps `b'da'` for the
next call. Only `data:` matters to LLM streams (OpenAI and Anthropic both repeat the event
type inside the JSON), so `event:`, `id:`, `retry:` and comments are skipped.
"""

from __future__ import annotations

__all__ = ["SSEDecoder"]


class SSEDecoder:
    """Splits a byte stream into SSE events and returns each event's joined `data`."""

    __slots__ = ("_buf", "_data")

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        """Consume `chunk`; return the data payloads of every event it completed."""
        buf = self._buf + chunk if self._buf else chunk
        out: list[bytes] = []
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            end = nl - 1 if nl > start and buf[nl - 1] == 13 else nl  # strip "\r" of "\r\n"
            if end == start:
                # Blank line: the event is complete.
                if self._data:
                    out.append(self._data[0] if len(self._data) == 1 else b"\n".join(self._data))
                    self._data = []
            elif buf.startswith(b"data:", start):
                value_start = start + 5
                if value_start < end and buf[value_start] == 32:  # one optional space
                    value_start += 1
                self._data.append(buf[value_start:end])
            start = nl + 1
        self._buf = buf[start:]
        return out

    def flush(self) -> list[bytes]:
        """End of body: an event not followed by a blank line still counts."""
        if self._buf:
            rest = self._buf
            self._buf = b""
            out = self.feed(rest + b"\n")
        else:
            out = []
        if self._data:
            out.append(b"\n".join(self._data))
            self._data = []
        return out
