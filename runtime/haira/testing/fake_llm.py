"""A wire-faithful fake LLM server (OpenAI chat completions, Azure, Anthropic Messages).

Plain HTTP/1.1 over asyncio streams, written by hand so every fault is real on the wire:
chunked SSE bodies, 429 with `Retry-After`, 500, a malformed chunk, a stall, an abrupt
mid-stream close, a never-ending reply. Every request is recorded (headers and JSON body)
together with the moment the client went away, so tests can assert what went upstream
and that a cancelled stream really closed its connection.

    with FakeLLM() as fake:                       # own thread + loop, free loopback port
        fake.script(reply("Hi!"), tool_calls(call("f", {"x": 1})))
        os.environ["OPENAI_BASE_URL"] = fake.openai_base   # http://127.0.0.1:PORT/v1
        ...
        assert fake.requests[0].json["messages"][-1]["content"] == "hello"

Routes: `POST /v1/chat/completions`, `POST /openai/deployments/<d>/chat/completions`,
`POST /v1/messages` (Anthropic); control: `POST /_fake/script` (JSON list of steps),
`GET /_fake/requests`, `POST /_fake/reset`, `GET /_fake/health`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import orjson

from haira.testing.script import Step, step_from_json

__all__ = ["FakeLLM", "RecordedRequest", "tokens_of"]

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout",
            409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 529: "Overloaded"}


def tokens_of(text: str) -> list[str]:
    """Word tokens with their leading whitespace ("a b" → ["a", " b"])."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i
        while j < n and text[j].isspace():
            j += 1
        while j < n and not text[j].isspace():
            j += 1
        out.append(text[i:j])
        i = j
    return out


@dataclass(slots=True)
class RecordedRequest:
    """One request as the fake server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    received_at: float  # time.monotonic()
    json: object = None
    client_closed_at: float | None = None  # monotonic time the client hung up mid-response
    completed: bool = False  # the response was sent in full

    @property
    def messages(self) -> list[dict[str, object]]:
        if isinstance(self.json, dict):
            m = self.json.get("messages")
            if isinstance(m, list):
                return [x for x in m if isinstance(x, dict)]
        return []


@dataclass
class _Stats:
    connections_opened: int = 0
    connections_closed: int = 0
    open_connections: set[int] = field(default_factory=set)


class _ClientGone(Exception):
    pass


class FakeLLM:
    """The server. Thread mode: `with FakeLLM() as f`; same-loop mode: `async with`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token_rate: float = 0.0,
        reply_text: str = "",
        model: str = "",
    ) -> None:
        self.host = host
        self.port = port
        self.token_rate = token_rate
        self.reply_text = reply_text
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.stats = _Stats()
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0
        self._handlers: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    # ------------------------------------------------------------ public API

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base(self) -> str:
        return f"{self.url}/v1"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self._steps.clear()
            self.requests.clear()

    def model_requests(self) -> list[RecordedRequest]:
        """Recorded requests to the model routes (not the control API)."""
        return [r for r in self.requests if not r.path.startswith("/_fake/")]

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[RecordedRequest]:
        end = time.monotonic() + timeout
        while len(self.model_requests()) < n and time.monotonic() < end:
            time.sleep(0.005)
        return self.model_requests()

    async def start_async(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop_async(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            self._server = None
        # Abort rather than cancel: a cancelled handler task makes 3.11's StreamReaderProtocol
        # log a spurious traceback; an aborted transport ends the handler normally.
        tasks = list(self._handlers)
        for w in self._handlers.values():
            w.transport.abort()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)

    async def __aenter__(self) -> FakeLLM:
        await self.start_async()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_async()

    def start(self) -> FakeLLM:
        """Serve from a daemon thread with its own event loop."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop_async())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-llm", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5.0)
            self._thread = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def serve_forever(self) -> None:
        await self.start_async()
        assert self._server is not None
        await self._server.serve_forever()

    # ------------------------------------------------------------ connection handling

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn_id = id(writer)
        me = asyncio.current_task()
        if me is not None:
            self._handlers[me] = writer
        self.stats.connections_opened += 1
        self.stats.open_connections.add(conn_id)
        buf = bytearray()
        try:
            while True:
                req = await self._read_request(reader, buf)
                if req is None:
                    return
                self.requests.append(req)
                keep = await self._respond(req, reader, writer, buf)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, _ClientGone):
            return
        finally:
            if me is not None:
                self._handlers.pop(me, None)
            self.stats.connections_closed += 1
            self.stats.open_connections.discard(conn_id)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader, buf: bytearray) -> RecordedRequest | None:
        while b"\r\n\r\n" not in buf:
            data = await reader.read(65536)
            if not data:
                return None
            buf.extend(data)
        head_end = buf.index(b"\r\n\r\n")
        head = bytes(buf[:head_end]).decode("latin-1")
        del buf[: head_end + 4]
        lines = head.split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or "0")
        while len(buf) < length:
            data = await reader.read(65536)
            if not data:
                return None
            buf.extend(data)
        body = bytes(buf[:length])
        del buf[:length]
        parsed: object = None
        if body:
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                parsed = None
        return RecordedRequest(method, path, headers, body, time.monotonic(), parsed)

    async def _respond(
        self,
        req: RecordedRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        buf: bytearray,
    ) -> bool:
        path = req.path.split("?", 1)[0]
        if path.startswith("/_fake/"):
            return await self._control(req, path, writer)
        if req.method != "POST":
            await _send_json(writer, 405, {"error": {"message": "method not allowed"}})
            return True
        if path.endswith("/chat/completions"):
            wire = "openai"
        elif path.endswith("/messages"):
            wire = "anthropic"
        else:
            await _send_json(writer, 404, {"error": {"message": f"no route {path}"}})
            return True
        if not isinstance(req.json, dict):
            await _send_json(writer, 400, {"error": {"message": "body must be a JSON object"}})
            return True
        with self._lock:
            step = self._steps.popleft() if self._steps else None
            self._counter += 1
            n = self._counter
        if step is None:
            step = Step("reply", text=self._default_reply(req))
        if step.kind == "error":
            await _send_error(writer, step)
            req.completed = True
            return True
        if not req.json.get("stream"):
            await _send_json(writer, 200, self._complete(wire, req, step, n))
            req.completed = True
            return True
        return await self._stream_watched(wire, req, step, n, reader, writer, buf)

    async def _stream_watched(
        self,
        wire: str,
        req: RecordedRequest,
        step: Step,
        n: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        buf: bytearray,
    ) -> bool:
        """Stream while watching for the client hanging up; True to keep the connection."""
        watcher = asyncio.ensure_future(reader.read(65536))
        sender = asyncio.ensure_future(self._stream(wire, req, step, n, writer))
        done, _ = await asyncio.wait({watcher, sender}, return_when=asyncio.FIRST_COMPLETED)
        if sender in done and not sender.cancelled() and isinstance(sender.exception(), ConnectionError):
            # The client hung up and the write noticed before the read did: same event.
            req.client_closed_at = time.monotonic()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await watcher
            return False
        if sender in done:
            # NOTE: the watcher may already hold the client's *next* request (keep-alive
            # clients send it as soon as the last chunk arrives): keep those bytes.
            if not watcher.done():
                watcher.cancel()
            try:
                early = await watcher
            except (asyncio.CancelledError, ConnectionError):
                early = None
            keep = sender.result()
            if early is not None:
                if not early:
                    return False  # the client closed after the response
                buf.extend(early)
            req.completed = keep
            return keep
        # The client sent EOF (or, never in practice, pipelined bytes) mid-response.
        data = b""
        with contextlib.suppress(Exception):
            data = watcher.result()
        if data:
            buf.extend(data)
            keep = await sender
            req.completed = keep
            return keep
        req.client_closed_at = time.monotonic()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await sender
        return False

    def _default_reply(self, req: RecordedRequest) -> str:
        if self.reply_text:
            return self.reply_text
        last = ""
        for m in req.messages:
            if m.get("role") == "user":
                c = m.get("content")
                if isinstance(c, str):
                    last = c
                elif isinstance(c, list):  # Anthropic blocks
                    last = " ".join(str(b.get("text", "")) for b in c if isinstance(b, dict) and b.get("type") == "text") or last
        return f"Echo: {last}"

    async def _control(self, req: RecordedRequest, path: str, writer: asyncio.StreamWriter) -> bool:
        self.requests.pop()  # control calls are not model traffic
        if path == "/_fake/health":
            await _send_json(writer, 200, {"status": "ok"})
        elif path == "/_fake/reset" and req.method == "POST":
            self.reset()
            await _send_json(writer, 200, {"ok": True})
        elif path == "/_fake/script" and req.method == "POST":
            items = req.json if isinstance(req.json, list) else [req.json]
            steps = [step_from_json(x) for x in items if isinstance(x, dict)]
            self.script(*steps)
            await _send_json(writer, 200, {"queued": len(steps)})
        elif path == "/_fake/requests":
            out = [
                {"method": r.method, "path": r.path, "headers": r.headers, "json": r.json,
                 "client_closed": r.client_closed_at is not None, "completed": r.completed}
                for r in self.model_requests()
            ]
            await _send_json(writer, 200, out)
        else:
            await _send_json(writer, 404, {"error": {"message": f"no route {path}"}})
        return True

    # ------------------------------------------------------------ bodies

    def _rate(self, step: Step) -> float:
        return step.token_rate if step.token_rate >= 0 else self.token_rate

    def _complete(self, wire: str, req: RecordedRequest, step: Step, n: int) -> dict[str, object]:
        """Non-streamed answer (rarely used; kept wire-faithful)."""
        assert isinstance(req.json, dict)
        model = self.model or str(req.json.get("model", "fake-model"))
        prompt = _prompt_tokens(req)
        text = step.text
        completion = len(tokens_of(text))
        if wire == "anthropic":
            content: list[dict[str, object]] = [{"type": "text", "text": text}] if text else []
            for i, c in enumerate(step.calls):
                content.append({"type": "tool_use", "id": c.id or f"toolu_{n}_{i}", "name": c.name,
                                "input": orjson.loads(c.arguments or "{}")})
            return {"id": f"msg_fake_{n}", "type": "message", "role": "assistant", "model": model,
                    "content": content, "stop_reason": "tool_use" if step.calls else "end_turn",
                    "usage": {"input_tokens": prompt, "output_tokens": completion}}
        message: dict[str, object] = {"role": "assistant", "content": text or None}
        if step.calls:
            message["tool_calls"] = [
                {"id": c.id or f"call_{n}_{i}", "type": "function",
                 "function": {"name": c.name, "arguments": c.arguments}}
                for i, c in enumerate(step.calls)
            ]
        return {"id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message,
                             "finish_reason": "tool_calls" if step.calls else "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion}}

    async def _stream(self, wire: str, req: RecordedRequest, step: Step, n: int,
                      writer: asyncio.StreamWriter) -> bool:
        """Stream the step; True if the connection can be kept alive."""
        assert isinstance(req.json, dict)
        model = self.model or str(req.json.get("model", "fake-model"))
        if step.kind == "stall" and not step.headers_first:
            await _sleep_or_forever(step.seconds)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"cache-control: no-cache\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        if wire == "anthropic":
            from haira.testing.anthropic_wire import AnthropicWire

            enc: _Wire = AnthropicWire(model, n, _prompt_tokens(req))
        else:
            opts = req.json.get("stream_options")
            usage = isinstance(opts, dict) and opts.get("include_usage") is True
            enc = _OpenAIWire(model, n, usage, _prompt_tokens(req))
        rate = self._rate(step)
        pace = _Pacer(rate)
        _chunk(writer, enc.start())
        if step.kind == "endless":
            await _endless(writer, enc, pace, step)
        tokens = tokens_of(step.text)
        if step.kind in ("stall", "disconnect", "malformed"):
            limit = step.after
        elif step.kind == "tools":
            limit = 0  # the encoder writes the text that precedes the calls
        else:
            limit = len(tokens)
        for k, tok in enumerate(tokens[:limit]):
            await pace.wait()
            _chunk(writer, enc.text(tok))
            if pace.rate > 0 or k % 32 == 31:  # unthrottled: flush in batches of events
                await writer.drain()
        if step.kind == "stall":
            await writer.drain()
            await _sleep_or_forever(step.seconds)
            for tok in tokens[limit:]:
                await pace.wait()
                _chunk(writer, enc.text(tok))
            _chunk(writer, enc.end("stop", step.usage))
        elif step.kind == "disconnect":
            await writer.drain()
            writer.transport.abort()  # no terminating chunk: a broken body on the client side
            return False
        elif step.kind == "malformed":
            _chunk(writer, b'data: {"id":"broken","choices":[{"delta":{"content":"oops\n\n')
            await writer.drain()
            await asyncio.sleep(0.05)
            _chunk(writer, enc.end("stop", step.usage))
        elif step.kind == "tools":
            await pace.wait()
            _chunk(writer, enc.tools(step, n))
            _chunk(writer, enc.end("tool_calls", step.usage))
        else:
            _chunk(writer, enc.end("stop", step.usage))
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


async def _endless(writer: asyncio.StreamWriter, enc: _Wire, pace: _Pacer, step: Step) -> None:
    """A reply that never ends: the step's text over and over until the client goes away."""
    i = 0
    toks = tokens_of(step.text) or ["x "]
    while True:
        await pace.wait()
        if writer.is_closing():  # gone: stop before asyncio warns about each lost write
            raise ConnectionResetError("the client went away")
        _chunk(writer, enc.text(toks[i % len(toks)]))
        i += 1
        if pace.rate > 0 or i % 32 == 0:
            await writer.drain()


def _prompt_tokens(req: RecordedRequest) -> int:
    total = 0
    for m in req.messages:
        c = m.get("content")
        if isinstance(c, str):
            total += len(tokens_of(c))
    return total


async def _sleep_or_forever(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
    else:
        await asyncio.Event().wait()


class _Pacer:
    """Absolute schedule for `rate` tokens per second (0 = no delay, just yield)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.start = time.monotonic()
        self.i = 0

    async def wait(self) -> None:
        if self.rate <= 0:
            self.i += 1
            if self.i % 64 == 0:
                await asyncio.sleep(0)
            return
        due = self.start + self.i / self.rate
        self.i += 1
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def _send_error(writer: asyncio.StreamWriter, step: Step) -> None:
    headers = {}
    if step.retry_after:
        headers["retry-after"] = step.retry_after
    if step.retry_after_ms:
        headers["retry-after-ms"] = step.retry_after_ms
    body = {"error": {"message": step.message, "type": "fake_error", "code": step.status}}
    await _send_json(writer, step.status, body, headers)


def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    if data:
        writer.write(b"%x\r\n%s\r\n" % (len(data), data))


async def _send_json(writer: asyncio.StreamWriter, status: int, obj: object,
                     headers: dict[str, str] | None = None) -> None:
    body = orjson.dumps(obj)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n{extra}connection: keep-alive\r\n\r\n")
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


class _Wire:
    def start(self) -> bytes:
        raise NotImplementedError

    def text(self, tok: str) -> bytes:
        raise NotImplementedError

    def tools(self, step: Step, n: int) -> bytes:
        raise NotImplementedError

    def end(self, reason: str, usage: bool) -> bytes:
        raise NotImplementedError


class _OpenAIWire(_Wire):
    """`chat.completion.chunk` events exactly as OpenAI frames them."""

    def __init__(self, model: str, n: int, include_usage: bool, prompt: int) -> None:
        self.head = {"id": f"chatcmpl-fake-{n}", "object": "chat.completion.chunk",
                     "created": int(time.time()), "model": model, "system_fingerprint": "fp_fake"}
        self.include_usage = include_usage
        self.prompt = prompt
        self.completion = 0
        # The content event is the hot one: a template around the JSON-escaped token gives
        # the same bytes as `_event` without building and encoding a dict per token.
        head = orjson.dumps(self.head)[:-1]
        self._text_prefix = b"data: " + head + b',"choices":[{"index":0,"delta":{"content":'
        usage_tail = b',"usage":null' if include_usage else b""
        self._text_suffix = b'},"logprobs":null,"finish_reason":null}]' + usage_tail + b"}\n\n"

    def _event(self, choices: list[dict[str, object]], usage: object = None, with_usage: bool = False) -> bytes:
        obj: dict[str, object] = dict(self.head)
        obj["choices"] = choices
        if self.include_usage:
            obj["usage"] = usage
        return b"data: " + orjson.dumps(obj) + b"\n\n"

    def start(self) -> bytes:
        return self._event([{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None},
                             "logprobs": None, "finish_reason": None}])

    def text(self, tok: str) -> bytes:
        self.completion += 1
        return self._text_prefix + orjson.dumps(tok) + self._text_suffix

    def text_slow(self, tok: str) -> bytes:
        """`text` built the obvious way (tests compare the two)."""
        return self._event([{"index": 0, "delta": {"content": tok}, "logprobs": None, "finish_reason": None}])

    def tools(self, step: Step, n: int) -> bytes:
        out: list[bytes] = []
        if step.text:
            for tok in tokens_of(step.text):
                out.append(self.text(tok))
        for i, c in enumerate(step.calls):
            cid = c.id or f"call_{n}_{i}"
            args = c.arguments
            # Like OpenAI: the first fragment names the call with empty arguments, then
            # the arguments follow in small pieces.
            pieces = ["", *(args[k : k + 7] for k in range(0, len(args), 7))]
            self.completion += len(pieces)
            for j, piece in enumerate(pieces):
                frag: dict[str, object] = {}
                if step.style != "no_index":
                    frag["index"] = 0 if step.style == "same_index" else i
                if j == 0 or step.style == "id_every_fragment":
                    frag["id"] = cid
                    frag["type"] = "function"
                fn: dict[str, object] = {"name": c.name, "arguments": piece} if j == 0 else {"arguments": piece}
                frag["function"] = fn
                out.append(self._event([{"index": 0, "delta": {"tool_calls": [frag]},
                                         "logprobs": None, "finish_reason": None}]))
        return b"".join(out)

    def end(self, reason: str, usage: bool) -> bytes:
        out = self._event([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": reason}])
        if self.include_usage and usage:
            out += self._event([], {"prompt_tokens": self.prompt, "completion_tokens": self.completion,
                                    "total_tokens": self.prompt + self.completion})
        return out + b"data: [DONE]\n\n"
