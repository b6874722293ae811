"""An incremental Server-Sent Events parser (the framing of http-streaming.md §4)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    event: str  # "message" when the stream sent no `event:` line (text deltas)
    data: str
    id: str | None = None


def events(lines: Iterable[str]) -> Iterator[Event]:
    """Events from the stream's lines (without line ends); comments (`: ping`) are skipped."""
    name = ""
    data: list[str] = []
    last_id: str | None = None
    for line in lines:
        if not line:
            if data or name:
                yield Event(name or "message", "\n".join(data), last_id)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value
    if data:
        yield Event(name or "message", "\n".join(data), last_id)
