"""Haira `regex`: Go RE2 patterns on Python `re` (language.md §6.10). Argument order is
(pattern, text); an invalid pattern never raises (is_match → false, find → "", …).

    regex.replace_all("(\\w+)@(\\w+)", "a@b c@d", "$2 at ${1}")  -> "b at a d at c"

Translation (`translate`): RE2's `\\z` → `\\Z`; `$` outside `(?m)` → `\\Z` (RE2's `$` never
matches before a final newline, Python's does); `(?<name>` → `(?P<name>`; `\\Q…\\E` quoted;
`[[:alpha:]]`-style classes expanded; `\\pL`/`\\p{L}`/`\\pN` approximated. Patterns run with
`re.ASCII` because RE2's `\\w \\d \\s \\b` are ASCII-only. As in Go, an empty match directly
after the previous match is skipped by `find_all`, `replace_all` and `split`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

__all__ = [
    "captures",
    "compile_go",
    "expand",
    "find",
    "find_all",
    "is_match",
    "replace",
    "replace_all",
    "split",
    "translate",
]

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}

_UNICODE_CLASSES = {"L": "[^\\W\\d_]", "N": "\\d", "Nd": "\\d"}


class _Unsupported(ValueError):
    pass


def _translate_class(p: str, i: int, out: list[str]) -> int:
    """Copy a bracket expression starting at p[i] == '['; returns the index after it."""
    out.append("[")
    i += 1
    if i < len(p) and p[i] == "^":
        out.append("^")
        i += 1
    first = True
    while i < len(p):
        c = p[i]
        if c == "]" and not first:
            out.append("]")
            return i + 1
        first = False
        if c == "[" and p.startswith("[:", i):
            end = p.find(":]", i + 2)
            if end < 0:
                raise _Unsupported("bad posix class")
            name = p[i + 2 : end]
            negate = name.startswith("^")
            body = _POSIX.get(name.lstrip("^"))
            if body is None or negate:
                raise _Unsupported(f"unsupported class [:{name}:]")
            out.append(body)
            i = end + 2
            continue
        if c == "\\" and i + 1 < len(p):
            out.append(p[i : i + 2])
            i += 2
            continue
        if c == "[":
            out.append("\\[")
            i += 1
            continue
        out.append(c)
        i += 1
    raise _Unsupported("missing closing ]")


def _translate_escape(p: str, i: int, out: list[str]) -> int:
    """Translate the escape at p[i] == '\\\\'; returns the index after it."""
    nxt = p[i + 1] if i + 1 < len(p) else ""
    if nxt == "":
        raise _Unsupported("trailing backslash")
    if nxt == "z":
        out.append("\\Z")
        return i + 2
    if nxt == "Q":
        end = p.find("\\E", i + 2)
        literal = p[i + 2 :] if end < 0 else p[i + 2 : end]
        out.append(re.escape(literal))
        return len(p) if end < 0 else end + 2
    if nxt in "pP":
        if p[i + 2 : i + 3] == "{":
            end = p.find("}", i + 3)
            name = p[i + 3 : end] if end >= 0 else ""
            after = end + 1
        else:
            name = p[i + 2 : i + 3]
            after = i + 3
        cls = _UNICODE_CLASSES.get(name)
        if cls is None or nxt == "P":
            raise _Unsupported(f"unsupported class \\{nxt}{name}")
        out.append(cls)
        return after
    if nxt.isdigit() and nxt != "0":
        raise _Unsupported("backreferences are not RE2")
    if nxt == "C":
        out.append(".")
        return i + 2
    out.append(p[i : i + 2])
    return i + 2


def translate(pattern: str) -> str:
    """An RE2 pattern as an equivalent Python `re` pattern (raises ValueError if impossible)."""
    out: list[str] = []
    multiline = False
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i = _translate_escape(pattern, i, out)
        elif c == "[":
            i = _translate_class(pattern, i, out)
        elif c == "(" and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            raise _Unsupported("lookaround is not RE2")
        elif c == "(" and pattern.startswith("(?<", i):
            out.append("(?P<")
            i += 3
        elif c == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?P", i):
            flags_end = i + 2
            while flags_end < n and pattern[flags_end] not in ":)":
                flags_end += 1
            flags = pattern[i + 2 : flags_end]
            if "m" in flags.split("-")[0]:
                multiline = True
            out.append(pattern[i : flags_end])
            i = flags_end
        elif c == "$" and not multiline:
            out.append("\\Z")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(translate(pattern), re.ASCII)
    except (re.error, ValueError, OverflowError, RecursionError):
        return None


def compile_go(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern, or None when it is invalid."""
    return _compile(pattern)


def _matches(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Go's FindAll semantics: an empty match abutting the previous match is skipped."""
    prev_end = -1
    for m in rx.finditer(text):
        if m.start() == m.end() and m.start() == prev_end:
            continue
        prev_end = m.end()
        yield m


def is_match(pattern: str, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text` (false for an invalid pattern)."""
    rx = _compile(pattern)
    return rx is not None and rx.search(text) is not None


def find(pattern: str, text: str) -> str:
    """The first match, "" when none or invalid."""
    rx = _compile(pattern)
    if rx is None:
        return ""
    m = rx.search(text)
    return m.group(0) if m else ""


def find_all(pattern: str, text: str) -> list[str]:
    """Every match in order (empty list when none or invalid)."""
    rx = _compile(pattern)
    if rx is None:
        return []
    return [m.group(0) for m in _matches(rx, text)]


def captures(pattern: str, text: str) -> list[str] | None:
    """[whole match, group 1, …] of the first match (unmatched groups ""), nil when none."""
    rx = _compile(pattern)
    if rx is None:
        return None
    m = rx.search(text)
    if m is None:
        return None
    return [m.group(0), *[g or "" for g in m.groups()]]


def expand(template: str, m: re.Match[str]) -> str:
    """Go `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups are ""."""
    out: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            break
        out.append(template[i:dollar])
        i = dollar + 1
        if i < n and template[i] == "$":
            out.append("$")
            i += 1
            continue
        if i < n and template[i] == "{":
            close = template.find("}", i + 1)
            name = template[i + 1 : close] if close > 0 else ""
            if not name or not re.fullmatch(r"\w+", name, re.ASCII):
                out.append("$")
                continue
            i = close + 1
        else:
            nm = re.match(r"\w+", template[i:], re.ASCII)
            if nm is None:
                out.append("$")
                continue
            name = nm.group(0)
            i += len(name)
        out.append(_group(m, name))
    return "".join(out)


def _group(m: re.Match[str], name: str) -> str:
    try:
        g = m.group(int(name)) if name.isdigit() else m.group(name)
    except (IndexError, ValueError):
        return ""
    return g or ""


def replace(pattern: str, text: str, repl: str) -> str:
    """The first match replaced by the expanded template; `text` unchanged if none/invalid."""
    rx = _compile(pattern)
    if rx is None:
        return text
    m = rx.search(text)
    if m is None:
        return text
    return text[: m.start()] + expand(repl, m) + text[m.end() :]


def replace_all(pattern: str, text: str, repl: str) -> str:
    """Every match replaced by the expanded template."""
    rx = _compile(pattern)
    if rx is None:
        return text
    out: list[str] = []
    last = 0
    for m in _matches(rx, text):
        out.append(text[last : m.start()])
        out.append(expand(repl, m))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def split(pattern: str, text: str) -> list[str]:
    """Go `Regexp.Split(text, -1)`."""
    rx = _compile(pattern)
    if rx is None:
        return [text]
    if text == "" and pattern != "":
        return [""]
    parts: list[str] = []
    beg = 0
    end = 0
    for m in _matches(rx, text):
        end = m.start()
        if m.end() != 0:
            parts.append(text[beg:end])
        beg = m.end()
    if end != len(text):
        parts.append(text[beg:])
    return parts
