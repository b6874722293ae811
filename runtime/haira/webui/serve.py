"""Run `haira webui`: bind the port, greet, probe the backends, serve until Ctrl-C.

    serve(["localhost:8080"], port=3000)   # blocks; returns an exit code

Messages go to stderr; the function never raises for a user mistake (bad
address, port in use) but prints one line and returns 1 or 2.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Sequence
from typing import TextIO

import httpx

from haira.webui.proxy import BackendError, WebUIProxy, backend_url, unreachable_message

DEFAULT_BACKEND = "localhost:8080"
DEFAULT_PORT = 3000


def parse_port(text: str) -> int | None:
    """The port number in `text`, or None when it is not one."""
    if not text.strip().isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (raises OSError with the reason when it cannot be had)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def probe(url: str) -> str | None:
    """None when the backend answers `/_api/workflows`, else why not."""
    try:
        async with httpx.AsyncClient(timeout=3.0, trust_env=False) as client:
            response = await client.get(url + "/_api/workflows")
    except httpx.HTTPError as exc:
        return unreachable_message(url, exc)
    if response.status_code == 401:
        return None  # reachable; the UI asks for the token
    if response.status_code != 200:
        return f"{url}/_api/workflows answered {response.status_code}: is this a Haira server?"
    return None


def serve(
    backends: Sequence[str],
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    err: TextIO = sys.stderr,
) -> int:
    """Serve the UI on host:port for `backends`; returns the process exit code."""
    import uvicorn  # heavy; only the command needs it

    try:
        urls = [backend_url(b) for b in (backends or [DEFAULT_BACKEND])]
    except BackendError as exc:
        print(f"haira webui: {exc}", file=err)
        return 2
    try:
        sock = bind(host, port)
    except OSError as exc:
        reason = "address already in use" if exc.errno in (98, 48, 10048) else exc.strerror or str(exc)
        print(f"haira webui: cannot listen on {host}:{port}: {reason}", file=err)
        return 1
    app = WebUIProxy(urls)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "::1") else host
    print(f"\n  haira webui\n  Local:   http://{shown}:{sock.getsockname()[1]}/", file=err)
    for url in urls:
        problem = asyncio.run(probe(url))
        print(f"  Backend: {url}", file=err)
        if problem:
            print(f"  warning: {problem}\n  (the UI keeps retrying until it is up)", file=err)
    print(file=err, flush=True)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; stopping is the normal way out
    finally:
        sock.close()
    return 0
