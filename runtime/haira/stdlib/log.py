"""Haira `log`: `[INFO]` to stdout, `[WARN]`/`[ERROR]` to stderr (language.md §6.13).

Inside a workflow `step`, the server installs a step logger (`set_step_logger`) and the
calls become step-log events instead (reference-runtime.md §4.7).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar, Token

from haira.rt import fmt

__all__ = ["debug", "error", "info", "render", "reset_step_logger", "set_step_logger", "warn"]

# (level, payload) → None; set while a workflow step runs. The payload is the message text
# for info/warn/error/debug and the value itself (often a `ui.UINode`) for render.
StepLogger = Callable[[str, object], None]
_step_logger: ContextVar[StepLogger | None] = ContextVar("haira_step_logger", default=None)


def set_step_logger(logger: StepLogger | None) -> Token[StepLogger | None]:
    """Route log calls of the current context to `logger` (for workflow steps)."""
    return _step_logger.set(logger)


def reset_step_logger(token: Token[StepLogger | None]) -> None:
    """Undo `set_step_logger`."""
    _step_logger.reset(token)


def _emit(level: str, msg: object, to_stderr: bool) -> None:
    text = fmt(msg)
    logger = _step_logger.get()
    if logger is not None:
        logger(level.lower(), text)
        return
    if to_stderr:
        sys.stdout.flush()
        sys.stderr.write(f"[{level}] {text}\n")
    else:
        sys.stdout.write(f"[{level}] {text}\n")


def info(msg: object = "", *_rest: object) -> None:
    """`[INFO] msg` on stdout (only the first argument is used, as REF)."""
    _emit("INFO", msg, False)


def debug(msg: object = "", *_rest: object) -> None:
    """`[DEBUG] msg` on stdout."""
    _emit("DEBUG", msg, False)


def warn(msg: object = "", *_rest: object) -> None:
    """`[WARN] msg` on stderr."""
    _emit("WARN", msg, True)


def error(msg: object = "", *_rest: object) -> None:
    """`[ERROR] msg` on stderr."""
    _emit("ERROR", msg, True)


def render(x: object) -> None:
    """Inside a step: a render event carrying `x` itself; outside, `x` printed (`%v`)."""
    logger = _step_logger.get()
    if logger is not None:
        logger("render", x)
        return
    sys.stdout.write(fmt(x) + "\n")
