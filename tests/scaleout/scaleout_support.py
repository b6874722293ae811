"""Helpers shared by the scale-out tests (not a conftest, so they can be imported)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def schema_url(base: str, schema: str) -> str:
    """`base` with the libpq option that makes `schema` the search path."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"
