"""The ASGI application: workflow routes in front of the Falcon app, CORS, auth, access log.

    app = HairaApp([Chat__workflow], settings)
    uvicorn.run(app)        # POST /chat -> Workflows; /_api/*, /_ui/, 404 -> Falcon

The workflow routes are served by this layer directly because an SSE response must write
its frames straight to the ASGI `send` (Falcon only offers iterators and its own SSE
objects); everything else goes to Falcon. Every response carries the CORS headers,
`OPTIONS` on any path is the preflight (204), and every request leaves one access-log
line on stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import sys
import time
from typing import Any, Final

from haira import aio, cluster
from haira.memory import Store, get_store
from haira.server import resume, sse
from haira.server.api import build_api
from haira.server.binding import Limits
from haira.server.config import Settings
from haira.server.problems import HttpError, report_internal
from haira.server.request import Receive, Request, Scope, Send, send_error
from haira.server.runs import Runs
from haira.server.spec import WorkflowSpec
from haira.server.workflows import Workflows

__all__ = ["HairaApp"]

_ALLOW_METHODS: Final = b"GET, POST, PUT, DELETE, OPTIONS"
_ALLOW_HEADERS: Final = b"Content-Type, Accept, Authorization, Last-Event-ID"
_SWEEP_EVERY_S: Final = 30.0


class HairaApp:
    """The ASGI callable uvicorn serves."""

    def __init__(self, specs: list[WorkflowSpec], settings: Settings) -> None:
        self.settings = settings
        self._check_routes(specs)
        sse_limits = sse.SseLimits(
            heartbeat_s=settings.heartbeat_s,
            stall_timeout_s=settings.stall_timeout_s,
            max_pending_bytes=settings.max_pending_bytes,
            replay_max_events=settings.replay_max_events,
            replay_max_bytes=settings.replay_max_bytes,
            orphan_grace_s=settings.resume_grace_s,
        )
        self.registry = resume.StreamRegistry(
            sse_limits,
            ttl_s=settings.resume_ttl_s,
            max_finished=settings.max_finished_streams,
            max_bytes=settings.resume_max_bytes,
        )
        self.workflows = Workflows(
            specs,
            limits=Limits(
                settings.max_body_bytes,
                settings.max_multipart_bytes,
                settings.max_streams_per_client,
            ),
            sse_limits=sse_limits,
            registry=self.registry,
            recorder=self._record_chat,
            debug=settings.debug,
            threads=settings.threads,
        )
        self.runs = Runs(
            self._store, sse_limits, self.workflows.executor, debug=settings.debug
        )
        self.workflows.runs = self.runs
        self.cluster = cluster.configure(settings, sse_limits)
        self.workflows.cluster = self.cluster
        self.api = build_api(
            specs, self._store, ui=not settings.no_ui, auth=settings.auth_token is not None
        )
        self._token = (
            b"Bearer " + settings.auth_token.encode() if settings.auth_token is not None else None
        )
        origins = [o.strip() for o in settings.cors_origin.split(",") if o.strip()]
        self._any_origin = not origins or "*" in origins
        self._origins = frozenset(o.encode() for o in origins)
        self._static_cors: list[tuple[bytes, bytes]] = (
            [(b"access-control-allow-origin", b"*")] if self._any_origin else []
        )
        self._sweeper: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------ ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        req = Request(scope)
        cors = self._cors(req)
        status = 500
        events: int | None = None
        try:
            if req.method == "OPTIONS":
                status = await self._preflight(send, cors)
            else:
                ep = self.workflows.endpoints.get(req.path)
                if ep is not None:
                    self._authorize(req)
                    status, events = await self.workflows.handle(ep, req, receive, send, cors)
                elif req.path == "/_api/runs" or req.path.startswith("/_api/runs/"):
                    self._authorize(req)
                    status = await self.runs.handle(req, receive, send, cors)
                else:
                    if req.path.startswith("/_api"):
                        self._authorize(req)
                    status = await self._falcon(scope, receive, send, cors)
        except HttpError as err:
            status = err.status
            await send_error(send, err, cors)
        except Exception as exc:  # a bug: answer 500 if we still can, never a traceback
            report_internal(exc, debug=self.settings.debug)
            status = 500
            with contextlib.suppress(Exception):
                await send_error(send, HttpError(500, "internal", "internal error"), cors)
        finally:
            if self.settings.access_log:
                self._log(req, status, started, events)

    def _log(self, req: Request, status: int, started: float, events: int | None) -> None:
        ms = (time.perf_counter() - started) * 1000.0
        tail = f" events={events}" if events is not None else ""
        sys.stderr.write(f"[haira] {req.method} {req.path} {status} {ms:.1f}ms{tail}\n")

    async def _falcon(
        self, scope: Scope, receive: Receive, send: Send, cors: list[tuple[bytes, bytes]]
    ) -> int:
        status = 0

        async def send_with_cors(message: sse.Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *cors]
            await send(message)

        await self.api(scope, receive, send_with_cors)
        return status

    async def _preflight(self, send: Send, cors: list[tuple[bytes, bytes]]) -> int:
        headers = [
            *cors,
            (b"access-control-allow-methods", _ALLOW_METHODS),
            (b"access-control-allow-headers", _ALLOW_HEADERS),
            (b"access-control-max-age", b"86400"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 204

    def _cors(self, req: Request) -> list[tuple[bytes, bytes]]:
        if self._any_origin:
            return self._static_cors
        origin = req.header(b"origin")
        if origin is not None and origin in self._origins:
            return [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
        if len(self._origins) == 1:
            return [(b"access-control-allow-origin", next(iter(self._origins)))]
        return [(b"vary", b"Origin")]

    def _authorize(self, req: Request) -> None:
        token = self._token
        if token is None:
            return
        given = req.header(b"authorization") or b""
        if not hmac.compare_digest(given, token):
            raise HttpError(
                401,
                "unauthorized",
                "missing or invalid bearer token (send Authorization: Bearer <token>)",
                headers=((b"www-authenticate", b"Bearer"),),
            )

    # ------------------------------------------------------------ lifespan and shutdown

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        """Register the loop for `haira.aio.run_sync` and start the resume-buffer sweeper."""
        loop = asyncio.get_running_loop()
        self.loop = loop
        aio.set_main_loop(loop)
        self._sweeper = loop.create_task(self._sweep())
        await cluster.startup(self.cluster, workers=self.settings.workers)

    async def shutdown(self) -> None:
        """End in-flight work (error + done for streams) and wait for it, bounded."""
        self.begin_shutdown()
        pending: list[asyncio.Task[Any]] = [
            r.task for r in self.registry.live() if r.task is not None
        ]
        pending += self.workflows.tasks
        pending += self.runs.tasks
        if pending:
            await asyncio.wait(pending, timeout=self.settings.shutdown_grace_s)
        if self._sweeper is not None:
            self._sweeper.cancel()
        await cluster.shutdown(self.cluster)
        transport = sys.modules.get("haira.providers.transport")
        if transport is not None:  # only when a provider was used: close its pooled sockets
            with contextlib.suppress(Exception):
                await transport.close_shared_clients()
        if aio.get_main_loop() is self.loop:
            aio.set_main_loop(None)
        # Threads still running workflow code finish on their own; do not wait for them.
        self.workflows.executor.shutdown(wait=False, cancel_futures=True)

    def begin_shutdown(self) -> None:
        """Refuse new runs and cancel the running ones (called on SIGTERM, on the loop)."""
        self.workflows.shutting_down = True
        for run in self.registry.live():
            run.cancel("the server is shutting down", "shutting_down")
        for task in list(self.workflows.tasks):
            task.cancel()
        self.runs.deny_all()  # a step waiting for @confirm would hold its thread forever

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(_SWEEP_EVERY_S)
            self.registry.sweep()

    # ------------------------------------------------------------ helpers

    def _store(self) -> Store:
        return get_store()

    async def _record_chat(
        self, chat: str, workflow: str, role: str, content: str, interrupted: bool
    ) -> None:
        await get_store().record_chat_message(
            chat, workflow, role, content, interrupted=interrupted
        )

    @staticmethod
    def _check_routes(specs: list[WorkflowSpec]) -> None:
        from haira.errors import ConfigError

        seen: dict[tuple[str, str], str] = {}
        for spec in specs:
            if not spec.path.startswith("/"):
                raise ConfigError(f"workflow {spec.name}: path {spec.path!r} must start with '/'")
            if spec.path.startswith(("/_api", "/_ui")):
                raise ConfigError(f"workflow {spec.name}: path {spec.path!r} is reserved")
            key = (spec.method.upper(), spec.path)
            if key in seen:
                raise ConfigError(
                    f"workflows {seen[key]} and {spec.name} are both served at "
                    f"{key[0]} {spec.path}"
                )
            seen[key] = spec.name
