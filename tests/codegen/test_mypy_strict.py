"""The generated Python of every example and every language test program is
`mypy --strict` clean (one mypy run over all generated packages)."""

from __future__ import annotations

import os
import subprocess
import sys
import token
import tokenize
from pathlib import Path

import pytest
from lang.harness import EXAMPLES, PROGRAMS, ROOT, compile_program


def _sources() -> list[Path]:
    examples = sorted(EXAMPLES.glob("**/*.haira")) if EXAMPLES.exists() else []
    # multi-file examples: only entry files (a directory's main.haira, or top-level files)
    entries = [p for p in examples if p.parent == EXAMPLES or p.name == "main.haira"]
    return entries + sorted(PROGRAMS.glob("*.haira"))


@pytest.mark.slow
def test_generated_code_is_mypy_strict_clean(tmp_path: Path) -> None:
    packages: list[str] = []
    failures: list[str] = []
    for i, source in enumerate(_sources()):
        package = f"p{i}_{source.stem.replace('-', '_')}"
        sink, pkg = compile_program(source, tmp_path, package)
        if pkg is None:
            failures.append(f"{source}: does not compile:\n{sink.render()}")
            continue
        packages.append(package)
    assert not failures, "\n".join(failures)
    # mypyc rejects async generators; generated code has no generators or coroutines at all
    for py in tmp_path.glob("*/*.py"):
        with py.open("rb") as f:
            names = {tok.string for tok in tokenize.tokenize(f.readline) if tok.type == token.NAME}
        assert not names & {"yield", "async", "await"}, py
    env = dict(os.environ)
    env["MYPYPATH"] = str(ROOT / "runtime")
    cmd = [
        sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
        "--cache-dir", str(ROOT / ".mypy_cache" / "generated"),
        *[arg for p in packages for arg in ("-p", p)],
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
