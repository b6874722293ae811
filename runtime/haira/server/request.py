"""The parts of an ASGI HTTP request the server reads, and the raw answers it writes.

req = Request(scope)
req.header(b"accept")          -> b"text/event-stream" | None
body = await read_body(receive, limit=1 << 20, declared=req.content_length)
await send_json(send, 200, b'{"reply":"hi"}\\n', cors)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from haira.server.problems import HttpError

__all__ = ["Receive", "Request", "Scope", "Send", "read_body", "send_bytes", "send_error"]

Scope = dict[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]

JSON_TYPE = b"application/json"


class Request:
    """Method, path, query string and headers of one request (names lower-cased)."""

    __slots__ = ("headers", "method", "path", "query", "scope")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.query: bytes = scope.get("query_string", b"")
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers:
                headers[name] = headers[name] + b", " + value  # repeated headers form one list
            else:
                headers[name] = value
        self.headers = headers

    def header(self, name: bytes) -> bytes | None:
        """The value of header `name` (lower-case), None when absent."""
        return self.headers.get(name)

    @property
    def content_length(self) -> int | None:
        """The declared body size, None when absent or malformed (chunked bodies)."""
        raw = self.headers.get(b"content-length")
        if raw is None or not raw.strip().isdigit():
            return None
        return int(raw)


async def read_body(receive: Receive, *, limit: int, declared: int | None) -> bytes:
    """The whole request body; 413 as soon as it is known to exceed `limit` bytes."""
    if declared is not None and declared > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise HttpError(400, "bad_request", "the client disconnected before sending the body")
        chunk: bytes = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if len(chunks) == 1:
        return chunks[0]
    return b"".join(chunks)


def too_large(limit: int) -> HttpError:
    """The 413 answer for a body over `limit` bytes (the connection is closed after it)."""
    return HttpError(
        413,
        "payload_too_large",
        f"request body exceeds the limit of {limit} bytes",
        headers=((b"connection", b"close"),),
    )


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    content_type: bytes = JSON_TYPE,
) -> None:
    """A complete response in two ASGI messages; `headers` already hold CORS."""
    all_headers = [
        (b"content-type", content_type),
        (b"content-length", b"%d" % len(body)),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, err: HttpError, headers: list[tuple[bytes, bytes]]) -> None:
    """The JSON error answer for `err` (its own headers, e.g. `Allow`, added)."""
    await send_bytes(send, err.status, err.body(), [*headers, *err.headers])
