"""uvicorn's httptools protocol with a cap on the request head (request line + headers).

httptools buffers a request's head without any limit, so one client sending an endless
header grows the server's memory without bound; and uvicorn waits for a head that arrives
a byte at a time forever (slowloris). This subclass counts the bytes that arrive while a
head is incomplete and answers 431 once they pass `HAIRA_MAX_HEADER_BYTES`, and answers 408
when a started head is not complete after `HAIRA_HEADER_TIMEOUT` seconds, or a body makes
no progress for as long (a body that trickles in or stops); all with the JSON error shape
of http-streaming.md §2, then it closes the connection.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["DEFAULT_MAX_HEADER_BYTES", "HeadLimitedProtocol", "set_head_limits"]

# Above the largest single read (256 KiB), so a head followed by a body in one read never
# counts the body against the cap.
DEFAULT_MAX_HEADER_BYTES: Final = 256 << 10

_max_head = DEFAULT_MAX_HEADER_BYTES
_head_timeout = 30.0


def set_head_limits(max_bytes: int, timeout_s: float) -> None:
    """The caps for connections accepted from now on (`Settings.max_header_bytes`,
    `Settings.header_timeout_s`); 0 turns one off."""
    global _max_head, _head_timeout
    _max_head = max_bytes
    _head_timeout = timeout_s


def _response(status: bytes, code: str, message: str) -> bytes:
    body = orjson.dumps({"error": message, "code": code}) + b"\n"
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )


_TOO_LARGE: Final = _response(
    b"431 Request Header Fields Too Large", "headers_too_large",
    "the request line and headers are too large",
)
_TOO_SLOW: Final = _response(
    b"408 Request Timeout", "request_timeout", "the request headers did not arrive in time"
)
_BODY_STALLED: Final = _response(
    b"408 Request Timeout", "request_timeout", "the request body stopped arriving"
)


class HeadLimitedProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with caps on the request head (size, time) and body silence.

    Timers are armed only when a read leaves a head or a body incomplete, so the usual
    request (head and body in one read) costs two attribute checks, no timer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit = _max_head
        self._timeout = _head_timeout
        self._refused = False
        self._in_head = False  # between a head's first byte and its end
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_body = False  # between the end of a head and the end of its body
        self._body_seen = 0.0  # loop time of the last read while in a body
        self._body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is waiting for a head too.
        if self._timeout > 0:
            self._head_timer = self.loop.call_later(self._timeout, self._on_head_timeout)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._in_head:
            # The head is still incomplete after this read: it all counts.
            self._head_bytes += len(data)
            if self._limit > 0 and self._head_bytes > self._limit:
                self._refuse(_TOO_LARGE)
            elif self._timeout > 0 and self._head_timer is None:
                self._head_timer = self.loop.call_later(self._timeout, self._on_head_timeout)
        elif self._in_body and self._timeout > 0:
            self._body_seen = self.loop.time()
            if self._body_timer is None:  # re-armed only when it fires: no per-read cost
                self._body_timer = self.loop.call_later(self._timeout, self._check_body)

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._in_body = True
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._in_body = False
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().connection_lost(exc)

    # ------------------------------------------------------------ refusing

    def _refuse(self, response: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self._stop_head_timer()
        self.transport.write(response)
        self.transport.close()

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        # No head started yet (a silent connection) or one still incomplete. An idle
        # keep-alive connection never re-arms this timer: uvicorn's keep-alive timeout
        # closes those.
        if self._in_head or self.cycle is None:
            self._refuse(_TOO_SLOW)

    def _check_body(self) -> None:
        self._body_timer = None
        if not self._in_body or self._refused:
            return
        idle = self.loop.time() - self._body_seen
        if idle < self._timeout:
            self._body_timer = self.loop.call_later(self._timeout - idle, self._check_body)
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self._refuse(_BODY_STALLED)
        elif cycle.response_complete:  # answered early (a 413, say); the rest never came
            self._refused = True
            self.transport.close()
