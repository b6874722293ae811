"""Reading source files: bytes -> SourceFile, undecodable input as a diagnostic."""

from __future__ import annotations

import os

from hairac import nodes
from hairac.diagnostics import DiagnosticSink, SourceFile, Span
from hairac.diagnostics import messages as msg
from hairac.syntax.parser import parse_source


def decode_source(path: str, data: bytes, sink: DiagnosticSink) -> SourceFile:
    """Decode UTF-8 (a leading BOM is dropped). Invalid bytes are reported at
    their position and replaced by U+FFFD, so parsing can still go on."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return SourceFile(path, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        source = SourceFile(path, text)
        # Offset in characters of the first bad byte: decode the good prefix.
        offset = len(data[: exc.start].decode("utf-8", errors="replace"))
        sink.error(
            Span(source, offset, offset + 1),
            msg.UNDECODABLE.format(byte=data[exc.start]),
            "save the file as UTF-8",
            msg.UNDECODABLE.code,
        )
        return source


def read_source(path: str, sink: DiagnosticSink) -> SourceFile | None:
    """Read and decode a file; an unreadable file is a diagnostic (at 1:1 of an empty file)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        empty = SourceFile(path, "")
        reason = exc.strerror or str(exc)
        if isinstance(exc, IsADirectoryError) or os.path.isdir(path):
            reason = "is a directory"
        sink.error(Span(empty, 0, 0), msg.UNREADABLE.format(path=path, reason=reason), None,
                   msg.UNREADABLE.code)  # fmt: skip
        return None
    return decode_source(path, data, sink)


def parse_file(path: str, sink: DiagnosticSink) -> nodes.Module | None:
    """Read, decode and parse a file; None only when it cannot be read at all."""
    source = read_source(path, sink)
    if source is None:
        return None
    return parse_source(source, sink)
