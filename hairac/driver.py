"""The pipeline: read -> parse -> resolve -> check -> codegen, one driver for every command.

    result = run_pipeline(Path("app.haira"), stop_after=Stage.CODEGEN)
    if result.ok: write_package(result.generated, Path("build"), "app")

Each stage is a plain function; the driver stops after the stage asked for, or after the
first stage that reported an error (diagnostics are values in `result.sink`).
"""

from __future__ import annotations

import enum
import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hairac.check.info import CheckResult
from hairac.codegen.gen_module import GeneratedProgram
from hairac.diagnostics import DiagnosticSink, SourceFile
from hairac.resolve import Program


class Stage(enum.IntEnum):
    READ = 1
    PARSE = 2
    RESOLVE = 3
    CHECK = 4
    CODEGEN = 5


@dataclass
class PipelineResult:
    sink: DiagnosticSink
    program: Program | None = None
    checked: CheckResult | None = None
    generated: GeneratedProgram | None = None
    stopped_at: Stage = Stage.READ
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.sink.has_errors


def run_pipeline(
    path: Path | str,
    *,
    stop_after: Stage = Stage.CODEGEN,
    sink: DiagnosticSink | None = None,
    source: SourceFile | None = None,
) -> PipelineResult:
    """Run the stages up to `stop_after` on the program whose entry file is `path`.

    `source` gives the entry file's text when it is already in memory (tests, stdin).
    """
    from hairac.resolve import resolve_program, resolve_source

    sink = sink if sink is not None else DiagnosticSink()
    result = PipelineResult(sink)
    entry = Path(path)
    if source is None and entry.is_dir() and (entry / "main.haira").is_file():
        # a project directory: its main.haira is the entry (language.md §5.5)
        entry = entry / "main.haira"
        path = entry
    if source is None and not entry.is_file():
        reason = "no such file or directory" if not entry.exists() else "is a directory"
        result.extra["read_error"] = f"failed to read file: open {path}: {reason}"
        return result
    # READ + PARSE + RESOLVE: the resolver reads and parses each module as it is imported.
    if source is not None:
        program: Program | None = resolve_source(source, sink, entry.parent)
    else:
        program = resolve_program(entry, sink, shown=str(path))
    result.program = program
    result.stopped_at = Stage.RESOLVE
    if program is None or sink.has_errors or stop_after <= Stage.RESOLVE:
        return result
    from hairac.check import check_program

    result.checked = check_program(program, sink)
    result.stopped_at = Stage.CHECK
    if sink.has_errors or stop_after <= Stage.CHECK:
        return result
    from hairac.codegen import gen_program

    result.generated = gen_program(program, result.checked)
    result.stopped_at = Stage.CODEGEN
    return result


def package_name(path: Path | str) -> str:
    """A Python package name for a Haira entry file (`my-app.haira` -> `my_app`)."""
    from hairac.resolve import py_module_name

    stem = Path(path).stem
    name = py_module_name(stem).lower()
    if not name.isidentifier():
        name = f"app_{name}"
    # `python -m http` would run the program *instead of* the standard library's `http`
    # package that the runtime imports: never shadow an importable module.
    if name in sys.stdlib_module_names or name in ("haira", "hairac", "test", "tests") or _importable(name):
        name = f"{name}_app"
    return name


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class WrittenPackage:
    """What `write_package` wrote: `python -m <package>` runs the program, and
    `from <entry_module> import <entry_function>` gives a function that runs it through
    `haira.rt.execute_main` and returns the exit status."""

    package: str
    entry_module: str
    entry_function: str
    path: Path


def check_file(path: str | Path, sink: DiagnosticSink) -> PipelineResult | None:
    """Parse, resolve and type check (the build's first phase); None when there are errors."""
    result = run_pipeline(Path(path), stop_after=Stage.CHECK, sink=sink)
    read_error = result.extra.get("read_error")
    if read_error:
        from hairac.diagnostics import Span

        sink.error(Span(SourceFile(str(path), ""), 0, 0), str(read_error))
    if sink.has_errors:
        return None
    return result


def write_package(
    program: PipelineResult | GeneratedProgram,
    out_dir: Path,
    *,
    package: str,
    sink: DiagnosticSink | None = None,
) -> WrittenPackage | None:
    """Generate (when given a checked program) and write the package `<out_dir>/<package>/`."""
    if isinstance(program, PipelineResult):
        if program.generated is None:
            if program.program is None or program.checked is None:
                return None
            from hairac.codegen import gen_program

            program.generated = gen_program(program.program, program.checked)
        generated = program.generated
    else:
        generated = program
    path = write_generated(generated, out_dir, package)
    return WrittenPackage(package, f"{package}._entry", "run", path)


def write_generated(generated: GeneratedProgram, out_dir: Path, package: str) -> Path:
    """Write the generated program as an importable package `<out_dir>/<package>/`.

    Files: `__init__.py` (a marker), one `<module>.py` per Haira module (they import one
    another relatively), `_entry.py` (`run() -> int`) and `__main__.py`, so
    `python -m <package> [args]` runs the program. Unchanged files are not rewritten (keeps
    mtimes stable for build caches). Returns the package directory.
    """
    pkg = out_dir / package
    pkg.mkdir(parents=True, exist_ok=True)
    files = {"__init__.py": f'"""Haira program {package} (generated by hairac)."""\n'}
    for mod in generated.modules.values():
        files[f"{mod.name}.py"] = mod.text
    files["_entry.py"] = generated.entry_text()
    files["__main__.py"] = generated.main_text()
    files["py.typed"] = ""
    for name, text in files.items():
        target = pkg / name
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    for stale in pkg.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    return pkg


def cache_dir() -> Path:
    base = os.environ.get("HAIRA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "hairac" if not os.environ.get("HAIRA_CACHE_DIR") else root


def run_dir_for(path: Path) -> Path:
    """A per-program directory under the cache for `hairac run` (a temporary directory when
    the cache is not writable)."""
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    target = cache_dir() / "run" / key
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        import tempfile

        target = Path(tempfile.gettempdir()) / f"hairac-run-{os.getuid()}" / key
        target.mkdir(parents=True, exist_ok=True)
    return target


def report(result: PipelineResult) -> int:
    """Print diagnostics (stderr) REF-style; return the exit status (0 ok, 1 errors)."""
    read_error = result.extra.get("read_error")
    if read_error:
        print(f"Error: {read_error}", file=sys.stderr)
        return 1
    sink = result.sink
    if sink.diagnostics:
        sys.stderr.write(sink.render())
    if sink.has_errors:
        print(f"Error: {sink.error_count} error(s)", file=sys.stderr)
        return 1
    return 0
