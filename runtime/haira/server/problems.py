"""Error answers in the one JSON shape of the HTTP contract (§2), and failure classification.

    HttpError(400, "missing_parameter", "missing required parameter 'message'", param="message")
      -> 400 {"error": "missing required parameter 'message'", "code": "missing_parameter", "param": "message"}

`classify(exc)` maps an exception from a workflow or an agent run to the status and code it
is reported with (§3: 502 upstream, 504 timeout, 500 internal), with secrets scrubbed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Final

import orjson

from haira.errors import HairaPanic, HairaRuntimeError, UpstreamError, UpstreamTimeout
from haira.steps import StepFailed

__all__ = ["Failure", "HttpError", "classify", "error_body", "redact"]


class HttpError(Exception):
    """A request the server refuses before any work starts (4xx), or a failed call (5xx)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        param: str | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers

    def body(self) -> bytes:
        """The JSON body of this error."""
        return error_body(self.message, self.code, self.param)


def error_body(message: str, code: str, param: str | None = None) -> bytes:
    """`{"error": ..., "code": ...[, "param": ...]}` plus a newline, like every JSON answer."""
    doc: dict[str, str] = {"error": message, "code": code}
    if param is not None:
        doc["param"] = param
    return orjson.dumps(doc) + b"\n"


class Failure:
    """How a failed run is reported: HTTP status (JSON fallback) and SSE error code."""

    __slots__ = ("code", "message", "status")

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message


_SECRET_SUFFIXES: Final = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")


def redact(text: str) -> str:
    """Remove the values of secret-looking environment variables from `text`."""
    for name, value in os.environ.items():
        if len(value) >= 8 and name.upper().endswith(_SECRET_SUFFIXES) and value in text:
            text = text.replace(value, "[redacted]")
    return text


def classify(exc: BaseException, *, debug: bool = False) -> Failure:
    """The status, code and client-facing message for an exception raised by a run."""
    if isinstance(exc, UpstreamTimeout):
        return Failure(
            504, "upstream_timeout", redact(str(exc) or "the model did not answer in time")
        )
    if isinstance(exc, UpstreamError):
        return Failure(502, "upstream_error", redact(str(exc) or "the model provider failed"))
    if isinstance(exc, HairaPanic):
        return Failure(500, "internal", redact(exc.report_text()))
    if isinstance(exc, StepFailed):  # a workflow step failed after its attempts (REF §4.5)
        return Failure(500, "step_failed", redact(str(exc) or "step failed"))
    if isinstance(exc, HairaRuntimeError):
        return Failure(500, "internal", redact(str(exc) or type(exc).__name__))
    if isinstance(exc, asyncio.CancelledError):
        return Failure(503, "cancelled", "the run was cancelled")
    # A bug, not a Haira error: log it for the operator, tell the client only that it failed.
    report_internal(exc, debug=debug)
    return Failure(500, "internal", "internal error")


def report_internal(exc: BaseException, *, debug: bool) -> None:
    """One stderr line for an unexpected exception (the traceback only with HAIRA_DEBUG)."""
    if debug:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    else:
        sys.stderr.write(
            f"[haira] internal error: {type(exc).__name__}: {redact(str(exc))} "
            "(set HAIRA_DEBUG=1 for the traceback)\n"
        )
