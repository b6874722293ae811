"""The compiled app's `__main__.py` shim, run on CPython (no mypyc build): it takes the
serving flags off the command line with `haira.launch.serving_options`, as `hairac run` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hairac.build.shim import shim_source

from .conftest import REPO

_ENTRY = '''\
import sys

from haira.server import config


def entry() -> int:
    s = config.load(8080, env={})
    print(sys.argv[1:], s.port, s.host, s.workers)
    return 4
'''


def _app(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    pkg = tmp_path / "shim_app"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(_ENTRY)
    (pkg / "__main__.py").write_text(shim_source("shim_app", "shim_app.main", "entry"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(tmp_path), str(REPO / "runtime")))}
    return subprocess.run(
        [sys.executable, "-m", "shim_app", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def test_flags_override_and_program_args_pass_through(tmp_path: Path) -> None:
    proc = _app(tmp_path, "a", "--port", "9001", "--host", "127.0.0.1", "--workers", "3",
                "--", "--port", "x")
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == "['a', '--port', 'x'] 9001 127.0.0.1 3\n"


def test_without_flags_listen_wins(tmp_path: Path) -> None:
    proc = _app(tmp_path, "b")
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout.startswith("['b'] 8080 ")


def test_bad_flag_and_help(tmp_path: Path) -> None:
    bad = _app(tmp_path, "--workers", "0")
    assert bad.returncode == 2 and "--workers must be at least 1" in bad.stderr
    helped = _app(tmp_path, "--help")
    assert helped.returncode == 0 and "python -m shim_app" in helped.stdout
    assert "--port PORT" in helped.stdout
