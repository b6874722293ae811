"""`healthcheck` against a loopback server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.stdlib import healthcheck


class _H(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        self.send_response(200 if self.path == "/ok" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check(base: str) -> None:
    ok = healthcheck.check("api", base + "/ok")
    assert ok["name"] == "api" and ok["status"] == "healthy" and ok["status_code"] == 200
    assert isinstance(ok["response_time"], int)
    down = healthcheck.check("db", base + "/down")
    assert down["status"] == "unhealthy" and down["error"] == "HTTP 503"
    bad = healthcheck.check("x", "not a url")
    assert bad["status"] == "unhealthy" and "error" in bad


def test_check_all_keeps_order(base: str) -> None:
    out = healthcheck.check_all([{"name": "a", "url": base + "/down"}, {"name": "b", "url": base + "/ok"}])
    assert [r["name"] for r in out] == ["a", "b"]
    assert [r["status"] for r in out] == ["unhealthy", "healthy"]
    assert healthcheck.check_all([]) == []
