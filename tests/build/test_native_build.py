"""A package shaped like generated code → native wheel → fresh venv → `python -m`.

Runs without the code generator, on the hand-written package in data/handwritten.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from hairac.build.app import AppSpec, build_app_wheel
from hairac.build.cache import BuildCache
from hairac.build.errors import BuildError
from hairac.build.progress import Progress

from .conftest import DATA, clean_env, make_venv, pip_install
from .support import free_port, serving, stream_post

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("build")]


def _app_wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("hw_app-*.whl")
    return wheel


def test_wheel_holds_native_modules_and_only_the_shim_as_python(handwritten_dist: Path) -> None:
    with zipfile.ZipFile(_app_wheel(handwritten_dist)) as zf:
        names = zf.namelist()
        metadata = zf.read("hw_app-1.2.3.dist-info/METADATA").decode()
    python = [n for n in names if n.endswith(".py")]
    assert python == ["hw_app/__main__.py"]
    native = sorted(n.split(".", 1)[0] for n in names if n.endswith(".so"))
    # One extension per module plus the group's shared library, inside the app's names.
    assert native == ["hw_app/__init__", "hw_app/main", "hw_app/shapes", "hw_app__mypyc"]
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: haira-runtime==0.1.0"]


@pytest.fixture(scope="module")
def hw_python(handwritten_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the hand-written app installed offline from its dist/."""
    python = make_venv(tmp_path_factory.mktemp("hw-venv") / "venv")
    pip_install(python, handwritten_dist, "hw_app")
    return python


def test_installs_offline_in_a_fresh_venv_and_runs(hw_python: Path, tmp_path: Path) -> None:
    python = hw_python
    run = subprocess.run(
        [str(python), "-m", "hw_app", "extra", "args"],
        capture_output=True, text=True, timeout=60, env=clean_env(), cwd=tmp_path, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "6765 100 2 extra args\n"
    probe = subprocess.run(
        [str(python), "-c",
         "import importlib.util as u, hw_app.main as m, haira.rt as rt;"
         "print(m.__file__.endswith('.so'), rt.__file__.endswith('.so'),"
         " [n for n in ('lark', 'mypy', 'mypyc', 'hairac') if u.find_spec(n)])"],
        capture_output=True, text=True, timeout=60, env=clean_env(), cwd=tmp_path, check=False,
    )
    assert probe.stdout.split() == ["True", "True", "[]"], probe.stderr


def test_help_lists_the_serving_flags(hw_python: Path) -> None:
    python = hw_python
    run = subprocess.run(
        [str(python), "-m", "hw_app", "--help"],
        capture_output=True, text=True, timeout=60, env=clean_env(), check=False,
    )
    assert run.returncode == 0
    for flag in ("--port PORT", "--host HOST", "--workers N"):
        assert flag in run.stdout
    bad = subprocess.run(
        [str(python), "-m", "hw_app", "--port", "99999"],
        capture_output=True, text=True, timeout=60, env=clean_env(), check=False,
    )
    assert bad.returncode == 2 and "--port must be between 0 and 65535" in bad.stderr


def test_unchanged_package_rebuilds_from_the_cache_quickly(
    handwritten_dist: Path, build_cache: BuildCache, tmp_path: Path
) -> None:
    spec = AppSpec("hw_app", "1.2.3", DATA / "handwritten", "hw_app.main", "entry")
    start = time.perf_counter()
    wheel = build_app_wheel(spec, tmp_path / "dist", build_cache, Progress(quiet=True))
    elapsed = time.perf_counter() - start
    assert wheel.read_bytes() == _app_wheel(handwritten_dist).read_bytes()
    assert elapsed < 2.0


@pytest.fixture(scope="module")
def chat_python(
    tmp_path_factory: pytest.TempPathFactory, build_cache: BuildCache, runtime_dist: list[Path]
) -> Path:
    """The hand-written complete example, compiled and installed offline in a fresh venv."""
    dist = tmp_path_factory.mktemp("chat-dist")
    spec = AppSpec("hw_chat", "0.1.0", DATA / "handwritten", "hw_chat.main", "entry")
    build_app_wheel(spec, dist, build_cache, Progress(quiet=True))
    for wheel in runtime_dist:
        shutil.copy2(wheel, dist / wheel.name)
    python = make_venv(tmp_path_factory.mktemp("chat-venv") / "venv")
    pip_install(python, dist, "hw_chat")
    return python


def test_compiled_chat_serves_a_stream_with_the_mock_provider(chat_python: Path, tmp_path: Path) -> None:
    port = free_port()
    with serving(chat_python, "hw_chat", port, tmp_path, HAIRA_PROVIDER="mock") as proc:
        events = stream_post(port, "/api/stream", {"message": "Tell me a story", "session_id": "abc"})
        assert proc.poll() is None
    texts = [json.loads(data)["content"] for name, data in events if name == "message"]
    assert "".join(texts).strip()
    assert events[-1] == ("done", "[DONE]")


def test_workers_flag_serves_from_several_processes(chat_python: Path, tmp_path: Path) -> None:
    port = free_port()
    with serving(chat_python, "hw_chat", port, tmp_path, "--workers", "2", HAIRA_PROVIDER="mock") as proc:
        for session in ("w1", "w2", "w3"):
            events = stream_post(port, "/api/stream", {"message": "hello", "session_id": session})
            assert events[-1] == ("done", "[DONE]"), events
        assert proc.poll() is None


def test_a_mypyc_failure_is_reported_with_its_errors_and_log(build_cache: BuildCache, tmp_path: Path) -> None:
    spec = AppSpec("bad_app", "0.1.0", DATA / "broken", "bad_app.main", "entry")
    with pytest.raises(BuildError) as info:
        build_app_wheel(spec, tmp_path / "dist", build_cache, Progress(quiet=True))
    message = str(info.value)
    assert "mypyc could not compile the generated module" in message
    assert 'main.py:5: error: Incompatible types in assignment (expression has type "str"' in message
    assert info.value.log is not None and info.value.log.is_file()
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())
