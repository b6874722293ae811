"""Haira `fs`: files and directories with Go's error texts (language.md §6.9).

    content, err = fs.read_file("missing.txt")   # ("", "open missing.txt: no such file or directory")
"""

from __future__ import annotations

import datetime
import os
import shutil

from haira.errors import HairaError

__all__ = [
    "append_file",
    "copy",
    "exists",
    "mkdir",
    "mkdir_all",
    "read_dir",
    "read_file",
    "remove",
    "remove_all",
    "rename",
    "stat",
    "write_file",
]


def os_error(op: str, path: str, exc: OSError) -> HairaError:
    """Go's `*PathError` text: `<op> <path>: <lower-case errno text>`."""
    text = exc.strerror or str(exc)
    if text:
        text = text[0].lower() + text[1:]
    return HairaError(f"{op} {path}: {text}")


def _rfc3339(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def read_file(path: str) -> tuple[str, HairaError | None]:
    """The whole file as text, or ("", error)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115  # NOTE: open and read fail with different Go ops
    except IsADirectoryError as exc:
        # Go opens a directory fine and fails on the read.
        return "", os_error("read", path, exc)
    except OSError as exc:
        return "", os_error("open", path, exc)
    try:
        with fh:
            data = fh.read()
    except OSError as exc:
        return "", os_error("read", path, exc)
    return data.decode("utf-8", "surrogateescape"), None


def _write(path: str, content: str, mode: str) -> HairaError | None:
    try:
        with open(path, mode) as fh:
            fh.write(content.encode("utf-8", "surrogateescape"))
    except OSError as exc:
        return os_error("open", path, exc)
    return None


def write_file(path: str, content: str) -> HairaError | None:
    """Create or truncate `path` and write `content` (mode 0644)."""
    return _write(path, content, "wb")


def append_file(path: str, content: str) -> HairaError | None:
    """Append `content` to `path`, creating it."""
    return _write(path, content, "ab")


def exists(path: str) -> bool:
    """Whether `path` exists (Go `os.Stat` succeeds: a dangling symlink does not exist)."""
    return os.path.exists(path)


def remove(path: str) -> HairaError | None:
    """Remove a file or an empty directory."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.remove(path)
    except OSError as exc:
        return os_error("remove", path, exc)
    return None


def remove_all(path: str) -> HairaError | None:
    """Remove `path` and everything below it; a missing path is no error."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
    except OSError as exc:
        return os_error("unlinkat", exc.filename or path, exc)
    return None


def rename(old: str, new: str) -> HairaError | None:
    """Rename (move) `old` to `new`."""
    try:
        os.replace(old, new)
    except OSError as exc:
        text = exc.strerror or str(exc)
        return HairaError(f"rename {old} {new}: {text[:1].lower() + text[1:]}")
    return None


def copy(src: str, dst: str) -> HairaError | None:
    """Copy the file `src` to `dst`."""
    try:
        fin = open(src, "rb")  # noqa: SIM115  # NOTE: separate error texts per side
    except OSError as exc:
        return os_error("open", src, exc)
    with fin:
        try:
            fout = open(dst, "wb")  # noqa: SIM115
        except OSError as exc:
            return os_error("open", dst, exc)
        with fout:
            try:
                shutil.copyfileobj(fin, fout)
            except OSError as exc:
                return os_error("read", src, exc)
    return None


def mkdir(path: str) -> HairaError | None:
    """Create one directory."""
    try:
        os.mkdir(path, 0o755)
    except OSError as exc:
        return os_error("mkdir", path, exc)
    return None


def mkdir_all(path: str) -> HairaError | None:
    """Create a directory and its parents; an existing directory is no error."""
    try:
        os.makedirs(path, 0o755, exist_ok=True)
    except FileExistsError as exc:
        exc.strerror = "not a directory"
        return os_error("mkdir", path, exc)
    except OSError as exc:
        return os_error("mkdir", exc.filename or path, exc)
    return None


def read_dir(path: str) -> tuple[list[dict[str, object]], HairaError | None]:
    """Entries sorted by name: maps `{name, is_dir, size, modified}`."""
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        return [], os_error("open", path, exc)
    out: list[dict[str, object]] = []
    for e in entries:
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        out.append(
            {
                "name": e.name,
                "is_dir": e.is_dir(follow_symlinks=False),
                "size": st.st_size,
                "modified": _rfc3339(st.st_mtime),
            }
        )
    return out, None


def stat(path: str) -> tuple[dict[str, object], HairaError | None]:
    """`{name, size, is_dir, modified, path}` (path absolute), or ({}, error)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return {}, os_error("stat", path, exc)
    return {
        "name": os.path.basename(os.path.normpath(path)),
        "size": st.st_size,
        "is_dir": os.path.isdir(path),
        "modified": _rfc3339(st.st_mtime),
        "path": os.path.abspath(path),
    }, None
