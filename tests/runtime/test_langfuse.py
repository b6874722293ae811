"""`langfuse` exporter against a loopback ingestion endpoint."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.stdlib import langfuse, observe

received: list[tuple[str, dict[str, object]]] = []


class _Ingest(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.append((self.headers.get("Authorization", ""), body))
        self.send_response(207 if self.path == "/api/public/ingestion" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def host() -> Iterator[str]:
    received.clear()
    observe.reset()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    observe.reset()


def test_missing_config_returns_nil(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("LANGFUSE_HOST", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert langfuse.exporter() is None
    assert "missing config" in capsys.readouterr().out
    observe.use(None)  # accepted and ignored


def test_batches_trace_and_generations(host: str) -> None:
    exp = langfuse.exporter(host, "pk", "sk")
    assert exp is not None
    observe.reset()
    observe.use(exp)
    observe.record_generation("Writer", "gpt-4o", "openai", 10, 5, 40, session_id="s1")
    observe.record_generation("Writer", "gpt-4o", "openai", 1, 2, 3, session_id="s1")
    observe.record_tool_exec("Writer", "search", 3, True, "s1")
    exp.flush()
    assert len(received) == 1
    auth, body = received[0]
    assert auth == "Basic " + base64.b64encode(b"pk:sk").decode()
    assert body["metadata"] == {"sdk": "haira", "sdk_version": "0.1.0"}
    batch = body["batch"]
    assert isinstance(batch, list)
    assert [item["type"] for item in batch] == ["trace-create", "generation-create", "generation-create"]
    assert batch[0]["body"]["id"] == "trace-s1"
    gen = batch[1]["body"]
    assert gen["traceId"] == "trace-s1" and gen["model"] == "gpt-4o"
    assert gen["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    exp.flush()
    assert len(received) == 1  # nothing buffered: no request
