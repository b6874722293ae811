"""`http` client (language.md §6.16) against a real loopback server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.rt import fmt
from haira.stdlib import http


class _Handler(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path == "/array":
            payload = "[1, 2]"
        elif self.path == "/missing":
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b"nope")
            return
        else:
            payload = json.dumps(
                {
                    "method": self.command,
                    "path": self.path,
                    "body": body,
                    "ctype": self.headers.get("Content-Type"),
                    "x": self.headers.get("X-Token"),
                }
            )
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        self._reply()

    def do_POST(self) -> None:  # noqa: N802
        self._reply()

    def do_PUT(self) -> None:  # noqa: N802
        self._reply()

    def do_DELETE(self) -> None:  # noqa: N802
        self._reply()

    def do_PATCH(self) -> None:  # noqa: N802
        self._reply()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_get_and_json(base_url: str) -> None:
    resp, err = http.get(base_url + "/hello?q=1")
    assert err is None and resp is not None
    assert resp.status_code == 200 and resp.status == 200 and resp.ok()
    data = resp.json()
    assert data["method"] == "GET" and data["path"] == "/hello?q=1"
    assert resp.json_array() == []
    arr, _ = http.get(base_url + "/array")
    assert arr is not None and arr.json_array() == [1.0, 2.0] and arr.json() == {}


def test_bodies_and_headers(base_url: str) -> None:
    resp, _ = http.post(base_url + "/p", "raw text")
    assert resp is not None and resp.json()["body"] == "raw text"
    resp2, _ = http.put(base_url + "/p", {"b": 1, "a": [1.5]})
    assert resp2 is not None
    sent = resp2.json()
    assert sent["body"] == '{"a":[1.5],"b":1}' and sent["ctype"] == "application/json"
    resp3, _ = http.delete(base_url + "/d")
    assert resp3 is not None and resp3.json()["method"] == "DELETE"
    resp4, _ = http.get_with_headers(base_url + "/h", {"X-Token": 7})
    assert resp4 is not None and resp4.json()["x"] == "7"
    resp5, _ = http.post_with_headers(base_url + "/h", "b", {"X-Token": "t"})
    assert resp5 is not None and resp5.json()["x"] == "t"
    resp6, _ = http.put_with_headers(base_url + "/h", "b", {"X-Token": "u"})
    assert resp6 is not None and resp6.json()["x"] == "u"
    resp7, _ = http.delete_with_headers(base_url + "/h", {"X-Token": "v"})
    assert resp7 is not None and resp7.json()["x"] == "v"


def test_http_error_status_is_not_an_error(base_url: str) -> None:
    resp, err = http.get(base_url + "/missing")
    assert err is None and resp is not None
    assert resp.status_code == 404 and resp.body == "nope" and not resp.ok()


def test_configured_client(base_url: str) -> None:
    c = http.client(base_url + "/", {"headers": {"X-Token": "cfg"}, "timeout": 5000})
    resp, err = c.get("/c")
    assert err is None and resp is not None
    assert resp.json()["x"] == "cfg" and resp.json()["path"] == "/c"
    k = http.client(base_url, headers={"X-Token": "kw"}, retry=1, timeout=2000)
    assert k.retry == 1 and k.timeout == 2.0
    patched, _ = k.patch("/p", {"a": 1})
    assert patched is not None and patched.json()["method"] == "PATCH"


def test_retry_on_server_errors(base_url: str) -> None:
    resp, err = http.client(base_url, {"retry": 2}).get("/missing")
    assert err is None and resp is not None and resp.status_code == 404
    assert fmt(resp) == "&{404 nope}"


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    resp, err = http.get(url)
    assert resp is None
    assert fmt(err) == (
        f'http GET failed: Get "{url}": dial tcp 127.0.0.1:{port}: connect: connection refused'
    )
    _, err2 = http.get("ftp://example.invalid/")
    assert fmt(err2).startswith('http GET failed: Get "ftp://example.invalid/": unsupported protocol')


def test_encode_uri() -> None:
    assert http.encode_uri("a b&c=d/é~") == "a+b%26c%3Dd%2F%C3%A9~"
