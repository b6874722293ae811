"""`websearch` against a loopback stand-in for the search endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.errors import HairaPanic
from haira.stdlib import websearch

RESULTS = """<html><body>
<div class="result"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fhaira.dev%2Fdocs&amp;rut=x">Haira &amp; <b>docs</b></a>
<a class="result__snippet" href="#">The <b>Haira</b> language.</a></div>
<div class="result"><a class="result__a" href="https://example.com/">Example</a></div>
</body></html>"""

PAGE = """<html><head><title>T</title><style>p{}</style></head><body>
<script>var x = 1;</script><h1>Title</h1><p>First   paragraph &amp; more.</p><div>Second</div></body></html>"""


class _H(BaseHTTPRequestHandler):
    def _send(self, body: str, ctype: str = "text/html") -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        length = int(self.headers["Content-Length"])
        assert b"q=haira" in self.rfile.read(length)
        self._send(RESULTS)

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/plain":
            self._send("just text", "text/plain")
        elif self.path == "/page":
            self._send(PAGE)
        else:
            self.send_response(404)
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


def test_search_parses_results(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_WEBSEARCH_ENDPOINT", base + "/html/")
    results = websearch.search("haira")
    assert results == [
        {"title": "Haira & docs", "url": "https://haira.dev/docs", "snippet": "The Haira language."},
        {"title": "Example", "url": "https://example.com/", "snippet": ""},
    ]
    assert len(websearch.search("haira", limit=1)) == 1


def test_fetch(base: str) -> None:
    assert websearch.fetch(base + "/page") == "Title\nFirst paragraph & more.\nSecond"
    assert websearch.fetch(base + "/plain") == "just text"
    with pytest.raises(HairaPanic, match="^websearch: "):
        websearch.fetch(base + "/missing")
