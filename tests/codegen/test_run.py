"""`hairac run FILE [args...]`: program arguments, stdout/stderr and exit status pass
through; compile errors exit 1 with diagnostics; runtime errors exit 2 at Haira lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    prog = tmp_path / "prog.haira"
    prog.write_text(source)
    env = {**os.environ, "HAIRA_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("HAIRA_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "hairac", "run", "prog.haira", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_args_and_exit_status(tmp_path: Path) -> None:
    proc = _run(
        tmp_path,
        'import "io"\nimport "os"\nfn main() {\n    io.println(os.args())\n    os.exit(3)\n}\n',
        "a", "--flag", "b c",
    )
    assert proc.stdout == "[a --flag b c]\n"
    assert proc.returncode == 3


def test_compile_error_exits_1(tmp_path: Path) -> None:
    proc = _run(tmp_path, 'fn main() {\n    x = -"a"\n}\n')
    assert proc.returncode == 1
    assert proc.stderr.startswith("prog.haira:2:9: error: cannot negate string\n")
    assert proc.stderr.endswith("Error: 1 error(s)\n")


def test_runtime_error_exits_2_without_traceback(tmp_path: Path) -> None:
    proc = _run(tmp_path, 'import "io"\nfn main() {\n    xs = [1]\n    io.println(xs[3])\n}\n')
    assert proc.returncode == 2
    assert proc.stderr == (
        "prog.haira:4:5: runtime error: index out of range [3] with length 1\n"
        "    at main (prog.haira:4:5)\n"
    )
    assert "Traceback" not in proc.stderr


def test_missing_file(tmp_path: Path) -> None:
    env = {**os.environ, "HAIRA_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "hairac", "run", "nope.haira"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == "Error: failed to read file: open nope.haira: no such file or directory\n"



def test_program_named_like_a_stdlib_module(tmp_path: Path) -> None:
    # `http.haira` must not become a package `http` shadowing the standard library's
    prog = tmp_path / "http.haira"
    prog.write_text('import "io"\nimport "http"\nfn main() {\n    io.println("fine")\n}\n')
    env = {**os.environ, "HAIRA_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "hairac", "run", "http.haira"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.stdout == "fine\n", proc.stderr
    assert proc.returncode == 0
