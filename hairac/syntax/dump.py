"""The AST as JSON-ready data (`hairac parse --json`) and one-line item summaries."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hairac import nodes as n
from hairac.diagnostics import Span


def span_data(span: Span) -> list[int]:
    """[line, col, end_line, end_col] (1-based; columns in bytes, as diagnostics)."""
    line, col = span.file.position(span.start)
    end_line, end_col = span.file.position(span.end)
    return [line, col, end_line, end_col]


def to_data(value: Any) -> Any:
    """Nodes become {"node": ClassName, "span": [...], field: value, ...}; Span fields
    become [line, col, end_line, end_col]. (Recursive: the parser bounds nesting.)"""
    if isinstance(value, n.Node):
        out: dict[str, Any] = {"node": type(value).__name__}
        for f in fields(value):
            out[f.name] = to_data(getattr(value, f.name))
        return out
    if isinstance(value, Span):
        return span_data(value)
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    return value


def _params(params: tuple[n.Param, ...]) -> str:
    return f"({len(params)} param{'' if len(params) == 1 else 's'})"


def _count(k: int, word: str) -> str:
    return f"({k} {word}{'' if k == 1 else 's'})"


def summary_line(item: n.Item) -> str:  # noqa: C901 - one line per item kind
    """REF `haira parse` style: `FunctionDef: main (0 params)`."""
    match item:
        case n.FnDecl():
            return f"FunctionDef: {item.name} {_params(item.params)}"
        case n.MethodDecl():
            return f"MethodDef: {item.receiver}.{item.name} {_params(item.params)}"
        case n.StructDecl():
            return f"TypeDef: {item.name} {_count(len(item.fields), 'field')}"
        case n.EnumDecl():
            return f"EnumDef: {item.name} {_count(len(item.variants), 'variant')}"
        case n.TypeAliasDecl():
            return f"TypeAlias: {item.name}"
        case n.ImportDecl():
            return f'ImportDecl: "{item.path}"'
        case n.ExportDecl():
            return "ExportDecl: {" + ", ".join(x.name for x in item.names) + "}"
        case n.TestDecl():
            return f'TestDecl: "{item.name}"'
        case n.EvalDecl():
            return f'EvalDecl: "{item.name}"'
        case n.ProviderDecl():
            return f"ProviderDef: {item.name} {_count(len(item.fields), 'field')}"
        case n.AgentDecl():
            return f"AgentDef: {item.name} {_count(len(item.fields), 'field')}"
        case n.ToolDecl():
            return f"ToolDef: {item.name} {_params(item.params)}"
        case n.WorkflowDecl():
            kind = " -> stream" if item.is_stream else ""
            return f"WorkflowDef: {item.name} {_params(item.params)}{kind}"
        case _:
            return f"Statement: {type(item).__name__}"
