"""The user's path, end to end: `hairac compile app.haira` (the doc page's complete example),
install the wheel offline in a fresh venv, `python -m app`, stream a reply, stop it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from hairac.build.runtime import runtime_cache_key, runtime_project_dir

from .conftest import DATA, clean_env, make_venv, pip_install
from .support import free_port, hairac, require_driver, serving, stream_post

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("build")]

PHASES = ("checking", "generating", "compiling native module", "packing")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A directory with app.haira compiled into dist/; and the compiler's stderr."""
    require_driver()
    work = tmp_path_factory.mktemp("e2e")
    shutil.copy2(DATA / "app.haira", work / "app.haira")
    run = hairac("compile", "app.haira", cwd=work)
    assert run.returncode == 0, run.stderr
    return work, run.stderr


def test_progress_has_one_timed_line_per_phase_and_the_install_command(compiled: tuple[Path, str]) -> None:
    work, stderr = compiled
    lines = stderr.splitlines()
    for phase in PHASES:
        assert any(re.fullmatch(rf"hairac: {phase} \.\.\. .*[0-9.]+ s\)?", line) for line in lines), stderr
    wheel = next((work / "dist").glob("app-0.1.0-*.whl"))
    assert lines[-1] == f"pip install dist/{wheel.name} --no-index --find-links dist"


def test_wheel_is_native_and_depends_on_the_runtime_only(compiled: tuple[Path, str]) -> None:
    work, _ = compiled
    (wheel,) = (work / "dist").glob("app-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read("app-0.1.0.dist-info/METADATA").decode()
    assert [n for n in names if n.endswith(".py")] == ["app/__main__.py"]
    assert any(n.startswith("app/") and n.endswith(".so") for n in names)
    assert any(n.startswith("app__mypyc.") for n in names)
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [r.split("==")[0] for r in requires] == ["haira-runtime"]
    assert any(w.name.startswith("haira_runtime-") for w in (work / "dist").glob("*.whl"))


def test_installed_app_streams_a_reply_with_the_mock_provider(compiled: tuple[Path, str], tmp_path: Path) -> None:
    work, _ = compiled
    python = make_venv(tmp_path / "venv")
    pip_install(python, work / "dist", "app")
    probe = subprocess.run(
        [str(python), "-c",
         "import importlib.util as u; print([n for n in ('lark', 'mypy', 'mypyc', 'hairac') if u.find_spec(n)])"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=clean_env(),
    )
    assert probe.stdout.strip() == "[]"
    port = free_port()
    with serving(python, "app", port, tmp_path, HAIRA_PROVIDER="mock") as proc:
        events = stream_post(port, "/api/stream", {"message": "Tell me a story", "session_id": "abc"})
        assert proc.poll() is None
    texts = [json.loads(data)["content"] for name, data in events if name == "message"]
    assert texts and "".join(texts).strip()
    assert events[-1] == ("done", "[DONE]")
    assert proc.returncode in (0, -2, 130)


def test_unchanged_program_is_served_from_the_cache(compiled: tuple[Path, str]) -> None:
    work, _ = compiled
    # Twice in a row: the first may rebuild if the compiler changed since `compiled`.
    first = hairac("compile", "app.haira", cwd=work)
    assert first.returncode == 0, first.stderr
    runtime_before = runtime_cache_key(runtime_project_dir())
    again = hairac("compile", "app.haira", cwd=work)
    assert again.returncode == 0, again.stderr
    assert "hairac: compiling native module ... cached" in again.stderr
    if runtime_cache_key(runtime_project_dir()) == runtime_before:
        # (Unless someone edited the runtime in between, as happens in a shared checkout.)
        assert "compiling runtime" not in again.stderr
