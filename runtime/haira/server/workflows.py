"""Workflow endpoints: method check, binding, negotiation, then SSE, JSON fallback or JSON.

    POST /chat  {"message":"hi","session_id":"s1"}        (no Accept)  -> SSE (sse.serve)
    POST /chat  Accept: application/json                               -> 200 {"reply": "..."}
    GET  /chat?message=hi  Last-Event-ID: <id>:4                       -> replay, or 204

A streaming workflow's function is called after the SSE headers are out (it may be slow
when it is `blocking`); its stream is driven by a task of its own that writes into a
`StreamRun`, so the response only ever copies finished frames to the socket.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Final, Protocol

import orjson

from haira import upstream_hooks
from haira.memory.policy import cap_message
from haira.server import resume, runs, sse
from haira.server.binding import Bound, Limits, bind
from haira.server.negotiate import names_sse, wants_sse
from haira.server.problems import Failure, HttpError, classify, error_body, redact
from haira.server.request import Receive, Request, Send, read_body, send_bytes, send_error
from haira.server.spec import WorkflowSpec
from haira.types import to_jsonable

if TYPE_CHECKING:
    from haira.cluster.redis_runs import RedisRuns

__all__ = ["Endpoint", "Streamable", "Workflows"]

# What the access log shows for a client that left before its JSON answer was ready.
CLIENT_CLOSED: Final = 499


class Streamable(Protocol):
    """What a streaming workflow returns (`haira.agents.AgentStream` and test doubles)."""

    def run(self, sink: sse.StreamRun) -> Awaitable[object]: ...


class Endpoint:
    """One workflow path: the workflow answering each method there (several may share it)."""

    __slots__ = ("allow", "by_method", "path")

    def __init__(self, path: str, specs: list[WorkflowSpec]) -> None:
        self.path = path
        by_method: dict[str, WorkflowSpec] = {}
        for spec in specs:
            by_method[spec.method.upper()] = spec
        for spec in specs:
            # contract §1: a streaming workflow also answers GET (`new EventSource(path)`),
            # unless another workflow is declared for GET on the same path.
            if spec.is_stream and "GET" not in by_method:
                by_method["GET"] = spec
        self.by_method = by_method
        self.allow = ", ".join([*by_method, "OPTIONS"]).encode()


class _Collector:
    """The sink of the JSON fallback: keeps the text and the usage, drops the rest."""

    __slots__ = ("parts", "usage_counts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.usage_counts: tuple[int, int] | None = None

    async def text(self, content: str) -> None:
        if content:
            self.parts.append(content)

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        return None

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        return None

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        return None

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.usage_counts = (prompt_tokens, completion_tokens)


Recorder = Callable[[str, str, str, str, bool], Awaitable[None]]


class Workflows:
    """Serves every workflow route; owns the resumable runs and the in-flight work."""

    def __init__(
        self,
        specs: list[WorkflowSpec],
        *,
        limits: Limits,
        sse_limits: sse.SseLimits,
        registry: resume.StreamRegistry,
        recorder: Recorder,
        debug: bool,
        threads: int = 256,
    ) -> None:
        grouped: dict[str, list[WorkflowSpec]] = {}
        for spec in specs:
            grouped.setdefault(spec.path, []).append(spec)
        self.endpoints = {path: Endpoint(path, group) for path, group in grouped.items()}
        self._limits = limits
        self._sse_limits = sse_limits
        self.registry = registry
        self._record = recorder
        self._debug = debug
        # Workflow code is synchronous and may block for a whole model call (`A.ask`), so it
        # gets a pool of its own, far larger than asyncio's default of a few threads.
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="haira-wf")
        self.shutting_down = False
        self.tasks: set[asyncio.Task[object]] = set()  # running JSON fallbacks
        self.cluster: RedisRuns | None = None  # scale-out: runs mirrored to Redis (haira.cluster)
        self._streams: dict[str, int] = {}  # client address -> streaming runs it holds open
        self.runs: runs.Runs | None = None  # workflows with steps: step SSE, /_api/runs

    # ------------------------------------------------------------ entry point

    async def handle(
        self,
        ep: Endpoint,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None]:
        """Answer one request to a workflow path; (status, SSE events or None) for the log."""
        try:
            spec = ep.by_method.get(req.method)
            if spec is None:
                raise HttpError(
                    405,
                    "method_not_allowed",
                    f"method {req.method} is not allowed on {ep.path}",
                    headers=((b"allow", ep.allow),),
                )
            if not spec.is_stream:
                return await self._json_workflow(spec, req, receive, send, cors)
            return await self._counted_stream(spec, req, receive, send, cors)
        except HttpError as err:
            await send_error(send, err, cors)
            return err.status, None

    async def _counted_stream(
        self,
        spec: WorkflowSpec,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None]:
        """A streaming workflow, held to HAIRA_MAX_STREAMS_PER_CLIENT open streams per client
        address (each holds an upstream model request, the costly resource)."""
        cap = self._limits.streams_per_client
        if cap <= 0:
            return await self._stream_request(spec, req, receive, send, cors)
        client = req.scope.get("client")
        key = str(client[0]) if client else ""
        if self._streams.get(key, 0) >= cap:
            raise HttpError(
                429,
                "too_many_streams",
                f"too many concurrent streams from this client (limit {cap})",
                headers=((b"retry-after", b"1"),),
            )
        self._streams[key] = self._streams.get(key, 0) + 1
        try:
            return await self._stream_request(spec, req, receive, send, cors)
        finally:
            left = self._streams[key] - 1
            if left:
                self._streams[key] = left
            else:
                del self._streams[key]

    async def _stream_request(
        self,
        spec: WorkflowSpec,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None]:
        try:
            sse_wanted = wants_sse(req.header(b"accept"))
            bound = await self._resume_or_bind(
                spec, req, receive, send, cors, resumable=sse_wanted
            )
            if not isinstance(bound, Bound):
                return bound
            if sse_wanted:
                return 200, await self._start_stream(spec, bound, receive, send, cors)
            return await self._json_fallback(spec, bound, receive, send, cors)
        except HttpError as err:
            await send_error(send, err, cors)
            return err.status, None

    async def _resume_or_bind(
        self,
        spec: WorkflowSpec,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
        *,
        resumable: bool,
    ) -> Bound | tuple[int, int | None]:
        """A reconnect's answer when `resumable` and Last-Event-ID names a stream we know;
        otherwise the bound parameters (503 once shutdown has begun: no new work starts)."""
        if resumable:
            last_id = req.header(b"last-event-id")
            if last_id:
                resumed = await self._resume(spec, last_id, req, receive, send, cors)
                if resumed is not None:
                    return resumed
        bound = await bind(spec, req, receive, self._limits)
        if self.shutting_down:
            bound.cleanup()
            raise HttpError(503, "shutting_down", "the server is shutting down")
        return bound

    # ------------------------------------------------------------ SSE

    async def _resume(
        self,
        spec: WorkflowSpec,
        last_id: bytes,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None] | None:
        parsed = resume.parse_last_event_id(last_id)
        if parsed is None:
            return None  # not one of our ids: a fresh request
        stream_id, seq = parsed
        # The body (if any) is the original request's; read it so the connection stays usable.
        limit = max(self._limits.body_bytes, self._limits.multipart_bytes)
        await read_body(receive, limit=limit, declared=req.content_length)
        run = self.registry.lookup(stream_id, spec.path)
        if run is None and self.cluster is not None:
            # Started on another worker: follow its mirror in Redis (None: unknown or done).
            remote = await self.cluster.serve_remote(
                stream_id, seq, spec.path, send, receive, [*sse.SSE_HEADERS, *cors]
            )
            if remote is not None:
                return remote
        if run is None or (run.finished and seq >= run.last_seq):
            # Finished and delivered, or unknown here: 204 stops EventSource's reconnecting
            # instead of starting a second agent run.
            await send({"type": "http.response.start", "status": 204, "headers": cors})
            await send({"type": "http.response.body", "body": b""})
            return 204, None
        events = await sse.serve(
            run, seq, send, receive, self._sse_limits, [*sse.SSE_HEADERS, *cors]
        )
        return 200, events

    async def _start_stream(
        self,
        spec: WorkflowSpec,
        bound: Bound,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> int:
        run = self.registry.create(spec.path, collect=spec.has_session)
        if self.cluster is not None:
            self.cluster.track(run)
        run.task = asyncio.get_running_loop().create_task(self._drive(spec, run, bound))
        return await sse.serve(run, 0, send, receive, self._sse_limits, [*sse.SSE_HEADERS, *cors])

    async def _drive(self, spec: WorkflowSpec, run: sse.StreamRun, bound: Bound) -> None:
        """Run the workflow's stream into `run`; always ends with `done` (after `error`)."""
        chat = self._chat_key(spec, bound.args)
        user_write = self._record_user(spec, chat, bound.args)
        if user_write is not None:  # this task's own context: nothing to reset
            upstream_hooks.after_first_request(user_write.start)
        failed = False
        try:
            try:
                stream = await self._call(spec, bound.args)
                runner = getattr(stream, "run", None)
                if runner is None:
                    raise TypeError(
                        f"workflow {spec.name} returned {type(stream).__name__}, not a stream"
                    )
                await runner(run)
                if run.cancel_reason is not None:
                    run.fail(*run.cancel_reason)  # the run swallowed our cancellation
            except asyncio.CancelledError:
                failed = True
                run.fail(*(run.cancel_reason or ("the run was cancelled", "cancelled")))
            except Exception as exc:
                failed = True
                failure = classify(exc, debug=self._debug)
                run.fail(failure.message, failure.code)
            if chat is not None:
                # Recorded before `done`: a client that sends its next message on `done`
                # must find this exchange complete, in order, in the chat history.
                if user_write is not None:
                    await user_write.wait()
                # An upstream failure cuts the reply short just like a disconnect does.
                await self._record_reply(
                    chat, spec.path, run.reply, failed or run.cancel_reason is not None
                )
        finally:
            run.finish()
            bound.cleanup()

    # ------------------------------------------------------------ JSON fallback

    async def _json_fallback(
        self,
        spec: WorkflowSpec,
        bound: Bound,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None]:
        collector = _Collector()
        chat = self._chat_key(spec, bound.args)
        user_write = self._record_user(spec, chat, bound.args)

        async def run_to_end() -> object:
            stream = await self._call(spec, bound.args)
            runner = getattr(stream, "run", None)
            if runner is None:
                raise TypeError(
                    f"workflow {spec.name} returned {type(stream).__name__}, not a stream"
                )
            return await runner(collector)

        hook = None if user_write is None else upstream_hooks.after_first_request(user_write.start)
        try:
            outcome = await self._until_disconnect(run_to_end(), receive)
        finally:
            if hook is not None:
                upstream_hooks.forget(hook)
        bound.cleanup()
        reply = "".join(collector.parts)
        if chat is not None:
            if user_write is not None:
                await user_write.wait()
            await self._record_reply(chat, spec.path, reply, not isinstance(outcome, _Done))
        if isinstance(outcome, _Gone):
            return CLIENT_CLOSED, None
        if isinstance(outcome, Failure):
            await send_bytes(send, outcome.status, error_body(outcome.message, outcome.code), cors)
            return outcome.status, None
        doc: dict[str, object] = {"reply": reply}
        if collector.usage_counts is not None:
            doc["usage"] = {
                "prompt_tokens": collector.usage_counts[0],
                "completion_tokens": collector.usage_counts[1],
            }
        await send_bytes(send, 200, orjson.dumps(doc) + b"\n", cors)
        return 200, None

    # ------------------------------------------------------------ plain JSON workflows

    async def _json_workflow(
        self,
        spec: WorkflowSpec,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> tuple[int, int | None]:
        step_sse = bool(spec.steps) and self.runs is not None and names_sse(req.header(b"accept"))
        bound = await self._resume_or_bind(spec, req, receive, send, cors, resumable=step_sse)
        if not isinstance(bound, Bound):
            return bound
        if step_sse and self.runs is not None:
            return 200, await self._step_stream(spec, bound, receive, send, cors)

        # No disconnect watcher here: a plain workflow runs to its end (a thread cannot be
        # cancelled), and on SIGTERM uvicorn lets it finish within the grace period.
        try:
            value = to_jsonable(await self._call(spec, bound.args))
        except Exception as exc:
            failure = classify(exc, debug=self._debug)
            await send_bytes(send, failure.status, error_body(failure.message, failure.code), cors)
            return failure.status, None
        finally:
            bound.cleanup()
        try:
            body = orjson.dumps(value) + b"\n"
        except TypeError as exc:
            failure = classify(exc, debug=self._debug)
            await send_bytes(send, 500, error_body(failure.message, failure.code), cors)
            return 500, None
        await send_bytes(send, 200, body, cors)
        return 200, None

    async def _step_stream(
        self,
        spec: WorkflowSpec,
        bound: Bound,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> int:
        """REF §4.7: a workflow with steps answers an SSE client with its run's events. The
        run goes on when the client leaves (`/_api/runs/stream/<id>` follows it)."""
        assert self.runs is not None
        run = self.registry.create(spec.path, collect=False)
        if self.cluster is not None:
            self.cluster.track(run)
        self.runs.start(spec, bound.args, run, bound.cleanup)
        return await sse.serve(run, 0, send, receive, self._sse_limits, [*sse.SSE_HEADERS, *cors])

    # ------------------------------------------------------------ helpers

    async def _call(self, spec: WorkflowSpec, args: dict[str, object]) -> object:
        """Call the workflow function with its arguments in declaration order."""
        values = [args[p.name] for p in spec.params]
        if spec.blocking:
            return await asyncio.get_running_loop().run_in_executor(self.executor, spec.fn, *values)
        return spec.fn(*values)

    async def _until_disconnect(
        self, work: Awaitable[object], receive: Receive
    ) -> _Done | Failure | _Gone:
        """Run `work` in a task; cancel it if the client disconnects (or on shutdown)."""
        loop = asyncio.get_running_loop()
        task: asyncio.Task[object] = loop.create_task(_as_coro(work))
        self.tasks.add(task)
        watcher = loop.create_task(_wait_disconnect(receive))
        try:
            await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.tasks.discard(task)
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return _Gone()
        watcher.cancel()
        if task.cancelled():
            if self.shutting_down:
                return Failure(503, "shutting_down", "the server is shutting down")
            return Failure(503, "cancelled", "the run was cancelled")
        exc = task.exception()
        if exc is not None:
            return classify(exc, debug=self._debug)
        return _Done(task.result())

    def _chat_key(self, spec: WorkflowSpec, args: dict[str, object]) -> str | None:
        if not spec.has_session:
            return None
        sid = args.get("session_id")
        return sid if isinstance(sid, str) and sid else None

    def _record_user(
        self, spec: WorkflowSpec, chat: str | None, args: dict[str, object]
    ) -> _UserWrite | None:
        if chat is None:
            return None
        message = args.get(spec.chat_param)
        if not isinstance(message, str) or not message:
            return None
        return _UserWrite(lambda: self._record_safe(chat, spec.path, "user", message, False))

    async def _record_reply(self, chat: str, workflow: str, reply: str, interrupted: bool) -> None:
        """The assistant's side of an exchange; a run cut off before its first token has
        said nothing, so it records nothing (as memory does), not an empty message."""
        if interrupted and not reply:
            return
        await self._record_safe(chat, workflow, "assistant", reply, interrupted)

    async def _record_safe(
        self, chat: str, workflow: str, role: str, content: str, interrupted: bool
    ) -> None:
        content, cut = cap_message(content)
        try:
            await self._record(chat, workflow, role, content, interrupted or cut)
        except Exception as exc:  # a broken store must not break the stream
            sys.stderr.write(f"[haira] could not record chat {chat!r}: {redact(str(exc))}\n")


class _UserWrite:
    """The user's side of a chat exchange. It starts once the agent's first upstream request
    is on its way (`haira.upstream_hooks`): the store is one thread, and a write in front of
    the memory load delays the first token. A run that never sends one writes it before the
    reply (`wait`), so the chat keeps its order and the message is stored exactly once."""

    __slots__ = ("_make", "task")

    def __init__(self, make: Callable[[], Coroutine[object, object, None]]) -> None:
        self._make = make
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._make())

    async def wait(self) -> None:
        self.start()
        assert self.task is not None
        # asyncio.wait: a cancelled caller does not cancel the write; it reports its own errors.
        await asyncio.wait((self.task,))


class _Done:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _Gone:
    __slots__ = ()


async def _as_coro(work: Awaitable[object]) -> object:
    return await work


async def _wait_disconnect(receive: Receive) -> None:
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except asyncio.CancelledError:
        raise
    except Exception:  # a server that raises instead of reporting the disconnect
        return
