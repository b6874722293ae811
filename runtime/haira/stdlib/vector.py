"""Haira `vector`: embeddings and in-memory similarity search (reference-runtime.md §8.3).

    v = vector.embed(openai, "hello")                         # [0.01, -0.2, ...]
    docs = vector.collection("docs", dimensions: 1536)        # local, in memory
    vector.insert(docs, {"content": "...", "embedding": v})
    hits = vector.search(docs, {"query": v, "limit": 3})      # [{content, metadata, distance}]
    io.println(vector.format(hits))                           # [1] (score: 0.912) ...

Embeddings go to the provider's OpenAI-compatible `POST <base>/embeddings`; a `mock`
provider embeds locally and deterministically (hashed bag of words), so demos and tests
work offline. Failures panic with `embedding error: …`, as REF. PostgreSQL (pgvector)
collections are not available in this runtime: `collection(db, …)` with a database panics.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Mapping, Sequence

import httpx

from haira.errors import HairaError, HairaPanic
from haira.rt import fmt

__all__ = ["Collection", "collection", "embed", "embed_batch", "format", "insert", "search"]

_MOCK_DIMENSIONS = 64


def _config(provider: object) -> object:
    cfg = getattr(provider, "config", None)
    if cfg is None:
        raise HairaPanic("embedding error: not a provider")
    return cfg


def _mock_embedding(text: str) -> list[float]:
    vec = [0.0] * _MOCK_DIMENSIONS
    for word in re.findall(r"\w+", text.lower()):
        h = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big")
        vec[h % _MOCK_DIMENSIONS] += 1.0 if h & 0x100 else -1.0
    norm = math.sqrt(sum(x * x for x in vec)) or 1.0
    return [x / norm for x in vec]


def _embed_remote(provider: object, texts: list[str], what: str) -> list[list[float]]:
    cfg = _config(provider)
    is_mock = getattr(cfg, "is_mock", None)
    if callable(is_mock) and is_mock():
        return [_mock_embedding(t) for t in texts]
    base = str(getattr(cfg, "base_url")()).rstrip("/")  # noqa: B009
    key = str(getattr(cfg, "api_key")())  # noqa: B009
    model = str(getattr(cfg, "get")("model"))  # noqa: B009
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        r = httpx.post(
            f"{base}/embeddings", json={"input": texts, "model": model}, headers=headers, timeout=60
        )
        r.raise_for_status()
        data = r.json().get("data") or []
    except (httpx.HTTPError, ValueError) as exc:
        raise HairaPanic(f"{what}: {exc}") from None
    if not data:
        raise HairaPanic("embedding returned no data")
    ordered = sorted(data, key=lambda d: d.get("index", 0))
    return [[float(x) for x in d.get("embedding", [])] for d in ordered]


def embed(provider: object, text: str) -> list[float]:
    """The embedding of `text` by `provider`."""
    return _embed_remote(provider, [text], "embedding error")[0]


def embed_batch(provider: object, texts: Sequence[str]) -> list[list[float]]:
    """One embedding per text, in order."""
    if not texts:
        return []
    return _embed_remote(provider, list(texts), "batch embedding error")


class Collection:
    """A local in-memory collection (not persisted)."""

    def __init__(self, name: str, dimensions: int) -> None:
        self.name = name
        self.dimensions = dimensions
        self.items: list[tuple[str, list[float], dict[str, object]]] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<vector collection {self.name} ({len(self.items)} items)>"


def collection(db_or_name: object, name: object = None, dimensions: int = 0) -> Collection:
    """`collection("name", dimensions: N)` (local) or `collection(db, "name", …)` (pgvector)."""
    if isinstance(db_or_name, str) and (name is None or isinstance(name, int)):
        dims = name if isinstance(name, int) and not dimensions else dimensions
        return Collection(db_or_name, dims)
    if db_or_name is None and isinstance(name, str):
        return Collection(name, dimensions)
    raise HairaPanic("vector: PostgreSQL collections are not supported by this runtime")


def _floats(v: object) -> list[float] | None:
    if not isinstance(v, list):
        return None
    out: list[float] = []
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int | float):
            return None
        out.append(float(x))
    return out


def insert(coll: Collection, doc: Mapping[str, object]) -> HairaError | None:
    """Add `{content, embedding, metadata?}` to the collection."""
    emb = _floats(doc.get("embedding"))
    if emb is None:
        return HairaError("vector: embedding must be a list of numbers")
    if coll.dimensions and len(emb) != coll.dimensions:
        return HairaError(f"vector: expected {coll.dimensions} dimensions, got {len(emb)}")
    meta = doc.get("metadata")
    with coll._lock:
        coll.items.append(
            (fmt(doc.get("content", "")), emb, dict(meta) if isinstance(meta, dict) else {})
        )
    return None


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def search(coll: Collection, query: Mapping[str, object]) -> list[dict[str, object]] | None:
    """The nearest items by cosine distance: `[{content, metadata, distance}]`, nil if empty."""
    q = _floats(query.get("query"))
    if q is None:
        raise HairaPanic("vector: query must be an embedding (a list of numbers)")
    limit_v = query.get("limit", 5)
    limit = limit_v if isinstance(limit_v, int) and not isinstance(limit_v, bool) else 5
    with coll._lock:
        items = list(coll.items)
    if not items:
        return None
    scored = sorted(
        ({"content": c, "metadata": m, "distance": 1.0 - _cosine(q, e)} for c, e, m in items),
        key=lambda d: d["distance"],  # type: ignore[arg-type,return-value]
    )
    return scored[: max(0, min(limit, len(scored)))]


def format(results: Sequence[Mapping[str, object]] | None) -> str:  # noqa: A001
    """`[i] (score: 0.912) content` lines, or `No results found.`."""
    if not results:
        return "No results found."
    lines: list[str] = []
    for i, r in enumerate(results, 1):
        d = r.get("distance", 1.0)
        score = 1.0 - (float(d) if isinstance(d, int | float) else 1.0)
        lines.append(f"[{i}] (score: {score:.3f}) {fmt(r.get('content', ''))}\n")
    return "".join(lines)
