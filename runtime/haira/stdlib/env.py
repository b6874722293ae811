"""Haira `env(name)` / `env(name, int)` / `env(name, float)` and `.env` loading.

    env("HOME")            -> "/root"   ("" when unset)
    env("PORT", int)       -> 8080      (0 when unset or not an integer)
"""

from __future__ import annotations

import os
from typing import overload

__all__ = ["env", "env_float", "env_int", "env_str", "load_dotenv"]


@overload
def env(name: str) -> str: ...
@overload
def env(name: str, kind: type[int]) -> int: ...
@overload
def env(name: str, kind: type[float]) -> float: ...
@overload
def env(name: str, kind: type[str]) -> str: ...
def env(name: str, kind: type[object] | None = None) -> object:
    """Read an environment variable; with `int`/`float`, parse it (0 when unset or invalid)."""
    if kind is None or kind is str:
        return env_str(name)
    if kind is int:
        return env_int(name)
    if kind is float:
        return env_float(name)
    raise TypeError(f"env: unsupported type {kind!r}")


def env_str(name: str) -> str:
    """The variable's value, "" when unset."""
    return os.environ.get(name, "")


def env_int(name: str) -> int:
    """The variable as an int (Go `strconv.Atoi`), 0 when unset or not an integer."""
    from haira.stdlib.conv import parse_go_int

    parsed = parse_go_int(os.environ.get(name, "").strip())
    return 0 if parsed is None else parsed


def env_float(name: str) -> float:
    """The variable as a float (Go `strconv.ParseFloat`), 0 when unset or not a number."""
    from haira.stdlib.conv import parse_go_float

    parsed = parse_go_float(os.environ.get(name, "").strip())
    return 0.0 if parsed is None else parsed


def load_dotenv(path: str = ".env") -> bool:
    """Load `KEY=value` lines from `path` (godotenv style) without overriding set variables.

    Returns whether the file existed. Supports `export KEY=v`, `#` comments, single quotes
    (literal) and double quotes (with `\\n`, `\\t`, `\\"`, `\\\\` escapes).
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    for key, value in parse_dotenv(text):
        if key not in os.environ:
            os.environ[key] = value
    return True


def parse_dotenv(text: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of a `.env` file's text, in order."""
    pairs: list[tuple[str, str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        sep = _separator(line)
        if sep < 0:
            continue
        key = line[:sep].strip()
        rest = line[sep + 1 :].strip()
        if not key:
            continue
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            body = rest[1:]
            # A quoted value may continue over several lines.
            while _closing_quote(body, quote) < 0 and i < len(lines):
                body += "\n" + lines[i]
                i += 1
            end = _closing_quote(body, quote)
            value = body if end < 0 else body[:end]
            if quote == '"':
                value = _unescape_double(value)
        else:
            hash_at = rest.find(" #")
            value = (rest[:hash_at] if hash_at >= 0 else rest).strip()
        pairs.append((key, value))
    return pairs


def _separator(line: str) -> int:
    eq = line.find("=")
    colon = line.find(":")
    if eq < 0:
        return colon
    if colon < 0:
        return eq
    return min(eq, colon)


def _closing_quote(body: str, quote: str) -> int:
    j = 0
    while j < len(body):
        c = body[j]
        if c == "\\" and quote == '"':
            j += 2
            continue
        if c == quote:
            return j
        j += 1
    return -1


def _unescape_double(value: str) -> str:
    out: list[str] = []
    j = 0
    while j < len(value):
        c = value[j]
        if c == "\\" and j + 1 < len(value):
            nxt = value[j + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            j += 2
            continue
        out.append(c)
        j += 1
    return "".join(out)
