"""The one exception tree of the Haira runtime, plus the Haira `error` value type.

Two families, never mixed up:

* values — `HairaError` is what a Haira `error` holds (`err.message`, prints as its text).
  It is *not* an exception: Haira passes errors around as values (`v, err = f()`).
* exceptions — everything that unwinds derives from `HairaException`:

      HairaException
      ├── HairaPanic              a Haira panic: `panic(x)`, `expr?` on an error, a spawn failure
      │   └── RuntimeFault        a Go-style runtime fault (index out of range, divide by zero, …)
      └── HairaRuntimeError       a failure of a runtime service (LLM, store, server) — HTTP 500
          ├── UpstreamError       an upstream (LLM provider) failure — HTTP 502
          ├── UpstreamTimeout     an upstream timeout — HTTP 504 (a sibling of UpstreamError,
          │                       so `except UpstreamError` never swallows a timeout)
          └── ConfigError         a bad declaration or setting (unknown agent field, bad env var)

`try { } catch e { }` in Haira binds `e` to `catch_text(exc)`; an uncaught one is reported
by `haira.rt.run_main` as `path.haira:line:col: runtime error: <report_text>`.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "HairaError",
    "HairaException",
    "HairaPanic",
    "HairaRuntimeError",
    "RuntimeFault",
    "UpstreamError",
    "UpstreamTimeout",
]


# ---------------------------------------------------------------- values


class HairaError:
    """A Haira `error` value: an immutable message; prints (`%v`) as the message."""

    __slots__ = ("message",)

    message: str

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"HairaError({self.message!r})"

    def error(self) -> str:
        """Go's `err.Error()`, so `err.error()` reads naturally in generated code."""
        return self.message


# ---------------------------------------------------------------- exceptions


class HairaException(Exception):
    """Root of every exception the Haira runtime raises."""


class HairaPanic(HairaException):
    """A Haira panic unwinding the stack; `value` is the panicked Haira value."""

    value: object

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(self.report_text())

    def report_text(self) -> str:
        """The message after `runtime error: ` when the panic is uncaught."""
        v = self.value
        if isinstance(v, str):
            return v
        # Late import: rt imports this module; formatting lives there.
        from haira.rt import fmt

        return fmt(v)

    def catch_text(self) -> str:
        """What a Haira `catch e` binds: the panic value formatted with `%v`."""
        return self.report_text()


class RuntimeFault(HairaPanic):
    """A Go runtime error: `catch e` sees `runtime error: <message>`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def catch_text(self) -> str:
        return "runtime error: " + self.report_text()


class HairaRuntimeError(HairaException):
    """A failure inside a runtime service (agents, store, server): HTTP 500 / code `internal`."""


class UpstreamError(HairaRuntimeError):
    """The upstream LLM provider failed or answered badly: HTTP 502 / code `upstream_error`."""


class UpstreamTimeout(HairaRuntimeError):
    """The upstream LLM provider did not answer in time: HTTP 504 / code `upstream_timeout`."""


class ConfigError(HairaRuntimeError):
    """A declaration or setting is invalid (unknown field, malformed environment variable)."""
