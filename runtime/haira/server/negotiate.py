"""Accept negotiation for streaming workflows (contract §3): SSE or the JSON fallback.

wants_sse(None)                                   -> True   (curl -N without headers)
wants_sse(b"*/*")                                 -> True
wants_sse(b"application/json")                    -> False
wants_sse(b"application/json, text/event-stream") -> True   (listed with q > 0)
"""

from __future__ import annotations

from typing import Final

__all__ = ["names_sse", "wants_sse"]

_SSE: Final = ("text", "event-stream")
_JSON: Final = ("application", "json")


def wants_sse(accept: bytes | None) -> bool:
    """True when the request should get an event stream, False for the JSON fallback."""
    if not accept or not accept.strip():
        return True
    if accept == b"text/event-stream":  # the common case, without parsing
        return True
    ranges = _parse(accept.decode("latin-1"))
    if not ranges:
        return True
    explicit = _explicit_q(ranges, _SSE)
    if explicit is not None:
        return explicit > 0  # q=0: the client refuses a stream
    q_sse, _ = _quality(ranges, _SSE)
    q_json, json_specificity = _quality(ranges, _JSON)
    # The client names application/json (or application/*) and likes it at least as much.
    if json_specificity > 0 and q_json > 0 and q_json >= q_sse:
        return False
    return q_sse > 0


def names_sse(accept: bytes | None) -> bool:
    """A non-streaming workflow with steps streams its steps only to a client that names
    `text/event-stream` (REF §4.7); `*/*` and no Accept keep the JSON answer."""
    if not accept:
        return False
    if accept == b"text/event-stream":
        return True
    q = _explicit_q(_parse(accept.decode("latin-1")), _SSE)
    return q is not None and q > 0


def _parse(header: str) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    for item in header.split(","):
        parts = item.split(";")
        media = parts[0].strip().lower()
        if "/" not in media:
            continue
        typ, _, sub = media.partition("/")
        q = 1.0
        for p in parts[1:]:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((typ.strip(), sub.strip(), q))
    return out


def _explicit_q(ranges: list[tuple[str, str, float]], media: tuple[str, str]) -> float | None:
    qs = [q for typ, sub, q in ranges if (typ, sub) == media]
    return max(qs) if qs else None


def _quality(ranges: list[tuple[str, str, float]], media: tuple[str, str]) -> tuple[float, int]:
    """The q of the most specific range matching `media`, and that specificity (0 = */*)."""
    best_spec = -1
    best_q = 0.0
    for typ, sub, q in ranges:
        if (typ, sub) == media:
            spec = 2
        elif typ == media[0] and sub == "*":
            spec = 1
        elif typ == "*" and sub == "*":
            spec = 0
        else:
            continue
        if spec > best_spec or (spec == best_spec and q > best_q):
            best_spec, best_q = spec, q
    return best_q, best_spec
