"""A content-addressed build cache: the same inputs are built once.

An entry is a directory named by the hash of everything that decides its output (the
generated sources, the compiler's own code, the mypyc version, the interpreter tag).
Entries appear atomically (built in a scratch directory, then renamed), and a per-key file
lock makes concurrent builds of the same thing (two test workers) wait for one another
instead of both compiling.

    cache = BuildCache.default()
    with cache.lock(key):
        entry = cache.get(key) or cache.put(key, build_into)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

import hairac
from hairac.build.tags import wheel_tag

# Windows has no flock: there builds are not locked against each other.
_HAVE_FLOCK = sys.platform != "win32"
if _HAVE_FLOCK:
    import fcntl


class Hasher:
    """sha256 over named parts, so ("ab", "c") and ("a", "bc") differ."""

    def __init__(self, kind: str) -> None:
        self._h = hashlib.sha256()
        self.add("kind", kind.encode())

    def add(self, name: str, data: bytes) -> Hasher:
        for part in (name.encode(), data):
            self._h.update(len(part).to_bytes(8, "little"))
            self._h.update(part)
        return self

    def add_text(self, name: str, text: str) -> Hasher:
        return self.add(name, text.encode())

    def add_tree(self, name: str, root: Path, files: Iterable[Path]) -> Hasher:
        for path in sorted(files):
            self.add(f"{name}/{path.relative_to(root).as_posix()}", path.read_bytes())
        return self

    def hexdigest(self) -> str:
        return self._h.hexdigest()[:32]


def _version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


@cache
def compiler_fingerprint() -> str:
    """What identifies the build step: hairac's version, the build package's own code,
    mypy (mypyc), setuptools and the interpreter.

    The rest of the compiler needs no place here: the app's cache key hashes the
    generated package itself, so a change to the front end or the code generator counts
    exactly when it changes the generated code.
    """
    package = Path(__file__).resolve().parent
    files = [p for p in package.glob("*.py") if p.is_file()]
    h = Hasher("hairac-build")
    h.add_text("version", hairac.__version__)
    h.add_text("mypy", _version_of("mypy"))
    h.add_text("setuptools", _version_of("setuptools"))
    h.add_text("python", sys.version)
    h.add_text("tag", str(wheel_tag()))
    h.add_tree("src", package, files)
    return h.hexdigest()


def default_cache_dir() -> Path:
    """`HAIRA_BUILD_CACHE`, else `$XDG_CACHE_HOME/hairac`, else `~/.cache/hairac`."""
    env = os.environ.get("HAIRA_BUILD_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return (base / "hairac").resolve()


class BuildCache:
    """Directories of built artifacts under `root/<kind>/<key>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def default() -> BuildCache:
        return BuildCache(default_cache_dir())

    def entry_dir(self, kind: str, key: str) -> Path:
        return self.root / kind / key

    def get(self, kind: str, key: str) -> Path | None:
        """The entry's directory if it was completed, else None."""
        path = self.entry_dir(kind, key)
        return path if (path / ".complete").is_file() else None

    def scratch(self, kind: str) -> Path:
        """A fresh directory to build in, on the cache's file system (for the rename)."""
        base = self.root / "tmp"
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=base))

    def put(self, kind: str, key: str, fill: Callable[[Path], None]) -> Path:
        """Run `fill(dir)` on an empty directory and publish it as the entry for `key`."""
        scratch = self.scratch(kind)
        try:
            fill(scratch)
            (scratch / ".complete").write_text(key, encoding="utf-8")
            target = self.entry_dir(kind, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            os.replace(scratch, target)
            return target
        finally:
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)

    def prune(self, kind: str, *, keep: int) -> None:
        """Remove all but the `keep` most recently built entries of `kind`.

        Entries are only removed under their own lock, so a build or copy in progress
        elsewhere is never pulled from under it (that process holds the lock).
        """
        base = self.root / kind
        if not base.is_dir():
            return
        entries = sorted(
            (p for p in base.iterdir() if (p / ".complete").is_file()),
            key=lambda p: (p / ".complete").stat().st_mtime,
            reverse=True,
        )
        for old in entries[keep:]:
            with self.try_lock(kind, old.name) as locked:
                if locked:
                    shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def try_lock(self, kind: str, key: str) -> Iterator[bool]:
        """Like `lock`, but yields False at once instead of waiting for another holder."""
        locks = self.root / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with open(locks / f"{kind}-{key}.lock", "w") as handle:
            if not _HAVE_FLOCK:
                yield True
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def lock(self, kind: str, key: str) -> Iterator[None]:
        """Hold the exclusive lock of one entry (blocks while another process builds it)."""
        locks = self.root / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with open(locks / f"{kind}-{key}.lock", "w") as handle:
            if _HAVE_FLOCK:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if _HAVE_FLOCK:
                    fcntl.flock(handle, fcntl.LOCK_UN)
