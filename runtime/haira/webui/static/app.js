// The Haira chat and form UI. Plain DOM, no framework, no build step.
//
// It talks to the server only through the documented routes: GET
// /_api/workflows, the workflow routes (fetch with a POST body; streams are
// read with our own SSE parser so headers like Authorization work), and
// /_api/chats for sessions. Text from the server reaches the page only as
// textContent or through the escaping Markdown renderer.

import { SSEParser, readEventStream } from "./sse.js";
import { StreamingMarkdown, escapeHtml, renderMarkdown } from "./markdown.js";

// The API lives where the page lives, minus "/_ui/...": this works at the
// server's root, behind the webui proxy and under a path prefix.
const BASE = location.pathname.replace(/\/_ui(\/.*)?$/, "").replace(/\/+$/, "");
const SESSION_NAMES = ["session_id", "sid", "session", "conversation_id", "thread_id", "chat_id"];
const CHAT_NAMES = ["message", "prompt", "input"];
const LONG_TEXT_NAMES = ["text", "content", "body", "message", "prompt", "input", "document", "description"];
const SIMPLE_TYPES = ["string", "int", "float", "bool", "file"];
const MAX_RESUMES = 3;

const $ = (id) => document.getElementById(id);

const state = {
  workflows: [],
  current: null, // the selected workflow
  sessionId: null,
  busy: null, // {controller} while a chat stream or form request runs
  lastUserText: null,
  lastAssistant: null,
  atBottom: true,
  autoScrollTop: 0, // where scrollToBottom last put the message list
  chatFields: [],
  formFields: [],
  retryTimer: null,
};

// ---------------------------------------------------------------- helpers

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function newId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function authHeaders() {
  const token = localStorage.getItem("haira.token") || "";
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function apiFetch(path, options = {}) {
  const headers = { ...authHeaders(), ...(options.headers || {}) };
  return fetch(BASE + path, { ...options, headers });
}

// The message of an error response: our JSON error shape, else the text.
async function errorFrom(response) {
  const text = await response.text().catch(() => "");
  let message = text.trim();
  let param = null;
  let code = null;
  try {
    const data = JSON.parse(text);
    if (data && typeof data === "object") {
      message = data.error || data.message || message;
      param = data.param || null;
      code = data.code || null;
    }
  } catch {
    // not JSON: keep the text
  }
  if (!message) message = response.statusText || "request failed";
  if (response.status === 401) {
    message = "This server needs an API token: enter it under Settings.";
    openSettings();
  }
  return { message: `${response.status} ${message}`, param, code, status: response.status };
}

function relativeTime(value) {
  const when = new Date(value);
  if (Number.isNaN(when.getTime()) || when.getFullYear() < 2000) return "";
  const seconds = Math.round((Date.now() - when.getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return when.toLocaleDateString();
}

function showBanner(text) {
  const banner = $("banner");
  banner.textContent = text;
  banner.hidden = !text;
}

function openSettings() {
  const details = document.querySelector(".settings");
  details.open = true;
  $("token-input").focus();
}

// ------------------------------------------------------------ workflows

function normParams(wf) {
  return (wf.params || []).map((p) => {
    const rawType = p.type ?? p.Type ?? "string";
    const type = typeof rawType === "string" ? rawType : JSON.stringify(rawType);
    return {
      name: String(p.name ?? p.Name ?? ""),
      type,
      required: p.required ?? (p.default === undefined && !type.endsWith("?")),
      default: p.default,
      description: p.description || "",
    };
  });
}

function chatParam(wf) {
  if (wf.chat_param) return wf.chat_param;
  const params = normParams(wf);
  const named = params.find((p) => p.type === "string" && CHAT_NAMES.includes(p.name));
  const first = params.find((p) => p.type === "string");
  return (named || first || { name: "message" }).name;
}

function sessionParam(wf) {
  const chat = chatParam(wf);
  const params = normParams(wf).filter((p) => p.name !== chat && p.type === "string");
  const exact = params.find((p) => SESSION_NAMES.includes(p.name));
  return exact ? exact.name : (params.find((p) => /session/i.test(p.name)) || {}).name || null;
}

// The server records chats (for /_api/chats) only for a `session_id` parameter
// (http-streaming.md §7); other session-like parameters still get an id, so the
// agent's memory carries over, but there is no history to list.
const recordsChats = (wf) => sessionParam(wf) === "session_id";

const titleOf = (wf) => wf.title || wf.name || wf.path;
// `@webui(mode: "chat" | "form")` overrides the default (chat for streams).
const isChat = (wf) => (wf.mode === "chat" || wf.mode === "form" ? wf.mode === "chat" : Boolean(wf.is_stream));
const wfUrl = (wf) => wf.path;
const apiBase = (wf) => wf.api_base || "";

async function loadWorkflows() {
  clearTimeout(state.retryTimer);
  let response;
  try {
    response = await apiFetch("/_api/workflows", { headers: { Accept: "application/json" } });
  } catch {
    showBanner("Cannot reach the server. Is it running? Retrying…");
    state.retryTimer = setTimeout(start, 3000);
    return false;
  }
  if (!response.ok) {
    const err = await errorFrom(response);
    showBanner(`Cannot load workflows: ${err.message}${err.status === 401 ? "" : " — retrying…"}`);
    if (err.status !== 401) state.retryTimer = setTimeout(start, 3000);
    $("empty-text").textContent = "No workflows yet.";
    return false;
  }
  showBanner("");
  const list = await response.json().catch(() => null);
  state.workflows = Array.isArray(list) ? list.filter((w) => w && typeof w.path === "string") : [];
  renderWorkflowList();
  return true;
}

function routeOf(wf, sessionId) {
  const params = new URLSearchParams();
  params.set("wf", wf.path);
  if (sessionId) params.set("s", sessionId);
  return "#" + params.toString();
}

function renderWorkflowList() {
  const list = $("wf-list");
  list.replaceChildren();
  for (const wf of state.workflows) {
    const current = state.current && state.current.path === wf.path;
    list.append(
      h("li", {},
        h("a", {
          class: "side-item",
          href: routeOf(wf, null),
          "aria-current": current ? "page" : null,
          "data-path": wf.path,
        },
        h("span", { class: "title" }, titleOf(wf), h("span", { class: "kind", text: isChat(wf) ? "chat" : "form" })),
        wf.description || wf.backend
          ? h("span", { class: "sub", text: [wf.backend, wf.description].filter(Boolean).join(" · ") })
          : null)));
  }
  if (state.workflows.length === 0) list.append(h("li", { class: "empty-note", text: "No workflows." }));
}

function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  const path = params.get("wf");
  let wf = state.workflows.find((w) => w.path === path);
  if (!wf) {
    const last = localStorage.getItem("haira.workflow");
    wf = state.workflows.find((w) => w.path === last) || state.workflows.find(isChat) || state.workflows[0];
  }
  if (!wf) {
    showView("empty-view");
    $("empty-text").textContent = "This server has no workflows.";
    return;
  }
  selectWorkflow(wf, params.get("s"));
}

function showView(id) {
  for (const view of ["empty-view", "chat-view", "form-view"]) $(view).hidden = view !== id;
}

function selectWorkflow(wf, sessionId) {
  if (state.busy) state.busy.controller.abort();
  state.current = wf;
  localStorage.setItem("haira.workflow", wf.path);
  renderWorkflowList();
  document.title = `${titleOf(wf)} · Haira`;
  applyTheme(wf);
  if (isChat(wf)) openChat(wf, sessionId);
  else openForm(wf);
}

// ----------------------------------------------------------------- chat

function openChat(wf, sessionId) {
  showView("chat-view");
  $("chat-title").textContent = titleOf(wf);
  $("chat-desc").textContent = wf.description || "";
  const sessionName = sessionParam(wf);
  // "New chat" whenever there is a session to renew; the list only when the server keeps it.
  $("chats-section").hidden = sessionName === null;
  $("chat-list").hidden = !recordsChats(wf);
  $("chats-note").hidden = recordsChats(wf);
  const chat = chatParam(wf);
  const extra = normParams(wf).filter((p) => p.name !== chat && p.name !== sessionName);
  const options = $("chat-options-fields");
  options.replaceChildren();
  state.chatFields = extra.map((p) => buildField(p, "opt"));
  for (const field of state.chatFields) options.append(field.wrap);
  $("chat-options").hidden = extra.length === 0;
  switchSession(sessionName ? sessionId || newId() : null, Boolean(sessionId));
}

async function switchSession(sessionId, loadHistory) {
  if (state.busy) state.busy.controller.abort();
  const wf = state.current;
  state.sessionId = sessionId;
  state.lastUserText = null;
  state.lastAssistant = null;
  history.replaceState(null, "", routeOf(wf, sessionId));
  $("messages").replaceChildren();
  state.atBottom = true;
  $("jump").hidden = true;
  refreshChats();
  if (sessionId && loadHistory && recordsChats(wf)) await loadChatHistory(wf, sessionId);
  showSuggestions(wf);
  $("prompt").focus();
}

async function loadChatHistory(wf, sessionId) {
  let response;
  try {
    response = await apiFetch(`${apiBase(wf)}/_api/chats/${encodeURIComponent(sessionId)}`, {
      headers: { Accept: "application/json" },
    });
  } catch {
    showBanner("Cannot reach the server to load this chat.");
    return;
  }
  if (response.status === 404) return; // a new session: nothing stored yet
  if (!response.ok) {
    const err = await errorFrom(response);
    showBanner(`Cannot load the chat history: ${err.message}`);
    return;
  }
  const chat = await response.json().catch(() => null);
  if (state.sessionId !== sessionId || !chat) return;
  for (const message of chat.messages || []) {
    if (message.role === "user") {
      addUserMessage(String(message.content ?? ""));
      state.lastUserText = String(message.content ?? "");
    } else {
      const view = new AssistantMessage($("messages"));
      view.setStatic(String(message.content ?? ""));
      if (message.interrupted) view.note("Interrupted");
      view.finish();
      state.lastAssistant = view;
    }
  }
  updateRetryButtons();
  scrollToBottom();
}

async function refreshChats() {
  const wf = state.current;
  if (!wf || !isChat(wf) || !recordsChats(wf)) return;
  const list = $("chat-list");
  let chats = [];
  try {
    const response = await apiFetch(`${apiBase(wf)}/_api/chats?workflow=${encodeURIComponent(wf.backend_path || wf.path)}`, {
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    chats = (await response.json()) || [];
  } catch {
    return;
  }
  if (state.current !== wf) return;
  const mine = chats.filter((c) => !c.workflow_path || c.workflow_path === (wf.backend_path || wf.path) || c.workflow_name === wf.name);
  list.replaceChildren();
  for (const chat of mine) {
    const title = chat.title || "Untitled chat";
    const when = relativeTime(chat.updated_at);
    const count = chat.message_count ? `${chat.message_count} messages` : "";
    list.append(
      h("li", { "data-id": chat.id },
        h("button", {
          type: "button",
          class: "side-item chat-item",
          "aria-current": chat.id === state.sessionId ? "true" : null,
          onclick: () => switchSession(chat.id, true),
        }, h("span", { class: "title", text: title }), h("span", { class: "sub", text: [when, count].filter(Boolean).join(" · ") })),
        h("button", {
          type: "button",
          class: "delete-chat",
          "aria-label": `Delete chat ${title}`,
          title: "Delete chat",
          onclick: () => deleteChat(chat.id),
        }, "×")));
  }
  if (mine.length === 0) list.append(h("li", { class: "empty-note", text: "No chats yet." }));
}

async function deleteChat(id) {
  const wf = state.current;
  try {
    const response = await apiFetch(`${apiBase(wf)}/_api/chats/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (!response.ok && response.status !== 404) {
      const err = await errorFrom(response);
      showBanner(`Cannot delete the chat: ${err.message}`);
      return;
    }
  } catch {
    showBanner("Cannot reach the server to delete the chat.");
    return;
  }
  if (id === state.sessionId) await switchSession(newId(), false);
  else await refreshChats();
  // The focused delete button is gone: keep keyboard users in the list.
  if (document.activeElement === document.body) $("new-chat").focus();
}

function addUserMessage(text) {
  const node = h("div", { class: "msg msg-user" },
    h("div", { class: "msg-role", text: "You" }),
    h("div", { class: "msg-body", text }));
  $("messages").append(node);
  scrollIfPinned();
  return node;
}

// One assistant reply: text segments (Markdown), tool cards and handoffs in
// the order they arrived, then a footer with usage, notes and actions.
class AssistantMessage {
  constructor(container) {
    this.body = h("div", { class: "msg-body" });
    this.meta = h("div", { class: "msg-meta" });
    this.node = h("div", { class: "msg msg-assistant" },
      h("div", { class: "msg-role", text: "Assistant" }), this.body, this.meta);
    container.append(this.node);
    this.segment = null;
    this.cards = [];
    this.frame = 0;
    this.text = "";
  }

  streaming(on) {
    this.node.setAttribute("aria-busy", on ? "true" : "false");
  }

  appendText(delta) {
    if (!delta) return;
    if (this.segment === null) {
      const el = h("div", { class: "md-text" });
      this.body.append(el);
      this.segment = { el, md: new StreamingMarkdown(el), text: "" };
    }
    this.segment.text += delta;
    this.text += delta;
    // One render per frame however many tokens arrive in it.
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.segment) this.segment.md.update(this.segment.text);
    scrollIfPinned();
  }

  setStatic(text) {
    const el = h("div", { class: "md-text" });
    el.innerHTML = renderMarkdown(text); // escaped by the renderer
    this.body.append(el);
    this.text = text;
  }

  reset() {
    this.flush();
    this.body.replaceChildren();
    this.meta.replaceChildren();
    this.segment = null;
    this.cards = [];
    this.text = "";
  }

  toolStart(tool, args) {
    this.flush();
    this.segment = null;
    const badge = h("span", { class: "tool-state", text: "running…" });
    const card = h("details", { class: "tool-card", "data-state": "running", "data-tool": tool },
      h("summary", {}, h("span", { "aria-hidden": "true" }, "⚙"), h("span", {}, "Tool ", h("strong", { text: tool })), badge),
      h("pre", { text: JSON.stringify(args ?? {}, null, 2) }));
    this.body.append(card);
    this.cards.push({ tool, card, state: badge, open: true });
    scrollIfPinned();
  }

  toolEnd(tool, ok, error) {
    const entry = this.cards.find((c) => c.open && c.tool === tool) || this.cards.find((c) => c.open);
    if (!entry) return;
    entry.open = false;
    entry.card.dataset.state = ok ? "ok" : "failed";
    entry.state.textContent = ok ? "done ✓" : "failed ✗";
    if (!ok && error) entry.card.append(h("pre", { class: "tool-error", text: String(error) }));
  }

  handoff(from, to) {
    this.flush();
    this.segment = null;
    this.body.append(h("div", { class: "handoff", role: "note", text: `Handed off from ${from} to ${to}` }));
  }

  usage(prompt, completion) {
    let el = this.meta.querySelector(".usage");
    if (!el) {
      el = h("span", { class: "usage" });
      this.meta.prepend(el);
    }
    el.textContent = `${prompt} prompt + ${completion} completion tokens`;
  }

  note(text) {
    this.meta.append(h("span", { class: "note", text }));
  }

  error(message, onRetry) {
    this.flush();
    const box = h("div", { class: "msg-error", role: "alert" },
      h("span", { text: message }),
      onRetry ? h("button", { type: "button", class: "btn btn-small retry", onclick: onRetry }, "Retry") : null);
    this.node.insertBefore(box, this.meta);
    scrollIfPinned();
  }

  finish() {
    this.flush();
    this.streaming(false);
    for (const entry of this.cards) {
      if (entry.open) {
        entry.open = false;
        entry.state.textContent = "interrupted";
      }
    }
    if (this.text) {
      this.meta.append(h("button", {
        type: "button",
        class: "btn btn-small copy-answer",
        onclick: (event) => copyText(this.text, event.currentTarget),
      }, "Copy"));
    }
  }
}

function updateRetryButtons() {
  for (const old of document.querySelectorAll(".msg-meta .retry-answer")) old.remove();
  const last = state.lastAssistant;
  // Retrying an older answer would put the new one out of order: only the last may.
  for (const button of document.querySelectorAll(".msg-error .retry")) {
    button.hidden = !last || !last.node.contains(button) || Boolean(state.busy);
  }
  if (!last || !state.lastUserText || state.busy) return;
  if (last.node.querySelector(".msg-error .retry")) return; // the error box has one
  last.meta.append(h("button", {
    type: "button",
    class: "btn btn-small retry-answer",
    "aria-label": "Retry the last answer",
    onclick: retryLast,
  }, "Retry"));
}

function retryLast() {
  if (state.busy || !state.lastUserText) return;
  if (state.lastAssistant) state.lastAssistant.node.remove();
  state.lastAssistant = null;
  runChat(state.lastUserText);
}

function sendFromComposer() {
  const prompt = $("prompt");
  const text = prompt.value;
  if (!text.trim() || state.busy) return;
  prompt.value = "";
  autoGrow();
  for (const box of document.querySelectorAll("#messages .suggestions")) box.remove();
  addUserMessage(text);
  state.lastUserText = text;
  state.atBottom = true;
  scrollToBottom();
  runChat(text);
}

function chatBody(wf, text) {
  const body = {};
  for (const field of state.chatFields) {
    const value = field.get();
    if (value !== undefined) body[field.param.name] = value;
  }
  body[chatParam(wf)] = text;
  const session = sessionParam(wf);
  if (session && state.sessionId) body[session] = state.sessionId;
  return body;
}

function setBusy(busy) {
  $("send").hidden = Boolean(busy);
  $("stop").hidden = !busy;
  $("chat-status").textContent = busy ? "Assistant is answering" : "Answer complete";
}

// Streams one answer into a new assistant message. Reconnects with
// Last-Event-ID when the connection breaks mid-stream (the server replays
// what was missed); a different stream id means the server started over.
async function runChat(text) {
  const wf = state.current;
  const controller = new AbortController();
  state.busy = { controller };
  setBusy(true);
  updateRetryButtons();
  const view = new AssistantMessage($("messages"));
  state.lastAssistant = view;
  view.streaming(true);
  let outcome;
  try {
    outcome = await streamAnswer(wf, text, view, controller);
  } catch (err) {
    // A bug or a bad option value must not leave the composer stuck in "busy".
    outcome = { error: err && err.message ? err.message : String(err) };
  }
  const retry = () => {
    if (state.busy || state.lastAssistant !== view) return;
    view.node.remove();
    runChat(text);
  };
  view.finish();
  if (outcome.stopped) view.note("Stopped");
  if (outcome.error) view.error(outcome.error, retry);
  if (state.busy && state.busy.controller === controller) state.busy = null;
  setBusy(state.busy !== null);
  updateRetryButtons();
  scrollIfPinned(); // the footer buttons just made the reply taller
  refreshChats();
}

async function streamAnswer(wf, text, view, controller) {
  const bodyObject = chatBody(wf, text);
  const method = (wf.method || "POST").toUpperCase();
  let url = wfUrl(wf);
  let body;
  const headers = { Accept: "text/event-stream" };
  if (method === "GET") {
    url += "?" + new URLSearchParams(Object.entries(bodyObject).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  } else {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(bodyObject);
  }
  let outcome = null;
  let resumeFrom = null;
  let resumes = 0;
  let streamId = null;
  while (outcome === null) {
    const attemptHeaders = { ...headers };
    if (resumeFrom) attemptHeaders["Last-Event-ID"] = resumeFrom;
    let response;
    try {
      response = await apiFetch(url, { method, headers: attemptHeaders, body, signal: controller.signal });
    } catch {
      if (controller.signal.aborted) outcome = { stopped: true };
      else if (resumeFrom && resumes < MAX_RESUMES) {
        resumes += 1;
        await sleep(1000 * resumes);
        continue;
      } else outcome = { error: "Network error: the server cannot be reached." };
      break;
    }
    if (response.status === 204) {
      outcome = { done: true }; // the stream had already finished
      break;
    }
    if (!response.ok) {
      const err = await errorFrom(response);
      outcome = { error: err.message };
      break;
    }
    setTimeout(refreshChats, 300); // the server records the chat as it starts
    const contentType = response.headers.get("content-type") || "";
    if (!contentType.includes("text/event-stream")) {
      const data = await response.json().catch(() => null);
      view.appendText(data && typeof data.reply === "string" ? data.reply : JSON.stringify(data));
      outcome = { done: true };
      break;
    }
    let finished = false;
    let errorEvent = null;
    const parser = new SSEParser((event) => {
      const colon = event.id.lastIndexOf(":");
      const id = colon === -1 ? event.id : event.id.slice(0, colon); // "<stream id>:<seq>"
      if (id) {
        if (streamId !== null && id !== streamId) view.reset();
        streamId = id;
      }
      handleEvent(view, event, {
        done: () => { finished = true; },
        error: (message) => { errorEvent = message; },
      });
    });
    if (resumeFrom) parser.lastEventId = resumeFrom;
    try {
      await readEventStream(response, parser);
    } catch {
      if (controller.signal.aborted) {
        outcome = { stopped: true };
        break;
      }
    }
    if (finished) {
      outcome = errorEvent ? { error: errorEvent } : { done: true };
    } else if (controller.signal.aborted) {
      outcome = { stopped: true };
    } else if (parser.lastEventId && resumes < MAX_RESUMES) {
      resumeFrom = parser.lastEventId;
      resumes += 1;
      await sleep(500 * resumes);
    } else {
      outcome = { error: "The connection broke before the answer was complete." };
    }
  }
  return outcome;
}

function handleEvent(view, event, on) {
  let data = null;
  if (event.data !== "[DONE]") {
    try {
      data = JSON.parse(event.data);
    } catch {
      data = null;
    }
  }
  switch (event.event) {
    case "message":
      if (data && typeof data.content === "string") view.appendText(data.content);
      else if (data && typeof data.delta === "string") view.appendText(data.delta); // REF format
      break;
    case "delta":
      if (data && typeof data.delta === "string") view.appendText(data.delta);
      break;
    case "tool_start":
      if (data) view.toolStart(String(data.tool ?? "tool"), data.args);
      break;
    case "tool_end":
      if (data) view.toolEnd(String(data.tool ?? "tool"), data.ok !== false, data.error);
      break;
    case "handoff":
      if (data) view.handoff(String(data.from ?? "?"), String(data.to ?? "?"));
      break;
    case "usage":
      if (data) view.usage(Number(data.prompt_tokens) || 0, Number(data.completion_tokens) || 0);
      break;
    case "error":
      on.error(data && data.error ? String(data.error) : "The server reported an error.");
      break;
    case "done":
      on.done();
      break;
    default:
      break;
  }
}

// ------------------------------------------------------------ scrolling

function scrollToBottom() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
  state.autoScrollTop = box.scrollTop;
  $("jump").hidden = true;
}

// Follow the stream only while the reader is at the bottom; otherwise offer
// a button instead of pulling them away from what they are reading.
function scrollIfPinned() {
  if (state.atBottom) scrollToBottom();
  else $("jump").hidden = false;
}

// Scroll events arrive a frame late, when more text may already have made the
// box taller, so "not at the bottom" alone does not mean the reader moved:
// only a scroll upwards from where we last put it does.
function onMessagesScroll() {
  const box = $("messages");
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 32) state.atBottom = true;
  else if (box.scrollTop < state.autoScrollTop - 4) state.atBottom = false;
  if (state.atBottom) $("jump").hidden = true;
}

// ----------------------------------------------------------------- forms

function buildField(param, prefix) {
  const id = `${prefix}-${param.name}`;
  const type = SIMPLE_TYPES.includes(param.type) ? param.type : "json";
  const label = h("label", { for: id }, param.name,
    h("span", { class: "type", text: param.type }),
    param.required ? h("span", { class: "req", "aria-hidden": "true", text: "*" }) : null);
  const errorId = `${id}-error`;
  const errorEl = h("div", { class: "field-error", id: errorId, hidden: true });
  let input;
  const common = { id, name: param.name, "aria-describedby": errorId, required: param.required || null };
  if (type === "bool") {
    input = h("input", { ...common, type: "checkbox", required: null });
    if (param.default === true) input.checked = true;
  } else if (type === "int" || type === "float") {
    input = h("input", { ...common, type: "number", step: type === "int" ? "1" : "any", inputmode: type === "int" ? "numeric" : "decimal" });
  } else if (type === "file") {
    input = h("input", { ...common, type: "file" });
  } else if (type === "json") {
    input = h("textarea", { ...common, class: "json-input", placeholder: `JSON (${param.type})`, spellcheck: "false" });
  } else if (LONG_TEXT_NAMES.includes(param.name)) {
    input = h("textarea", { ...common, rows: 3 });
  } else {
    input = h("input", { ...common, type: "text" });
  }
  if (param.default !== undefined && param.default !== null && type !== "bool" && type !== "file") {
    input.value = typeof param.default === "string" ? param.default : JSON.stringify(param.default);
  }
  const wrap = type === "bool"
    ? h("div", { class: "field field-check" }, input, label, errorEl)
    : h("div", { class: "field" }, label, param.description ? h("span", { class: "muted", text: param.description }) : null, input, errorEl);
  const setError = (message) => {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  // The value to send, or undefined to leave the parameter out.
  const get = () => {
    if (type === "bool") return input.checked;
    if (type === "file") return input.files && input.files[0] ? input.files[0] : undefined;
    const raw = input.value;
    if (raw.trim() === "") return undefined;
    if (type === "int") return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (type === "float") return Number.isFinite(Number(raw)) ? Number(raw) : raw;
    if (type === "json") {
      try {
        return JSON.parse(raw);
      } catch {
        throw Object.assign(new Error("Not valid JSON."), { field: param.name });
      }
    }
    return raw;
  };
  return { param, wrap, input, get, setError };
}

function openForm(wf) {
  showView("form-view");
  $("chats-section").hidden = true;
  $("form-title").textContent = titleOf(wf);
  $("form-desc").textContent = wf.description || "";
  $("form-route").textContent = `${(wf.method || "POST").toUpperCase()} ${wf.path}`;
  const fields = $("form-fields");
  fields.replaceChildren();
  state.formFields = normParams(wf).map((p) => buildField(p, "f"));
  for (const field of state.formFields) fields.append(field.wrap);
  if (state.formFields.length === 0) fields.append(h("p", { class: "muted", text: "This workflow takes no parameters." }));
  $("form-result").hidden = true;
  history.replaceState(null, "", routeOf(wf, null));
}

function collectForm() {
  const values = {};
  let ok = true;
  for (const field of state.formFields) {
    field.setError("");
    try {
      const value = field.get();
      if (value !== undefined) values[field.param.name] = value;
    } catch (err) {
      field.setError(err.message);
      ok = false;
    }
  }
  return ok ? values : null;
}

function requestFor(wf, values) {
  const method = (wf.method || "POST").toUpperCase();
  const hasFile = Object.values(values).some((v) => v instanceof File);
  const headers = { Accept: "application/json" };
  const text = (v) => (typeof v === "string" ? v : JSON.stringify(v));
  if (method === "GET" || method === "DELETE" || method === "HEAD") {
    const query = new URLSearchParams(Object.entries(values).map(([k, v]) => [k, text(v)]));
    return { url: wfUrl(wf) + (query.toString() ? `?${query}` : ""), init: { method, headers } };
  }
  if (hasFile) {
    const data = new FormData();
    for (const [k, v] of Object.entries(values)) data.append(k, v instanceof File ? v : text(v));
    return { url: wfUrl(wf), init: { method, headers, body: data } };
  }
  headers["Content-Type"] = "application/json";
  return { url: wfUrl(wf), init: { method, headers, body: JSON.stringify(values) } };
}

async function submitForm(event) {
  event.preventDefault();
  if (state.busy) return;
  const wf = state.current;
  const values = collectForm();
  if (values === null) return;
  const { url, init } = requestFor(wf, values);
  const controller = new AbortController();
  state.busy = { controller };
  $("form-submit").disabled = true;
  $("form-submit").textContent = "Running…";
  $("form-cancel").hidden = false;
  const started = performance.now();
  try {
    const response = await apiFetch(url, { ...init, signal: controller.signal });
    const elapsed = Math.round(performance.now() - started);
    const text = await response.text();
    let data;
    let isJson = true;
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
      isJson = false;
    }
    if (!response.ok && data && typeof data === "object" && data.param) {
      const field = state.formFields.find((f) => f.param.name === data.param);
      if (field) field.setError(String(data.error || "invalid value"));
    }
    if (response.status === 401) openSettings();
    showResult(response.ok, `${response.status} ${response.statusText || ""}`.trim() + ` · ${elapsed} ms`, data, isJson);
  } catch {
    if (controller.signal.aborted) showResult(false, "Cancelled", "The request was cancelled.", false);
    else showResult(false, "Network error", "The server cannot be reached.", false);
  } finally {
    state.busy = null;
    $("form-submit").disabled = false;
    $("form-submit").textContent = "Run";
    $("form-cancel").hidden = true;
  }
}

// Pretty-printed, colour-coded JSON; every token is escaped.
export function highlightJson(value) {
  const json = JSON.stringify(value, null, 2) ?? "null";
  const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  let out = "";
  let last = 0;
  for (const m of json.matchAll(token)) {
    out += escapeHtml(json.slice(last, m.index));
    if (m[1] !== undefined) {
      out += m[2] !== undefined
        ? `<span class="k">${escapeHtml(m[1])}</span>${escapeHtml(m[2])}`
        : `<span class="s">${escapeHtml(m[1])}</span>`;
    } else if (m[3] !== undefined) {
      out += `<span class="l">${m[3]}</span>`;
    } else {
      out += `<span class="n">${escapeHtml(m[0])}</span>`;
    }
    last = m.index + m[0].length;
  }
  return out + escapeHtml(json.slice(last));
}

function showResult(ok, status, data, isJson) {
  $("form-result").hidden = false;
  const badge = $("result-status");
  badge.textContent = status;
  badge.className = `badge ${ok ? "ok" : "fail"}`;
  const body = $("result-body");
  if (isJson && typeof data !== "string") body.innerHTML = highlightJson(data);
  else body.textContent = String(data);
  body.dataset.copy = isJson && typeof data !== "string" ? JSON.stringify(data, null, 2) : String(data);
}

// ------------------------------------------------------------- plumbing

async function copyText(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // The Clipboard API needs a secure context (a plain-HTTP LAN address is not one).
    const area = h("textarea", { class: "sr-only", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    if (button) button.focus();
  }
  if (button) {
    const before = button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = before; }, 1200);
  }
}

function autoGrow() {
  const prompt = $("prompt");
  prompt.style.height = "auto";
  prompt.style.height = `${Math.min(prompt.scrollHeight + 2, 220)}px`;
}

// The user's choice wins, then the workflow's `@webui(theme:)`, then the system.
// `@webui(accent:)` must be a CSS colour; anything else is ignored.
function applyTheme(wf = state.current) {
  const chosen = localStorage.getItem("haira.theme") || "";
  const declared = wf && (wf.theme === "dark" || wf.theme === "light") ? wf.theme : "";
  const theme = chosen || declared;
  const root = document.documentElement;
  if (theme) root.dataset.theme = theme;
  else delete root.dataset.theme;
  $("theme-select").value = chosen;
  const accent = wf && typeof wf.accent === "string" && CSS.supports("color", wf.accent) ? wf.accent : "";
  if (accent) root.style.setProperty("--accent", accent);
  else root.style.removeProperty("--accent");
}

// Clickable starters from `@webui(suggestions: [...])`, shown in an empty chat.
function showSuggestions(wf) {
  const list = Array.isArray(wf.suggestions) ? wf.suggestions.filter((x) => typeof x === "string" && x.trim()) : [];
  if (list.length === 0 || $("messages").children.length > 0) return;
  const box = h("div", { class: "suggestions", role: "group", "aria-label": "Suggestions" });
  for (const text of list.slice(0, 8)) {
    box.append(h("button", {
      type: "button",
      class: "btn suggestion",
      onclick: () => {
        box.remove();
        $("prompt").value = text;
        sendFromComposer();
      },
    }, text));
  }
  $("messages").append(box);
}

function bind() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendFromComposer();
    } else if (event.key === "Escape" && state.busy) {
      state.busy.controller.abort();
    }
  });
  $("prompt").addEventListener("input", autoGrow);
  $("stop").addEventListener("click", () => {
    if (state.busy) state.busy.controller.abort();
    $("prompt").focus();
  });
  $("new-chat").addEventListener("click", () => switchSession(newId(), false));
  $("messages").addEventListener("scroll", onMessagesScroll, { passive: true });
  $("messages").addEventListener("click", (event) => {
    const button = event.target.closest(".copy-code");
    if (button) copyText(button.closest(".code-block").querySelector("pre").textContent, button);
  });
  $("jump").addEventListener("click", () => {
    state.atBottom = true;
    scrollToBottom();
  });
  $("wf-form").addEventListener("submit", submitForm);
  $("form-cancel").addEventListener("click", () => state.busy && state.busy.controller.abort());
  $("result-copy").addEventListener("click", (event) => copyText($("result-body").dataset.copy || "", event.currentTarget));
  $("settings-form").addEventListener("submit", (event) => event.preventDefault());
  const token = $("token-input");
  token.value = localStorage.getItem("haira.token") || "";
  token.addEventListener("change", () => {
    localStorage.setItem("haira.token", token.value.trim());
    start();
  });
  $("theme-select").addEventListener("change", (event) => {
    localStorage.setItem("haira.theme", event.target.value);
    applyTheme();
  });
  window.addEventListener("hashchange", () => {
    const params = new URLSearchParams(location.hash.slice(1));
    const wf = state.workflows.find((w) => w.path === params.get("wf"));
    if (!wf) return;
    if (wf !== state.current) selectWorkflow(wf, params.get("s"));
    else if (isChat(wf) && params.get("s") && params.get("s") !== state.sessionId) switchSession(params.get("s"), true);
  });
}

async function start() {
  if (await loadWorkflows()) route();
}

applyTheme();
bind();
start();
