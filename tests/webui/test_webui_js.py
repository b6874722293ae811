"""The UI's JavaScript modules (SSE parser, Markdown renderer) run in chromium."""

from __future__ import annotations

from typing import Any

import pytest
from webui_support import Served

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webui-browser")]

Page = Any


@pytest.fixture
def ui(page: Page, proxy: Served) -> Page:
    page.goto(proxy.url + "/_ui/")
    page.wait_for_selector("#chat-view:not([hidden])")
    return page


def test_sse_parser_handles_the_wire_format(ui: Page) -> None:
    events = ui.evaluate(
        """async (chunks) => {
            const { SSEParser } = await import("./sse.js");
            const out = [];
            const parser = new SSEParser((e) => out.push(e));
            for (const chunk of chunks) parser.push(chunk);
            parser.end();
            return { out, last: parser.lastEventId, retry: parser.retry };
        }""",
        [
            "retry: 3000\r",  # CRLF split across chunks
            '\n\r\nid: s1:1\r\ndata: {"content":"x"}\r',
            "\n\r\n",
            ": ping\n\n",  # heartbeat comment: no event
            "event: tool_start\ndata: line1\ndata: line2\n\n",
            "data:no-space\n",
            "\n",
            'id: s1:2\nevent: done\ndata: {"content":"é',  # cut mid-event at the end: dropped
        ],
    )
    assert events["out"] == [
        {"event": "message", "data": '{"content":"x"}', "id": "s1:1"},
        {"event": "tool_start", "data": "line1\nline2", "id": "s1:1"},
        {"event": "message", "data": "no-space", "id": "s1:1"},
    ]
    assert events["retry"] == 3000
    assert events["last"] == "s1:2"


MARKDOWN_CASES = {
    "**bold** and *it* and `a<b>` and snake_case_name and x__y__z": (
        "<p><strong>bold</strong> and <em>it</em> and <code>a&lt;b&gt;</code> and snake_case_name and x__y__z</p>"
    ),
    '[x](javascript:alert(1)) [y](https://a.example/?a=1&b=2 "t") <b onclick="z">': (
        '<p>x <a href="https://a.example/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">y</a>'
        " &lt;b onclick=&quot;z&quot;&gt;</p>"
    ),
    '```js" onload="x\n<tag>\n```': (
        '<div class="code-block"><div class="code-head"><span>js</span>'
        '<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>'
        '<pre><code class="language-js">&lt;tag&gt;</code></pre></div>'
    ),
    "1. one\n2. two\n   - nested\n3. three": (
        "<ol><li>one</li><li>two<ul><li>nested</li></ul></li><li>three</li></ol>"
    ),
    "| a | b |\n|---|---|\n| 1 | <i>2</i> |": (
        '<div class="table-wrap"><table><thead><tr><th>a</th><th>b</th></tr></thead>'
        "<tbody><tr><td>1</td><td>&lt;i&gt;2&lt;/i&gt;</td></tr></tbody></table></div>"
    ),
    "line one\r\nline two\r\n\r\n```\r\ncode\r\n```": (
        "<p>line one<br>line two</p>"
        '<div class="code-block"><div class="code-head"><span>code</span>'
        '<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>'
        "<pre><code>code</code></pre></div>"
    ),
    "> quoted **text**\n\n---\n\n## Head": (
        "<blockquote><p>quoted <strong>text</strong></p></blockquote><hr><h2>Head</h2>"
    ),
}


def test_markdown_rendering(ui: Page) -> None:
    rendered = ui.evaluate(
        """async (cases) => {
            const { renderMarkdown } = await import("./markdown.js");
            return cases.map(renderMarkdown);
        }""",
        list(MARKDOWN_CASES),
    )
    assert dict(zip(MARKDOWN_CASES, rendered, strict=True)) == MARKDOWN_CASES


STREAM_SAMPLE = (
    "# Plan\n\nFirst a paragraph with **bold**\nand a second line.\n\n"
    "```python\ndef f(x):\n    return x * 2\n```\n\n"
    "- item one\n- item two\n\n| k | v |\n|---|---|\n| a | 1 |\n\n> a quote\n\nThe end."
)


def test_streaming_markdown_matches_and_keeps_finished_blocks(ui: Page) -> None:
    result = ui.evaluate(
        """async (text) => {
            const { StreamingMarkdown, renderMarkdown } = await import("./markdown.js");
            const box = document.createElement("div");
            const md = new StreamingMarkdown(box);
            let shown = "";
            let firstBlock = null;
            let rebuilt = 0;
            for (let i = 1; i <= text.length; i += 3) {
                shown = text.slice(0, i);
                md.update(shown);
                const first = box.querySelector(".md-block");
                if (firstBlock && first !== firstBlock) rebuilt += 1;
                firstBlock = firstBlock || (first && !first.classList.contains("md-tail") ? first : null);
            }
            md.update(text);
            const joined = Array.from(box.children, (c) => c.innerHTML).join("");
            return { joined, whole: renderMarkdown(text), rebuilt, blocks: box.children.length };
        }""",
        STREAM_SAMPLE,
    )
    # Token by token it ends where a one-shot render does...
    assert result["joined"] == result["whole"]
    # ...and a finished block is never rebuilt (no flicker).
    assert result["rebuilt"] == 0
    assert result["blocks"] == 6  # five finished blocks and the tail


def test_controls_have_accessible_names(ui: Page) -> None:
    assert ui.get_by_label("Message").is_visible()
    assert ui.get_by_role("button", name="Send").is_visible()
    assert ui.get_by_role("button", name="New chat").is_visible()
    assert ui.get_by_role("log", name="Conversation").is_visible()
    assert ui.get_by_role("navigation", name="Workflows").is_visible()
    assert ui.get_by_role("link", name="Test chat").get_attribute("aria-current") == "page"
    # Keyboard: the prompt has focus after load, Tab reaches Send.
    assert ui.evaluate("document.activeElement.id") == "prompt"
    ui.keyboard.press("Tab")
    assert ui.evaluate("document.activeElement.id") == "send"


FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "[a](javascript:alert(1))", "[b](JaVaScRiPt:alert(1))", "[c](data:text/html,<b>x</b>)",
    '[d](https://ok.example/"onmouseover="alert(1))', "[e](/rel?x=<y>)", "![i](https://x/y.png)",
    "https://auto.example/path?q=1&r=<2>", "**", "*", "__", "_", "~~", "`", "```", "```js\n",
    "\n", "\n\n", "# ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n", "&amp;", "&#x3C;", "\u0000",
    "<a href='javascript:x'>", "<iframe src=//evil>", "<style>*{}</style>", "[x](#frag)", "- [x] ",
    "word", " ", "\\|", "<", ">", "'", '"', "(", ")", "[", "]",
]
ALLOWED = {
    "p", "br", "strong", "em", "del", "code", "pre", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "div",
    "span", "button", "input",
}


def _samples(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 25))) for _ in range(n)]


def test_markdown_never_produces_unsafe_html(ui: Page) -> None:
    bad = ui.evaluate(
        """async ([samples, allowed]) => {
            const { renderMarkdown } = await import("./markdown.js");
            const okAttr = new Set(["class", "href", "target", "rel", "start", "type", "disabled", "checked", "aria-label"]);
            const problems = [];
            for (const src of samples) {
                const doc = new DOMParser().parseFromString(`<body>${renderMarkdown(src)}</body>`, "text/html");
                for (const el of doc.body.querySelectorAll("*")) {
                    const tag = el.tagName.toLowerCase();
                    if (!allowed.includes(tag)) problems.push([src, "tag " + tag]);
                    for (const attr of el.attributes) {
                        if (!okAttr.has(attr.name)) problems.push([src, "attribute " + attr.name]);
                        if (attr.name === "href" && !/^(https?:|mailto:|[/#?]|\\.\\.?\\/)/i.test(attr.value)) problems.push([src, "href " + attr.value]);
                    }
                    if (tag === "input" && el.getAttribute("type") !== "checkbox") problems.push([src, "input"]);
                }
            }
            return problems.slice(0, 5);
        }""",
        [_samples(400, 1), sorted(ALLOWED)],
    )
    assert bad == []


def test_streaming_equals_one_shot_for_random_texts(ui: Page) -> None:
    mismatches = ui.evaluate(
        """async (samples) => {
            const { StreamingMarkdown, renderMarkdown } = await import("./markdown.js");
            const out = [];
            let seed = 7;
            const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
            for (const src of samples) {
                const box = document.createElement("div");
                const md = new StreamingMarkdown(box);
                for (let i = 0; i < src.length; ) {
                    i = Math.min(src.length, i + 1 + rand(6));
                    md.update(src.slice(0, i));
                }
                md.update(src);
                const joined = Array.from(box.children, (c) => c.innerHTML).join("");
                // Compare as parsed DOM: innerHTML serialisation may differ in attribute quoting.
                const norm = (html) => new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body.innerHTML;
                if (norm(joined) !== norm(renderMarkdown(src))) out.push(src);
            }
            return out.slice(0, 3);
        }""",
        _samples(300, 2),
    )
    assert mismatches == []
