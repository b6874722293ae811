"""`haira.steps.Step`: the protocol generated code drives for a workflow step (events in
reference-runtime.md §4.7 field order, REF console lines §5.9, retry delays, confirm, logs)."""

from __future__ import annotations

import re

import pytest
from haira import steps
from haira.errors import HairaPanic
from haira.stdlib import log

DURATION = re.compile(r"duration=\d+(µs|ms)")


def drive(step: steps.Step, attempts_that_fail: int, logs: bool = False) -> int:
    """What generated code does; returns how many times the body ran."""
    ran = 0
    try:
        while step.next_attempt():
            try:
                ran += 1
                if logs:
                    log.info(f"attempt {ran}")
                if ran <= attempts_that_fail:
                    raise HairaPanic(f"attempt {ran} failed")
            except Exception as exc:
                step.fail(exc)
            else:
                step.done()
    finally:
        step.close()
    return ran


@pytest.fixture
def events() -> list[dict[str, object]]:
    got: list[dict[str, object]] = []
    token = steps.set_listener(got.append)
    yield got
    steps.reset_listener(token)


def _plain(events: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in e.items() if k != "duration_ms"} for e in events]


def test_success_with_log_events(
    events: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    step = steps.Step("Plan", "Research")
    assert drive(step, 0, logs=True) == 1
    assert step.error is None
    assert _plain(events) == [
        {"name": "Research", "status": "start"},
        {"name": "Research", "status": "log", "log": {"level": "info", "message": "attempt 1"}},
        {"name": "Research", "status": "end"},
    ]
    out = DURATION.sub("duration=<d>", capsys.readouterr().out)
    assert out == (
        '[Plan] step:start  "Research"\n'
        '[Plan] step:log    "Research"  level=info  attempt 1\n'
        '[Plan] step:end    "Research"  duration=<d>  status=success\n'
    )
    # Outside the step, log goes back to stdout.
    log.info("after")
    assert capsys.readouterr().out == "[INFO] after\n"


def test_retry_exponential_then_success(events: list[dict[str, object]]) -> None:
    step = steps.Step("Plan", "Validate", retry_max=3, delay_ms=2, backoff="exponential")
    assert drive(step, 2) == 3
    assert step.error is None
    assert _plain(events) == [
        {"name": "Validate", "status": "start"},
        {"name": "Validate", "status": "retry", "attempt": 2, "delay_ms": 2},
        {"name": "Validate", "status": "retry", "attempt": 3, "delay_ms": 4},
        {"name": "Validate", "status": "end"},
    ]


def test_retries_exhausted_fail_with_the_last_error(
    events: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    step = steps.Step("Plan", "Book", retry_max=2, delay_ms=1, backoff="linear")
    assert drive(step, 5) == 2
    assert step.error == "attempt 2 failed"
    assert _plain(events)[-1] == {"name": "Book", "status": "failed", "error": "attempt 2 failed"}
    assert [e.get("delay_ms") for e in events if e["status"] == "retry"] == [1]
    last = DURATION.sub("duration=<d>", capsys.readouterr().out.splitlines()[-1])
    assert (
        last == '[Plan] step:end    "Book"  duration=<d>  status=failed  error="attempt 2 failed"'
    )
    with pytest.raises(steps.StepFailed, match="attempt 2 failed"):
        steps.raise_failed(step)


def test_no_retry_fails_at_once(events: list[dict[str, object]]) -> None:
    step = steps.Step("Plan", "Once")
    assert drive(step, 1) == 1
    assert [e["status"] for e in events] == ["start", "failed"]


def test_confirm_without_a_run_is_automatic(capsys: pytest.CaptureFixture[str]) -> None:
    step = steps.Step("Plan", "Email", confirm=steps.confirm_request("Send?"))
    assert drive(step, 0) == 1
    assert '[Plan] step:confirm "Email"  auto-confirmed (no run ID)\n' in capsys.readouterr().out


@pytest.mark.parametrize("answer", [True, False])
def test_confirm_asks_the_confirmer(events: list[dict[str, object]], answer: bool) -> None:
    asked: list[tuple[str, steps.ConfirmRequest]] = []

    def confirmer(name: str, request: steps.ConfirmRequest) -> bool:
        asked.append((name, request))
        return answer

    token = steps.set_confirmer(confirmer)
    try:
        request = steps.confirm_request(
            title="Send email", message="Email the plan?", confirm="Send", deny="Skip"
        )
        step = steps.Step("Plan", "Email", confirm=request)
        ran = drive(step, 0)
    finally:
        steps.reset_confirmer(token)
    expected = {
        "title": "Send email",
        "message": "Email the plan?",
        "confirm_label": "Send",
        "deny_label": "Skip",
    }
    assert asked == [("Email", expected)]
    assert events[1] == {"name": "Email", "status": "awaiting_confirm", "confirm": expected}
    if answer:
        assert ran == 1 and step.error is None
    else:
        assert ran == 0 and step.error == "step denied by user"
        assert events[-1]["status"] == "failed"


def test_confirm_defaults() -> None:
    assert steps.confirm_request() == {
        "title": "Confirm",
        "confirm_label": "Confirm",
        "deny_label": "Cancel",
    }


def test_return_out_of_the_body_still_ends_the_step(events: list[dict[str, object]]) -> None:
    def workflow() -> str:
        step = steps.Step("Plan", "Early")
        try:
            while step.next_attempt():
                return "early"
        finally:
            step.close()
        return "late"

    assert workflow() == "early"
    assert [e["status"] for e in events] == ["start", "end"]
