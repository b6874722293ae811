"""Resolve: the entry file and its imports -> a `Program` of parsed modules.

Imports are resolved against the project root (the entry file's directory, language.md
§5.2): `import "a/b"` is `<root>/a/b.haira` or `<root>/a/b/mod.haira`; stdlib imports
(§6.0) bind a qualifier (`io`, or an alias) instead. Modules come out in dependency order,
imported modules before their importers, the entry module last.

    program = resolve_program(Path("app.haira"), sink)   # program.units[-1] is app.haira
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from hairac import nodes
from hairac.check import messages as msg
from hairac.check.stdlib import STDLIB_MODULES
from hairac.diagnostics import DiagnosticSink, SourceFile, Span


@dataclass
class ModuleUnit:
    """One Haira source file of the program."""

    key: str  # path relative to the root without `.haira` ("app", "agents/agents")
    path: str  # as shown in diagnostics
    ast: nodes.Module
    is_entry: bool = False
    # qualifier -> stdlib module: `import "io"` -> {"io": "io"}, `import fmt from "io"` -> {"fmt": "io"}
    std_imports: dict[str, str] = field(default_factory=dict)
    std_globs: list[str] = field(default_factory=list)
    # `import { sqrt } from "math"`: bare name -> (stdlib module, import declaration)
    std_names: dict[str, tuple[str, nodes.ImportDecl]] = field(default_factory=dict)
    # imported user modules, by key, with the import declaration
    user_imports: list[tuple[nodes.ImportDecl, str]] = field(default_factory=list)

    @property
    def py_module(self) -> str:
        """The Python module name inside the generated package."""
        return py_module_name(self.key)


@dataclass
class Program:
    units: list[ModuleUnit]
    root: Path

    @property
    def entry(self) -> ModuleUnit:
        return self.units[-1]

    def unit(self, key: str) -> ModuleUnit:
        for u in self.units:
            if u.key == key:
                return u
        raise KeyError(key)


def py_module_name(key: str) -> str:
    """`agents/agents` -> `agents__agents` (one flat package keeps imports simple)."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", key.replace("/", "__"))
    if not name or name[0].isdigit():
        name = "m_" + name
    if name in {"haira", "typing", "__main__", "__init__", "_entry"}:
        name += "_"
    return name


def read_source(path: Path, shown: str, sink: DiagnosticSink, at: Span | None) -> SourceFile | None:
    """Read and decode one file; problems become diagnostics."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if at is not None:
            sink.error(at, msg.IMPORT_UNREADABLE.format(path=shown, reason=reason), code="E505")
        else:
            sink.error(
                Span(SourceFile(shown, ""), 0, 0),
                msg.IMPORT_UNREADABLE.format(path=shown, reason=reason),
                code="E505",
            )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The front end reports undecodable bytes with their position.
        text = data.decode("utf-8", "surrogateescape")
    return SourceFile(shown, text)


def parse_file(source: SourceFile, sink: DiagnosticSink) -> nodes.Module:
    from hairac.syntax import parse_source

    return parse_source(source, sink)


class _Resolver:
    def __init__(self, root: Path, sink: DiagnosticSink) -> None:
        self.root = root
        self.sink = sink
        self.done: dict[str, ModuleUnit] = {}
        self.order: list[ModuleUnit] = []
        self.in_progress: list[str] = []

    def load(self, file: Path, key: str, shown: str, at: Span | None, entry: bool) -> None:
        source = read_source(file, shown, self.sink, at)
        if source is None:
            return
        ast = parse_file(source, self.sink)
        unit = ModuleUnit(key=key, path=shown, ast=ast, is_entry=entry)
        self.in_progress.append(key)
        for item in ast.items:
            if isinstance(item, nodes.ImportDecl):
                self.import_(unit, item)
        self.in_progress.pop()
        self.done[key] = unit
        self.order.append(unit)

    def import_(self, unit: ModuleUnit, imp: nodes.ImportDecl) -> None:
        path = imp.path
        if path in STDLIB_MODULES:
            if imp.kind == "alias" and imp.alias:
                unit.std_imports[imp.alias] = path
            elif imp.kind == "glob":
                unit.std_globs.append(path)
            elif imp.kind == "select":
                for n in imp.names:
                    unit.std_names[n.name] = (path, imp)
            else:
                unit.std_imports[path] = path
            return
        key = posixpath.normpath(path.strip("/")).removesuffix(".haira")
        if key in self.in_progress:
            self.sink.error(imp.path_span, msg.IMPORT_CYCLE.format(path=path), code="E504")
            return
        if key not in self.done:
            file = self.root / f"{key}.haira"
            if not _is_file(file):
                file = self.root / key / "mod.haira"
            if not _is_file(file):
                self.sink.error(imp.path_span, msg.IMPORT_NOT_FOUND.format(path=path), code="E503")
                return
            shown = str(Path(self.shown_root) / file.relative_to(self.root))
            self.load(file, key, shown, imp.path_span, entry=False)
        if key in self.done:
            unit.user_imports.append((imp, key))

    shown_root = ""


def _is_file(path: Path) -> bool:
    """`path.is_file()`, False for paths the OS rejects (too long, NUL bytes): an import
    path is user text, and a bad one is "not found", never a crash."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve_program(path: Path, sink: DiagnosticSink, *, shown: str | None = None) -> Program | None:
    """Read the entry file at `path`, parse it and everything it imports."""
    root = path.parent
    resolver = _Resolver(root, sink)
    shown_path = shown if shown is not None else str(path)
    resolver.shown_root = str(Path(shown_path).parent)
    key = py_key(path.stem)
    resolver.load(path, key, shown_path, None, entry=True)
    if key not in resolver.done:
        return None
    return Program(units=resolver.order, root=root)


def resolve_source(source: SourceFile, sink: DiagnosticSink, root: Path | None = None) -> Program:
    """A one-file program from text already in memory (imports resolved against `root`)."""
    base = root if root is not None else Path(source.path).parent
    resolver = _Resolver(base, sink)
    resolver.shown_root = str(Path(source.path).parent)
    ast = parse_file(source, sink)
    key = py_key(Path(source.path).stem)
    unit = ModuleUnit(key=key, path=source.path, ast=ast, is_entry=True)
    resolver.in_progress.append(key)
    for item in ast.items:
        if isinstance(item, nodes.ImportDecl):
            resolver.import_(unit, item)
    resolver.order.append(unit)
    return Program(units=resolver.order, root=base)


def py_key(stem: str) -> str:
    return stem or "main"
