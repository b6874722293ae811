"""Serving workflows over HTTP: `http.Server([...])` and `server.listen(port)` of Haira.

    server = haira.server.Server([Chat__workflow])
    server.listen(8080)      # blocks; HAIRA_PORT / --port win over 8080

Streaming workflows answer with SSE (`haira.server.sse`) or, for clients that ask for
JSON, with `{"reply": ...}`; the contract is docs http-streaming.md. `Server.asgi()` gives
the ASGI app without starting uvicorn (tests, embedding).
"""

from __future__ import annotations

import dataclasses
import sys

from haira.errors import ConfigError, HairaError
from haira.server import config
from haira.server.app import HairaApp
from haira.server.config import Settings
from haira.server.spec import WorkflowSpec

__all__ = ["HairaApp", "Server", "Settings", "WorkflowSpec", "config"]


class Server:
    """A set of workflows to serve; created by `http.Server([...])` in Haira."""

    def __init__(self, workflows: list[WorkflowSpec], *, settings: Settings | None = None) -> None:
        self.workflows = list(workflows)
        self._settings = settings

    def asgi(self, settings: Settings | None = None) -> HairaApp:
        """The ASGI application for these workflows (settings from the environment by default)."""
        return HairaApp(self.workflows, settings or self._settings or config.load())

    def listen(self, port: int = 8080) -> HairaError | None:
        """Serve until SIGTERM/SIGINT. A setup failure is reported on stderr and returned."""
        from haira.server import run

        try:
            if self._settings is not None:
                settings = dataclasses.replace(self._settings, port=port)
            else:
                settings = config.load(port)
            HairaApp(self.workflows, settings)  # validate routes before binding the port
        except ConfigError as exc:
            sys.stderr.write(f"[haira] cannot start the server: {exc}\n")
            return HairaError(str(exc))
        try:
            sock = run.bind_socket(settings.host, settings.port)
        except OSError as exc:
            message = f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}"
            sys.stderr.write(f"[haira] {message}\n")
            return HairaError(message)
        shown = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
        workers = f" ({settings.workers} workers)" if settings.workers > 1 else ""
        sys.stderr.write(
            f"[haira] serving {len(self.workflows)} workflow(s) on "
            f"http://{shown}:{sock.getsockname()[1]}{workers}\n"
        )
        sys.stderr.flush()
        run.serve(lambda: HairaApp(self.workflows, settings), settings, sock)
        return None
