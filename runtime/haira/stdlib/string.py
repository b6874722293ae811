"""Haira `string`: string functions with Go's byte-based indices (language.md §6.2, §6.11).

    string.index_of("héllo", "l")   -> 3      (a byte index, as Go)
    string.split("a,b,c", ",")      -> ["a", "b", "c"]
"""

from __future__ import annotations

import os.path
import re
import unicodedata
from collections.abc import Sequence

from haira.errors import RuntimeFault
from haira.rt import str_

__all__ = [
    "basename",
    "capitalize",
    "char_at",
    "contains",
    "count",
    "detect_language",
    "ends_with",
    "ext",
    "extract_between",
    "index_of",
    "is_empty",
    "join",
    "last_index_of",
    "len_",
    "lines",
    "pad_left",
    "pad_right",
    "repeat",
    "replace",
    "replace_all",
    "reverse",
    "shell_escape",
    "slugify",
    "split",
    "starts_with",
    "strip_ext",
    "substring",
    "title",
    "to_lower",
    "to_upper",
    "trim",
    "trim_left",
    "trim_right",
    "truncate",
    "words",
]

_blen = len


def _b(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _s(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def len_(s: str) -> int:
    """Length in UTF-8 bytes."""
    return _blen(s) if s.isascii() else _blen(_b(s))


def is_empty(s: str) -> bool:
    """Whether `s` is ""."""
    return not s


# Go's unicode.IsSpace: ASCII \t \n \v \f \r space, U+0085, U+00A0 and category Zs.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def trim(s: str) -> str:
    """Go `strings.TrimSpace`."""
    return s.strip(_GO_SPACE)


def trim_left(s: str) -> str:
    """Leading Unicode whitespace removed."""
    return s.lstrip(_GO_SPACE)


def trim_right(s: str) -> str:
    """Trailing Unicode whitespace removed."""
    return s.rstrip(_GO_SPACE)


def to_upper(s: str) -> str:
    """Go `strings.ToUpper` (rune by rune; `ß` stays `ß` as in Go)."""
    if s.isascii():
        return s.upper()
    return "".join([c if _blen(c.upper()) != 1 else c.upper() for c in s])


def to_lower(s: str) -> str:
    """Go `strings.ToLower` (rune by rune)."""
    if s.isascii():
        return s.lower()
    return "".join([c if _blen(c.lower()) != 1 else c.lower() for c in s])


def contains(s: str, sub: str) -> bool:
    """Whether `sub` occurs in `s`."""
    return sub in s


def starts_with(s: str, prefix: str) -> bool:
    """Whether `s` begins with `prefix`."""
    return s.startswith(prefix)


def ends_with(s: str, suffix: str) -> bool:
    """Whether `s` ends with `suffix`."""
    return s.endswith(suffix)


def index_of(s: str, sub: str) -> int:
    """Byte index of the first `sub` in `s`, -1 when absent."""
    if s.isascii():
        return s.find(sub)
    return _b(s).find(_b(sub))


def last_index_of(s: str, sub: str) -> int:
    """Byte index of the last `sub` in `s`, -1 when absent."""
    if s.isascii():
        return s.rfind(sub)
    return _b(s).rfind(_b(sub))


def split(s: str, sep: str) -> list[str]:
    """Go `strings.Split`: `split("", ",")` is `[""]`; sep "" splits into characters."""
    if sep == "":
        return list(s)
    return s.split(sep)


def join(items: Sequence[object], sep: str) -> str:
    """Elements formatted with `%v` (nil as "") joined by `sep`."""
    return sep.join([x if type(x) is str else str_(x) for x in items])


def substring(s: str, start: int, end: int) -> str:
    """Bytes [start, end) clamped to the string; "" when start >= end."""
    ascii_ = s.isascii()
    n = _blen(s) if ascii_ else _blen(_b(s))
    start = max(start, 0)
    end = min(end, n)
    if start >= end:
        return ""
    return s[start:end] if ascii_ else _s(_b(s)[start:end])


def char_at(s: str, i: int) -> str:
    """The byte at index `i` as a string; "" when out of range."""
    if s.isascii():
        return s[i] if 0 <= i < _blen(s) else ""
    b = _b(s)
    return _s(b[i : i + 1]) if 0 <= i < _blen(b) else ""


def replace(s: str, old: str, new: str) -> str:
    """The first occurrence of `old` replaced (Go `strings.Replace(s, old, new, 1)`)."""
    if old == "":
        return new + s
    return s.replace(old, new, 1)


def replace_all(s: str, old: str, new: str) -> str:
    """Every occurrence of `old` replaced; an empty `old` inserts `new` between runes."""
    if old == "":
        return new + new.join(s) + new if s else new
    return s.replace(old, new)


def repeat(s: str, n: int) -> str:
    """`s` repeated `n` times; a negative count panics as in Go."""
    if n < 0:
        raise RuntimeFault("strings: negative Repeat count")
    return s * n


# ---------------------------------------------------------------- v0.4 extensions

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(s: str) -> str:
    """Lower-case; runs of characters other than [a-z0-9] become "-"; "-" trimmed."""
    return _SLUG_RE.sub("-", to_lower(s)).strip("-")


def basename(path: str) -> str:
    """Go `filepath.Base`."""
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


def ext(path: str) -> str:
    """Go `filepath.Ext`: the extension with its dot, "" when none."""
    for k in range(_blen(path) - 1, -1, -1):
        c = path[k]
        if c == "/":
            return ""
        if c == ".":
            return path[k:]
    return ""


def strip_ext(path: str) -> str:
    """`path` without its extension."""
    e = ext(path)
    return path[: _blen(path) - _blen(e)] if e else path


def pad_left(s: str, n: int, pad: str) -> str:
    """Prepend `pad` (default " ") until at least `n` bytes, then keep the last `n` bytes."""
    if pad == "":
        pad = " "
    b, p = _b(s), _b(pad)
    while _blen(b) < n:
        b = p + b
    if _blen(b) > n:
        b = b[_blen(b) - max(n, 0) :]
    return _s(b)


def pad_right(s: str, n: int, pad: str) -> str:
    """Append `pad` (default " ") until at least `n` bytes, then keep the first `n` bytes."""
    if pad == "":
        pad = " "
    b, p = _b(s), _b(pad)
    while _blen(b) < n:
        b = b + p
    if _blen(b) > n:
        b = b[: max(n, 0)]
    return _s(b)


def truncate(s: str, max_len: int, suffix: str) -> str:
    """`s` when at most `max_len` bytes, else cut so that `+ suffix` fits."""
    b = _b(s)
    if _blen(b) <= max_len:
        return s
    cutoff = max(max_len - _blen(_b(suffix)), 0)
    return _s(b[:cutoff]) + suffix


def extract_between(s: str, start: str, end: str) -> str:
    """The text between the first `start` and the next `end`; "" when either is missing."""
    i = s.find(start)
    if i < 0:
        return ""
    rest = s[i + _blen(start) :]
    j = rest.find(end)
    return rest[:j] if j >= 0 else ""


def capitalize(s: str) -> str:
    """The first rune upper-cased."""
    return to_upper(s[:1]) + s[1:] if s else s


def title(s: str) -> str:
    """Go `strings.Title`: the first letter of each word upper-cased, the rest untouched."""
    out: list[str] = []
    prev = " "
    for c in s:
        out.append(to_upper(c) if _is_separator(prev) else c)
        prev = c
    return "".join(out)


def _is_separator(c: str) -> bool:
    if c.isascii():
        return not (c.isalnum() or c == "_")
    if c.isalpha() or c.isdigit():
        return False
    return unicodedata.category(c).startswith("Z") or c.isspace()


def reverse(s: str) -> str:
    """The runes in reverse order."""
    return s[::-1]


def count(s: str, sub: str) -> int:
    """Non-overlapping occurrences of `sub`; for "" the rune count plus one (Go)."""
    if sub == "":
        return _blen(s) + 1
    return s.count(sub)


def lines(s: str) -> list[str]:
    """`s` split on "\\n"."""
    return s.split("\n")


def words(s: str) -> list[str]:
    """Go `strings.Fields`: split on runs of whitespace."""
    return [w for w in re.split(f"[{_GO_SPACE}]+", s) if w]


def shell_escape(s: str) -> str:
    """`s` wrapped in single quotes for /bin/sh (embedded quotes as '\\'')."""
    return "'" + s.replace("'", "'\\''") + "'"


_LANGUAGES = {
    ".go": "go",
    ".py": "python",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".rb": "ruby",
    ".php": "php",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".swift": "swift",
    ".scala": "scala",
    ".sh": "shell",
    ".bash": "shell",
    ".sql": "sql",
    ".html": "html",
    ".css": "css",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".md": "markdown",
    ".xml": "xml",
    ".haira": "haira",
}


def detect_language(path: str) -> str:
    """The language of a file by its extension ("go", "python", …), else "text"."""
    return _LANGUAGES.get(os.path.splitext(path)[1].lower(), "text")
