"""Starting uvicorn (uvloop + httptools) on the app, one process or several, and stopping it.

    serve(app_factory, settings)   # blocks; SIGTERM/SIGINT -> graceful shutdown

With `workers > 1` the listening socket is bound once and the process forks that many
children, each running its own event loop on the shared socket; the parent forwards
SIGTERM/SIGINT and waits. (Forking, unlike uvicorn's spawn-based workers, needs no
importable app: the compiled program's `main` already built the workflow list.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

import uvicorn

from haira.server.app import HairaApp
from haira.server.config import Settings
from haira.server.protocol import HeadLimitedProtocol, set_head_limits

__all__ = ["bind_socket", "serve"]


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, telling the app about SIGTERM before uvicorn waits for connections."""

    def __init__(self, config: uvicorn.Config, app: HairaApp) -> None:
        super().__init__(config)
        self._haira_app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        loop = self._haira_app.loop
        if loop is not None and not loop.is_closed():
            # In-flight streams end with `event: error` + `done` instead of being cut off.
            loop.call_soon_threadsafe(self._haira_app.begin_shutdown)
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after its graceful shutdown, which turns SIGTERM into
        # exit status -15 and SIGINT into a KeyboardInterrupt traceback; a finished graceful
        # shutdown is a normal exit here.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _DroppedClientFilter(logging.Filter):
    """Hide uvicorn's complaint about a response we cut short on purpose (a stalled client,
    which the SSE writer reports itself); the app never does that otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


def uvicorn_config(app: HairaApp, settings: Settings) -> uvicorn.Config:
    """The uvicorn configuration the server always uses."""
    set_head_limits(settings.max_header_bytes, settings.header_timeout_s)
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=HeadLimitedProtocol,  # httptools with a cap on the request head
        ws="none",
        lifespan="on",
        access_log=False,  # the app writes its own line per request
        log_level="warning",
        server_header=False,
        proxy_headers=False,  # nothing here reads the client address; saves a layer per request
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 1,
    )
    log = logging.getLogger("uvicorn.error")  # configured by uvicorn.Config above
    if not any(isinstance(f, _DroppedClientFilter) for f in log.filters):
        log.addFilter(_DroppedClientFilter())
    return config


def serve_one(app: HairaApp, settings: Settings, sock: socket.socket) -> None:
    """Serve on `sock` in this process until SIGTERM/SIGINT."""
    server = _Uvicorn(uvicorn_config(app, settings), app)
    server.run(sockets=[sock])


def serve(make_app: Callable[[], HairaApp], settings: Settings, sock: socket.socket) -> None:
    """Serve with `settings.workers` processes (1 = this process) until told to stop."""
    if settings.workers <= 1:
        serve_one(make_app(), settings, sock)
        return
    children: list[int] = []
    for _ in range(settings.workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child process
            code = 0
            try:
                serve_one(make_app(), settings, sock)
            except BaseException as exc:  # report, never a traceback
                sys.stderr.write(f"[haira] worker {os.getpid()} failed: {exc}\n")
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()

    def forward(sig: int, frame: FrameType | None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, sig)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        while True:
            try:
                os.waitpid(child, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries for us
                continue
