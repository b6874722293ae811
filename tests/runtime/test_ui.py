"""`ui` components, their props and the summaries the model sees (reference-runtime.md §7)."""

from __future__ import annotations

from haira.stdlib import ui
from haira.stdlib.json import marshal
from haira.types import to_jsonable


def test_props_keep_ref_order_and_drop_empty_optionals() -> None:
    card = ui.status_card("success", "Deployed")
    assert card.component == "status-card"
    assert card.props == {"status": "success", "title": "Deployed"}
    full = ui.status_card("error", "Build", "failed")
    assert list(full.props) == ["status", "title", "message"]
    c = ui.confirm("Delete?", "Yes", "No", "cannot be undone")
    assert list(c.props) == ["title", "message", "confirm_label", "deny_label"]
    ch = ui.chart("bar", "", ["a"], {"data": [1]})
    assert ch.props == {"type": "bar", "labels": ["a"], "datasets": [{"data": [1]}]}
    assert ui.chart("line", "t", None, [], 300).props["height"] == 300
    assert ui.choices("Pick", "one").props == {"title": "Pick", "options": ["one"], "style": "buttons"}
    assert ui.markdown("# hi").props == {"content": "# hi"}
    kv = ui.key_value("Info", {"b": 2, "a": None}, {"a": "code"})
    assert kv.props["items"] == [
        {"key": "b", "value": "2", "style": ""},
        {"key": "a", "value": "", "style": "code"},
    ]


def test_group_and_json() -> None:
    g = ui.group(ui.markdown("x"), "not a node", ui.progress("P", []))
    assert g.props == {
        "children": [
            {"component": "markdown", "props": {"content": "x"}},
            {"component": "progress", "props": {"title": "P", "steps": []}},
        ]
    }
    assert to_jsonable(ui.markdown("m")) == {"component": "markdown", "props": {"content": "m"}}
    assert marshal(ui.code_block("t", "go", "<x>"))[0] == (
        '{"component":"code-block","props":{"title":"t","language":"go","code":"\\u003cx\\u003e"}}'
    )
    assert ui.is_node(g) and not ui.is_node({})


def test_summaries() -> None:
    assert ui.summary(ui.status_card("success", "Deployed", "all green")) == "[success] Deployed: all green"
    assert ui.summary(ui.status_card("info", "Note")) == "[info] Note"
    assert ui.summary(ui.table("Users", ["n"], [["a"], ["b"]])) == 'Rendered table "Users" with 2 rows'
    assert ui.summary(ui.code_block("Main", "go", "héllo")) == 'Rendered code block "Main" (6 chars)'
    assert ui.summary(ui.confirm("Go?", "Yes", "No")) == "Rendered confirmation: Go? (options: Yes / No)"
    assert ui.summary(ui.choices("Pick", ["a", "b"])) == "Rendered choices: Pick (2 options)"
    assert ui.summary(ui.key_value("K", {"a": 1})) == 'Rendered key-value card "K" with 1 items'
    assert ui.summary(ui.progress("P", [{"label": "x", "status": "done"}])) == 'Rendered progress "P" with 1 steps'
    assert ui.summary(ui.diff("D", "a", "b", "x", "y", "go")) == 'Rendered diff "D"'
    assert ui.summary(ui.chart("pie", "Share", [], [{}, {}])) == 'Rendered pie chart "Share" with 2 datasets'
    assert ui.summary(ui.product_cards("Shoes", [{}, {}, {}])) == 'Rendered 3 product cards: "Shoes"'
    assert ui.summary(ui.markdown("abc", 'say "hi"')) == 'Rendered markdown "say \\"hi\\"" (3 chars)'
    assert ui.summary(ui.markdown("abc")) == "Rendered markdown (3 chars)"
    assert ui.summary(ui.group(ui.status_card("info", "A"), ui.markdown("z"))) == (
        "Rendered group:\n- [info] A\n- Rendered markdown (1 chars)"
    )
    assert ui.summary(ui.UINode("form", {"title": "F", "fields": [{}]})) == 'Rendered form "F" with 1 fields'
    assert ui.summary(ui.UINode("custom", {})) == "Rendered custom component"


def test_builtin_tools() -> None:
    assert set(ui.BUILTIN_TOOLS) == {
        "render_statuscard", "render_confirm", "render_choices", "render_table", "render_codeblock",
        "render_diff", "render_keyvalue", "render_progress", "render_chart", "render_product_cards",
    }  # fmt: skip
    for name, (description, schema, _build) in ui.BUILTIN_TOOLS.items():
        assert description and schema["type"] == "object", name
        required = schema["required"]
        assert isinstance(required, list) and set(required) <= set(schema["properties"])  # type: ignore[call-overload]
    desc, schema, build = ui.BUILTIN_TOOLS["render_statuscard"]
    assert schema["properties"]["status"]["enum"] == ["success", "error", "warning", "info"]  # type: ignore[index]
    node = build({"status": "warning", "title": "Disk", "message": "90%"})
    assert ui.summary(node) == "[warning] Disk: 90%"
    kv = ui.BUILTIN_TOOLS["render_keyvalue"][2]({"title": "T", "items": [{"key": "k", "value": 1}]})
    assert kv.props == {"title": "T", "items": [{"key": "k", "value": "1", "style": ""}]}
