"""The error a shared store raises when its server cannot be reached (or fails).

It is a `HairaRuntimeError`, so a stream that needs the store ends with `event: error`
(code `internal`) carrying this message, and a Haira `try`/`catch` sees its text; never a
driver traceback. The message names the backend and the cause, never the password.
"""

from __future__ import annotations

from haira.errors import HairaRuntimeError

__all__ = ["StoreUnavailable"]


class StoreUnavailable(HairaRuntimeError):
    """The database (or Redis) did not answer; the operation can be retried later."""
