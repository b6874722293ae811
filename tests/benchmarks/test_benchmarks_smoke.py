"""The benchmark harness runs end to end with tiny sizes and every figure gets its numbers.

No timing is asserted: this only proves `benchmarks/run` still works (peers, floor,
`hairac run`, load generator, profiler, report and charts). The compiled target is left
out here because tests/build already builds wheels and a native build takes minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("fastapi", reason="benchmarks/requirements.txt is not installed (ci/setup installs it)")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.suite", "--quick", "--targets", "run,fastapi,floor",
         "--skip", "frontend", "--skip", "native", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text())


def test_report_and_charts_are_written(results: tuple[Path, dict[str, object]]) -> None:
    out, _ = results
    report = (out / "report.md").read_text()
    for heading in ("## Aims", "## 1. Relay", "## 2. Time to first token", "## 3. Concurrent",
                    "## 4. Non-streaming", "## 6. Hot-path profile", "cores 2" if os.cpu_count() == 2 else "cores"):
        assert heading in report
    for chart in ("relay.png", "ttft.png", "concurrency.png", "rate.png"):
        assert (out / chart).read_bytes()[:4] == b"\x89PNG"


def test_relay_and_ttft_have_numbers_for_every_target(results: tuple[Path, dict[str, object]]) -> None:
    _, r = results
    for fig, key in (("relay", "tokens_per_s"), ("ttft", "p50_ms")):
        targets = r[fig]["targets"]  # type: ignore[index]
        assert set(targets) == {"direct", "run", "fastapi", "floor"}
        for name, v in targets.items():
            assert "error" not in v, (fig, name, v)
            assert v[key] > 0


def test_concurrency_and_rate_have_numbers(results: tuple[Path, dict[str, object]]) -> None:
    _, r = results
    conc = r["concurrency"]["targets"]  # type: ignore[index]
    assert set(conc) == {"run", "fastapi"}
    for name, v in conc.items():
        for row in v["by_streams"].values():
            assert "error" not in row, (name, row)
            assert row["errors"] == 0 and row["events"] > 0, (name, row)
            assert row["live_at_end"] == row["streams"], (name, row)
            assert row["rss_held_mib"] > 0
    rate = r["rate"]["targets"]  # type: ignore[index]
    assert set(rate) == {"run", "fastapi"}
    for name, v in rate.items():
        assert "error" not in v, (name, v)
        for route in ("ask", "json"):
            assert v[route]["requests"] > 0 and v[route]["errors"] == 0, (name, route, v[route])


def test_profile_names_haira_frames(results: tuple[Path, dict[str, object]]) -> None:
    _, r = results
    for scenario in ("relay", "request"):
        prof = r["profile"]["targets"][f"{scenario}/run"]  # type: ignore[index]
        assert "error" not in prof, prof
        assert prof["samples"] > 0
        assert any("haira/" in frame for frame, _ in prof["inclusive"])
