"""Parameter binding (contract §2): request body and query string -> converted arguments.

    POST /chat?session_id=s1   {"message": "hi"}
      -> bind(...) == {"message": "hi", "session_id": "s1"}
    POST /count                {"n": "4x"}
      -> HttpError(400, "invalid_parameter", "invalid value for parameter 'n': expected int, got \"4x\"")

Sources, later ones only filling what is still missing: a JSON object body, a form body
(urlencoded or multipart; a `file` parameter binds the saved upload's path), the query
string. Every value is converted to the declared type by `haira.types.convert`; nothing
silently becomes a zero value.
"""

from __future__ import annotations

import email.errors
import email.parser
import email.policy
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl

import orjson

from haira.server.problems import HttpError
from haira.server.request import Receive, Request, read_body
from haira.server.spec import WorkflowSpec
from haira.types import FILE, ConversionError, FieldT, OptionalT, convert, type_name

__all__ = ["Bound", "Limits", "bind", "parse_query"]

_FORM: Final = b"application/x-www-form-urlencoded"
_MULTIPART: Final = b"multipart/form-data"


@dataclass(frozen=True, slots=True)
class Limits:
    """Body size limits (§2): JSON and urlencoded forms, and multipart uploads."""

    body_bytes: int = 1 << 20
    multipart_bytes: int = 32 << 20
    streams_per_client: int = 0  # concurrent streaming runs per client address; 0 = no cap


@dataclass(slots=True)
class Bound:
    """The converted arguments, and the upload directory to delete after the response."""

    args: dict[str, object]
    upload_dir: str | None = None

    def cleanup(self) -> None:
        """Delete the saved uploads (they live only as long as the request)."""
        if self.upload_dir is not None:
            shutil.rmtree(self.upload_dir, ignore_errors=True)
            self.upload_dir = None


def parse_query(query: bytes) -> dict[str, str]:
    """Query string -> first value of each key (percent-decoded as UTF-8)."""
    if not query:
        return {}
    out: dict[str, str] = {}
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        out.setdefault(key, value)
    return out


async def bind(spec: WorkflowSpec, req: Request, receive: Receive, limits: Limits) -> Bound:
    """Read the body and bind every declared parameter, or raise the 4xx `HttpError`."""
    media = _media_type(req.header(b"content-type"))
    multipart = media == _MULTIPART
    body = await read_body(
        receive,
        limit=limits.multipart_bytes if multipart else limits.body_bytes,
        declared=req.content_length,
    )
    bound = Bound({})
    json_doc: dict[str, object] = {}
    form: dict[str, str] = {}
    files: dict[str, str] = {}
    if body:
        if media == b"application/json" or (
            media.startswith(b"application/") and media.endswith(b"+json")
        ):
            json_doc = _parse_json(body)
        elif media == _FORM:
            form = _parse_form(body)
        elif multipart:
            form, files, bound.upload_dir = _parse_multipart(
                req.header(b"content-type") or b"", body
            )
        else:
            shown = media.decode("latin-1") if media else "none"
            raise HttpError(
                415,
                "unsupported_media_type",
                f"unsupported Content-Type '{shown}': send application/json, "
                "application/x-www-form-urlencoded or multipart/form-data",
            )
    query = parse_query(req.query)
    try:
        for p in spec.params:
            _bind_one(p, json_doc, form, files, query, bound.args)
    except HttpError:
        bound.cleanup()
        raise
    return bound


def _bind_one(
    p: FieldT,
    json_doc: dict[str, object],
    form: dict[str, str],
    files: dict[str, str],
    query: dict[str, str],
    out: dict[str, object],
) -> None:
    name = p.name
    if p.type is FILE:
        if name in files:
            out[name] = files[name]
            return
        if name in json_doc or name in form or name in query:
            raise HttpError(
                400,
                "invalid_parameter",
                f"invalid value for parameter '{name}': expected a file upload (multipart/form-data)",
                param=name,
            )
    else:
        try:
            if name in json_doc:
                out[name] = convert(json_doc[name], p.type, textual=False)
                return
            if name in form:
                out[name] = convert(form[name], p.type, textual=True)
                return
            if name in query:
                out[name] = convert(query[name], p.type, textual=True)
                return
        except ConversionError as exc:
            raise HttpError(
                400,
                "invalid_parameter",
                f"invalid value for parameter '{name}': {exc.message}",
                param=name,
            ) from None
    if not p.required:
        out[name] = p.default_value()
    elif isinstance(p.type, OptionalT):
        out[name] = None
    else:
        raise HttpError(
            400,
            "missing_parameter",
            f"missing required parameter '{name}' ({type_name(p.type)})",
            param=name,
        )


def _media_type(content_type: bytes | None) -> bytes:
    if not content_type:
        return b""
    return content_type.split(b";", 1)[0].strip().lower()


def _parse_json(body: bytes) -> dict[str, object]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, "invalid_json", f"the request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise HttpError(400, "invalid_json", "the request body must be a JSON object")
    return doc


def _parse_form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_parameter", "the form body is not URL-encoded") from None
    out: dict[str, str] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "invalid_parameter", "the form body is not valid UTF-8") from None
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def _parse_multipart(
    content_type: bytes, body: bytes
) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Text fields, file fields (name -> saved path) and the directory holding the files."""
    if b"boundary=" not in content_type.lower():
        raise HttpError(400, "invalid_parameter", "multipart/form-data without a boundary")
    # NOTE: the stdlib MIME parser handles the RFC 7578 framing; the body is already bounded.
    try:
        return _split_multipart(content_type, body)
    except HttpError:
        raise
    except Exception:  # the MIME parser on hostile input: a client error, not a crash
        raise HttpError(
            400, "invalid_parameter", "the multipart body could not be parsed"
        ) from None


def _split_multipart(
    content_type: bytes, body: bytes
) -> tuple[dict[str, str], dict[str, str], str | None]:
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(b"Content-Type: " + content_type + b"\r\n\r\n" + body)
    # The parser is lenient; a body cut short or without its boundaries is a client error.
    broken = (
        email.errors.StartBoundaryNotFoundDefect,
        email.errors.CloseBoundaryNotFoundDefect,
        email.errors.MultipartInvariantViolationDefect,
    )
    if not message.is_multipart() or any(isinstance(d, broken) for d in message.defects):
        raise HttpError(400, "invalid_parameter", "the multipart body could not be parsed")
    form: dict[str, str] = {}
    files: dict[str, str] = {}
    upload_dir: str | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            if name not in form:
                try:
                    form[name] = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise HttpError(
                        400, "invalid_parameter", f"form field '{name}' is not UTF-8", param=name
                    ) from None
            continue
        if name in files:
            continue
        if upload_dir is None:
            upload_dir = tempfile.mkdtemp(prefix="haira-upload-")
        safe = os.path.basename(filename.replace("\\", "/")) or "upload"
        path = os.path.join(upload_dir, f"{len(files)}-{safe}")
        with open(path, "wb") as fh:
            fh.write(data)
        files[name] = path
    return form, files, upload_dir
