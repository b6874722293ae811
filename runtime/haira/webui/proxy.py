"""The `haira webui` ASGI app: serves the UI and reverse-proxies one or more backends.

    app = WebUIProxy(["http://localhost:8080"])
    GET /            -> 302 /_ui/            (a browser asking for HTML)
    GET /_ui/app.js  -> the asset
    POST /api/stream -> streamed through to http://localhost:8080/api/stream

Responses are forwarded chunk by chunk as the backend sends them (never
buffered), so SSE streams stay live; when the browser goes away the upstream
request is closed at once, which makes the backend cancel its LLM call.

With several backends each gets a name (the slug of its first workflow, else
`host-port`): `/_b/<name>/...` goes to that backend, and `/_api/workflows`
merges them all with paths rewritten to `/_b/<name><path>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from haira.webui.assets import CACHE_CONTROL, asset

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Headers that describe one hop, not the message (RFC 9110 §7.6.1).
_HOP_BY_HOP: Final = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"expect",  # we read the whole body before forwarding, so 100-continue is done
    }
)
MAX_BODY: Final = 64 * 1024 * 1024  # above the server's own 32 MiB multipart limit
DISCOVERY_TIMEOUT: Final = 5.0


class _TooLarge(Exception):
    """The request body is over MAX_BODY."""


class BackendError(ValueError):
    """A `--connect` value that is not HOST:PORT or a URL."""


def backend_url(text: str) -> str:
    """`localhost:8080` -> `http://localhost:8080` (a scheme is added when missing)."""
    raw = text.strip()
    if not raw:
        raise BackendError("empty backend address")
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        hostname = parts.hostname
        port = parts.port
    except ValueError:
        raise BackendError(f"invalid backend address: {text}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise BackendError(f"invalid backend address: {text}")
    if port is not None and not 0 < port < 65536:
        raise BackendError(f"invalid port in backend address: {text}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


@dataclass
class Backend:
    """One upstream server, and the name it has in multi-backend mode."""

    url: str
    name: str = ""
    workflows: list[dict[str, Any]] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


async def _send_json(send: Send, status: int, value: object) -> None:
    body = _json_bytes(value)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _reason(exc: Exception) -> str:
    # httpx's own texts ("All connection attempts failed") say little; name the usual causes.
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
            return "unknown host"
        return "connection refused"
    return text or type(exc).__name__


def unreachable_message(url: str, exc: Exception) -> str:
    """What the user reads when the backend cannot be reached."""
    reason = _reason(exc)
    return (
        f"Backend unreachable: {url} ({reason}). "
        "Is the Haira server running? Start it with `haira run app.haira`."
    )


class WebUIProxy:
    """ASGI app of `haira webui`: the UI plus a streaming reverse proxy."""

    def __init__(self, backends: Sequence[str], *, client: httpx.AsyncClient | None = None) -> None:
        if not backends:
            raise BackendError("no backend given")
        self.backends = [Backend(backend_url(b)) for b in backends]
        self._client = client
        self._named = len(self.backends) == 1

    # -- lifecycle ---------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # No read timeout: a stream may legitimately stay open for minutes
            # (the server sends heartbeats). trust_env=False: connect to the
            # backend the user named, not through an environment proxy.
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(connect=5.0, read=None, write=60.0, pool=10.0),
                limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
                follow_redirects=False,
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def name_backends(self) -> None:
        """Give each backend its `/_b/<name>` (multi-backend mode only)."""
        if self._named:
            return
        taken: set[str] = set()
        for backend in self.backends:
            workflows = await self._discover(backend)
            base = _slug(str(workflows[0].get("name", ""))) if workflows else ""
            if not base:
                parts = urlsplit(backend.url)
                base = _slug(f"{parts.hostname}-{parts.port or ''}")
            name, n = base, 1
            while name in taken:
                n += 1
                name = f"{base}-{n}"
            taken.add(name)
            backend.name = name
        self._named = True

    async def _discover(self, backend: Backend) -> list[dict[str, Any]]:
        try:
            response = await self.client.get(
                backend.url + "/_api/workflows",
                headers={"accept": "application/json"},
                timeout=DISCOVERY_TIMEOUT,
            )
            data = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return backend.workflows  # keep what we knew
        backend.workflows = [w for w in data if isinstance(w, dict)] if isinstance(data, list) else []
        return backend.workflows

    # -- ASGI --------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            # ARP over WebSocket is not proxied (yet): refuse the handshake.
            await send({"type": "websocket.close", "code": 1011})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.name_backends()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        if path == "/_ui" or (path == "/" and method == "GET" and "text/html" in _header(scope, b"accept")):
            await _send_redirect(send, "/_ui/")
            return
        if path.startswith("/_ui/"):
            await self._asset(path[len("/_ui/") :], method, send)
            return
        if len(self.backends) == 1:
            await self._proxy(scope, receive, send, self.backends[0], _raw_path(scope))
            return
        await self.name_backends()
        await self._route_multi(scope, receive, send, path, method)

    async def _asset(self, rest: str, method: str, send: Send) -> None:
        found = asset(rest) if method in ("GET", "HEAD") else None
        if found is None:
            await _send_json(send, 404, {"error": "not found", "code": "not_found"})
            return
        body, content_type = found
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", CACHE_CONTROL.encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    # -- several backends --------------------------------------------------

    async def _route_multi(
        self, scope: Scope, receive: Receive, send: Send, path: str, method: str
    ) -> None:
        if path.startswith("/_b/"):
            name, _, rest = path[len("/_b/") :].partition("/")
            for backend in self.backends:
                if backend.name == name:
                    raw = _raw_path(scope)
                    prefix_len = len("/_b/") + len(name.encode())
                    await self._proxy(scope, receive, send, backend, raw[prefix_len:] or b"/")
                    return
            await _send_json(send, 404, {"error": f"no backend named {name!r}", "code": "not_found"})
            return
        if path == "/_api/workflows" and method == "GET":
            await _send_json(send, 200, await self._merged_workflows())
            return
        if path == "/_api/chats" and method == "GET":
            await _send_json(send, 200, await self._merged_chats())
            return
        if path.startswith("/_api/chats/"):
            owner = await self._chat_owner(path)
            if owner is None:
                await _send_json(send, 404, {"error": "not found", "code": "not_found"})
                return
            await self._proxy(scope, receive, send, owner, _raw_path(scope))
            return
        await self._proxy(scope, receive, send, self.backends[0], _raw_path(scope))

    async def _merged_workflows(self) -> list[dict[str, Any]]:
        lists = await asyncio.gather(*(self._discover(b) for b in self.backends))
        merged: list[dict[str, Any]] = []
        for backend, workflows in zip(self.backends, lists, strict=True):
            for wf in workflows:
                item = dict(wf)
                original = str(wf.get("path", "/"))
                item["path"] = f"/_b/{backend.name}{original}"
                item["backend"] = backend.name
                item["backend_path"] = original
                item["api_base"] = f"/_b/{backend.name}"
                merged.append(item)
        return merged

    async def _merged_chats(self) -> list[dict[str, Any]]:
        async def one(backend: Backend) -> list[dict[str, Any]]:
            try:
                response = await self.client.get(backend.url + "/_api/chats", timeout=DISCOVERY_TIMEOUT)
                data = response.json() if response.status_code == 200 else []
            except (httpx.HTTPError, ValueError):
                return []
            items = [dict(c) for c in data if isinstance(c, dict)] if isinstance(data, list) else []
            for item in items:
                item["backend"] = backend.name
            return items

        chats = [c for part in await asyncio.gather(*(one(b) for b in self.backends)) for c in part]
        chats.sort(key=lambda c: str(c.get("updated_at", "")), reverse=True)
        return chats

    async def _chat_owner(self, path: str) -> Backend | None:
        for backend in self.backends:
            try:
                response = await self.client.get(backend.url + path, timeout=DISCOVERY_TIMEOUT)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return backend
        return None

    # -- the streaming proxy -----------------------------------------------

    async def _proxy(
        self, scope: Scope, receive: Receive, send: Send, backend: Backend, raw_path: bytes
    ) -> None:
        try:
            body = await _read_body(receive)
        except _TooLarge:
            await _send_json(send, 413, {"error": "request body too large", "code": "payload_too_large"})
            return
        if body is None:
            return  # the client left while sending its request
        query = scope.get("query_string", b"")
        url = backend.url + raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = _forward_headers(scope)
        exchange = asyncio.ensure_future(
            self._exchange(send, backend, scope["method"], url, headers, body)
        )
        gone = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait({exchange, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Whichever finished first, stop the other. Cancelling the exchange
            # closes the upstream response, so the backend sees the disconnect.
            for task in (exchange, gone):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        if exchange.done() and not exchange.cancelled():
            exchange.result()

    async def _exchange(
        self,
        send: Send,
        backend: Backend,
        method: str,
        url: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        request = self.client.build_request(method, url, headers=headers, content=body)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            await _send_json(
                send, 504, {"error": unreachable_message(backend.url, exc), "code": "backend_timeout"}
            )
            return
        except httpx.HTTPError as exc:
            await _send_json(
                send, 502, {"error": unreachable_message(backend.url, exc), "code": "backend_unreachable"}
            )
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (k, v) for k, v in response.headers.raw if k.lower() not in _HOP_BY_HOP
                    ],
                }
            )
            try:
                # aiter_raw yields each chunk as it arrives: no re-chunking,
                # no decoding, nothing held back.
                async for chunk in response.aiter_raw():
                    if chunk:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError:
                pass  # the backend broke off; end our side too (SSE clients see no `done`)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


def _raw_path(scope: Scope) -> bytes:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return raw.split(b"?", 1)[0]
    return str(scope["path"]).encode()


def _forward_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    headers = [
        (bytes(k), bytes(v))
        for k, v in scope.get("headers", [])
        if bytes(k).lower() not in _HOP_BY_HOP
        and bytes(k).lower() != b"content-length"  # httpx sets it from the body
    ]
    client = scope.get("client")
    if client:
        headers.append((b"x-forwarded-for", str(client[0]).encode()))
    host = _header(scope, b"host")
    if host:
        headers.append((b"x-forwarded-host", host.encode("latin-1")))
    headers.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()))
    return headers


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
