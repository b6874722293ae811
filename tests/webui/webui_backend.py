"""A small loopback server that speaks the documented wire contract
(docs: /work/shared/spec/http-streaming.md) for the UI and proxy tests.

The reply to a chat message depends on its first word, so each test picks
its scenario: `slow` (many tokens, slowly), `gate` (one token, then waits
for the test to release it), `tool`, `fail` (an `event: error` mid-stream),
`md` (Markdown with an HTML injection attempt), `handoff`, anything else
echoes. Chats are recorded like `/_api/chats` describes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MARKDOWN_REPLY = (
    "# Title\n\nSome **bold** and `code` text.\n\n"
    '<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>\n\n'
    "[click](javascript:window.__pwned=3)\n\n"
    "```python\nprint('<b>not bold</b>')\n```\n\n- one\n- two\n"
)

WORKFLOWS: list[dict[str, Any]] = [
    {
        "name": "Chat",
        "path": "/chat",
        "method": "POST",
        "is_stream": True,
        "chat_param": "message",
        "title": "Test chat",
        "description": "A chat for the UI tests",
        "suggestions": ["Say hello", "tool demo", 7],
        "accent": "rgb(10, 125, 77)",
        "params": [
            {"name": "message", "type": "string"},
            {"name": "session_id", "type": "string"},
        ],
    },
    {
        "name": "Sum",
        "path": "/sum",
        "method": "POST",
        "is_stream": False,
        "description": "Adds two numbers",
        "params": [
            {"name": "a", "type": "int"},
            {"name": "b", "type": "int"},
            {"name": "label", "type": "string", "required": False},
            {"name": "upload", "type": "file", "required": False},
        ],
    },
    {
        "name": "Write",
        "path": "/write",
        "method": "POST",
        "is_stream": True,
        "chat_param": "prompt",
        "params": [{"name": "prompt", "type": "string"}, {"name": "sid", "type": "string"}],
    },
    {
        "name": "Styled",
        "path": "/styled",
        "method": "POST",
        "is_stream": True,
        "mode": "form",
        "accent": "red; background: url(javascript:alert(1))",
        "params": [{"name": "message", "type": "string"}],
    },
]


@dataclass
class Chat:
    id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class BackendState:
    chats: dict[str, Chat] = field(default_factory=dict)
    disconnects: list[str] = field(default_factory=list)  # sessions whose stream the client dropped
    gate: threading.Event = field(default_factory=threading.Event)
    requests: list[dict[str, Any]] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)  # stream ids of `drop` replies
    resumes: list[str] = field(default_factory=list)  # Last-Event-ID of each `drop` request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sid: str, role: str, content: str, interrupted: bool = False) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self.lock:
            chat = self.chats.setdefault(sid, Chat(sid, created_at=now))
            item: dict[str, Any] = {"role": role, "content": content, "timestamp": now}
            if interrupted:
                item["interrupted"] = True
            chat.messages.append(item)
            chat.updated_at = now


def _frame(event: str | None, data: object, ident: str) -> bytes:
    head = f"id: {ident}\n" + (f"event: {event}\n" if event else "")
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return (head + f"data: {payload}\n\n").encode()


async def _json(send: Send, status: int, value: object) -> None:
    body = json.dumps(value).encode() + b"\n"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _script(message: str) -> list[tuple[str | None, object, float]]:
    """(event, data, delay before it) for the reply to `message`."""
    word = message.split(" ", 1)[0].lower()
    if word == "slow":
        return [(None, {"content": f"tok{i} "}, 0.15) for i in range(40)]
    if word == "bulk":
        return [(None, {"content": "lorem ipsum dolor sit amet " * 12 + "\n\n"}, 0.01) for _ in range(8)]
    if word == "tool":
        return [
            (None, {"content": "Let me look. "}, 0.02),
            ("tool_start", {"tool": "search", "args": {"q": "weather"}}, 0.05),
            ("tool_end", {"tool": "search", "ok": True}, 0.2),
            (None, {"content": "It is sunny."}, 0.02),
        ]
    if word == "fail":
        return [
            (None, {"content": "Partial answer"}, 0.02),
            ("error", {"error": "upstream exploded", "code": "upstream_error"}, 0.05),
        ]
    if word == "md":
        return [(None, {"content": MARKDOWN_REPLY[i : i + 7]}, 0.01) for i in range(0, len(MARKDOWN_REPLY), 7)]
    if word == "handoff":
        return [
            (None, {"content": "Passing you on."}, 0.02),
            ("handoff", {"from": "Triage", "to": "Billing"}, 0.02),
            (None, {"content": " Billing here."}, 0.02),
        ]
    words = f"You said: {message}".split(" ")
    return [(None, {"content": (" " if i else "") + w}, 0.03) for i, w in enumerate(words)] + [
        ("usage", {"prompt_tokens": 12, "completion_tokens": len(words)}, 0.0)
    ]


class WireBackend:
    """ASGI app: /_api/workflows, /_api/chats[/<id>], POST /chat (SSE), POST /sum."""

    def __init__(self) -> None:
        self.state = BackendState()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path, method = scope["path"], scope["method"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.state.requests.append({"path": path, "method": method, "headers": headers})
        if path == "/_api/workflows":
            await _json(send, 200, WORKFLOWS)
        elif path == "/_api/chats":
            await _json(send, 200, self._chat_list())
        elif path.startswith("/_api/chats/"):
            await self._chat(path[len("/_api/chats/") :], method, send)
        elif path == "/write" and method == "POST":
            await self._write(receive, send)
        elif path == "/chat" and method == "POST":
            await self._stream(receive, send, headers.get("last-event-id", ""))
        elif path == "/sum" and method == "POST":
            await self._sum(scope, receive, send, headers)
        else:
            await _json(send, 404, {"error": "not found", "code": "not_found"})

    def _chat_list(self) -> list[dict[str, Any]]:
        with self.state.lock:
            chats = sorted(self.state.chats.values(), key=lambda c: c.updated_at, reverse=True)
            return [
                {
                    "id": c.id,
                    "workflow_name": "Chat",
                    "workflow_path": "/chat",
                    "title": next((m["content"][:80] for m in c.messages if m["role"] == "user"), ""),
                    "created_at": c.created_at,
                    "updated_at": c.updated_at,
                    "message_count": len(c.messages),
                }
                for c in chats
            ]

    async def _chat(self, sid: str, method: str, send: Send) -> None:
        if method == "DELETE":
            with self.state.lock:
                self.state.chats.pop(sid, None)
            await _json(send, 200, {"status": "deleted"})
            return
        summary = next((c for c in self._chat_list() if c["id"] == sid), None)
        if summary is None:
            await _json(send, 404, {"error": "chat not found", "code": "not_found"})
            return
        await _json(send, 200, {**summary, "messages": list(self.state.chats[sid].messages)})

    async def _stream(self, receive: Receive, send: Send, last_event_id: str) -> None:
        try:
            params = json.loads(await _body(receive) or b"{}")
        except ValueError:
            await _json(send, 400, {"error": "malformed JSON body", "code": "invalid_json"})
            return
        message = params.get("message")
        if not isinstance(message, str):
            await _json(send, 400, {"error": "missing required parameter 'message'", "code": "missing_parameter", "param": "message"})
            return
        sid = str(params.get("session_id") or "")
        if message.startswith("http500"):
            await _json(send, 500, {"error": "internal failure", "code": "internal"})
            return
        if message.startswith("cut"):
            # A reply that breaks off (no ids to resume from, no `done`).
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
            await send({"type": "http.response.body", "body": b'data: {"content":"half an ans"}\n\n', "more_body": False})
            return
        if message.startswith("drop"):
            await self._drop(send, last_event_id)
            return
        if sid:
            self.state.record(sid, "user", message)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        stream_id = uuid.uuid4().hex[:12]
        reply: list[str] = []
        gone = asyncio.ensure_future(self._disconnected(receive))
        produce = asyncio.ensure_future(self._produce(send, stream_id, message, reply))
        await asyncio.wait({gone, produce}, return_when=asyncio.FIRST_COMPLETED)
        if gone.done() and not produce.done():
            produce.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await produce
            self.state.disconnects.append(sid)
            if sid:
                self.state.record(sid, "assistant", "".join(reply), interrupted=True)
            return
        gone.cancel()
        if sid:
            self.state.record(sid, "assistant", "".join(reply))

    async def _write(self, receive: Receive, send: Send) -> None:
        """The doc page's `Write(prompt, sid)`: replies with the session id it was given."""
        params = json.loads(await _body(receive) or b"{}")
        self.state.requests[-1]["json"] = params
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        body = _frame(None, {"content": f"session {params.get('sid')}"}, "w:1") + _frame("done", "[DONE]", "w:2")
        await send({"type": "http.response.body", "body": body})

    async def _drop(self, send: Send, last_event_id: str) -> None:
        """Six tokens; the first response breaks off after three (no `done`), and a
        reconnect with `Last-Event-ID` gets the rest, as the contract's resume does."""
        stream_id, _, seen = last_event_id.rpartition(":")
        resuming = stream_id in self.state.dropped and seen.isdigit()
        if not resuming:
            stream_id = uuid.uuid4().hex[:12]
            self.state.dropped.add(stream_id)
        start = int(seen) if resuming else 0
        end = 6 if resuming else 3
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")],
            }
        )
        body = b"retry: 3000\n\n"
        for seq in range(start + 1, end + 1):
            body += _frame(None, {"content": f"part{seq} "}, f"{stream_id}:{seq}")
        if resuming:
            body += _frame("done", "[DONE]", f"{stream_id}:7")
        self.state.resumes.append(last_event_id)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _disconnected(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    async def _produce(self, send: Send, stream_id: str, message: str, reply: list[str]) -> None:
        await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
        seq = 0
        if message.startswith("gate"):
            await send({"type": "http.response.body", "body": _frame(None, {"content": "first "}, f"{stream_id}:1"), "more_body": True})
            reply.append("first ")
            seq = 1
            while not self.state.gate.is_set():
                await asyncio.sleep(0.02)
            script: list[tuple[str | None, object, float]] = [(None, {"content": "second"}, 0.0)]
        else:
            script = _script(message)
        for event, data, delay in script:
            await asyncio.sleep(delay)
            seq += 1
            if event is None and isinstance(data, dict):
                reply.append(str(data["content"]))
            await send({"type": "http.response.body", "body": _frame(event, data, f"{stream_id}:{seq}"), "more_body": True})
        seq += 1
        await send({"type": "http.response.body", "body": _frame("done", "[DONE]", f"{stream_id}:{seq}"), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _sum(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        raw = await _body(receive)
        ctype = headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            # Enough multipart for the test: find the simple fields by name.
            text = raw.decode("utf-8", "replace")
            params: dict[str, Any] = {}
            for part in text.split("--" + ctype.split("boundary=")[1])[1:-1]:
                head, _, value = part.partition("\r\n\r\n")
                name = head.split('name="')[1].split('"')[0]
                params[name] = "<file>" if "filename=" in head else value.rstrip("\r\n")
        else:
            try:
                params = json.loads(raw or b"{}")
            except ValueError:
                await _json(send, 400, {"error": "malformed JSON body", "code": "invalid_json"})
                return
        values = {}
        for name in ("a", "b"):
            if name not in params:
                await _json(send, 400, {"error": f"missing required parameter '{name}'", "code": "missing_parameter", "param": name})
                return
            try:
                values[name] = int(params[name])
            except (TypeError, ValueError):
                await _json(send, 400, {"error": f"parameter '{name}' must be an int", "code": "invalid_parameter", "param": name})
                return
        await _json(
            send,
            200,
            {"sum": values["a"] + values["b"], "label": params.get("label", ""), "upload": params.get("upload"), "ok": True, "parts": [values["a"], values["b"]]},
        )
