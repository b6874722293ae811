"""The build cache: entries appear whole, keys follow content, old entries are pruned."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hairac.build.app import AppSpec, app_cache_key
from hairac.build.cache import BuildCache, Hasher

from .conftest import DATA


def test_an_entry_appears_only_once_complete(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    assert cache.get("app", "k") is None

    def fail(d: Path) -> None:
        (d / "half.txt").write_text("x", encoding="utf-8")
        raise RuntimeError("compiler died")

    with pytest.raises(RuntimeError):
        cache.put("app", "k", fail)
    assert cache.get("app", "k") is None
    assert not list((tmp_path / "tmp").iterdir())
    def fill(d: Path) -> None:
        (d / "w.whl").write_bytes(b"zip")

    entry = cache.put("app", "k", fill)
    assert cache.get("app", "k") == entry
    assert (entry / "w.whl").read_bytes() == b"zip"


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    for i in range(5):
        entry = cache.put("app", f"k{i}", lambda d: None)
        os.utime(entry / ".complete", (1000 + i, 1000 + i))
    cache.prune("app", keep=2)
    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == ["k3", "k4"]


def test_hasher_separates_parts() -> None:
    a = Hasher("x").add_text("a", "bc").hexdigest()
    b = Hasher("x").add_text("ab", "c").hexdigest()
    assert a != b


def test_app_key_follows_the_generated_sources(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    shutil.copytree(DATA / "handwritten" / "hw_app", root / "hw_app")
    spec = AppSpec("hw_app", "1.0", root, "hw_app.main", "entry")
    first = app_cache_key(spec)
    assert app_cache_key(spec) == first
    (root / "hw_app" / "__pycache__").mkdir()
    (root / "hw_app" / "__pycache__" / "x.pyc").write_bytes(b"noise")
    assert app_cache_key(spec) == first
    main = root / "hw_app" / "main.py"
    main.write_text(main.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert app_cache_key(spec) != first
    assert app_cache_key(AppSpec("hw_app", "1.1", root, "hw_app.main", "entry")) != app_cache_key(spec)
