"""The runtime's HTTP/1.1 transport at the wire level: framing, keep-alive reuse, stale
connections, malformed bodies, TLS. A raw asyncio server plays the other side."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from haira.providers.pool import LLMTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


class RawServer:
    """Calls `handler(reader, writer, connection_number)` for every connection."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        async def on_conn(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await self.handler(r, w, self.connections)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                w.close()

        self.server = await asyncio.start_server(on_conn, "127.0.0.1", 0, ssl=self.tls)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])


async def read_request(r: asyncio.StreamReader) -> bytes:
    head = await r.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await r.readexactly(length)


def client(tls: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=LLMTransport(tls), trust_env=False)


async def test_content_length_bodies_reuse_the_connection() -> None:
    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        while True:
            req = await read_request(r)
            assert req.startswith(b"POST /v1/x HTTP/1.1\r\n")
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")

    async with RawServer(h) as srv, client() as c:
        for _ in range(3):
            resp = await c.post(f"http://127.0.0.1:{srv.port}/v1/x", content=b"{}")
            assert resp.status_code == 200 and resp.content == b"hello"
        assert srv.connections == 1


async def test_connection_close_and_close_delimited_bodies() -> None:
    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await read_request(r)
        w.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        await w.drain()

    async with RawServer(h) as srv, client() as c:
        for _ in range(2):
            resp = await c.post(f"http://127.0.0.1:{srv.port}/", content=b"x")
            assert resp.content == b"until the end"
        assert srv.connections == 2


async def test_chunked_body_split_byte_by_byte_with_extensions_and_trailers() -> None:
    wire = b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"

    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        while True:
            await read_request(r)
            w.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for i in range(len(wire)):
                w.write(wire[i : i + 1])
                await w.drain()
                await asyncio.sleep(0)

    async with RawServer(h) as srv, client() as c:
        for _ in range(2):
            async with c.stream("POST", f"http://127.0.0.1:{srv.port}/", content=b"x") as resp:
                got = b"".join([part async for part in resp.aiter_raw()])
            assert got == b"hello, world"
        assert srv.connections == 1  # the trailer was consumed: the connection is reusable


async def test_malformed_chunk_size_is_a_protocol_error() -> None:
    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await read_request(r)
        w.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad\r\n")
        await w.drain()
        await asyncio.sleep(1)

    async with RawServer(h) as srv, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="bad chunk size"):
            await c.post(f"http://127.0.0.1:{srv.port}/", content=b"x")


async def test_truncated_body_is_a_protocol_error() -> None:
    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await read_request(r)
        w.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        await w.drain()

    async with RawServer(h) as srv, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
            await c.post(f"http://127.0.0.1:{srv.port}/", content=b"x")


async def test_a_stale_kept_alive_connection_is_replaced_transparently() -> None:
    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await read_request(r)
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await w.drain()
        if n == 1:
            # Keep-alive promised, but the next request is met with a close (the server
            # timed the connection out just as the client reused it).
            await read_request(r)

    async with RawServer(h) as srv, client() as c:
        assert (await c.post(f"http://127.0.0.1:{srv.port}/", content=b"1")).content == b"ok"
        assert (await c.post(f"http://127.0.0.1:{srv.port}/", content=b"2")).content == b"ok"
        assert srv.connections == 2


async def test_connect_errors_are_httpx_errors() -> None:
    srv = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    srv.close()
    await srv.wait_closed()
    async with client() as c:
        with pytest.raises(httpx.ConnectError):
            await c.post(f"http://127.0.0.1:{port}/", content=b"x")


async def test_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip("openssl cannot make a test certificate here")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))

    async def h(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        while True:
            await read_request(r)
            w.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecure\r\n0\r\n\r\n")

    async with RawServer(h, tls=server_tls) as srv, client(client_tls) as c:
        for _ in range(2):
            resp = await c.post(f"https://localhost:{srv.port}/", content=b"x")
            assert resp.content == b"secure"
        assert srv.connections == 1
