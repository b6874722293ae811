"""`hairac compile`: Haira file → checked program → generated package → native wheel,
with the runtime's wheels beside it.

    result = compile_program(CompileRequest("app.haira", Path("dist")), progress)
    result.wheel   # dist/app-0.1.0-cp311-cp311-linux_x86_64.whl

Program errors come back as rendered diagnostics (`result.diagnostics`, no wheel); build
failures raise `BuildError`.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from hairac.build import frontend
from hairac.build.app import AppSpec, build_app_wheel, copy_if_changed
from hairac.build.cache import BuildCache
from hairac.build.errors import BuildError, RuntimeSourcesMissing
from hairac.build.names import app_name_from_path, check_app_name, check_version
from hairac.build.progress import Progress
from hairac.build.runtime import runtime_wheels
from hairac.diagnostics import DiagnosticSink


@dataclass(frozen=True, slots=True)
class CompileRequest:
    """What `hairac compile FILE [-o DIR] [--name NAME] [--version V]` asks for."""

    path: str
    out_dir: Path
    name: str | None = None
    version: str = "0.1.0"
    with_runtime: bool = True


@dataclass(slots=True)
class CompileResult:
    """The wheel (None when the program has errors) and what was reported."""

    wheel: Path | None
    diagnostics: str
    runtime: list[Path] = field(default_factory=list)


def compile_program(
    request: CompileRequest, progress: Progress, cache: BuildCache | None = None
) -> CompileResult:
    """Run every phase; `BuildError` for failures that are not the program's fault."""
    name = check_app_name(request.name or app_name_from_path(request.path))
    version = check_version(request.version)
    if not Path(request.path).is_file():
        raise BuildError(f"{request.path}: no such file")
    cache = cache or BuildCache.default()
    sink = DiagnosticSink()
    with progress.phase("checking") as phase:
        program = frontend.check(request.path, sink)
        phase.failed = program is None
    if program is None:
        return CompileResult(None, sink.render(sort=True))
    work = cache.scratch("generated")
    try:
        with progress.phase("generating") as phase:
            generated = frontend.generate(program, work, name, sink)
            phase.failed = generated is None
        if generated is None:
            return CompileResult(None, sink.render(sort=True))
        spec = AppSpec(name, version, work, generated.entry_module, generated.entry_function)
        wheel = build_app_wheel(spec, request.out_dir, cache, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    runtime: list[Path] = []
    if request.with_runtime:
        try:
            wheels = runtime_wheels(cache, progress)
        except RuntimeSourcesMissing as exc:
            progress.line(f"hairac: warning: {exc}")
            wheels = []
        runtime = [copy_if_changed(w, request.out_dir) for w in wheels]
    return CompileResult(wheel, sink.render(sort=True), runtime)


def install_command(wheel: Path, out_dir: Path, *, offline: bool) -> str:
    """The exact command that installs the compiled app from `out_dir`.

    With the runtime and its dependencies beside the app (`offline`), it needs no index.
    """
    parts = ["pip", "install", shlex.quote(str(out_dir / wheel.name))]
    if offline:
        parts.append("--no-index")
    parts += ["--find-links", shlex.quote(str(out_dir))]
    return " ".join(parts)
