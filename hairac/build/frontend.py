"""The compiler's front half, as `hairac compile` uses it: check a program, then write its
generated Python package into a directory.

This module is the one place that knows the driver's API (docs/internals/contracts.md,
"Driver → build"), so the build pipeline does not change when the driver grows.

    program = check(path, sink)                        # None when the program has errors
    package = generate(program, out_dir, "app", sink)  # GeneratedPackage(entry_module="app.main", ...)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

from hairac.build.errors import BuildError
from hairac.diagnostics import DiagnosticSink


@dataclass(frozen=True, slots=True)
class GeneratedPackage:
    """What the build needs to know about the package the code generator wrote."""

    package: str
    entry_module: str
    entry_function: str


class _Generated(Protocol):
    @property
    def package(self) -> str: ...
    @property
    def entry_module(self) -> str: ...
    @property
    def entry_function(self) -> str: ...


def _driver() -> ModuleType:
    try:
        # NOTE: imported by name so this module type checks while the driver is missing.
        return importlib.import_module("hairac.driver")
    except ModuleNotFoundError as exc:
        if exc.name == "hairac.driver":
            raise BuildError("this hairac has no code generator yet (hairac/driver.py)") from None
        raise


def check(path: str, sink: DiagnosticSink) -> object | None:
    """Parse, resolve and type check the program at `path`; None if it has errors."""
    driver = _driver()
    check_file = getattr(driver, "check_file", None)
    if check_file is None:
        raise BuildError("the code generator does not provide hairac.driver.check_file yet")
    program: object | None = check_file(path, sink)
    if sink.has_errors:
        return None
    return program


def generate(program: object, out_dir: Path, package: str, sink: DiagnosticSink) -> GeneratedPackage | None:
    """Write the program's generated package to `out_dir/<package>/`; None on errors."""
    driver = _driver()
    write_package = getattr(driver, "write_package", None)
    if write_package is None:
        raise BuildError("the code generator does not provide hairac.driver.write_package yet")
    result: _Generated | None = write_package(program, out_dir, package=package, sink=sink)
    if result is None or sink.has_errors:
        return None
    return GeneratedPackage(result.package, result.entry_module, result.entry_function)
