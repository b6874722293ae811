"""Counting Server-Sent Events as they arrive, the same way for every server under test.

Our app sends `data: {"content":"..."}`, the FastAPI peer `data: {"content": "..."}` with
CRLF line ends (sse-starlette's default), the floor forwards OpenAI chunks
`data: {"choices":[{"delta":{"content":"..."}}]}`: one regex that wants a non-empty
`"content"` string covers all three, and the role chunk (`"content":""`) does not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["EventCounter"]

_CONTENT = re.compile(rb'"content": ?"[^"]')
_DONE = re.compile(rb"^(event: done|data: \[DONE\])", re.MULTILINE)


class EventCounter:
    """A body sink: counts content events, remembers when the first and last arrived.

    With `rate` > 0 it also records the delivery lag of every content event against the
    schedule the producer keeps (event i due at first + i / rate, an absolute schedule
    like the mock provider's and the fake server's).
    """

    __slots__ = ("_pending", "content", "done", "first", "lags", "last", "on_first", "rate", "tail")

    def __init__(self, rate: float = 0.0, on_first: Callable[[], None] | None = None) -> None:
        self.on_first = on_first
        self._pending = b""
        self.content = 0
        self.done = False
        self.first = 0.0
        self.last = 0.0
        self.rate = rate
        self.lags: list[float] = []
        self.tail = b""  # the last complete events, to say why a stream ended

    def __call__(self, data: bytes, now: float) -> None:
        if b"\r" in data:
            data = data.replace(b"\r", b"")
        buf = self._pending + data if self._pending else data
        cut = buf.rfind(b"\n\n")
        if cut < 0:
            self._pending = buf
            return
        self._pending = buf[cut + 2:]
        complete = buf[: cut + 2]
        self.tail = complete[-300:]
        n = len(_CONTENT.findall(complete))
        if n:
            if self.content == 0:
                self.first = now
                if self.on_first is not None:
                    self.on_first()
            if self.rate > 0:
                step = 1.0 / self.rate
                base = self.first
                lags = self.lags
                for i in range(self.content, self.content + n):
                    lags.append(now - (base + i * step))
            self.content += n
            self.last = now
        if not self.done and _DONE.search(complete) is not None:
            self.done = True
