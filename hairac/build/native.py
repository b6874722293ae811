"""Compile a package's `.py` modules into native extension modules with mypyc.

Input: a directory holding the package (`ROOT/app/*.py`) and the modules to compile.
Output: the extension files, keyed by their path inside a wheel
(`app/main.cpython-311-x86_64-linux-gnu.so`, the group's shared library
`app__mypyc.cpython-311-x86_64-linux-gnu.so`).

    native = compile_native(root, ["app/__init__.py", "app/main.py"], group="app", work=tmp)
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from hairac.build.errors import BuildError
from hairac.build.mypyc_setup import MypycConfig


def default_jobs() -> int:
    """C compilers to run at once: `HAIRA_BUILD_JOBS`, else the cores we may use."""
    env = os.environ.get("HAIRA_BUILD_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def runtime_search_path() -> str | None:
    """Where mypy finds `haira` when the runtime is an editable install, else None.

    mypy follows `.pth` path entries but not the import hooks of modern editable
    installs, so the type check of generated code would not see `haira` at all.
    """
    spec = importlib.util.find_spec("haira")
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).resolve().parent.parent
    if root.name in ("site-packages", "dist-packages"):
        return None
    return str(root)


# Dependencies whose names the type checker must keep seeing (typing constructs live there).
_ALWAYS_FOLLOWED = frozenset({"typing_extensions", "mypy_extensions", "haira"})


def _canonical(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


@cache
def runtime_dependency_modules() -> tuple[str, ...]:
    """Top-level modules of haira-runtime's dependencies (falcon, httpx, uvicorn, ...).

    Generated code imports only `haira`; type checking everything the runtime imports in
    turn is most of mypyc's time (16 s of 19 s for the complete example) and buys nothing:
    calls into the separately compiled runtime go through the Python API either way.
    """
    modules_of: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            modules_of.setdefault(_canonical(dist), set()).add(module)
    seen: set[str] = set()
    todo = ["haira-runtime"]
    while todo:
        dist = todo.pop()
        try:
            requirements = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requirements:
            # The runtime's own extras (PostgreSQL, Redis clients) count; theirs do not.
            if "extra ==" in requirement and dist != "haira-runtime":
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if match is None:
                continue
            name = _canonical(match.group(0))
            if name not in seen:
                seen.add(name)
                todo.append(name)
    modules = {m for dist in seen for m in modules_of.get(dist, ())}
    return tuple(sorted(m for m in modules if m.isidentifier() and m not in _ALWAYS_FOLLOWED))


def write_mypy_config(path: Path) -> Path:
    """A mypy config that treats the runtime's dependencies as opaque (`Any`).

    The runtime's own modules are read for their types but their errors are not ours:
    with its dependencies opaque, an annotation like `Client` (a redis alias) is not a
    valid type any more, and the runtime is checked with `mypy --strict` on its own.
    """
    lines = ["[mypy]", "", "[mypy-haira,haira.*]", "ignore_errors = True", ""]
    skipped = runtime_dependency_modules()
    if skipped:
        lines.append("[mypy-" + ",".join(f"{m},{m}.*" for m in skipped) + "]")
        lines.append("follow_imports = skip")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    extra = runtime_search_path()
    if extra is not None:
        existing = env.get("MYPYPATH")
        env["MYPYPATH"] = extra if not existing else f"{extra}{os.pathsep}{existing}"
    # The child prints C compiler noise; keep the locale predictable for the log.
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def compile_native(
    root: Path,
    modules: Sequence[str],
    *,
    group: str,
    work: Path,
    opt_level: str = "3",
    jobs: int | None = None,
) -> dict[str, Path]:
    """mypyc-compile `modules` (paths relative to `root`); archive path → built file.

    Raises `BuildError` (with the log of mypyc and the C compiler) when the build fails.
    """
    work.mkdir(parents=True, exist_ok=True)
    build_lib = work / "lib"
    mypy_config = write_mypy_config(work / "mypy.ini")
    config = MypycConfig(
        sources=tuple(str(root / m) for m in modules),
        mypy_args=("--config-file", str(mypy_config)),
        group_name=group,
        c_dir=str(work / "c"),
        build_temp=str(work / "temp"),
        build_lib=str(build_lib),
        opt_level=opt_level,
        jobs=jobs if jobs is not None else default_jobs(),
    )
    config_path = work / "mypyc.json"
    config_path.write_text(config.to_json(), encoding="utf-8")
    log_path = work / "build.log"
    with open(log_path, "wb") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "hairac.build.mypyc_setup", str(config_path)],
            cwd=root,
            env=_child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if proc.returncode != 0:
        raise BuildError(
            f"mypyc could not compile the generated module (exit {proc.returncode})"
            + _first_errors(log_path),
            log=log_path,
        )
    built = {
        path.relative_to(build_lib).as_posix(): path
        for path in sorted(build_lib.rglob("*"))
        if path.is_file() and _is_extension(path.name)
    }
    if not built:
        raise BuildError(f"mypyc produced no extension module; see {log_path}", log=log_path)
    return built


def _is_extension(filename: str) -> bool:
    return filename.endswith((".so", ".pyd"))


def _first_errors(log: Path, limit: int = 10) -> str:
    """The type checker's or C compiler's first error lines in `log`, indented."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    errors = [line for line in text.splitlines() if ": error:" in line or "error: " in line[:40]]
    if not errors:
        return ""
    shown = "\n".join(f"  {line}" for line in errors[:limit])
    more = f"\n  ... and {len(errors) - limit} more" if len(errors) > limit else ""
    return ":\n" + shown + more


def log_tail(log: Path, lines: int = 30) -> str:
    """The last lines of a build log, for an error message."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
