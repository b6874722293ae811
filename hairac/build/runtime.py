"""The runtime's wheels for the app's `dist/`: haira-runtime (hot path mypyc-compiled) and
every wheel it depends on, so `pip install dist/app-*.whl --no-index --find-links dist`
works offline in a fresh virtual environment.

The runtime is built from its source tree (the `runtime/` project next to the `haira`
package this compiler runs with) with `pip wheel`, which also collects the dependency
wheels. The result is cached by the runtime's source content, so it is built once.

    wheels = runtime_wheels(cache, progress)   # [haira_runtime-0.1.0-cp311-...whl, falcon-...whl, ...]
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from hairac.build.cache import BuildCache, Hasher, _version_of
from hairac.build.errors import BuildError, RuntimeSourcesMissing
from hairac.build.progress import Progress
from hairac.build.tags import wheel_tag

_PROJECT_FILES = ("pyproject.toml", "setup.py")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "build", "*.egg-info")


def runtime_project_dir() -> Path:
    """The `runtime/` source tree of the `haira` package we run with.

    Raises `RuntimeSourcesMissing` when `haira` is installed from a wheel (no sources).
    """
    spec = importlib.util.find_spec("haira")
    if spec is None or spec.origin is None:
        raise RuntimeSourcesMissing("the haira runtime is not installed next to hairac")
    project = Path(spec.origin).resolve().parent.parent
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file() or 'name = "haira-runtime"' not in pyproject.read_text(encoding="utf-8"):
        raise RuntimeSourcesMissing(
            f"cannot find the haira-runtime sources (looked in {project}), so its wheel is "
            "not placed beside the app's; `pip install` will take haira-runtime from the index"
        )
    return project


def _source_files(project: Path) -> list[Path]:
    files = [project / name for name in _PROJECT_FILES if (project / name).is_file()]
    for path in (project / "haira").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".so"):
            files.append(path)
    return sorted(files)


def runtime_cache_key(project: Path) -> str:
    """The hash of the runtime's sources and the tools that compile them."""
    h = Hasher("runtime")
    h.add_text("mypy", _version_of("mypy"))
    h.add_text("setuptools", _version_of("setuptools"))
    h.add_text("python", sys.version)
    h.add_text("tag", str(wheel_tag()))
    h.add_tree("src", project, _source_files(project))
    return h.hexdigest()


def _pip_wheel(source: Path, out: Path, *, deps: bool, log: Path) -> int:
    command = [
        sys.executable, "-m", "pip", "wheel", "--no-build-isolation",
        "--disable-pip-version-check", "--wheel-dir", str(out),
    ]
    if not deps:
        command.append("--no-deps")
    command.append(str(source))
    with open(log, "ab") as handle:
        return subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode


def _build_into(project: Path, entry: Path, progress: Progress) -> None:
    source = entry / "src"
    source.mkdir()
    for name in _PROJECT_FILES:
        if (project / name).is_file():
            shutil.copy2(project / name, source / name)
    shutil.copytree(project / "haira", source / "haira", ignore=_IGNORED)
    wheels = entry / "wheels"
    log = entry / "build.log"
    # The build itself first, without dependencies, so a failure is the runtime's own.
    if _pip_wheel(source, wheels, deps=False, log=log) != 0:
        raise BuildError(f"building the haira-runtime wheel failed; see {log}", log=log)
    # Then the dependencies' wheels (from pip's cache or the package index); given the
    # built wheel, pip only resolves its requirements instead of building it again.
    built = next(wheels.glob("haira_runtime-*.whl"), None)
    if built is None:
        raise BuildError(f"pip built no haira-runtime wheel; see {log}", log=log)
    if _pip_wheel(built, wheels, deps=True, log=log) != 0:
        progress.line(
            "hairac: warning: could not collect the runtime's dependency wheels; "
            "installing the app will fetch them from the package index"
        )
    shutil.rmtree(source, ignore_errors=True)


def runtime_wheels(cache: BuildCache, progress: Progress) -> list[Path]:
    """The haira-runtime wheel and its dependencies' wheels, built once per runtime source."""
    project = runtime_project_dir()
    key = runtime_cache_key(project)
    with cache.lock("runtime", key):
        entry = cache.get("runtime", key)
        if entry is None:
            with progress.phase("compiling runtime (once per runtime version)"):
                entry = cache.put("runtime", key, lambda d: _build_into(project, d, progress))
            # Each runtime version's wheels are ~10 MB; a few recent ones are enough.
            cache.prune("runtime", keep=4)
    wheels = sorted((entry / "wheels").glob("*.whl"))
    if not any(w.name.startswith("haira_runtime-") for w in wheels):
        raise BuildError(f"the build cache entry {entry} is damaged; delete it and compile again")
    return wheels
