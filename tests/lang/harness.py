"""Compile Haira programs with the real pipeline and run them on CPython (like `hairac run`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hairac.diagnostics import DiagnosticSink
from hairac.driver import Stage, run_pipeline, write_generated

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).parent / "programs"
EXAMPLES = ROOT / "examples"


def compile_program(source: Path, out_dir: Path, package: str) -> tuple[DiagnosticSink, Path | None]:
    """Check and generate `source` into `out_dir/<package>`; the package dir or None."""
    result = run_pipeline(source, stop_after=Stage.CODEGEN)
    if not result.ok or result.generated is None:
        return result.sink, None
    return result.sink, write_generated(result.generated, out_dir, package)


def run_package(
    out_dir: Path, package: str, *, args: list[str] | None = None, cwd: Path | None = None,
    stdin: str = "", env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(out_dir), full_env.get("PYTHONPATH", "")) if p
    )
    full_env.pop("HAIRA_DEBUG", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", package, *(args or [])],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or out_dir,
        timeout=60,
    )


def shown(path: Path) -> str:
    """Paths in diagnostics and reports are shown relative to the repository root."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
