"""Haira `langfuse`: export `observe` events to Langfuse (reference-runtime.md §8.5).

    observe.use(langfuse.exporter("https://cloud.langfuse.com", "pk-…", "sk-…"))

Arguments fall back to `LANGFUSE_HOST`, `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`; when
something is still missing a line says so and `exporter` returns nil (nothing is sent).
Events are buffered: one `trace-create` per trace (`trace-<session>`, or a fresh id), one
`generation-create` per LLM call; the buffer is flushed every 5 s, at 50 events and at exit,
as `POST <host>/api/public/ingestion` with Basic auth and
`{"batch": […], "metadata": {"sdk": "haira", "sdk_version": "0.1.0"}}`.
"""

from __future__ import annotations

import atexit
import base64
import datetime
import os
import sys
import threading
import uuid

import httpx

__all__ = ["Exporter", "exporter"]

FLUSH_SECONDS = 5.0
FLUSH_EVENTS = 50
SDK_METADATA = {"sdk": "haira", "sdk_version": "0.1.0"}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


class Exporter:
    """A buffered Langfuse ingestion client; call it with an `observe` event."""

    def __init__(self, host: str, public_key: str, secret_key: str) -> None:
        self.url = host.rstrip("/") + "/api/public/ingestion"
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
        self._auth = f"Basic {token}"
        self._lock = threading.Lock()
        self._buffer: list[dict[str, object]] = []
        self._traces: set[str] = set()
        self._wake = threading.Event()
        self._closed = False
        self.sent_batches = 0
        threading.Thread(target=self._loop, name="haira-langfuse", daemon=True).start()
        atexit.register(self.flush)

    def __call__(self, event: dict[str, object]) -> None:
        if event.get("type") != "generation":
            return
        session = str(event.get("session_id") or "")
        trace_id = f"trace-{session}" if session else f"trace-{uuid.uuid4()}"
        items: list[dict[str, object]] = []
        with self._lock:
            if trace_id not in self._traces:
                self._traces.add(trace_id)
                items.append(
                    self._item(
                        "trace-create",
                        {"id": trace_id, "name": str(event.get("agent_name", "")), "sessionId": session or None},
                    )
                )
        items.append(self._item("generation-create", self._generation(trace_id, event)))
        with self._lock:
            self._buffer.extend(items)
            full = len(self._buffer) >= FLUSH_EVENTS
        if full:
            self._wake.set()

    @staticmethod
    def _item(kind: str, body: dict[str, object]) -> dict[str, object]:
        return {"id": str(uuid.uuid4()), "type": kind, "timestamp": _now(), "body": body}

    @staticmethod
    def _generation(trace_id: str, e: dict[str, object]) -> dict[str, object]:
        return {
            "id": str(e.get("id", uuid.uuid4())),
            "traceId": trace_id,
            "name": str(e.get("agent_name", "")),
            "model": e.get("model"),
            "startTime": e.get("timestamp"),
            "usageDetails": {
                "input": e.get("input_tokens", 0),
                "output": e.get("output_tokens", 0),
                "total": e.get("total_tokens", 0),
            },
            "costDetails": {"total": e.get("cost_usd", 0.0)},
            "metadata": {
                "provider": e.get("provider"),
                "temperature": e.get("temperature"),
                "finish_reason": e.get("finish_reason"),
                "tool_calls": e.get("tool_calls"),
                "latency_ms": e.get("latency_ms"),
            },
        }

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()

    def flush(self) -> None:
        """Send everything buffered now (errors are reported on stderr, never raised)."""
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return
        try:
            r = httpx.post(
                self.url,
                json={"batch": batch, "metadata": SDK_METADATA},
                headers={"Authorization": self._auth},
                timeout=10,
            )
            r.raise_for_status()
            self.sent_batches += 1
        except Exception as exc:  # noqa: BLE001  # NOTE: exporting must never break the program
            sys.stderr.write(f"[haira] langfuse: export failed: {exc}\n")


def exporter(host: str = "", public_key: str = "", secret_key: str = "") -> Exporter | None:
    """A Langfuse exporter for `observe.use`, or nil when the configuration is incomplete."""
    host = host or os.environ.get("LANGFUSE_HOST", "")
    public_key = public_key or os.environ.get("LANGFUSE_PUBLIC_KEY", "")
    secret_key = secret_key or os.environ.get("LANGFUSE_SECRET_KEY", "")
    if not (host and public_key and secret_key):
        print("[haira] langfuse: missing config (host, public key and secret key are required)")
        return None
    return Exporter(host, public_key, secret_key)
