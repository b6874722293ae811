"""One streamed POST to an LLM endpoint: shared connection pool, timeouts, retries.

`stream_sse(call, parser)` opens the request, retries transient failures that happen
before the first body byte (full-jitter exponential backoff, `Retry-After` honoured),
then feeds every SSE `data` payload to `parser.handle` until it reports the end.

Timeouts are separate: connect (enforced by the transport, `pool.py`), then first byte
after the request was sent, idle gap between chunks and total, all three enforced by one
`_Watchdog` timer per call instead of a per-read timeout, so the per-chunk cost is a
single clock read. The watchdog cancels the calling task; a sink must let that
`CancelledError` through (it becomes `UpstreamTimeout` here).
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import random
import ssl
import threading
import weakref
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import orjson

from haira.errors import UpstreamError, UpstreamTimeout
from haira.providers.pool import LLMTransport
from haira.providers.sse import SSEDecoder

__all__ = [
    "RetryPolicy",
    "StreamParser",
    "Timeouts",
    "UpstreamCall",
    "UpstreamStatusError",
    "close_shared_clients",
    "prewarm",
    "shared_client",
    "stream_sse",
]

class UpstreamStatusError(UpstreamError):
    """The provider answered with an error status (kept so a client can adapt and retry)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# 5xx are all retryable as well (checked by range).
_RETRYABLE = frozenset({408, 409, 429})
# After the end-of-stream marker the rest of the body is drained so the connection can go
# back to the pool; a server that keeps it open longer than this gets it closed instead.
_DRAIN_SECONDS = 1.0


@dataclass(slots=True)
class Timeouts:
    """Seconds; each covers one phase of an upstream call."""

    connect: float = 10.0
    first_token: float = 60.0
    idle: float = 60.0
    total: float = 600.0


@dataclass(slots=True)
class RetryPolicy:
    """Retries before the first byte: full-jitter exponential backoff, capped."""

    max_retries: int = 2
    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 60.0


@dataclass(slots=True)
class UpstreamCall:
    """Everything needed to send one streamed request."""

    label: str  # provider name for error messages
    url: str
    headers: dict[str, str]
    body: bytes
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    deadline: float = 0.0  # absolute loop time set by the caller (agent timeout); 0 = none


class StreamParser(Protocol):
    """Receives the `data` payloads of one response (a Protocol: see `ChatClient`)."""

    async def handle(self, data: bytes) -> bool:
        """Process one payload; return True once the stream's end marker was seen."""
        ...

    def finish(self) -> None:
        """The body ended without an end marker; raise if that means a broken stream."""
        ...


# ---------------------------------------------------------------- shared client pool

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)
# The shared client's transport, which `_attempts` calls directly.
_transports: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LLMTransport] = (
    weakref.WeakKeyDictionary()
)


_ssl_context: ssl.SSLContext | None = None
_warm_lock = threading.Lock()
_warm_started = False


def _warm() -> None:
    global _ssl_context
    ctx = httpx.create_ssl_context()
    # The first AsyncClient pays for lazy imports; a throwaway one warms them.
    httpx.AsyncClient(transport=LLMTransport(ctx), trust_env=False)
    _ssl_context = ctx


def prewarm() -> None:
    """Start building the TLS context and importing the transport in a background thread,
    so the first request does not pay ~0.2 s for it (called when a provider is declared)."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True
    threading.Thread(target=_warm, name="haira-prewarm", daemon=True).start()


def shared_client() -> httpx.AsyncClient:
    """The process-wide client of the running event loop (connections are loop-bound)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        transport = LLMTransport(_ssl_context)
        client = httpx.AsyncClient(
            # Our own pool (see pool.py: httpx's hangs under bursts of concurrent streams).
            transport=transport,
            timeout=httpx.Timeout(connect=10.0, read=None, write=30.0, pool=None),
            # NOTE: never trust_env here: proxies from the environment would break loopback
            # endpoints (fake server, Ollama) and the key must not go to a stray proxy.
            trust_env=False,
        )
        _clients[loop] = client
        _transports[loop] = transport
    return client


async def close_shared_clients() -> None:
    """Close the running loop's client (server shutdown, test teardown)."""
    loop = asyncio.get_running_loop()
    client = _clients.pop(loop, None)
    if client is not None:
        await client.aclose()


# ---------------------------------------------------------------- watchdog

_WAIT_FIRST = 0
_STREAMING = 1
_DRAINING = 2
_SLEEPING = 3


class _Watchdog:
    """Cancels `task` when the current phase's deadline passes; `expired` says which."""

    __slots__ = (
        "_handle",
        "_loop",
        "_task",
        "_timeouts",
        "attempt_start",
        "clock",
        "expired",
        "last",
        "phase",
        "total_deadline",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        task: asyncio.Task[object],
        timeouts: Timeouts,
        deadline: float,
    ) -> None:
        self._loop = loop
        self._task = task
        self._timeouts = timeouts
        self.clock = loop.time
        now = loop.time()
        total = now + timeouts.total
        self.total_deadline = min(total, deadline) if deadline > 0 else total
        self._handle: asyncio.TimerHandle | None = None
        self.attempt_start = now
        self.last = now
        self.phase = _WAIT_FIRST
        self.expired = ""

    def set_phase(self, phase: int) -> None:
        self.phase = phase
        now = self._loop.time()
        self.attempt_start = now
        self.last = now
        self._arm()

    def _due(self) -> tuple[float, str]:
        phase = self.phase
        if phase == _STREAMING:
            when, kind = self.last + self._timeouts.idle, "idle"
        elif phase == _WAIT_FIRST:
            when, kind = self.attempt_start + self._timeouts.first_token, "first_token"
        elif phase == _DRAINING:
            when, kind = self.attempt_start + _DRAIN_SECONDS, "drain"
        else:
            return self.total_deadline, "total"
        if self.total_deadline <= when:
            return self.total_deadline, "total"
        return when, kind

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        when, _ = self._due()
        self._handle = self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        when, kind = self._due()
        if when > self._loop.time():
            # Activity moved the deadline since this timer was set: re-arm lazily.
            self._handle = self._loop.call_at(when, self._fire)
            return
        self._handle = None
        self.expired = kind
        self._task.cancel()

    def remaining(self) -> float:
        return self.total_deadline - self._loop.time()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def _timeout_message(label: str, kind: str, t: Timeouts) -> str:
    if kind == "first_token":
        return f"{label}: no response within {t.first_token:g} s (first-token timeout)"
    if kind == "idle":
        return f"{label}: the stream stalled for {t.idle:g} s (idle timeout)"
    return f"{label}: the request did not finish in time (total timeout)"


# ---------------------------------------------------------------- retries


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds requested by `retry-after-ms` / `Retry-After` (seconds or HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.datetime.now(tz=when.tzinfo or datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    return random.uniform(0.0, min(policy.cap, policy.base * (2.0**attempt)))


def _retryable(status: int) -> bool:
    return status in _RETRYABLE or status >= 500


_CREDENTIAL_HEADERS = ("authorization", "api-key", "x-api-key", "x-goog-api-key")


def _credentials(headers: dict[str, str]) -> list[str]:
    """The secret values this call sends (an API key may be written in the program's
    source, so the server's environment-based redaction cannot know it)."""
    out: list[str] = []
    for name, value in headers.items():
        if name.lower() in _CREDENTIAL_HEADERS:
            secret = value.split(" ", 1)[1] if value.lower().startswith("bearer ") else value
            if len(secret) >= 8:
                out.append(secret)
    return out


def _error_text(label: str, status: int, body: bytes, secrets: list[str] | None = None) -> str:
    """The message for an error status; providers often echo the key back ("Incorrect API
    key provided: sk-..."), so the call's credentials are cut out of it."""
    text = _error_text_raw(label, status, body)
    for secret in secrets or ():
        text = text.replace(secret, "[redacted]")
    return text


def _error_text_raw(label: str, status: int, body: bytes) -> str:
    detail = ""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict):
        err = parsed.get("error")
        if isinstance(err, dict):
            msg = err.get("message")
            if isinstance(msg, str):
                detail = msg
        elif isinstance(err, str):
            detail = err
        elif isinstance(parsed.get("message"), str):
            detail = str(parsed["message"])
    if not detail:
        detail = body[:200].decode("utf-8", "replace").strip()
    text = f"{label}: upstream answered HTTP {status}"
    return f"{text}: {detail}" if detail else text


# ---------------------------------------------------------------- the call


async def stream_sse(call: UpstreamCall, parser: StreamParser) -> None:
    """Send `call` and feed its SSE payloads to `parser`; raise Upstream{Error,Timeout}."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    wd = _Watchdog(loop, task, call.timeouts, call.deadline)
    try:
        await _attempts(call, parser, wd)
    except asyncio.CancelledError:
        kind = wd.expired
        if kind and task.uncancel() == 0:
            if kind == "drain":
                return
            raise UpstreamTimeout(_timeout_message(call.label, kind, call.timeouts)) from None
        raise
    finally:
        wd.close()


async def _attempts(call: UpstreamCall, parser: StreamParser, wd: _Watchdog) -> None:
    client = shared_client()
    timeout = httpx.Timeout(connect=call.timeouts.connect, read=None, write=30.0, pool=None)
    attempt = 0
    while True:
        wd.set_phase(_WAIT_FIRST)
        delay: float
        failure: Exception
        try:
            # Straight to our transport, not `client.stream`: the client's send (auth flow,
            # redirects, hooks, cookie jar, bound stream) cost ~0.1 ms of every first token
            # and we use none of it. build_request keeps the client's default headers.
            request = client.build_request(
                "POST", call.url, headers=call.headers, content=call.body, timeout=timeout
            )
            resp = await _transports[asyncio.get_running_loop()].handle_async_request(request)
            resp.request = request
            try:
                status = resp.status_code
                if status == 200:
                    await _pump(resp, parser, wd, call.label)
                    return
                body = await resp.aread()
                failure = UpstreamStatusError(_error_text(call.label, status, body, _credentials(call.headers)), status)
                if not _retryable(status) or attempt >= call.retry.max_retries:
                    raise failure
                hinted = _retry_after(resp.headers)
                if hinted is not None and hinted > call.retry.max_retry_after:
                    raise failure
                delay = hinted if hinted is not None else _backoff(call.retry, attempt)
            finally:
                await resp.aclose()
        except httpx.TimeoutException as exc:
            failure = UpstreamTimeout(f"{call.label}: could not connect in time ({exc.__class__.__name__})")
            if attempt >= call.retry.max_retries:
                raise failure from None
            delay = _backoff(call.retry, attempt)
        except httpx.TransportError as exc:
            failure = UpstreamError(f"{call.label}: cannot reach the provider: {_transport_text(exc)}")
            if attempt >= call.retry.max_retries:
                raise failure from None
            delay = _backoff(call.retry, attempt)
        if delay >= wd.remaining():
            raise failure
        wd.set_phase(_SLEEPING)
        await asyncio.sleep(delay)
        attempt += 1


def _transport_text(exc: httpx.TransportError) -> str:
    text = str(exc)
    return text if text else exc.__class__.__name__


async def _pump(resp: httpx.Response, parser: StreamParser, wd: _Watchdog, label: str) -> None:
    """Read the body; after the first byte nothing is retried."""
    decoder = SSEDecoder()
    clock = wd.clock
    done = False
    try:
        async for chunk in resp.aiter_raw():
            if done:
                continue  # draining after the end marker
            wd.last = clock()
            if wd.phase == _WAIT_FIRST:
                # The idle deadline may be earlier than the armed first-byte one: re-arm.
                wd.set_phase(_STREAMING)
            for data in decoder.feed(chunk):
                if await parser.handle(data):
                    done = True
                    wd.set_phase(_DRAINING)
                    break
    except httpx.TransportError as exc:
        if done:
            return
        if wd.phase == _WAIT_FIRST:
            raise  # no body byte yet: the caller may still retry
        raise UpstreamError(
            f"{label}: the provider closed the stream mid-reply ({_transport_text(exc)})"
        ) from None
    if done:
        return
    for data in decoder.flush():
        if await parser.handle(data):
            return
    parser.finish()
