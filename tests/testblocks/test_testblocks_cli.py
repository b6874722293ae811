"""`hairac test` end to end: goldens of PASS/FAIL reports, --filter, compile errors, agents."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def hairac(*args: str, cwd: Path = DATA, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "hairac", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize(("name", "status"), [("failing", 1), ("agent", 0)])
def test_golden(name: str, status: int) -> None:
    done = hairac("test", f"{name}.haira")
    assert done.stdout == (DATA / f"{name}.out").read_text()
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr


def test_main_is_not_run_and_output_precedes_the_result_line() -> None:
    done = hairac("test", "failing.haira")
    assert "main must not run" not in done.stdout
    assert done.stdout.startswith("output from a test\nPASS passes\n")
    assert "not reached" not in done.stdout  # a test stops at its first failed assert


def test_filter() -> None:
    done = hairac("test", "failing.haira", "--filter", "equal")
    assert done.returncode == 1
    assert done.stdout == (
        "FAIL equality\n"
        "    failing.haira:21:5: assertion failed: got 3, want 4\n"
        "FAIL inequality with message\n"
        "    failing.haira:26:5: assertion failed (letters differ): expected not equal, got a\n"
        "0 passed, 2 failed\n"
    )
    ok = hairac("test", "failing.haira", "-k", "passes")
    assert (ok.returncode, ok.stdout) == (
        0,
        "output from a test\nPASS passes\n1 passed, 0 failed\n",
    )
    none = hairac("test", "failing.haira", "--filter", "zzz")
    assert (none.returncode, none.stdout) == (1, "No tests match --filter 'zzz'.\n")


def test_compile_errors_are_diagnostics() -> None:
    done = hairac("test", "broken.haira")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "broken.haira:4:12: error: undefined: undefined_name" in done.stderr
    assert done.stderr.endswith("Error: 1 error(s)\n")


def test_several_files_and_a_file_without_tests(tmp_path: Path) -> None:
    (tmp_path / "none.haira").write_text('import "io"\nfn main() { io.println("x") }\n')
    done = hairac("test", str(DATA / "agent.haira"), "none.haira", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"== {DATA / 'agent.haira'}\n"
        "PASS agent replies\nPASS agent error value\n2 passed, 0 failed\n"
        "== none.haira\nNo test blocks found.\n"
    )


def test_example() -> None:
    done = hairac("test", "examples/27_tests.haira", cwd=ROOT)
    assert (done.returncode, done.stdout) == (
        0,
        "PASS addition\nPASS factorial\n2 passed, 0 failed\n",
    )


def test_mock_provider_from_the_environment() -> None:
    done = hairac("test", "env_agent.haira", HAIRA_PROVIDER="mock", OPENAI_API_KEY="")
    assert (done.returncode, done.stdout) == (0, "PASS writer\n1 passed, 0 failed\n"), done.stderr


def test_agents_against_the_fake_llm_server() -> None:
    from haira.testing import FakeLLM, call, error, reply, tool_calls

    with FakeLLM() as fake:
        fake.script(
            tool_calls(call("add", {"a": 2, "b": 3})),
            reply("The sum is 5."),
            # Enough failures for every retry the provider makes.
            *[error(500, message="boom") for _ in range(8)],
        )
        done = hairac(
            "test",
            "fake_server.haira",
            OPENAI_BASE_URL=fake.openai_base,
            OPENAI_API_KEY="sk-test",
            HAIRA_PROVIDER="",
        )
        assert (done.returncode, done.stdout) == (
            0,
            "PASS agent uses a tool through the fake server\n"
            "PASS upstream failure is an error value\n"
            "2 passed, 0 failed\n",
        ), done.stderr
        # The tool's result went back to the model in the second request.
        second = fake.model_requests()[1].json
        assert isinstance(second, dict)
        assert second["messages"][-1]["content"] == "5"
