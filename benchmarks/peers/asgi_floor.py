"""The floor: a raw ASGI app that forwards the upstream's SSE bytes and does nothing else.

    uvicorn benchmarks.peers.asgi_floor:app --port 8001

`POST /api/stream {message, ...}` opens a plain socket to the OpenAI-compatible server at
`OPENAI_BASE_URL`, sends one streamed chat request and passes every piece of the response
body to the client as it arrives (de-chunked, never parsed). No framework, no JSON per
token, no HTTP client library: whatever a real relay costs above this is overhead.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def _body(receive: Receive) -> bytes:
    parts = []
    while True:
        msg = await receive()
        parts.append(msg.get("body", b""))
        if not msg.get("more_body", False):
            return b"".join(parts)


async def _dechunk(reader: asyncio.StreamReader, send: Send) -> None:
    """Forward everything one read brought, minus the chunk framing, in one ASGI send."""
    buf = bytearray()
    left = 0  # bytes of the current chunk still to come (its CRLF is skipped separately)
    while True:
        data = await reader.read(1 << 18)
        if not data:
            return
        buf += data
        out = bytearray()
        while buf:
            if left:
                take = min(left, len(buf))
                out += buf[:take]
                del buf[:take]
                left -= take
                continue
            nl = buf.find(b"\r\n")
            if nl < 0:
                break
            if nl == 0:  # the CRLF after a chunk
                del buf[:2]
                continue
            size = int(bytes(buf[:nl]).split(b";")[0], 16)
            del buf[: nl + 2]
            if size == 0:
                if out:
                    await send({"type": "http.response.body", "body": bytes(out), "more_body": True})
                return
            left = size
        if out:
            await send({"type": "http.response.body", "body": bytes(out), "more_body": True})


async def _relay(message: str, send: Send) -> None:
    url = urlsplit(os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8089/v1"))
    host, port = url.hostname or "127.0.0.1", url.port or 80
    payload = json.dumps({"model": "gpt-4o", "stream": True,
                          "messages": [{"role": "user", "content": message}]}).encode()
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    try:
        writer.write(f"POST {url.path}/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                     f"Connection: close\r\n\r\n".encode() + payload)
        head = await reader.readuntil(b"\r\n\r\n")
        chunked = b"chunked" in head.lower()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]})
        if chunked:
            await _dechunk(reader, send)
        else:
            while data := await reader.read(1 << 18):
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        writer.close()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = await _body(receive)
    if scope["path"] != "/api/stream" or scope["method"] != "POST":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    message = str(json.loads(body or b"{}").get("message", ""))
    await _relay(message, send)
