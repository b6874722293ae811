"""Fixtures of the build tests: one build cache for the whole run, venvs made from wheels.

mypyc builds are slow, so every build goes through the content-addressed cache in
`<repo>/.build-cache` (or `HAIRA_BUILD_CACHE`): each program is compiled once per
content, whichever test or xdist worker asks first; the others wait on its lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from hairac.build.app import AppSpec, build_app_wheel
from hairac.build.cache import BuildCache
from hairac.build.progress import Progress
from hairac.build.runtime import runtime_wheels

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def cache_dir() -> Path:
    env = os.environ.get("HAIRA_BUILD_CACHE")
    return Path(env) if env else REPO / ".build-cache"


@pytest.fixture(scope="session", autouse=True)
def _shared_build_cache() -> Iterator[None]:
    # hairac run in a subprocess by a test finds the same cache through the variable.
    old = os.environ.get("HAIRA_BUILD_CACHE")
    os.environ["HAIRA_BUILD_CACHE"] = str(cache_dir())
    yield
    if old is None:
        os.environ.pop("HAIRA_BUILD_CACHE", None)
    else:
        os.environ["HAIRA_BUILD_CACHE"] = old


@pytest.fixture(scope="session")
def build_cache() -> BuildCache:
    return BuildCache(cache_dir())


@pytest.fixture(scope="session")
def runtime_dist(build_cache: BuildCache) -> list[Path]:
    """The haira-runtime wheel (native hot path) and its dependencies' wheels."""
    return runtime_wheels(build_cache, Progress(quiet=True))


@pytest.fixture(scope="session")
def handwritten_dist(
    tmp_path_factory: pytest.TempPathFactory, build_cache: BuildCache, runtime_dist: list[Path]
) -> Path:
    """dist/ with the hand-written app's wheel and the runtime's wheels."""
    dist = tmp_path_factory.mktemp("hw-dist")
    spec = AppSpec("hw_app", "1.2.3", DATA / "handwritten", "hw_app.main", "entry")
    build_app_wheel(spec, dist, build_cache, Progress(quiet=True))
    for wheel in runtime_dist:
        shutil.copy2(wheel, dist / wheel.name)
    return dist


def make_venv(where: Path) -> Path:
    """A fresh virtual environment without pip (installs go through our pip); its python."""
    venv.EnvBuilder(with_pip=False, clear=True).create(where)
    return where / "bin" / "python"


def pip_install(python: Path, dist: Path, *requirements: str) -> None:
    """Install from `dist` only (no index): what a user does offline."""
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", "--no-index", "--find-links", str(dist), *requirements],
        check=True,
        timeout=600,
    )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a process in a fresh venv: nothing of ours leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "HAIRA_"))}
    env.update(extra)
    return env


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; this keeps `-p no:xdist` runs free of warnings.
    config.addinivalue_line("markers", "xdist_group(name): run in the named xdist group")
