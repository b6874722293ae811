"""Static assets of the web UI, looked up by their path under `/_ui/`.

    asset("")        -> (b"<!doctype html>...", "text/html; charset=utf-8")
    asset("app.js")  -> (b"...", "text/javascript; charset=utf-8")
    asset("../x")    -> None

The files live in `static/` beside this module and are read once, then kept
in memory (they are small, and a server answers them on every page load).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Final

_CONTENT_TYPES: Final[dict[str, str]] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Headers a server should send with every asset. The UI is small and changes
# with the runtime version, so browsers revalidate instead of caching stale JS.
CACHE_CONTROL: Final = "no-cache"

_cache: dict[str, tuple[bytes, str] | None] = {}


def asset(path: str) -> tuple[bytes, str] | None:
    """The bytes and Content-Type of the UI file at `path` (relative to `/_ui/`).

    `""`, `"/"` and `"index.html"` give the page itself; anything that is not
    one of the shipped files (including `..` tricks) gives None.
    """
    name = path.strip("/") or "index.html"
    if name in _cache:
        return _cache[name]
    found = _load(name)
    _cache[name] = found
    return found


def etag(path: str) -> str | None:
    """A strong ETag for the asset at `path`, or None when there is no such asset."""
    found = asset(path)
    if found is None:
        return None
    return '"' + hashlib.sha256(found[0]).hexdigest()[:16] + '"'


def _load(name: str) -> tuple[bytes, str] | None:
    # Only plain file names of known kinds: no directories, no dot files.
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    suffix = name[name.rfind(".") :] if "." in name else ""
    content_type = _CONTENT_TYPES.get(suffix)
    if content_type is None:
        return None
    entry = resources.files("haira.webui").joinpath("static", name)
    if not entry.is_file():
        return None
    return entry.read_bytes(), content_type
