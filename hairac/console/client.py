"""The HTTP side of `hairac console`: workflow discovery and one streamed chat turn."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from hairac.console.sse import Event, events


class ConsoleError(Exception):
    """A problem to show the user as one line (never a traceback)."""


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    path: str
    method: str
    is_stream: bool
    chat_param: str
    title: str

    @staticmethod
    def from_json(item: dict[str, Any]) -> Workflow:
        return Workflow(
            name=str(item.get("name", "")),
            path=str(item.get("path", "")),
            method=str(item.get("method", "POST")).upper(),
            is_stream=bool(item.get("is_stream", False)),
            chat_param=str(item.get("chat_param") or "message"),
            title=str(item.get("title") or ""),
        )


def base_url(target: str) -> str:
    """`HOST:PORT`, `:PORT`, `PORT` or a full `http(s)://` URL → the server's base URL."""
    target = target.strip().rstrip("/")
    if target.startswith(("http://", "https://")):
        return target
    if target.isdigit():
        return f"http://localhost:{target}"
    if target.startswith(":"):
        return f"http://localhost{target}"
    return f"http://{target}"


def _error_text(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        code = body.get("code")
        return f"{body['error']}" + (f" ({code})" if code else "")
    if resp.status_code == 401:
        return "unauthorized: set HAIRA_AUTH_TOKEN or pass --token"
    return f"HTTP {resp.status_code}"


class Client:
    def __init__(self, base: str, *, token: str | None = None, timeout: float = 300.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base = base
        # No read timeout while streaming: a model may think for a long time; the server
        # sends `: ping` heartbeats and ends every stream with `done`.
        self.http = httpx.Client(
            base_url=base, headers=headers, timeout=httpx.Timeout(10.0, read=timeout)
        )

    def close(self) -> None:
        self.http.close()

    def workflows(self) -> list[Workflow]:
        try:
            resp = self.http.get("/_api/workflows")
        except httpx.HTTPError as exc:
            raise ConsoleError(f"cannot reach {self.base}: {_reason(exc)}") from None
        if resp.status_code != 200:
            raise ConsoleError(f"cannot list workflows at {self.base}: {_error_text(resp)}")
        try:
            items = resp.json()
        except ValueError:
            raise ConsoleError(f"{self.base}/_api/workflows did not answer JSON") from None
        if isinstance(items, dict):  # tolerate {"workflows": [...]}
            items = items.get("workflows", [])
        if not isinstance(items, list):
            raise ConsoleError(f"{self.base}/_api/workflows did not answer a list")
        return [Workflow.from_json(i) for i in items if isinstance(i, dict)]

    def chat(
        self, wf: Workflow, message: str, session: str, on_event: Callable[[Event], None]
    ) -> None:
        """One turn: POST the message and feed each SSE event to `on_event` as it arrives."""
        body = {wf.chat_param: message, "session_id": session}
        headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        try:
            with self.http.stream(
                "POST", wf.path, content=json.dumps(body), headers=headers
            ) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise ConsoleError(_error_text(resp))
                ctype = resp.headers.get("content-type", "")
                if not ctype.startswith("text/event-stream"):
                    resp.read()
                    reply = resp.json().get("reply", "") if "json" in ctype else resp.text
                    on_event(Event("message", json.dumps({"content": str(reply)})))
                    on_event(Event("done", "[DONE]"))
                    return
                for event in events(resp.iter_lines()):
                    on_event(event)
                    if event.event == "done":
                        return
        except httpx.HTTPError as exc:
            raise ConsoleError(f"connection to {self.base} failed: {_reason(exc)}") from None
        raise ConsoleError("the stream ended before `done` (connection lost)")


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if "refused" in text.lower() or not text else text
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return text or type(exc).__name__
