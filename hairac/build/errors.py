"""Failures of a build that the user is told about in one message, never a traceback."""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    """The build failed; `str(err)` says why, `log` is where the tool's full output is."""

    def __init__(self, message: str, *, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


class BadName(BuildError):
    """A name or version from the command line (or the file name) is unusable: a usage error."""


class RuntimeSourcesMissing(BuildError):
    """The haira-runtime sources are not next to this compiler, so no runtime wheel is built."""
