"""The connection pool behind the shared `httpx.AsyncClient`: a lean HTTP/1.1 transport.

Why not httpx's own transport (httpcore + h11):

* httpcore 1.0's pool hands every request queued in the same instant to the *same* idle
  keep-alive connection, and bursts of concurrent streams on reused connections can then
  hang indefinitely (encode/httpcore#822; reproduced here with 150 concurrent streams:
  the second burst never reached the server). Here a connection is popped off a
  per-origin idle stack synchronously, so no request can be given a busy connection.
* h11 turns every chunk of a chunked body into an event through a state machine; for an
  LLM stream that is one event per token and about two thirds of the client's CPU per
  token. Here one network read is de-chunked in one pass and handed on as one `bytes`.

The transport speaks exactly what LLM APIs need: one request at a time per connection
(no pipelining), `Content-Length`, chunked and close-delimited bodies, TLS via asyncio.
Errors are the httpx exceptions callers already handle.
"""

from __future__ import annotations

import asyncio
import ssl
import time

import httpx

__all__ = ["LLMTransport"]

_Key = tuple[str, str, int]
_MAX_HEAD = 64 * 1024

# De-chunking states.
_SIZE = 0
_DATA = 1
_DATA_END = 2
_TRAILER = 3
_DONE = 4


class _Conn:
    """One HTTP/1.1 connection."""

    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self) -> bool:
        """Still open, and the server has neither closed it nor sent anything unasked."""
        # NOTE: asyncio keeps reading an idle socket into the StreamReader, so a close by
        # the server shows up as EOF here without a syscall.
        return not self.writer.is_closing() and not self.reader.at_eof() and not _buffered(self.reader)

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()


def _buffered(reader: asyncio.StreamReader) -> int:
    buf = getattr(reader, "_buffer", None)  # NOTE: CPython's StreamReader internal buffer
    return len(buf) if isinstance(buf, bytearray) else 0


class _Body(httpx.AsyncByteStream):
    """A response body; gives the connection back to the pool after a clean end."""

    __slots__ = (
        "_buf",
        "_conn",
        "_keep",
        "_left",
        "_mode",
        "_pool",
        "_key",
        "_state",
    )

    def __init__(
        self, pool: LLMTransport, key: _Key, conn: _Conn, mode: int, length: int, keep: bool, rest: bytes
    ) -> None:
        self._pool = pool
        self._key = key
        self._conn: _Conn | None = conn
        self._mode = mode  # 0 chunked, 1 content-length, 2 until close
        self._left = length  # content-length: bytes left; chunked: bytes left of this chunk
        self._keep = keep
        self._buf = bytearray(rest)
        self._state = _SIZE if mode == 0 else (_DONE if mode == 1 and length == 0 else _DATA)

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        while True:
            if self._state == _DONE:
                self._finish()
                raise StopAsyncIteration
            if self._buf:
                out = self._decode()
                if out:
                    return out
                if self._state == _DONE:
                    continue
            conn = self._conn
            if conn is None:
                raise StopAsyncIteration
            try:
                data = await conn.reader.read(65536)
            except (ConnectionError, OSError) as exc:
                self._abort()
                raise httpx.ReadError(str(exc) or exc.__class__.__name__) from None
            if not data:
                if self._mode == 2:
                    self._state = _DONE
                    self._keep = False
                    continue
                self._abort()
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                )
            if self._buf:
                self._buf += data
            else:
                self._buf = bytearray(data)

    def _decode(self) -> bytes:
        """Take what the buffer holds of the body; advance the state."""
        buf = self._buf
        if self._mode != 0:
            if self._mode == 1:
                take = min(len(buf), self._left)
                out = bytes(buf[:take])
                del buf[:take]
                self._left -= take
                if self._left == 0:
                    self._state = _DONE
                    if buf:  # bytes beyond the body: not a connection to reuse
                        self._keep = False
                return out
            out = bytes(buf)
            buf.clear()
            return out
        return self._dechunk(buf)

    def _dechunk(self, buf: bytearray) -> bytes:
        parts: list[bytes] = []
        pos = 0
        n = len(buf)
        while pos < n and self._state != _DONE:
            state = self._state
            if state == _DATA:
                left = self._left
                take = n - pos if n - pos < left else left
                parts.append(bytes(buf[pos : pos + take]))
                pos += take
                self._left = left - take
                if self._left == 0:
                    self._state = _DATA_END
                continue
            if state == _DATA_END:
                # The CRLF after chunk data is an empty framing line.
                if n - pos < 2:
                    break
                end = pos if buf[pos] == 13 and buf[pos + 1] == 10 else pos + 1
            else:
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    if n - pos > 1024:
                        raise self._bad("chunk size line too long")
                    break
            self._line(bytes(buf[pos:end]))
            pos = end + 2
        if self._state == _DONE and pos < n:
            self._keep = False  # bytes after the body: never reuse this connection
            pos = n
        del buf[:pos]
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    def _line(self, line: bytes) -> None:
        """One CRLF-terminated line of chunk framing (size, end of data, trailer)."""
        state = self._state
        if state == _SIZE:
            size = line.split(b";", 1)[0].strip()
            try:
                self._left = int(size, 16)
            except ValueError:
                raise self._bad(f"bad chunk size {size[:20]!r}") from None
            self._state = _DATA if self._left > 0 else _TRAILER
        elif state == _DATA_END:
            if line:
                raise self._bad("missing CRLF after chunk data")
            self._state = _SIZE
        elif not line:  # _TRAILER: an empty line ends the body
            self._state = _DONE

    def _bad(self, why: str) -> httpx.RemoteProtocolError:
        self._abort()
        return httpx.RemoteProtocolError(f"malformed chunked body: {why}")

    def _finish(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._keep and not self._buf:
            self._pool.release(self._key, conn)
        else:
            conn.close()

    def _abort(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def aclose(self) -> None:
        if self._state == _DONE:
            self._finish()
        else:
            # Not read to the end (cancelled, or the caller stopped): this connection's
            # framing is unknown now; closing it is also what tells the server to stop.
            self._abort()


def _parse_head(head: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    lines = head.split(b"\r\n")
    status_line = lines[0].split(b" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
        raise httpx.RemoteProtocolError(f"malformed status line {lines[0][:40]!r}")
    try:
        status = int(status_line[1])
    except ValueError:
        raise httpx.RemoteProtocolError(f"malformed status line {lines[0][:40]!r}") from None
    reason = status_line[2] if len(status_line) > 2 else b""
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise httpx.RemoteProtocolError("malformed header line")
        headers.append((name.strip(), value.strip()))
    return status, reason, headers


class LLMTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 keep-alive pool with strict one-request-per-connection assignment."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None,
        *,
        max_idle_per_origin: int = 256,
        keepalive_expiry: float = 30.0,
    ) -> None:
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._idle: dict[_Key, list[_Conn]] = {}
        self._closed = False

    def _take(self, key: _Key) -> _Conn | None:
        """Pop a usable idle connection (synchronously: no other request can get it)."""
        stack = self._idle.get(key)
        now = time.monotonic()
        while stack:
            conn = stack.pop()  # most recently used first: the warmest connection
            if now - conn.idle_since < self._expiry and conn.usable():
                return conn
            conn.close()
        return None

    def release(self, key: _Key, conn: _Conn) -> None:
        if self._closed or not conn.usable():
            conn.close()
            return
        stack = self._idle.setdefault(key, [])
        if len(stack) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        stack.append(conn)

    async def _connect(self, scheme: str, host: str, port: int, timeout: float | None) -> _Conn:
        tls = self._ssl if scheme == "https" else None
        if scheme == "https" and tls is None:
            tls = httpx.create_ssl_context()
            self._ssl = tls
        try:
            opening = asyncio.open_connection(
                host, port, ssl=tls, server_hostname=host if tls is not None else None, limit=_MAX_HEAD
            )
            reader, writer = await asyncio.wait_for(opening, timeout)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{host}:{port}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)) from None
        return _Conn(reader, writer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        port = url.port or (443 if scheme == "https" else 80)
        key: _Key = (scheme, url.host, port)
        timeouts = request.extensions.get("timeout", {})
        connect_timeout = timeouts.get("connect") if isinstance(timeouts, dict) else None
        body = await request.aread()
        head = [request.method.encode(), b" ", url.raw_path, b" HTTP/1.1\r\n"]
        for name, value in request.headers.raw:
            head += (name, b": ", value, b"\r\n")
        head.append(b"\r\n")
        payload = b"".join(head) + body

        conn = self._take(key)
        reused = conn is not None
        while True:
            if conn is None:
                conn = await self._connect(scheme, url.host, port, connect_timeout)
            try:
                return await self._exchange(key, conn, payload, request.method)
            except _StaleConnection:
                # A kept-alive connection the server had closed: one fresh attempt.
                conn.close()
                if not reused:
                    raise httpx.RemoteProtocolError("server closed the connection without a response") from None
                conn, reused = None, False
            except BaseException:
                conn.close()
                raise

    async def _exchange(self, key: _Key, conn: _Conn, payload: bytes, method: str) -> httpx.Response:
        try:
            conn.writer.write(payload)
            await conn.writer.drain()
            head = await conn.reader.readuntil(b"\r\n\r\n")
            status, reason, headers = _parse_head(head[:-4])
            while 100 <= status < 200:  # interim responses (100 Continue): skip
                head = await conn.reader.readuntil(b"\r\n\r\n")
                status, reason, headers = _parse_head(head[:-4])
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                raise _StaleConnection() from None
            raise httpx.RemoteProtocolError("server closed the connection mid-headers") from None
        except asyncio.LimitOverrunError:
            raise httpx.RemoteProtocolError("response headers too large") from None
        except (ConnectionResetError, BrokenPipeError):
            raise _StaleConnection() from None
        except OSError as exc:
            raise httpx.ReadError(str(exc) or exc.__class__.__name__) from None
        chunked = False
        length = -1
        keep = True
        for name, value in headers:
            low = name.lower()
            if low == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif low == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise httpx.RemoteProtocolError("bad Content-Length") from None
            elif low == b"connection" and b"close" in value.lower():
                keep = False
        if method == "HEAD" or status in (204, 304):
            mode, length = 1, 0
        elif chunked:
            mode = 0
        elif length >= 0:
            mode = 1
        else:
            mode, keep = 2, False
        stream = _Body(self, key, conn, mode, max(length, 0), keep, b"")
        return httpx.Response(
            status_code=status,
            headers=headers,
            stream=stream,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, {}
        for stack in idle.values():
            for conn in stack:
                conn.close()


class _StaleConnection(Exception):
    """The server closed a reused connection before answering: safe to try a fresh one."""
