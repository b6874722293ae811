// A small, safe Markdown renderer for model output.
//
// Safety: every piece of source text is HTML-escaped before any markup is
// added, and the only markup added is a fixed set of tags; link targets are
// limited to http(s), mailto and relative URLs. Raw HTML in the source shows
// up as text.
//
// Streaming without flicker: StreamingMarkdown renders finished blocks once
// (they never change again) and re-renders only the last, still growing
// block, so text already on screen is not rebuilt on every token.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^\n]*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

// Splits `src` into blocks: {kind, lines, ...}. Each block records `end`, the
// offset in `src` just after it (including the blank lines that follow), so a
// caller can cut off finished blocks and re-parse only the rest.
export function parseBlocks(src) {
  const lines = src.split("\n");
  const offsets = [];
  let pos = 0;
  for (const line of lines) {
    offsets.push(pos);
    pos += line.length + 1;
  }
  const endOf = (i) => (i < lines.length ? offsets[i] : src.length);
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i += 1;
      continue;
    }
    const start = i;
    let block;
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body = [];
      let closed = false;
      i += 1;
      while (i < lines.length) {
        const l = lines[i];
        const t = l.trim();
        if (t.startsWith(marker[0].repeat(marker.length)) && /^[`~]+$/.test(t) && t[0] === marker[0]) {
          closed = true;
          i += 1;
          break;
        }
        body.push(l);
        i += 1;
      }
      block = { kind: "code", lang: fence[2], lines: body, closed };
    } else if (HEADING.test(line)) {
      const m = HEADING.exec(line);
      block = { kind: "heading", level: m[1].length, text: m[2] };
      i += 1;
    } else if (HR.test(line)) {
      block = { kind: "hr" };
      i += 1;
    } else if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        body.push(QUOTE.exec(lines[i])[1]);
        i += 1;
      }
      block = { kind: "quote", lines: body };
    } else if (LIST_ITEM.test(line)) {
      const items = [];
      while (i < lines.length && lines[i].trim() !== "") {
        const m = LIST_ITEM.exec(lines[i]);
        if (m) {
          items.push({ indent: m[1].replace(/\t/g, "    ").length, marker: m[2], text: m[3] });
        } else if (items.length > 0 && /^\s+\S/.test(lines[i])) {
          items[items.length - 1].text += "\n" + lines[i].trim();
        } else {
          break;
        }
        i += 1;
      }
      block = { kind: "list", items };
    } else if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [line];
      i += 2;
      while (i < lines.length && lines[i].includes("|") && lines[i].trim() !== "") {
        rows.push(lines[i]);
        i += 1;
      }
      block = { kind: "table", rows };
    } else {
      const body = [];
      while (i < lines.length) {
        const l = lines[i];
        if (l.trim() === "" || FENCE.test(l) || HEADING.test(l) || HR.test(l) || QUOTE.test(l)) break;
        if (body.length > 0 && LIST_ITEM.test(l)) break;
        body.push(l);
        i += 1;
      }
      block = { kind: "paragraph", lines: body };
    }
    while (i < lines.length && lines[i].trim() === "") i += 1;
    block.start = offsets[start];
    block.end = endOf(i);
    blocks.push(block);
  }
  return blocks;
}

function safeHref(rawUrl) {
  // rawUrl is already escaped; undo only &amp; to test the scheme.
  const url = rawUrl.replace(/&amp;/g, "&").trim();
  if (/^(https?:|mailto:)/i.test(url) || /^[/#?]/.test(url) || /^\.\.?\//.test(url)) {
    return escapeHtml(url);
  }
  return null;
}

// Inline markup: code spans, links, autolinks, bold, italic, strikethrough.
export function renderInline(text) {
  const slots = [];
  const keep = (html) => {
    slots.push(html);
    return `\u0000${slots.length - 1}\u0000`;
  };
  let s = String(text).replace(/\u0000/g, "");
  // Code spans first: their content is never interpreted.
  s = s.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks, code) => keep(`<code>${escapeHtml(code.trim() === "" ? code : code.replace(/^ (.*) $/s, "$1"))}</code>`));
  s = escapeHtml(s);
  s = s.replace(/!?\[([^\]\n]*)\]\(((?:[^()\s]|\([^()\s]*\))+)(?:\s+&quot;[^&]*&quot;)?\)/g, (whole, label, url) => {
    const href = safeHref(url);
    if (href === null) return label;
    return keep(`<a href="${href}" target="_blank" rel="noopener noreferrer">${label || href}</a>`);
  });
  s = s.replace(/(^|[\s(])(https?:\/\/[^\s<]+[^\s<.,;:!?)'"&])/g, (_, lead, url) => {
    const href = safeHref(url);
    return href === null ? lead + url : lead + keep(`<a href="${href}" target="_blank" rel="noopener noreferrer">${url}</a>`);
  });
  s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>");
  // Underscores only at word edges, so snake_case and __dunder__ stay text.
  s = s.replace(/(^|[^\w])__(?=[^\s_])([\s\S]*?[^\s_])__(?!\w)/g, "$1<strong>$2</strong>");
  s = s.replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?!\*)/g, "$1<em>$2</em>");
  s = s.replace(/(^|[^\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, "$1<em>$2</em>");
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>");
  return s.replace(/\u0000(\d+)\u0000/g, (_, n) => slots[Number(n)]);
}

function renderList(items) {
  // Nesting by indentation: an item indented more than the list's first
  // item opens a sub-list inside the previous item.
  let html = "";
  const stack = [];
  const open = (item) => {
    const ordered = /\d/.test(item.marker);
    const start = ordered ? parseInt(item.marker, 10) : 1;
    stack.push({ indent: item.indent, ordered });
    html += ordered ? (start !== 1 ? `<ol start="${start}">` : "<ol>") : "<ul>";
  };
  const close = () => {
    const top = stack.pop();
    html += top.ordered ? "</li></ol>" : "</li></ul>";
  };
  for (const item of items) {
    if (stack.length === 0) {
      open(item);
    } else if (item.indent > stack[stack.length - 1].indent + 1) {
      open(item);
    } else {
      while (stack.length > 1 && item.indent < stack[stack.length - 1].indent) close();
      html += "</li>";
    }
    const task = /^\[([ xX])\]\s+/.exec(item.text);
    let body = renderInline(task ? item.text.slice(task[0].length) : item.text).replace(/\n/g, "<br>");
    if (task) body = `<input type="checkbox" disabled${task[1] === " " ? "" : " checked"} aria-label="task"> ${body}`;
    html += `<li>${body}`;
  }
  while (stack.length > 0) close();
  return html;
}

function splitRow(row) {
  let r = row.trim();
  if (r.startsWith("|")) r = r.slice(1);
  if (r.endsWith("|") && !r.endsWith("\\|")) r = r.slice(0, -1);
  return r.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

export function renderBlock(block) {
  switch (block.kind) {
    case "code": {
      const lang = escapeHtml(block.lang || "");
      const cls = lang ? ` class="language-${lang}"` : "";
      const label = lang || "code";
      return (
        `<div class="code-block"><div class="code-head"><span>${label}</span>` +
        `<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>` +
        `<pre><code${cls}>${escapeHtml(block.lines.join("\n"))}</code></pre></div>`
      );
    }
    case "heading":
      return `<h${block.level}>${renderInline(block.text)}</h${block.level}>`;
    case "hr":
      return "<hr>";
    case "quote":
      return `<blockquote>${renderMarkdown(block.lines.join("\n"))}</blockquote>`;
    case "list":
      return renderList(block.items);
    case "table": {
      const [head, ...rows] = block.rows.map(splitRow);
      const th = head.map((c) => `<th>${renderInline(c)}</th>`).join("");
      const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${renderInline(c)}</td>`).join("")}</tr>`).join("");
      return `<div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table></div>`;
    }
    default:
      return `<p>${block.lines.map(renderInline).join("<br>")}</p>`;
  }
}

// CRLF and lone CR become LF. This is prefix-stable (a text and its extension
// normalise to a text and its extension), which the streaming renderer needs.
const normalise = (text) => String(text).replace(/\r\n?/g, "\n");

export function renderMarkdown(src) {
  return parseBlocks(normalise(src)).map(renderBlock).join("");
}

// Renders a growing text into `container`: finished blocks are appended once,
// the rest (the "tail") is re-rendered only when its HTML changes.
//
// A block is finished when the first line of the block after it is complete:
// where a block ends is decided by the first line that does not belong to it,
// and a complete line never changes. (Looking at blocks alone is not enough: a
// table row that has sent only its first characters can read as a paragraph.)
export class StreamingMarkdown {
  constructor(container) {
    this.container = container;
    this.done = 0; // offset in the (normalised) text up to which blocks are final
    this.tail = null;
    this.tailHtml = "";
  }

  update(raw) {
    const text = normalise(raw);
    const rest = text.slice(this.done);
    const cut = rest.lastIndexOf("\n") + 1;
    if (cut > 0) {
      const complete = parseBlocks(rest.slice(0, cut));
      for (let k = 0; k < complete.length - 1; k += 1) this.appendFinal(renderBlock(complete[k]));
      if (complete.length > 1) this.done += complete[complete.length - 2].end;
    }
    const html = parseBlocks(text.slice(this.done)).map(renderBlock).join("");
    if (html !== this.tailHtml) {
      if (this.tail === null) {
        this.tail = document.createElement("div");
        this.tail.className = "md-block md-tail";
        this.container.appendChild(this.tail);
      }
      this.tail.innerHTML = html;
      this.tailHtml = html;
    }
  }

  appendFinal(html) {
    const el = document.createElement("div");
    el.className = "md-block";
    el.innerHTML = html;
    if (this.tail !== null) this.container.insertBefore(el, this.tail);
    else this.container.appendChild(el);
  }
}
