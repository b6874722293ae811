"""A small HTTP/1.1 client on raw asyncio streams, fast enough to load one server process.

The load generator needs per-read timestamps and as little per-byte work as possible, so it
speaks HTTP/1.1 itself instead of going through httpx: one request per connection at a
time, keep-alive, `Content-Length` or chunked bodies, and a callback per body piece.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["BodySink", "Connection", "HTTPError", "Response", "request_bytes"]

# Called with each decoded body piece and the loop time at which it was read.
BodySink = Callable[[bytes, float], None]


class HTTPError(Exception):
    """The server broke the protocol or the connection (counted as an error by benchmarks)."""


class Response:
    __slots__ = ("body_bytes", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body_bytes: int) -> None:
        self.status = status
        self.headers = headers
        self.body_bytes = body_bytes


def request_bytes(method: str, host: str, port: int, path: str, body: bytes,
                  *, accept: str = "text/event-stream",
                  content_type: str = "application/json") -> bytes:
    """One request, pre-encoded so a load loop can resend it without formatting."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class Connection:
    """One keep-alive connection; `exchange` sends a request and reads the whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.transport.abort()

    async def _more(self) -> float:
        data = await self.reader.read(1 << 18)
        if not data:
            raise HTTPError("connection closed by the server")
        self.buf += data
        return time.perf_counter()

    async def exchange(self, raw_request: bytes, sink: BodySink | None = None) -> Response:
        """Send `raw_request`; feed the body to `sink` piece by piece as it arrives."""
        self.writer.write(raw_request)
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            await self._more()
        head = bytes(buf[:end]).decode("latin-1").split("\r\n")
        del buf[: end + 4]
        try:
            status = int(head[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            raise HTTPError(f"bad status line {head[0]!r}") from None
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            n = await self._chunked(sink)
        elif "content-length" in headers:
            n = await self._sized(int(headers["content-length"]), sink)
        else:
            n = await self._until_close(sink)
        return Response(status, headers, n)

    # NOTE: time.perf_counter, not loop.time(): uvloop's clock ticks in whole milliseconds.

    async def _sized(self, length: int, sink: BodySink | None) -> int:
        buf = self.buf
        got = 0
        now = time.perf_counter()
        while True:
            take = min(len(buf), length - got)
            if take:
                if sink is not None:
                    sink(bytes(buf[:take]), now)
                del buf[:take]
                got += take
            if got >= length:
                return got
            now = await self._more()

    async def _until_close(self, sink: BodySink | None) -> int:
        got = 0
        while True:
            data = await self.reader.read(1 << 18)
            if not data:
                return got
            got += len(data)
            if sink is not None:
                sink(data, time.perf_counter())

    async def _chunked(self, sink: BodySink | None) -> int:
        buf = self.buf
        total = 0
        now = time.perf_counter()
        while True:
            # chunk-size line
            while (nl := buf.find(b"\r\n")) < 0:
                now = await self._more()
            try:
                size = int(bytes(buf[:nl]).split(b";", 1)[0], 16)
            except ValueError:
                raise HTTPError("bad chunk size") from None
            del buf[: nl + 2]
            if size == 0:
                while (nl := buf.find(b"\r\n")) != 0:  # trailers end with an empty line
                    if nl < 0:
                        now = await self._more()
                    else:
                        del buf[: nl + 2]
                del buf[:2]
                return total
            # Hand over what has arrived of this chunk right away (events inside one big
            # chunk are timed when they arrive, not when the chunk completes).
            left = size
            while left:
                if not buf:
                    now = await self._more()
                take = min(left, len(buf))
                if sink is not None:
                    sink(bytes(buf[:take]), now)
                del buf[:take]
                left -= take
                total += take
            while len(buf) < 2:
                now = await self._more()
            del buf[:2]
