"""Haira `ui`: generative UI components (reference-runtime.md §7.1–§7.3).

    node = ui.status_card("success", "Deployed", "all green")
    node.component, node.props   # "status-card", {"status": "success", "title": ..., ...}
    ui.summary(node)             # '[success] Deployed: all green'  (the text the LLM sees)

A tool or workflow step returning a `UINode` produces a `tool_render` event; the props keep
REF's key order and drop empty optional fields (Go `omitempty`). Arguments that should be
lists accept a single value (wrapped into a one-element list). `BUILTIN_TOOLS` describes the
built-in `render_*` tools (§7.2) for the agent runtime to register.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from haira.rt import go_quote, str_

__all__ = [
    "BUILTIN_TOOLS",
    "Props",
    "UINode",
    "chart",
    "choices",
    "code_block",
    "confirm",
    "diff",
    "group",
    "is_node",
    "key_value",
    "markdown",
    "product_cards",
    "progress",
    "status_card",
    "summary",
    "table",
]


class Props(dict[str, object]):
    """Props of a Go struct: `json.marshal` keeps their key order instead of sorting."""

    __haira_ordered__: ClassVar[bool] = True


class UINode:
    """One UI component: its `component` type and its `props` (JSON-ready, ordered)."""

    __slots__ = ("component", "props")
    __haira_fields__: ClassVar[tuple[str, ...]] = ("component", "props")
    __haira_pointer__: ClassVar[bool] = True

    def __init__(self, component: str, props: dict[str, object]) -> None:
        self.component = component
        self.props = props if isinstance(props, Props) else Props(props)

    def to_json(self) -> dict[str, object]:
        """`{"component": …, "props": …}` as sent in `tool_render` events."""
        return Props(component=self.component, props=self.props)

    def __repr__(self) -> str:
        return f"<ui {self.component}>"


def is_node(v: object) -> bool:
    """Whether `v` is a UI node (a tool result to render rather than to print)."""
    return isinstance(v, UINode)


def _list(v: object) -> object:
    if v is None or isinstance(v, list):
        return v
    return [v]


def _props(*pairs: tuple[str, object, bool]) -> dict[str, object]:
    """Ordered props; an optional (`True`) pair is dropped when empty, like Go's omitempty."""
    out = Props()
    for key, value, optional in pairs:
        if optional and (value is None or value == "" or value == [] or value == {} or value == 0):
            continue
        out[key] = value
    return out


def status_card(status: str, title: str, message: str = "") -> UINode:
    """A status card: status is success / error / warning / info."""
    return UINode("status-card", _props(("status", status, False), ("title", title, False), ("message", message, True)))


def table(title: str, headers: object, rows: object) -> UINode:
    """A table of `rows` (lists of cells) under `headers`."""
    return UINode("table", _props(("title", title, False), ("headers", _list(headers), False), ("rows", _list(rows), False)))


def key_value(title: str, items: Mapping[str, object], styles: Mapping[str, object] | None = None) -> UINode:
    """Key/value pairs (values as text), each with an optional style from `styles`."""
    style_map = styles or {}
    rows: list[object] = [
        Props(key=k, value=str_(v), style=str_(style_map.get(k, ""))) for k, v in items.items()
    ]
    return UINode("key-value", _props(("title", title, False), ("items", rows, False)))


def chart(type_: str, title: str, labels: object, datasets: object, height: int = 0) -> UINode:
    """A chart: type is line / bar / pie / area / scatter."""
    return UINode(
        "chart",
        _props(
            ("type", type_, False),
            ("title", title, True),
            ("labels", _list(labels), True),
            ("datasets", _list(datasets), False),
            ("height", height, True),
        ),
    )


def confirm(title: str, confirm_label: str, deny_label: str, message: str = "") -> UINode:
    """A confirmation prompt; the user's click comes back as the next chat message."""
    return UINode(
        "confirm",
        _props(
            ("title", title, False),
            ("message", message, True),
            ("confirm_label", confirm_label, False),
            ("deny_label", deny_label, False),
        ),
    )


def product_cards(title: str, cards: object) -> UINode:
    """Product cards."""
    return UINode("product-cards", _props(("title", title, False), ("cards", _list(cards), False)))


def markdown(content: str, title: str = "") -> UINode:
    """A markdown block."""
    return UINode("markdown", _props(("content", content, False), ("title", title, True)))


def code_block(title: str, language: str, code: str) -> UINode:
    """A code block."""
    return UINode(
        "code-block",
        _props(("title", title, False), ("language", language, False), ("code", code, False)),
    )


def diff(title: str, before_label: str, after_label: str, before: str, after: str, language: str) -> UINode:
    """A before/after diff."""
    return UINode(
        "diff",
        _props(
            ("title", title, False),
            ("before_label", before_label, False),
            ("after_label", after_label, False),
            ("before", before, False),
            ("after", after, False),
            ("language", language, False),
        ),
    )


def progress(title: str, steps: object) -> UINode:
    """Progress over `steps` (`{label, status}` with status pending / running / done / failed)."""
    return UINode("progress", _props(("title", title, False), ("steps", _list(steps), False)))


def choices(title: str, options: object, style: str = "buttons") -> UINode:
    """Options to pick from (style buttons / list); the pick comes back as a chat message."""
    return UINode(
        "choices",
        _props(("title", title, False), ("options", _list(options), False), ("style", style, True)),
    )


def group(*nodes: object) -> UINode:
    """Several components rendered together (non-UI arguments are dropped)."""
    children: list[object] = [n.to_json() for n in nodes if isinstance(n, UINode)]
    return UINode("group", {"children": children})


# ---------------------------------------------------------------- summaries (§7.3)


def _count(v: object) -> int:
    return len(v) if isinstance(v, list | dict) else 0


def _title(p: Mapping[str, object]) -> str:
    return go_quote(str_(p.get("title", "")))


def summary(node: UINode) -> str:
    """The text the model sees for a rendered component (REF's exact templates)."""
    p = node.props
    c = node.component
    if c == "status-card":
        msg = str_(p.get("message", ""))
        head = f"[{str_(p.get('status'))}] {str_(p.get('title'))}"
        return f"{head}: {msg}" if msg else head
    if c == "table":
        tabs = _count(p.get("tabs"))
        what = f"{tabs} tabs" if tabs else f"{_count(p.get('rows'))} rows"
        return f"Rendered table {_title(p)} with {what}"
    if c == "code-block":
        tabs = _count(p.get("tabs"))
        if tabs:
            return f"Rendered code block {_title(p)} with {tabs} tabs"
        return f"Rendered code block {_title(p)} ({len(str_(p.get('code', '')).encode())} chars)"
    if c == "confirm":
        return (
            f"Rendered confirmation: {str_(p.get('title'))} "
            f"(options: {str_(p.get('confirm_label'))} / {str_(p.get('deny_label'))})"
        )
    if c == "choices":
        return f"Rendered choices: {str_(p.get('title'))} ({_count(p.get('options'))} options)"
    if c == "group":
        lines = ["Rendered group:"]
        for child in p.get("children") or []:  # type: ignore[attr-defined]
            if isinstance(child, dict):
                props = child.get("props")
                sub = UINode(str(child.get("component", "")), props if isinstance(props, dict) else {})
                lines.append(f"- {summary(sub)}")
        return "\n".join(lines)
    return _summary_simple(c, p)


def _summary_simple(c: str, p: Mapping[str, object]) -> str:
    templates: dict[str, Callable[[], str]] = {
        "key-value": lambda: f"Rendered key-value card {_title(p)} with {_count(p.get('items'))} items",
        "progress": lambda: f"Rendered progress {_title(p)} with {_count(p.get('steps'))} steps",
        "diff": lambda: f"Rendered diff {_title(p)}",
        "form": lambda: f"Rendered form {_title(p)} with {_count(p.get('fields'))} fields",
        "chart": lambda: (
            f"Rendered {str_(p.get('type'))} chart {_title(p)} with {_count(p.get('datasets'))} datasets"
        ),
        "product-cards": lambda: f"Rendered {_count(p.get('cards'))} product cards: {_title(p)}",
    }
    if c in templates:
        return templates[c]()
    if c == "markdown":
        n = len(str_(p.get("content", "")).encode())
        title = str_(p.get("title", ""))
        return f"Rendered markdown {go_quote(title)} ({n} chars)" if title else f"Rendered markdown ({n} chars)"
    return f"Rendered {c} component"


# ---------------------------------------------------------------- built-in tools (§7.2)


def _obj(props: dict[str, object], required: list[str]) -> dict[str, object]:
    return {"type": "object", "properties": props, "required": required}


_S: dict[str, object] = {"type": "string"}
_STR_LIST: dict[str, object] = {"type": "array", "items": {"type": "string"}}

# name → (description, JSON schema of the arguments, component builder from the arguments)
BUILTIN_TOOLS: dict[str, tuple[str, dict[str, object], Callable[[Mapping[str, object]], UINode]]] = {
    "render_statuscard": (
        "Show a status card (success, error, warning or info) with a title and an optional message.",
        _obj(
            {"status": {"type": "string", "enum": ["success", "error", "warning", "info"]}, "title": _S, "message": _S},
            ["status", "title"],
        ),
        lambda a: status_card(str_(a.get("status")), str_(a.get("title")), str_(a.get("message"))),
    ),
    "render_confirm": (
        "Ask the user to confirm or deny an action; their click is sent back as the next chat message.",
        _obj({"title": _S, "message": _S, "confirm_label": _S, "deny_label": _S}, ["title", "confirm_label", "deny_label"]),
        lambda a: confirm(str_(a.get("title")), str_(a.get("confirm_label")), str_(a.get("deny_label")), str_(a.get("message"))),
    ),
    "render_choices": (
        "Offer the user options to pick from; the pick is sent back as the next chat message.",
        _obj({"title": _S, "options": _STR_LIST, "style": {"type": "string", "enum": ["buttons", "list"]}}, ["title", "options"]),
        lambda a: choices(str_(a.get("title")), a.get("options"), str_(a.get("style")) or "buttons"),
    ),
    "render_table": (
        "Show tabular data: column headers and rows of cells.",
        _obj({"title": _S, "headers": _STR_LIST, "rows": {"type": "array", "items": _STR_LIST}}, ["title", "headers", "rows"]),
        lambda a: table(str_(a.get("title")), a.get("headers"), a.get("rows")),
    ),
    "render_codeblock": (
        "Show source code with syntax highlighting.",
        _obj({"title": _S, "language": _S, "code": _S}, ["title", "language", "code"]),
        lambda a: code_block(str_(a.get("title")), str_(a.get("language")), str_(a.get("code"))),
    ),
    "render_diff": (
        "Show a before/after comparison of a text or code change.",
        _obj(
            {"title": _S, "before_label": _S, "after_label": _S, "before": _S, "after": _S, "language": _S},
            ["title", "before", "after"],
        ),
        lambda a: diff(
            str_(a.get("title")), str_(a.get("before_label")), str_(a.get("after_label")),
            str_(a.get("before")), str_(a.get("after")), str_(a.get("language")),
        ),
    ),
    "render_keyvalue": (
        "Show labelled values (a details card).",
        _obj(
            {
                "title": _S,
                "items": {
                    "type": "array",
                    "items": _obj(
                        {"key": _S, "value": _S, "style": {"type": "string", "enum": ["", "success", "error", "warning", "code"]}},
                        ["key", "value"],
                    ),
                },
            },
            ["title", "items"],
        ),
        lambda a: _key_value_from_items(str_(a.get("title")), a.get("items")),
    ),
    "render_progress": (
        "Show the progress of a multi-step task.",
        _obj(
            {
                "title": _S,
                "steps": {
                    "type": "array",
                    "items": _obj(
                        {"label": _S, "status": {"type": "string", "enum": ["pending", "running", "done", "failed"]}},
                        ["label", "status"],
                    ),
                },
            },
            ["title", "steps"],
        ),
        lambda a: progress(str_(a.get("title")), a.get("steps")),
    ),
    "render_chart": (
        "Show numeric data as a chart (line, bar, pie, area or scatter).",
        _obj(
            {
                "type": {"type": "string", "enum": ["line", "bar", "pie", "area", "scatter"]},
                "title": _S,
                "labels": _STR_LIST,
                "datasets": {
                    "type": "array",
                    "items": _obj({"label": _S, "data": {"type": "array", "items": {"type": "number"}}}, ["data"]),
                },
            },
            ["type", "datasets"],
        ),
        lambda a: chart(str_(a.get("type")), str_(a.get("title")), a.get("labels"), a.get("datasets")),
    ),
    "render_product_cards": (
        "Show products as cards (name, price, image, description).",
        _obj(
            {
                "title": _S,
                "cards": {
                    "type": "array",
                    "items": _obj({"name": _S, "price": _S, "image": _S, "description": _S, "url": _S}, ["name"]),
                },
            },
            ["title", "cards"],
        ),
        lambda a: product_cards(str_(a.get("title")), a.get("cards")),
    ),
}


def _key_value_from_items(title: str, items: object) -> UINode:
    rows: list[object] = []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict):
            rows.append(Props(key=str_(it.get("key")), value=str_(it.get("value")), style=str_(it.get("style"))))
    return UINode("key-value", {"title": title, "items": rows})
