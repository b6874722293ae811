"""Workflow `step "name" { }` blocks at run time (reference-runtime.md §4.5, §4.7, §5.9).

Generated code drives a `Step` (see hairac/codegen/gen_steps.py):

    _s = haira.steps.Step("Plan", "Validate", retry_max=3, delay_ms=500, backoff="exponential")
    try:
        while _s.next_attempt():            # start / confirm / retry (with its sleep)
            try:
                <body; verify { assert ... }>
            except Exception as _e:
                _s.fail(_e)                 # the last attempt's failure emits `failed`
            else:
                _s.done()                   # `end`
    finally:
        _s.close()
    if _s.error is not None: <step onerror, or haira.steps.raise_failed(_s)>

Every step prints REF's console lines (§5.9) to stdout and sends StepEvent dicts (§4.7 field
order) to the listener installed for the current context (`set_listener`; the server's
step SSE and runs store). `@confirm` asks the installed confirmer (`set_confirmer`); with
none (plain calls, CLI runs) the step is auto-confirmed. `log.*` calls inside a step become
`log` step events.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import NoReturn

from haira.errors import HairaRuntimeError

__all__ = [
    "ConfirmRequest",
    "Step",
    "StepFailed",
    "raise_failed",
    "reset_confirmer",
    "reset_listener",
    "set_confirmer",
    "set_listener",
]

StepEvent = dict[str, object]
StepListener = Callable[[StepEvent], None]
ConfirmRequest = dict[str, str]  # title, message?, confirm_label, deny_label
Confirmer = Callable[[str, ConfirmRequest], bool]  # (step name, request) -> confirmed

_listener: ContextVar[StepListener | None] = ContextVar("haira_step_listener", default=None)
_confirmer: ContextVar[Confirmer | None] = ContextVar("haira_step_confirmer", default=None)


class StepFailed(HairaRuntimeError):
    """A step failed after its attempts and had no `onerror`: the workflow fails with its text."""


def set_listener(listener: StepListener | None) -> Token[StepListener | None]:
    return _listener.set(listener)


def reset_listener(token: Token[StepListener | None]) -> None:
    _listener.reset(token)


def set_confirmer(confirmer: Confirmer | None) -> Token[Confirmer | None]:
    return _confirmer.set(confirmer)


def reset_confirmer(token: Token[Confirmer | None]) -> None:
    _confirmer.reset(token)


def _duration(seconds: float) -> str:
    micros = int(seconds * 1_000_000)
    return f"{micros}µs" if micros < 1000 else f"{micros // 1000}ms"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class Step:
    def __init__(
        self,
        workflow: str,
        name: str,
        *,
        retry_max: object = 1,
        delay_ms: object = 1000,
        backoff: object = "exponential",
        confirm: ConfirmRequest | None = None,
    ) -> None:
        self.workflow = workflow
        self.name = name
        self.retry_max = max(1, retry_max) if isinstance(retry_max, int) else 1
        self.delay_ms = max(0, delay_ms) if isinstance(delay_ms, int) else 1000
        self.backoff = backoff if isinstance(backoff, str) else "exponential"
        self.confirm = confirm
        self.attempt = 0
        self.error: str | None = None
        self.finished = False
        self._started = 0.0
        self._log_token: object = None

    # ------------------------------------------------------------ reporting

    def _print(self, kind: str, rest: str = "") -> None:
        line = f"[{self.workflow}] step:{kind:<6} {_quote(self.name)}"
        sys.stdout.write(line + (f"  {rest}" if rest else "") + "\n")
        sys.stdout.flush()

    def _event(self, status: str, **fields: object) -> None:
        listener = _listener.get()
        if listener is None:
            return
        event: StepEvent = {"name": self.name, "status": status}
        for key in ("duration_ms", "error", "attempt", "delay_ms", "log", "render", "confirm"):
            value = fields.get(key)
            if value:  # REF: omitempty
                event[key] = value
        listener(event)

    def _log(self, level: str, payload: object) -> None:
        if level == "render":
            component = str(
                getattr(payload, "type", None) or getattr(payload, "component", "") or ""
            )
            self._print("render", f"component={component}")
            from haira.types import to_jsonable

            props = to_jsonable(getattr(payload, "props", {}) or {})
            self._event("render", render={"component": component, "props": props})
            return
        self._print("log", f"level={level}  {payload}")
        self._event("log", log={"level": level, "message": str(payload)})

    def _install_logger(self) -> None:
        from haira.stdlib.log import set_step_logger

        if self._log_token is None:
            self._log_token = set_step_logger(self._log)

    def _remove_logger(self) -> None:
        from haira.stdlib.log import reset_step_logger

        if self._log_token is not None:
            reset_step_logger(self._log_token)  # type: ignore[arg-type]
            self._log_token = None

    # ------------------------------------------------------------ the protocol

    def next_attempt(self) -> bool:
        """True when the body should run (again); False when the step is over."""
        if self.finished:
            return False
        if self.attempt == 0:
            self._print("start")
            self._event("start")
            self._started = time.monotonic()
            if self.confirm is not None and not self._confirmed():
                self.error = "step denied by user"
                self._finish_failed()
                return False
            self.attempt = 1
            self._install_logger()
            return True
        if self.attempt >= self.retry_max:
            return False
        delay = (
            self.delay_ms << (self.attempt - 1) if self.backoff == "exponential" else self.delay_ms
        )
        self.attempt += 1
        self._print("retry", f"attempt={self.attempt}  delay={delay}ms")
        self._event("retry", attempt=self.attempt, delay_ms=delay)
        time.sleep(delay / 1000)
        self.error = None
        return True

    def fail(self, exc: BaseException) -> None:
        from haira.rt import catch_text

        self.error = catch_text(exc)
        if self.attempt >= self.retry_max:
            self._finish_failed()

    def done(self) -> None:
        self.error = None
        self.finished = True
        self._remove_logger()
        elapsed = time.monotonic() - self._started
        self._print("end", f"duration={_duration(elapsed)}  status=success")
        self._event("end", duration_ms=int(elapsed * 1000))

    def close(self) -> None:
        """Always runs after the step; a `return` out of the body still ends it."""
        self._remove_logger()
        if not self.finished and self.attempt > 0:
            self.done()

    def _finish_failed(self) -> None:
        self.finished = True
        self._remove_logger()
        elapsed = time.monotonic() - self._started
        error = self.error or "step failed"
        self._print("end", f"duration={_duration(elapsed)}  status=failed  error={_quote(error)}")
        self._event("failed", duration_ms=int(elapsed * 1000), error=error)

    def _confirmed(self) -> bool:
        assert self.confirm is not None
        confirmer = _confirmer.get()
        if confirmer is None:
            self._print("confirm", "auto-confirmed (no run ID)")
            return True
        self._print("confirm", "awaiting user confirmation...")
        self._event("awaiting_confirm", confirm=dict(self.confirm))
        ok = confirmer(self.name, dict(self.confirm))
        self._print("confirm", "confirmed" if ok else "denied")
        return ok


def confirm_request(*args: object, **kwargs: object) -> ConfirmRequest:
    """`@confirm("Title")` / `@confirm(title:, message:, confirm:, deny:)` → the request."""
    title = kwargs.get("title", args[0] if args else "Confirm")
    req: ConfirmRequest = {"title": str(title) if title else "Confirm"}
    message = kwargs.get("message", args[1] if len(args) > 1 else None)
    if message:
        req["message"] = str(message)
    req["confirm_label"] = str(kwargs.get("confirm") or "Confirm")
    req["deny_label"] = str(kwargs.get("deny") or "Cancel")
    return req


def raise_failed(step: Step) -> NoReturn:
    raise StepFailed(step.error or f"step {step.name!r} failed")
