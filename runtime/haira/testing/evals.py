"""`eval` blocks (reference-runtime.md §8.13) and their runner (`hairac eval`).

    python -m haira.testing.evals PACKAGE.MODULE...

Each case asks the agent `input` (no session); it passes (score 1) when `expected` occurs
in the reply, case-insensitively (an empty `expected`: when the reply is not empty); an
error scores 0. `rubric` is accepted and unused, as in REF. An eval fails when its average
score is below `threshold` (default 0.8). Output: REF's per-eval report, then a summary
table; exit 1 when any eval failed, 0 otherwise (`No eval blocks found.` when none).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TextIO

DEFAULT_THRESHOLD = 0.8


class _Asker(Protocol):
    name: str

    def ask(self, message: str, session: str | None = None) -> str: ...


class EvalSpec:
    """One `eval` block, as generated code builds it (values checked when it runs)."""

    def __init__(
        self,
        name: str,
        agent: object = None,
        cases: object = None,
        threshold: object = DEFAULT_THRESHOLD,
        parallel: object = False,
    ) -> None:
        self.name = name
        self.agent = agent
        self.cases = cases
        self.threshold = threshold
        self.parallel = parallel


@dataclass(frozen=True, slots=True)
class Case:
    input: str
    expected: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    passed: bool
    output: str
    error: str | None


@dataclass(frozen=True, slots=True)
class EvalResult:
    name: str
    results: tuple[CaseResult, ...]
    threshold: float

    @property
    def score(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def ok(self) -> bool:
        return self.score >= self.threshold


class EvalError(Exception):
    """An eval block that cannot run (no agent, malformed cases)."""


def _field(case: object, key: str) -> object:
    if isinstance(case, dict):
        return case.get(key)
    return getattr(case, key, None)


def _text(v: object) -> str:
    if v is None:
        return ""
    from haira.rt import str_

    return str_(v)


def cases_of(spec: EvalSpec) -> list[Case]:
    if not isinstance(spec.cases, list | tuple):
        raise EvalError(f'eval "{spec.name}": cases must be a list of {{input, expected}} maps')
    return [Case(_text(_field(c, "input")), _text(_field(c, "expected"))) for c in spec.cases]


def judge(case: Case, output: str) -> bool:
    if not case.expected:
        return output != ""
    return case.expected.lower() in output.lower()


def run_case(agent: _Asker, case: Case) -> CaseResult:
    try:
        output = agent.ask(case.input, None)
    except Exception as exc:  # noqa: BLE001 - a failing call scores 0 and is reported
        from haira.rt import catch_text

        return CaseResult(case, False, "", catch_text(exc))
    return CaseResult(case, judge(case, output), output, None)


def run_eval(spec: EvalSpec) -> tuple[EvalResult, float]:
    """The results and the duration in seconds."""
    agent = spec.agent
    if not callable(getattr(agent, "ask", None)):
        raise EvalError(f'eval "{spec.name}": agent: must name an agent')
    asker: _Asker = agent  # type: ignore[assignment]
    cases = cases_of(spec)
    threshold = spec.threshold
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        raise EvalError(f'eval "{spec.name}": threshold must be a number')
    start = time.monotonic()
    if spec.parallel is True and len(cases) > 1:
        with ThreadPoolExecutor(max_workers=min(8, len(cases))) as pool:
            results = list(pool.map(lambda c: run_case(asker, c), cases))
    else:
        results = [run_case(asker, c) for c in cases]
    return EvalResult(spec.name, tuple(results), float(threshold)), time.monotonic() - start


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.1f}ms" if seconds < 1 else f"{seconds:.2f}s"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def report(result: EvalResult, agent_name: str, seconds: float, out: TextIO) -> None:
    """REF's `PrintEvalSummary` layout."""
    out.write(
        f"=== Eval: {result.name} ===\nAgent: {agent_name}\nDuration: {_duration(seconds)}\n\n"
    )
    for i, r in enumerate(result.results, 1):
        out.write(f"  [{'PASS' if r.passed else 'FAIL'}] Case {i}: {_short(r.case.input)}\n")
        if not r.passed:
            if r.error is not None:
                out.write(f"         Error: {r.error}\n")
            else:
                out.write(f"         Expected: {r.case.expected}\n")
                out.write(f"         Got: {_short(r.output, 200)}\n")
    passed = sum(r.passed for r in result.results)
    out.write(f"\nScore: {_pct(result.score)} ({passed}/{len(result.results)} passed)\n")
    if result.ok:
        out.write(f"Result: PASS (threshold: {_pct(result.threshold)})\n")
    else:
        out.write(
            f"Result: FAIL (threshold: {_pct(result.threshold)}, got: {_pct(result.score)})\n"
        )


def table(results: Sequence[EvalResult], out: TextIO) -> None:
    rows = [("Eval", "Cases", "Passed", "Score", "Threshold", "Result")]
    for r in results:
        passed = sum(c.passed for c in r.results)
        rows.append(
            (r.name, str(len(r.results)), str(passed), _pct(r.score), _pct(r.threshold),
             "PASS" if r.ok else "FAIL")
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out.write("\n")
    for row in rows:
        out.write(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )


def collect(modules: Sequence[str]) -> list[EvalSpec]:
    specs: list[EvalSpec] = []
    for name in modules:
        specs.extend(getattr(importlib.import_module(name), "__haira_evals__", []))
    return specs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="haira.testing.evals")
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args(argv)
    from haira.stdlib.env import load_dotenv

    load_dotenv(".env")
    out = sys.stdout
    try:
        specs = collect(args.modules)
    except Exception as exc:  # noqa: BLE001 - a panic at start-up is reported, not a traceback
        from haira.rt import format_uncaught

        sys.stderr.write(format_uncaught(exc))
        return 2
    if not specs:
        out.write("No eval blocks found.\n")
        return 0
    results: list[EvalResult] = []
    status = 0
    for spec in specs:
        out.write(f"\nRunning eval: {spec.name}\n\n")
        out.flush()
        try:
            result, seconds = run_eval(spec)
        except EvalError as exc:
            out.write(f"Error: {exc}\n")
            status = 1
            continue
        report(result, str(getattr(spec.agent, "name", "?")), seconds, out)
        out.flush()
        results.append(result)
        if not result.ok:
            status = 1
    if results:
        table(results, out)
    out.flush()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
