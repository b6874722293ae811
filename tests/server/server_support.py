"""Test support for the server: a real uvicorn on loopback, scripted streams, raw HTTP.

    with live_server([stream_spec("/chat", lambda m: Script(("text", m)))]) as srv:
        r = httpx.post(srv.url("/chat"), json={"message": "hi"})

`Script` plays a list of steps into the server's sink (text, tool events, sleeps, waits
on a `threading.Event`, raising) and records whether it was cancelled and when.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from haira.server import Settings, WorkflowSpec
from haira.server.app import HairaApp
from haira.server.run import _Uvicorn, uvicorn_config
from haira.types import STRING, FieldT, HType

Step = tuple[Any, ...]


class Script:
    """A stream double for a workflow: plays `steps` into the sink it is run with."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.started = threading.Event()
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.cancelled_at: float | None = None

    async def run(self, sink: Any) -> None:
        self.started.set()
        try:
            for step in self.steps:
                await self._play(step, sink)
        except asyncio.CancelledError:
            self.cancelled_at = time.monotonic()
            self.cancelled.set()
            raise
        self.finished.set()

    async def _play(self, step: Step, sink: Any) -> None:
        kind = step[0]
        if kind == "text":
            await sink.text(step[1])
        elif kind == "burst":  # several deltas without yielding to the loop in between
            for piece in step[1]:
                await sink.text(piece)
        elif kind == "sleep":
            await asyncio.sleep(step[1])
        elif kind == "wait":
            event: threading.Event = step[1]
            while not event.is_set():
                await asyncio.sleep(0.005)
        elif kind == "tool_start":
            await sink.tool_start(step[1], step[2])
        elif kind == "tool_end":
            await sink.tool_end(step[1], step[2], step[3])
        elif kind == "handoff":
            await sink.handoff(step[1], step[2])
        elif kind == "usage":
            await sink.usage(step[1], step[2])
        elif kind == "raise":
            raise step[1]
        elif kind == "touch":  # tell another process the run has started
            with open(step[1], "a"):
                pass
        else:
            raise AssertionError(f"unknown step {kind}")


def stream_spec(
    path: str,
    make: Callable[..., Any],
    *,
    params: tuple[FieldT, ...] = (FieldT("message", STRING),),
    method: str = "POST",
    name: str = "Chat",
) -> WorkflowSpec:
    """A streaming workflow at `path` whose function is `make(*args)`."""
    return WorkflowSpec(
        name=name,
        method=method,
        path=path,
        is_stream=True,
        params=params,
        returns=None,
        fn=make,
        blocking=False,
    )


def json_spec(
    path: str,
    fn: Callable[..., object],
    params: tuple[FieldT, ...],
    *,
    returns: HType | None = None,
    method: str = "POST",
    name: str = "Calc",
) -> WorkflowSpec:
    """A plain (non-streaming) workflow."""
    return WorkflowSpec(
        name=name,
        method=method,
        path=path,
        is_stream=False,
        params=params,
        returns=returns,
        fn=fn,
        blocking=True,
    )


class LiveServer:
    """uvicorn serving a `HairaApp` on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app: HairaApp) -> None:
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port: int = sock.getsockname()[1]
        self._server = _Uvicorn(uvicorn_config(app, app.settings), app)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the server's loop."""
        assert self.app.loop is not None
        self.app.loop.call_soon_threadsafe(fn)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(15)


FAST = Settings(host="127.0.0.1", port=0, access_log=False)


@contextlib.contextmanager
def live_server(specs: list[WorkflowSpec], **settings: Any) -> Iterator[LiveServer]:
    """A running server for `specs`; keyword arguments override `Settings` fields."""
    app = HairaApp(specs, dataclasses.replace(FAST, **settings))
    srv = LiveServer(app)
    try:
        yield srv
    finally:
        srv.stop()


# ---------------------------------------------------------------- SSE text


_ID = re.compile(rb"^id: ([A-Za-z0-9_-]+):1$", re.M)


def stream_id(body: bytes) -> str:
    """The stream id of the first event in an SSE body."""
    m = _ID.search(body)
    assert m, body
    return m.group(1).decode()


def parse_events(body: bytes) -> list[dict[str, str]]:
    """SSE body -> events as {field: value} (comments kept under ':')."""
    out: list[dict[str, str]] = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        ev: dict[str, str] = {}
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            ev[key] = value[1:] if value.startswith(" ") else value
        out.append(ev)
    return out


# ---------------------------------------------------------------- raw HTTP/1.1


class RawResponse:
    """A response read straight off a socket, chunk by chunk (to see each ASGI send)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buf = b""
        head = self._read_until(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                self.headers[k.strip().lower()] = v.strip()

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self._buf += data
        return True

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buf:
            if not self._fill():
                raise EOFError(self._buf)
        head, _, self._buf = self._buf.partition(marker)
        return head

    def chunk(self) -> bytes:
        """The next chunk of a chunked body (b"" at the end)."""
        size = int(self._read_until(b"\r\n"), 16)
        while len(self._buf) < size + 2:
            if not self._fill():
                raise EOFError(self._buf)
        data, self._buf = self._buf[:size], self._buf[size + 2 :]
        return data

    def close(self) -> None:
        self.sock.close()


def raw_request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
) -> RawResponse:
    """Send one request on a fresh connection and read the response head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body:
        lines.append(f"Content-Length: {len(body)}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return RawResponse(sock)
