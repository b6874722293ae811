"""Every example program compiles into a wheel with mypyc (the build cache shares the work
with other tests and later runs: an unchanged example is not compiled again)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from .conftest import REPO
from .support import hairac, require_driver

# Not grouped: xdist spreads the examples over its workers; the cache locks keep one
# build per example even when two workers reach the same one.
pytestmark = [pytest.mark.slow]

EXAMPLES = sorted((REPO / "examples").glob("*.haira"))


@pytest.mark.skipif(not EXAMPLES, reason="no examples yet")
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_compiles_to_a_native_wheel(example: Path, tmp_path: Path) -> None:
    require_driver()
    name = "ex_" + example.stem.replace("-", "_")
    run = hairac("compile", str(example), "-o", str(tmp_path), "--name", name, "--no-runtime", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-6000:]
    (wheel,) = tmp_path.glob(f"{name}-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert [n for n in names if n.endswith(".py")] == [f"{name}/__main__.py"]
    assert any(n.startswith(f"{name}/") and n.endswith(".so") for n in names)
