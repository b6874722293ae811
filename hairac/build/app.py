"""Generated package → the app's wheel: mypyc-native modules, the `__main__` shim, metadata.

Input: a directory `ROOT/<name>/` holding the generated `.py` modules (and any data files)
and the entry function. Output: `<name>-<version>-<tag>.whl` whose only dependency is
`haira-runtime`, holding the native `.so` files, the shim and the data files — no
generated `.py`. Results are cached by the content of the generated package and the
compiler's fingerprint, so an unchanged program is packed again in milliseconds.

    wheel = build_app_wheel(AppSpec("app", "0.1.0", root, "app.main", "main"), Path("dist"), cache, progress)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from hairac.build.cache import BuildCache, Hasher, compiler_fingerprint
from hairac.build.errors import BuildError
from hairac.build.native import compile_native
from hairac.build.progress import Progress
from hairac.build.shim import shim_source
from hairac.build.tags import wheel_tag
from hairac.build.wheel import WheelSpec, write_wheel

RUNTIME_DIST = "haira-runtime"


@dataclass(frozen=True, slots=True)
class AppSpec:
    """The app to pack: its names, where the generated package is, what `main` is."""

    name: str
    version: str
    root: Path
    entry_module: str
    entry_function: str = "main"

    @property
    def package_dir(self) -> Path:
        return self.root / self.name


def runtime_requirement() -> str:
    """`haira-runtime==X`: the runtime version the generated code was written against."""
    try:
        version = metadata.version(RUNTIME_DIST)
    except metadata.PackageNotFoundError:
        import haira

        version = haira.__version__
    return f"{RUNTIME_DIST}=={version}"


def _package_files(spec: AppSpec) -> list[Path]:
    files = [
        p
        for p in spec.package_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".so")
    ]
    return sorted(files)


def app_cache_key(spec: AppSpec) -> str:
    """The hash of everything that decides the app's wheel."""
    h = Hasher("app")
    h.add_text("compiler", compiler_fingerprint())
    h.add_text("name", spec.name)
    h.add_text("version", spec.version)
    h.add_text("entry", f"{spec.entry_module}:{spec.entry_function}")
    h.add_text("requires", runtime_requirement())
    h.add_tree("pkg", spec.root, _package_files(spec))
    return h.hexdigest()


def _wheel_spec(spec: AppSpec) -> WheelSpec:
    return WheelSpec(
        name=spec.name,
        version=spec.version,
        tag=wheel_tag(),
        requires=(runtime_requirement(),),
        summary=f"The Haira program {spec.name}, compiled by hairac",
        top_level=(spec.name, f"{spec.name}__mypyc"),
    )


def _build_into(spec: AppSpec, entry: Path, progress: Progress, logs: Path) -> None:
    """Compile and pack `spec` into the cache entry directory `entry`.

    A failed build's log is kept in `logs/` (the entry's scratch directory is removed).
    """
    src = entry / "src"
    package = src / spec.name
    shutil.copytree(spec.package_dir, package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so"))
    if not (package / "__init__.py").exists():
        (package / "__init__.py").write_text("", encoding="utf-8")
    shim = package / "__main__.py"
    shim.write_text(shim_source(spec.name, spec.entry_module, spec.entry_function), encoding="utf-8")
    modules = sorted(
        p.relative_to(src).as_posix() for p in package.rglob("*.py") if p != shim
    )
    data = {
        p.relative_to(src).as_posix(): p
        for p in package.rglob("*")
        if p.is_file() and p.suffix != ".py"
    }
    with progress.phase("compiling native module"):
        try:
            native = compile_native(src, modules, group=spec.name, work=entry / "work")
        except BuildError as exc:
            raise _keep_log(exc, logs, spec.name) from None
    with progress.phase("packing"):
        files: dict[str, Path | bytes] = {**data, **native}
        files[f"{spec.name}/__main__.py"] = shim
        write_wheel(_wheel_spec(spec), files, entry)
    # The C sources and object files are large and never reused; keep only the log.
    shutil.copy2(entry / "work" / "build.log", entry / "build.log")
    shutil.rmtree(entry / "work", ignore_errors=True)
    shutil.rmtree(src, ignore_errors=True)


def _keep_log(exc: BuildError, logs: Path, name: str) -> BuildError:
    if exc.log is None or not exc.log.is_file():
        return exc
    logs.mkdir(parents=True, exist_ok=True)
    kept = logs / f"{name}-{exc.log.parent.parent.name}.log"
    shutil.copyfile(exc.log, kept)
    return BuildError(f"{exc}\n  (full log: {kept})", log=kept)


def build_app_wheel(spec: AppSpec, out_dir: Path, cache: BuildCache, progress: Progress) -> Path:
    """Build (or take from the cache) the app's wheel and copy it into `out_dir`."""
    if not spec.package_dir.is_dir():
        raise BuildError(f"no generated package at {spec.package_dir}")
    key = app_cache_key(spec)
    with cache.lock("app", key):
        entry = cache.get("app", key)
        if entry is None:
            entry = cache.put("app", key, lambda d: _build_into(spec, d, progress, cache.root / "logs"))
            cache.prune("app", keep=200)
        else:
            with progress.phase("compiling native module") as phase:
                phase.note = "cached"
            with progress.phase("packing") as phase:
                phase.note = "cached"
    wheels = sorted(entry.glob("*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"the build cache entry {entry} is damaged; delete it and compile again")
    return copy_if_changed(wheels[0], out_dir)


def copy_if_changed(path: Path, out_dir: Path) -> Path:
    """Copy `path` into `out_dir` unless an identical file is already there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / path.name
    if (
        target.exists()
        and target.stat().st_size == path.stat().st_size
        and target.read_bytes() == path.read_bytes()
    ):
        return target
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(path, tmp)
    tmp.replace(target)
    return target
