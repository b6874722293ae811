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
    """`HttpToolsProtocol` refusing heads larger than the cap (431, connection closed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True  # the connection starts by waiting for a request head
        self._refused = False
        self._limit = _max_head
        self._timeout = _head_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_body = False  # between the end of a head and the end of its body
        self._body_seen = 0.0  # loop time of the last body bytes
        self._body_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_body:
            self._body_seen = self.loop.time()
        super().data_received(data)
        # Still inside a head after feeding this read: it all counts (a head that
        # completed in this read flipped `_in_head` in `on_headers_complete`).
        if self._in_head and self._limit > 0:
            self._head_bytes += len(data)
            if self._head_bytes > self._limit:
                self._refuse(_TOO_LARGE)

    def _refuse(self, response: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self._stop_head_timer()
        self.transport.write(response)
        self.transport.close()

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        if self._in_head:
            self._refuse(_TOO_SLOW)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        # Started at a head's first byte: an idle keep-alive connection is uvicorn's
        # keep-alive timeout's business, a head that trickles in is this one's.
        if self._timeout > 0 and self._head_timer is None:
            self._head_timer = self.loop.call_later(self._timeout, self._on_head_timeout)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        super().on_headers_complete()
        if self._timeout > 0 and not self._refused:
            # One timer per request body, re-armed only when it fires (no per-read cost).
            self._in_body = True
            self._body_seen = self.loop.time()
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(self._timeout, self._check_body)

    def _check_body(self) -> None:
        self._body_timer = None
        if not self._in_body or self._refused:
            return
        idle = self.loop.time() - self._body_seen
        if idle >= self._timeout:
            cycle = self.cycle
            if cycle is None or not cycle.response_started:
                self._refuse(_BODY_STALLED)
            elif cycle.response_complete:  # answered early (a 413, say); the rest never came
                self._refused = True
                self.transport.close()
        else:
            self._body_timer = self.loop.call_later(self._timeout - idle, self._check_body)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is waiting for a head too.
        if self._timeout > 0:
            self._head_timer = self.loop.call_later(self._timeout, self._on_head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._in_body = False
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().connection_lost(exc)

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()
        self._in_head = True  # a keep-alive connection waits for the next head
        self._head_bytes = 0
