"""The raw lexer: source text -> tokens (language.md §1).

Hand-written around one master regular expression, because strings with
`${...}` interpolation (nested strings and braces inside), nesting block
comments and triple-quoted strings are not regular. Problems become
diagnostics and the lexer carries on, so one run reports many of them.
"""

from __future__ import annotations

import re
from typing import Final

from hairac.diagnostics import DiagnosticSink, SourceFile, Span
from hairac.diagnostics import messages as msg
from hairac.syntax.tokens import KEYWORDS, OPERATORS, Tok

_OPS_PATTERN = "|".join(re.escape(op) for op in sorted(OPERATORS, key=len, reverse=True))

_MASTER: Final = re.compile(
    r"""
     (?P<ws>[ \t\f\v]+)
    |(?P<nl>\r\n|\r|\n)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<num>[0-9][0-9A-Za-z_]*(?:\.[0-9][0-9A-Za-z_]*)?)
    |(?P<lcomment>//[^\r\n]*)
    |(?P<bcomment>/\*)
    |(?P<triple>\"\"\")
    |(?P<string>\"(?:[^\"\\$\r\n]|\\[^$\r\n])*\")
    |(?P<qstart>\")
    |(?P<andand>&&)
    |(?P<oror>\|\|)
    |(?P<op>"""
    + _OPS_PATTERN
    + r""")
    |(?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_INT_FORMS: Final = (
    (re.compile(r"0[xX][0-9a-fA-F_]+"), 16),
    (re.compile(r"0[bB][01_]+"), 2),
    (re.compile(r"0[oO][0-7_]+"), 8),
    (re.compile(r"[0-9][0-9_]*"), 10),
)
_FLOAT_FORM: Final = re.compile(r"[0-9][0-9_]*\.[0-9][0-9_]*")

# Escapes of §1.5; any other `\c` stays as backslash + c.
_ESCAPES: Final[dict[str, str]] = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "{": "{",
    "}": "}",
}

# Strings nested in `${...}` of strings, at most this deep (the scan recurses).
MAX_STRING_NESTING = 32

MAX_LEX_ERRORS = 50

_CASCADE = frozenset({msg.UNTERMINATED_INTERP.code, msg.UNTERMINATED_STRING.code})

_HINT_SEMICOLON = "Haira has no ';': put each statement on its own line"


def unescape(raw: str) -> str:
    """Process the escapes of language.md §1.5 in a literal string part."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            rep = _ESCAPES.get(nxt)
            if rep is not None:
                out.append(rep)
                i += 2
                continue
            out.append(c)
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


# An interpolated string's parts: ("text", processed, start, end) or
# ("expr", body_start, body_end, part_start, part_end) -- offsets into the file.
Part = tuple[str, object, int, int] | tuple[str, int, int, int, int]


class Lexer:
    """Tokenizes `file.text[start:end]`; reports problems to `sink`."""

    def __init__(
        self,
        file: SourceFile,
        sink: DiagnosticSink,
        *,
        start: int = 0,
        end: int | None = None,
        keep_trivia: bool = False,
    ) -> None:
        self.file = file
        self.text = file.text
        self.sink = sink
        self.start = start
        self.end = len(self.text) if end is None else end
        self.keep_trivia = keep_trivia
        self._nesting = 0
        self._nesting_reported = False
        # An unterminated string or comment swallowed the rest of the input.
        self.runaway = False
        self.error_count = 0

    def _error(self, start: int, end: int, message: str, hint: str | None = None, code: str = "") -> None:
        if self._nesting_reported and code in _CASCADE:
            return  # the outer strings are "unterminated" only because we stopped scanning
        self.error_count += 1
        if self.error_count > MAX_LEX_ERRORS:
            if self.error_count == MAX_LEX_ERRORS + 1:
                self.sink.error(Span(self.file, start, end), msg.TOO_MANY_ERRORS.format(),
                                "fix the first errors and try again", msg.TOO_MANY_ERRORS.code)  # fmt: skip
            return
        self.sink.error(Span(self.file, start, end), message, hint, code)

    def tokens(self) -> list[Tok]:  # noqa: C901 - one dispatch over token classes reads best flat
        text = self.text
        end = self.end
        pos = self.start
        out: list[Tok] = []
        append = out.append
        match = _MASTER.match
        nl = True
        keep = self.keep_trivia
        keywords = KEYWORDS
        operators = OPERATORS
        while pos < end:
            m = match(text, pos, end)
            if m is None:  # pragma: no cover - the `bad` alternative matches any char
                break
            kind = m.lastgroup
            tstart = pos
            pos = m.end()
            if kind == "ws":
                continue
            if kind == "name":
                word = m.group()
                if word in keywords:
                    append(Tok(word.upper(), word, tstart, pos, nl))
                else:
                    append(Tok("NAME", word, tstart, pos, nl))
                nl = False
            elif kind == "op":
                op = m.group()
                append(Tok(operators[op], op, tstart, pos, nl))
                nl = False
            elif kind == "nl":
                nl = True
                if keep:
                    append(Tok("Newline", "", tstart, pos))
            elif kind == "string":
                raw = m.group()[1:-1]
                append(Tok("STRING", unescape(raw), tstart, pos, nl))
                nl = False
            elif kind == "num":
                append(self._number(m.group(), tstart, pos, nl))
                nl = False
            elif kind == "lcomment":
                if keep:
                    append(Tok("LineComment", m.group(), tstart, pos))
            elif kind == "bcomment":
                pos = self._block_comment(tstart)
                if keep:
                    append(Tok("BlockComment", text[tstart:pos], tstart, pos))
                if "\n" in text[tstart:pos] or "\r" in text[tstart:pos]:
                    nl = True
            elif kind == "qstart":
                tok, pos = self._string(tstart)
                tok.nl = nl
                append(tok)
                nl = False
            elif kind == "triple":
                tok, pos = self._triple(tstart)
                tok.nl = nl
                append(tok)
                nl = False
            elif kind == "andand" or kind == "oror":
                word = "and" if kind == "andand" else "or"
                self._error(
                    tstart, pos, f"unexpected '{m.group()}'", f"use '{word}'", msg.BAD_CHARACTER.code
                )
                append(Tok(word.upper(), word, tstart, pos, nl))
                nl = False
            else:
                pos = self._bad(m.group(), tstart, pos, out, nl)
        return out

    def _bad(self, ch: str, start: int, pos: int, out: list[Tok], nl: bool) -> int:
        """An unexpected character: report it, and keep going with a likely meaning."""
        code = msg.BAD_CHARACTER.code
        if ch == "\x00":
            self._error(start, pos, msg.NUL_BYTE.format(), None, msg.NUL_BYTE.code)
            return pos
        if ch == ";":
            self._error(start, pos, "unexpected ';'", _HINT_SEMICOLON, code)
            return pos
        if ch == "!":
            self._error(start, pos, "unexpected '!'", "use 'not'", code)
            out.append(Tok("NOT", "not", start, pos, nl))
            return pos
        # Swallow a run of non-ASCII characters as one error (a pasted word, an emoji).
        if ord(ch) > 127:
            end = pos
            while end < self.end and ord(self.text[end]) > 127 and not self.text[end].isspace():
                end += 1
            shown = self.text[start:end]
            self._error(
                start, end, f"unexpected character {shown!r}",
                "identifiers and operators are ASCII; non-ASCII text belongs in strings",
                code,
            )  # fmt: skip
            return end
        shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
        self._error(start, pos, f"unexpected character {shown}", None, code)
        return pos

    def _number(self, text: str, start: int, end: int, nl: bool) -> Tok:
        if "." in text:
            if _FLOAT_FORM.fullmatch(text):
                return Tok("FLOAT", text, start, end, nl)
        else:
            for form, _base in _INT_FORMS:
                if form.fullmatch(text):
                    return Tok("INT", text, start, end, nl)
        self._error(start, end, msg.BAD_NUMBER.format(text=text), None, msg.BAD_NUMBER.code)
        return Tok("INT", "0", start, end, nl)

    def _block_comment(self, start: int) -> int:
        """Skip a nesting `/* ... */`; returns the offset after it."""
        text = self.text
        depth = 0
        i = start
        end = self.end
        while i < end:
            if text.startswith("/*", i):
                depth += 1
                i += 2
            elif text.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    return i
            else:
                i += 1
        # REF lets an unterminated comment run to the end of the file; say so.
        self.runaway = True
        self.sink.warning(
            Span(self.file, start, start + 2),
            msg.UNTERMINATED_COMMENT.format(),
            "the comment runs to the end of the file",
            msg.UNTERMINATED_COMMENT.code,
        )
        return end

    # ------------------------------------------------------------------ strings

    def _string(self, start: int) -> tuple[Tok, int]:
        """A `"` string that has `${` or an odd character; `start` is at the quote."""
        parts, pos, closed = self._scan_string_body(start + 1, '"')
        if not closed:
            self.runaway = True
            self._error(
                start, start + 1, msg.UNTERMINATED_STRING.format(), "the string starts here",
                msg.UNTERMINATED_STRING.code,
            )  # fmt: skip
        return _string_token(parts, start, pos, triple=False), pos

    def _scan_string_body(self, pos: int, quote: str) -> tuple[list[Part], int, bool]:
        """Scan from `pos` (after the opening quote) to the closing quote.

        Returns the parts, the offset after the closing quote and whether it was found.
        """
        end = self.end
        parts: list[Part] = []
        if self._nesting >= MAX_STRING_NESTING:
            # Strings inside `${}` inside strings...: scanning recurses, so stop here.
            if not self._nesting_reported:
                self._nesting_reported = True
                self._error(pos - 1, pos, msg.TOO_DEEP.format(what="string interpolation"),
                            "simplify the nested string interpolation", msg.TOO_DEEP.code)  # fmt: skip
            return parts, end, True
        self._nesting += 1
        try:
            return self._scan_string_body_at(pos, quote, parts)
        finally:
            self._nesting -= 1

    def _scan_string_body_at(self, pos: int, quote: str, parts: list[Part]) -> tuple[list[Part], int, bool]:
        text = self.text
        end = self.end
        buf_raw_start = pos
        i = pos
        while i < end:
            c = text[i]
            if c == "\\":
                if i + 1 < end and text[i + 1] != "$":
                    i += 2
                else:
                    i += 1
                continue
            if c == quote:
                _add_text(parts, text, buf_raw_start, i)
                return parts, i + 1, True
            if c == "$" and i + 1 < end and text[i + 1] == "{":
                _add_text(parts, text, buf_raw_start, i)
                body_start = i + 2
                body_end, closed = self._scan_interp(body_start)
                if not closed:
                    self.runaway = True
                    self._error(
                        i, i + 2, msg.UNTERMINATED_INTERP.format(), "the '${' opens here",
                        msg.UNTERMINATED_INTERP.code,
                    )  # fmt: skip
                    return parts, body_end, True
                parts.append(("expr", body_start, body_end, i, body_end + 1))
                i = body_end + 1
                buf_raw_start = i
                continue
            i += 1
        _add_text(parts, text, buf_raw_start, end)
        return parts, end, False

    def _scan_interp(self, pos: int) -> tuple[int, bool]:
        """From inside `${`, find the matching `}`; nested strings and braces are skipped."""
        text = self.text
        end = self.end
        depth = 0
        i = pos
        while i < end:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    return i, True
                depth -= 1
            elif c == '"':
                if text.startswith('"""', i):
                    close = text.find('"""', i + 3, end)
                    i = end if close < 0 else close + 3
                    continue
                _parts, i, closed = self._scan_string_body(i + 1, '"')
                if not closed:
                    return end, False
                continue
            i += 1
        return end, False

    def _triple(self, start: int) -> tuple[Tok, int]:
        text = self.text
        close = text.find('"""', start + 3, self.end)
        if close < 0:
            self.runaway = True
            self._error(
                start, start + 3, msg.UNTERMINATED_TRIPLE.format(), "the string starts here",
                msg.UNTERMINATED_TRIPLE.code,
            )  # fmt: skip
            content_end = self.end
            pos = self.end
        else:
            content_end = close
            pos = close + 3
        content_start = start + 3
        raw = text[content_start:content_end]
        stripped = raw.strip()
        if "${" not in stripped:
            return Tok("TRIPLE", stripped, start, pos), pos
        lead = len(raw) - len(raw.lstrip())
        sub_start = content_start + lead
        sub_end = sub_start + len(stripped)
        parts = self._split_interp(sub_start, sub_end)
        return _string_token(parts, start, pos, triple=True), pos

    def _split_interp(self, start: int, end: int) -> list[Part]:
        """Split raw text (no surrounding quotes) into text and `${expr}` parts."""
        text = self.text
        parts: list[Part] = []
        lit = start
        i = start
        while i < end:
            c = text[i]
            if c == "\\" and i + 1 < end and text[i + 1] != "$":
                i += 2
                continue
            if c == "$" and i + 1 < end and text[i + 1] == "{":
                _add_text(parts, text, lit, i)
                saved_end = self.end
                self.end = end
                try:
                    body_end, closed = self._scan_interp(i + 2)
                finally:
                    self.end = saved_end
                if not closed:
                    self._error(
                        i, i + 2, msg.UNTERMINATED_INTERP.format(), "the '${' opens here",
                        msg.UNTERMINATED_INTERP.code,
                    )  # fmt: skip
                    return parts
                parts.append(("expr", i + 2, body_end, i, body_end + 1))
                i = body_end + 1
                lit = i
                continue
            i += 1
        _add_text(parts, text, lit, end)
        return parts


def _add_text(parts: list[Part], text: str, start: int, end: int) -> None:
    if end > start:
        parts.append(("text", unescape(text[start:end]), start, end))


def _string_token(parts: list[Part], start: int, end: int, *, triple: bool) -> Tok:
    if any(p[0] == "expr" for p in parts):
        return Tok("ITRIPLE" if triple else "ISTRING", tuple(parts), start, end)
    value = "".join(str(p[1]) for p in parts)
    return Tok("TRIPLE" if triple else "STRING", value, start, end)


def lex(file: SourceFile, sink: DiagnosticSink, *, keep_trivia: bool = False) -> list[Tok]:
    """All raw tokens of `file` (no context rewriting)."""
    return Lexer(file, sink, keep_trivia=keep_trivia).tokens()
