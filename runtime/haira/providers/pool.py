"""The connection pool behind the shared `httpx.AsyncClient` (an httpx transport).

Why not httpx's own pool: httpcore 1.0's `AsyncConnectionPool` hands every request queued
in the same instant to the *same* idle keep-alive connection (its state changes only when
the request starts), and under a burst of concurrent streams on reused connections the
requests can hang indefinitely (encode/httpcore#822; reproduced here with 150 concurrent
streams: the second burst never reached the server). Streaming LLM traffic is exactly such
bursts, so this transport owns the pool: one `httpcore.AsyncHTTPConnection` per request,
taken from a per-origin idle stack *and removed from it synchronously*, put back when the
response body is closed after a clean end. No request can ever be assigned a busy
connection, and there is no per-request scan of all connections.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator

import httpcore
import httpx

__all__ = ["LLMTransport"]

_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


def _map(exc: Exception) -> Exception:
    """httpcore's exception → the httpx one callers catch (like httpx's own transport)."""
    for core, mapped in _ERRORS:
        if isinstance(exc, core):
            return mapped(str(exc))
    if isinstance(exc, httpcore.NetworkError | httpcore.ProtocolError | httpcore.TimeoutException):
        return httpx.TransportError(str(exc))
    return exc


_Key = tuple[bytes, bytes, int]


class _Body(httpx.AsyncByteStream):
    """The response body; gives the connection back to the pool once the body is closed."""

    def __init__(self, pool: LLMTransport, key: _Key, conn: httpcore.AsyncHTTPConnection, inner: object) -> None:
        self._pool = pool
        self._key = key
        self._conn: httpcore.AsyncHTTPConnection | None = conn
        self._inner = inner
        self._it: AsyncIterator[bytes] | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        inner = self._inner
        assert hasattr(inner, "__aiter__")
        self._it = inner.__aiter__()
        return self

    async def __anext__(self) -> bytes:
        it = self._it
        assert it is not None
        try:
            return await it.__anext__()
        except httpcore.NetworkError as exc:
            raise _map(exc) from None
        except (httpcore.ProtocolError, httpcore.TimeoutException) as exc:
            raise _map(exc) from None

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        inner = self._inner
        close = getattr(inner, "aclose", None)
        try:
            if close is not None:
                await close()  # an unfinished body closes the connection (httpcore)
        finally:
            await self._pool.release(self._key, conn)


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
        self._idle: dict[_Key, list[tuple[float, httpcore.AsyncHTTPConnection]]] = {}
        self._closed = False

    def _take(
        self, key: _Key, stale: list[httpcore.AsyncHTTPConnection]
    ) -> httpcore.AsyncHTTPConnection | None:
        """Pop a usable idle connection (synchronously: no other request can get it)."""
        stack = self._idle.get(key)
        now = time.monotonic()
        while stack:
            since, conn = stack.pop()  # most recently used first: warmest connection
            # `has_expired` also notices a connection the server closed or wrote to.
            if now - since < self._expiry and conn.is_idle() and not conn.has_expired():
                return conn
            stale.append(conn)
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        port = url.port or (443 if scheme == b"https" else 80)
        key: _Key = (scheme, url.raw_host, port)
        stale: list[httpcore.AsyncHTTPConnection] = []
        conn = self._take(key, stale)
        for old in stale:
            await old.aclose()
        if conn is None:
            conn = httpcore.AsyncHTTPConnection(
                origin=httpcore.Origin(scheme, url.raw_host, port),
                ssl_context=self._ssl,
                keepalive_expiry=self._expiry,
            )
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=scheme, host=url.raw_host, port=port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            resp = await conn.handle_async_request(core_request)
        except BaseException as exc:
            await conn.aclose()
            if isinstance(exc, Exception):
                raise _map(exc) from None
            raise
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(self, key, conn, resp.stream),
            extensions=resp.extensions,
        )

    async def release(self, key: _Key, conn: httpcore.AsyncHTTPConnection) -> None:
        if not self._closed and conn.is_idle():
            stack = self._idle.setdefault(key, [])
            if len(stack) < self._max_idle:
                stack.append((time.monotonic(), conn))
                return
        await conn.aclose()

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, {}
        for stack in idle.values():
            for _, conn in stack:
                await conn.aclose()
