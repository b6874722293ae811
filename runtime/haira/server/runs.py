"""Runs of workflows with steps (reference-runtime.md §4.7, §5.4): step SSE and `/_api/runs*`.

    POST /plan  Accept: text/event-stream   -> retry, run_id, step..., result | error, done
    GET  /_api/runs                         -> [RunSummary], newest first
    GET  /_api/runs/<id>                    -> RunDetail
    GET  /_api/runs/stream/<id>             -> SSE: recorded steps, then live ones, result, done
    POST /_api/runs/<id>/confirm {"confirmed": true}  -> answers a step's @confirm

The workflow runs in the worker pool with a `haira.steps` listener and confirmer installed
for its context; both hop onto the event loop, where each step event is appended to the
run, written to every SSE reader (framed as every stream is: ids, `retry`, `done` last) and
saved to the store. A run whose client went away keeps running (a thread cannot be
cancelled); `/_api/runs/stream/<id>` follows it.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Final

import orjson

from haira import steps
from haira.memory.store import RunRecord, Store, rfc3339
from haira.memory.unavailable import StoreUnavailable
from haira.server import sse
from haira.server.problems import HttpError, classify, redact
from haira.server.request import Receive, Request, Send, read_body, send_bytes
from haira.server.spec import WorkflowSpec
from haira.types import to_jsonable

__all__ = ["LiveRun", "Runs"]

_CONFIRM_BODY_LIMIT: Final = 64 << 10


class LiveRun:
    """A run of this process that has not finished: its record and its SSE readers."""

    __slots__ = ("answer", "readers", "record", "saving", "waiter")

    def __init__(self, record: RunRecord) -> None:
        self.record = record
        self.readers: list[sse.StreamRun] = []
        self.saving: asyncio.Task[None] | None = None
        self.waiter: asyncio.Future[bool] | None = None  # a step waiting for @confirm
        self.answer: bool | None = None  # a confirm that came before the step asked


class Runs:
    """The runs of this process and the `/_api/runs*` routes."""

    def __init__(
        self,
        store: Callable[[], Store],
        limits: sse.SseLimits,
        executor: Executor,
        *,
        debug: bool,
    ) -> None:
        self._store = store
        self._limits = limits
        self._executor = executor
        self._debug = debug
        self.live: dict[str, LiveRun] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ a run

    def start(self, spec: WorkflowSpec, args: dict[str, object], stream: sse.StreamRun,
              cleanup: Callable[[], None]) -> None:
        """Begin a run writing to `stream` (its id is the stream's id)."""
        record = RunRecord(
            id=stream.stream_id,
            workflow_name=spec.name,
            workflow_path=spec.path,
            status="running",
            started_at=rfc3339(time.time()),
            params={k: _sanitize(v) for k, v in args.items()},
        )
        live = LiveRun(record)
        live.readers.append(stream)
        self.live[record.id] = live
        stream.event("run_id", orjson.dumps({"run_id": record.id}))
        self._save(live)
        task = asyncio.get_running_loop().create_task(self._drive(spec, args, live, cleanup))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _drive(
        self,
        spec: WorkflowSpec,
        args: dict[str, object],
        live: LiveRun,
        cleanup: Callable[[], None],
    ) -> None:
        loop = asyncio.get_running_loop()
        values = [args[p.name] for p in spec.params]

        def on_step(event: steps.StepEvent) -> None:  # a worker thread
            loop.call_soon_threadsafe(self._step, live, dict(event))

        def confirm(name: str, request: steps.ConfirmRequest) -> bool:  # a worker thread
            return asyncio.run_coroutine_threadsafe(self._confirmation(live), loop).result()

        def call() -> object:
            steps.set_listener(on_step)
            steps.set_confirmer(confirm)
            return spec.fn(*values)

        record = live.record
        try:
            ctx = contextvars.copy_context()
            value = to_jsonable(await loop.run_in_executor(self._executor, ctx.run, call))
            data = orjson.dumps(value)
        except Exception as exc:
            failure = classify(exc, debug=self._debug)
            record.status, record.error = "failed", failure.message
            for reader in live.readers:
                reader.fail(failure.message, failure.code)
        else:
            record.status, record.result = "completed", value
            for reader in live.readers:
                reader.event("result", data)
        finally:
            cleanup()
        record.finished_at = rfc3339(time.time())
        for reader in live.readers:
            reader.finish()
        live.readers.clear()
        self._save(live)
        if live.saving is not None:
            await asyncio.wait((live.saving,))
        self.live.pop(record.id, None)

    def _step(self, live: LiveRun, event: dict[str, object]) -> None:
        live.record.steps.append(event)
        data = orjson.dumps(event)  # dict order = REF's StepEvent field order
        for reader in live.readers:
            reader.event("step", data)
        self._save(live)

    async def _confirmation(self, live: LiveRun) -> bool:
        if live.answer is not None:
            answer, live.answer = live.answer, None
            return answer
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        live.waiter = waiter
        try:
            return await waiter
        finally:
            live.waiter = None

    def deny_all(self) -> None:
        """Shutdown: steps waiting for a confirmation are denied, so their threads end."""
        for live in self.live.values():
            if live.waiter is not None and not live.waiter.done():
                live.waiter.set_result(False)

    def _save(self, live: LiveRun) -> None:
        """Save a snapshot of the run after the previous save (so the store sees them in order)."""
        snapshot = dataclasses.replace(live.record, steps=list(live.record.steps))
        previous = live.saving
        live.saving = asyncio.get_running_loop().create_task(self._write(previous, snapshot))

    async def _write(self, previous: asyncio.Task[None] | None, record: RunRecord) -> None:
        if previous is not None:
            await asyncio.wait((previous,))
        try:
            await self._store().save_run(record)
        except Exception as exc:  # a broken store must not break the run
            sys.stderr.write(f"[haira] could not save run {record.id}: {redact(str(exc))}\n")

    # ------------------------------------------------------------ /_api/runs*

    async def handle(
        self, req: Request, receive: Receive, send: Send, cors: list[tuple[bytes, bytes]]
    ) -> int:
        try:
            return await self._route(req, receive, send, cors)
        except StoreUnavailable as exc:  # scale-out: the shared database is down
            sys.stderr.write(f"[haira] {req.method} {req.path}: {exc}\n")
            raise HttpError(503, "store_unavailable", str(exc)) from None

    async def _route(
        self, req: Request, receive: Receive, send: Send, cors: list[tuple[bytes, bytes]]
    ) -> int:
        parts = req.path.rstrip("/").split("/")[3:]  # "", "_api", "runs", ...
        if not parts:
            self._allow(req, "GET")
            runs = await self._store().list_runs()
            return await _send_json(send, [_summary(self._current(r)) for r in runs], cors)
        if len(parts) == 2 and parts[0] == "stream":
            self._allow(req, "GET")
            return await self._replay(parts[1], receive, send, cors)
        if len(parts) == 2 and parts[1] == "confirm":
            self._allow(req, "POST")
            return await self._confirm(parts[0], req, receive, send, cors)
        if len(parts) == 1:
            self._allow(req, "GET")
            record = await self._find(parts[0])
            return await _send_json(send, _detail(record), cors)
        raise HttpError(404, "not_found", f"no route for {req.path}")

    @staticmethod
    def _allow(req: Request, method: str) -> None:
        if req.method != method and not (method == "GET" and req.method == "HEAD"):
            raise HttpError(
                405,
                "method_not_allowed",
                f"method {req.method} is not allowed on {req.path}",
                headers=((b"allow", f"{method}, OPTIONS".encode()),),
            )

    def _current(self, record: RunRecord) -> RunRecord:
        live = self.live.get(record.id)
        return live.record if live is not None else record

    async def _find(self, run_id: str) -> RunRecord:
        live = self.live.get(run_id)
        if live is not None:
            return live.record
        record = await self._store().get_run(run_id)
        if record is None:
            raise HttpError(404, "not_found", f"no run with id '{run_id}'")
        return record

    async def _replay(
        self, run_id: str, receive: Receive, send: Send, cors: list[tuple[bytes, bytes]]
    ) -> int:
        live = self.live.get(run_id)
        record = live.record if live is not None else await self._find(run_id)
        stream = sse.StreamRun(run_id, f"/_api/runs/stream/{run_id}", self._limits, collect=False)
        for event in record.steps:
            stream.event("step", orjson.dumps(event))
        if live is not None:
            live.readers.append(stream)  # live steps, then the end, come from the run
        else:
            if record.error is not None:
                stream.fail(record.error, "run_failed")
            elif record.result is not None:
                stream.event("result", orjson.dumps(record.result))
            stream.finish()
        try:
            await sse.serve(stream, 0, send, receive, self._limits, [*sse.SSE_HEADERS, *cors])
        finally:
            if live is not None and stream in live.readers:
                live.readers.remove(stream)
        return 200

    async def _confirm(
        self,
        run_id: str,
        req: Request,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
    ) -> int:
        body = await read_body(receive, limit=_CONFIRM_BODY_LIMIT, declared=req.content_length)
        try:
            doc = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            raise HttpError(400, "invalid_json", "the body is not valid JSON") from None
        confirmed = doc.get("confirmed") if isinstance(doc, dict) else None
        if not isinstance(confirmed, bool):
            raise HttpError(
                400, "invalid_parameter", '"confirmed" must be true or false', param="confirmed"
            )
        live = self.live.get(run_id)
        if live is None:
            await self._find(run_id)  # 404 when unknown
            raise HttpError(409, "run_finished", f"run '{run_id}' is not running")
        waiter = live.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(confirmed)
        else:
            live.answer = confirmed  # the step has not started waiting yet
        return await _send_json(send, {"status": "confirmed" if confirmed else "denied"}, cors)


def _sanitize(value: object) -> object:
    """REF: an uploaded file's temporary path is shown as its base name only."""
    if isinstance(value, str) and value.startswith("/tmp/"):
        return value.rsplit("/", 1)[-1]
    return to_jsonable(value)


def _summary(r: RunRecord) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": r.id,
        "workflow_name": r.workflow_name,
        "workflow_path": r.workflow_path,
        "status": r.status,
        "started_at": r.started_at,
    }
    if r.finished_at is not None:
        doc["finished_at"] = r.finished_at
    doc["step_count"] = len(r.steps)
    return doc


def _detail(r: RunRecord) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": r.id,
        "workflow_name": r.workflow_name,
        "workflow_path": r.workflow_path,
        "status": r.status,
    }
    if r.params:
        doc["params"] = r.params
    doc["steps"] = r.steps
    if r.result is not None:
        doc["result"] = r.result
    if r.error is not None:
        doc["error"] = r.error
    doc["started_at"] = r.started_at
    if r.finished_at is not None:
        doc["finished_at"] = r.finished_at
    return doc


async def _send_json(send: Send, doc: object, cors: list[tuple[bytes, bytes]]) -> int:
    await send_bytes(send, 200, orjson.dumps(doc) + b"\n", cors)
    return 200
