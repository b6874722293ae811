"""`vector` (reference-runtime.md §8.3): embeddings through a provider, local search."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.errors import HairaPanic
from haira.providers import define_provider
from haira.stdlib import vector


class _Embeddings(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        data = [
            {"index": i, "embedding": [float(len(t)), 1.0, self.headers.get("Authorization") == "Bearer k"]}
            for i, t in enumerate(body["input"])
        ]
        payload = json.dumps({"data": list(reversed(data))}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_remote_embeddings(endpoint: str) -> None:
    p = define_provider("emb", {"endpoint": endpoint, "api_key": "k", "model": "text-embedding"})
    assert vector.embed(p, "abc") == [3.0, 1.0, 1.0]
    assert vector.embed_batch(p, ["a", "abcd"]) == [[1.0, 1.0, 1.0], [4.0, 1.0, 1.0]]
    assert vector.embed_batch(p, []) == []
    broken = define_provider("bad", {"endpoint": endpoint, "api_key": "k", "model": "broken"})
    with pytest.raises(HairaPanic, match="^embedding error: "):
        vector.embed(broken, "x")
    with pytest.raises(HairaPanic, match="^batch embedding error: "):
        vector.embed_batch(broken, ["x"])


def test_mock_provider_embeds_locally_and_search_ranks_by_cosine() -> None:
    p = define_provider("local", {"backend": "mock", "model": "m"})
    docs = vector.collection("docs", dimensions=64)
    for text in ("the cat sat on the mat", "stock markets fell sharply", "a cat and a dog"):
        assert vector.insert(docs, {"content": text, "embedding": vector.embed(p, text), "metadata": {"n": 1}}) is None
    hits = vector.search(docs, {"query": vector.embed(p, "the cat sat on a mat"), "limit": 2})
    assert hits is not None and len(hits) == 2
    assert hits[0]["content"] == "the cat sat on the mat"
    assert hits[0]["metadata"] == {"n": 1}
    d0, d1 = hits[0]["distance"], hits[1]["distance"]
    assert isinstance(d0, float) and isinstance(d1, float) and d0 <= d1
    text = vector.format(hits)
    assert text.startswith("[1] (score: ") and text.endswith("\n") and text.count("\n") == 2


def test_collection_edge_cases() -> None:
    empty = vector.collection("e", dimensions=2)
    assert vector.search(empty, {"query": [1.0, 0.0]}) is None
    assert vector.format(None) == "No results found."
    assert vector.format([]) == "No results found."
    bad = vector.insert(empty, {"content": "x", "embedding": [1.0]})
    assert bad is not None and bad.message == "vector: expected 2 dimensions, got 1"
    assert vector.insert(empty, {"content": "x", "embedding": "no"}) is not None
    vector.insert(empty, {"content": "x", "embedding": [1, 0]})
    hits = vector.search(empty, {"query": [1.0, 0.0], "limit": 10})
    assert hits is not None and hits[0]["distance"] == pytest.approx(0.0)
    with pytest.raises(HairaPanic):
        vector.search(empty, {"query": "text"})
    assert vector.collection(None, "n", dimensions=3).dimensions == 3
    with pytest.raises(HairaPanic, match="PostgreSQL"):
        vector.collection(object(), "n")
