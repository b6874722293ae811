"""uvicorn's httptools protocol with a cap on the request head (request line + headers).

httptools buffers a request's head without any limit, so one client sending an endless
header grows the server's memory without bound. This subclass counts the bytes that arrive
while a head is incomplete and answers 431 with the JSON error shape of http-streaming.md §2
(then closes) once they pass `HAIRA_MAX_HEADER_BYTES`.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["DEFAULT_MAX_HEADER_BYTES", "HeadLimitedProtocol", "set_max_header_bytes"]

# Above the largest single read (256 KiB), so a head followed by a body in one read never
# counts the body against the cap.
DEFAULT_MAX_HEADER_BYTES: Final = 256 << 10

_max_head = DEFAULT_MAX_HEADER_BYTES


def set_max_header_bytes(limit: int) -> None:
    """The cap for connections accepted from now on (`Settings.max_header_bytes`)."""
    global _max_head
    _max_head = limit


_BODY: Final = orjson.dumps(
    {"error": "the request line and headers are too large", "code": "headers_too_large"}
) + b"\n"
_RESPONSE: Final = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class HeadLimitedProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` refusing heads larger than the cap (431, connection closed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True  # the connection starts by waiting for a request head
        self._refused = False
        self._limit = _max_head

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        # Still inside a head after feeding this read: it all counts (a head that
        # completed in this read flipped `_in_head` in `on_headers_complete`).
        if self._in_head and self._limit > 0:
            self._head_bytes += len(data)
            if self._head_bytes > self._limit:
                self._refused = True
                self.transport.write(_RESPONSE)
                self.transport.close()

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # a keep-alive connection waits for the next head
        self._head_bytes = 0
