"""Haira `observe`: per-process LLM usage and cost accounting (reference-runtime.md §8.5).

The agent loop reports every LLM call with `record_generation(...)` and every tool run with
`record_tool_exec(...)`; Haira code reads the totals:

    observe.usage()            -> {input_tokens, output_tokens, total_tokens, llm_calls,
                                   tool_calls, total_latency_ms, estimated_cost_usd}
    observe.agent_cost("Writer") -> 0.0123
    observe.events()           -> [{type: "generation", ...}, {type: "tool_exec", ...}]

`start(port)` serves `/_observe/api/{usage,events,agents}` and a small dashboard on its own
listener; `start(server)` only marks the dashboard enabled for `haira.server` to mount
(`dashboard_enabled()`), using `usage_json`/`events_json`/`agents_json`.
"""

from __future__ import annotations

import datetime
import json as _json
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "agent_cost",
    "agent_events",
    "agent_usage",
    "agents_json",
    "cost",
    "dashboard_enabled",
    "events",
    "events_json",
    "model_usage",
    "record_generation",
    "record_tool_exec",
    "reset",
    "session_usage",
    "start",
    "usage",
    "usage_json",
    "use",
]

Exporter = Callable[[dict[str, object]], object]

_lock = threading.Lock()
_events: list[dict[str, object]] = []
# One counter for both kinds, as REF: gen_1, tool_2, gen_3 …; `reset` keeps counting.
_counter = [0]
_exporters: list[Exporter] = []
_dashboard = {"enabled": False}


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat()


def _emit(event: dict[str, object]) -> None:
    with _lock:
        _events.append(event)
        exporters = list(_exporters)
    for export in exporters:
        try:
            export(event)
        except Exception:  # noqa: BLE001  # NOTE: an exporter must never break an agent call
            continue


def record_generation(
    agent_name: str,
    model: str,
    provider: str,
    input_tokens: int,
    output_tokens: int,
    latency_ms: int,
    *,
    temperature: float = 0.0,
    tool_calls: int = 0,
    finish_reason: str = "",
    session_id: str = "",
    input_token_cost: float = 0.0,
    output_token_cost: float = 0.0,
) -> dict[str, object]:
    """Record one LLM call; costs are USD per million tokens (provider fields)."""
    with _lock:
        _counter[0] += 1
        n = _counter[0]
    event: dict[str, object] = {
        "type": "generation",
        "id": f"gen_{n}",
        "agent_name": agent_name,
        "model": model,
        "provider": provider,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "cost_usd": (input_tokens * input_token_cost + output_tokens * output_token_cost) / 1e6,
        "latency_ms": latency_ms,
        "temperature": temperature,
        "tool_calls": tool_calls,
        "finish_reason": finish_reason,
        "timestamp": _now(),
        "session_id": session_id,
    }
    _emit(event)
    return event


def record_tool_exec(
    agent_name: str, tool_name: str, latency_ms: int, success: bool, session_id: str = ""
) -> dict[str, object]:
    """Record one tool execution."""
    with _lock:
        _counter[0] += 1
        n = _counter[0]
    event: dict[str, object] = {
        "type": "tool_exec",
        "id": f"tool_{n}",
        "agent_name": agent_name,
        "tool_name": tool_name,
        "latency_ms": latency_ms,
        "success": success,
        "timestamp": _now(),
        "session_id": session_id,
    }
    _emit(event)
    return event


def _num(e: dict[str, object], key: str) -> float:
    v = e.get(key, 0)
    return float(v) if isinstance(v, int | float) else 0.0


def _summary(selected: list[dict[str, object]], *, with_tools: bool = True) -> dict[str, object]:
    gens = [e for e in selected if e["type"] == "generation"]
    tools = [e for e in selected if e["type"] == "tool_exec"] if with_tools else []
    return {
        "input_tokens": int(sum(_num(e, "input_tokens") for e in gens)),
        "output_tokens": int(sum(_num(e, "output_tokens") for e in gens)),
        "total_tokens": int(sum(_num(e, "total_tokens") for e in gens)),
        "llm_calls": len(gens),
        "tool_calls": len(tools),
        "total_latency_ms": int(sum(_num(e, "latency_ms") for e in gens + tools)),
        "estimated_cost_usd": sum(_num(e, "cost_usd") for e in gens),
    }


def _select(key: str | None = None, value: str | None = None) -> list[dict[str, object]]:
    """Matching events, generations first and then tool executions (REF's order)."""
    with _lock:
        snapshot = list(_events)
    if key is not None:
        snapshot = [e for e in snapshot if e.get(key) == value]
    return [e for e in snapshot if e["type"] == "generation"] + [
        e for e in snapshot if e["type"] != "generation"
    ]


def usage() -> dict[str, object]:
    """Totals over every recorded call."""
    return _summary(_select())


def agent_usage(name: str) -> dict[str, object]:
    """Totals for one agent."""
    return _summary(_select("agent_name", name))


def session_usage(session_id: str) -> dict[str, object]:
    """Totals for one session."""
    return _summary(_select("session_id", session_id))


def model_usage(model: str) -> dict[str, object]:
    """Totals for one model (tool executions are not attributed to models)."""
    return _summary(_select("model", model), with_tools=False)


def cost() -> float:
    """Estimated USD spent so far."""
    value = usage()["estimated_cost_usd"]
    return float(value) if isinstance(value, int | float) else 0.0


def agent_cost(name: str) -> float:
    """Estimated USD spent by one agent."""
    value = agent_usage(name)["estimated_cost_usd"]
    return float(value) if isinstance(value, int | float) else 0.0


def events() -> list[dict[str, object]]:
    """Every recorded event, oldest first."""
    return [dict(e) for e in _select()]


def agent_events(name: str) -> list[dict[str, object]]:
    """The events of one agent."""
    return [dict(e) for e in _select("agent_name", name)]


def reset() -> None:
    """Forget every event (ids keep counting, as REF)."""
    with _lock:
        _events.clear()


def use(exporter: Exporter | None) -> None:
    """Send every future event to `exporter` as well (e.g. a Langfuse exporter); nil is
    ignored (an exporter that could not be configured)."""
    if exporter is None:
        return
    with _lock:
        _exporters.append(exporter)


# ---------------------------------------------------------------- HTTP views


def usage_json(query: str = "") -> str:
    """Body of `GET /_observe/api/usage[?agent=|?session=|?model=]` (first filter wins)."""
    q = urllib.parse.parse_qs(query)
    for param, key in (("agent", "agent_name"), ("session", "session_id"), ("model", "model")):
        if q.get(param):
            return _json.dumps(_summary(_select(key, q[param][0]), with_tools=param != "model"))
    return _json.dumps(_summary(_select()))


def events_json(query: str = "") -> str:
    """Body of `GET /_observe/api/events[?agent=][&session=]` (both filters apply; `[]`)."""
    q = urllib.parse.parse_qs(query)
    selected = _select("agent_name", q["agent"][0]) if q.get("agent") else _select()
    if q.get("session"):
        selected = [e for e in selected if e.get("session_id") == q["session"][0]]
    return _json.dumps(selected)


def agents_json() -> str:
    """Body of `GET /_observe/api/agents`: the agent names seen, in first-seen order."""
    names: list[str] = []
    for e in _select():
        name = e.get("agent_name")
        if isinstance(name, str) and name not in names:
            names.append(name)
    return _json.dumps(names)


_DASHBOARD = """<!doctype html><html><head><meta charset="utf-8"><title>Haira observe</title></head>
<body><h1>Haira observe</h1><pre id="u">loading…</pre><script>
fetch('/_observe/api/usage').then(r => r.json()).then(u => {
  document.getElementById('u').textContent = JSON.stringify(u, null, 2); });
</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        path, _, query = self.path.partition("?")
        if path == "/_observe/api/usage":
            self._send(200, "application/json", usage_json(query))
        elif path == "/_observe/api/events":
            self._send(200, "application/json", events_json(query))
        elif path == "/_observe/api/agents":
            self._send(200, "application/json", agents_json())
        elif path in ("/_observe", "/_observe/"):
            self._send(200, "text/html; charset=utf-8", _DASHBOARD)
        else:
            self._send(404, "application/json", '{"error": "not found", "code": "not_found"}')

    def _send(self, status: int, ctype: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None


def dashboard_enabled() -> bool:
    """Whether `observe.start(server)` asked the server to mount the dashboard."""
    return _dashboard["enabled"]


def start(target: object = None) -> None:
    """`observe.start(port)`: serve the dashboard on its own port (background thread);
    `observe.start(server)`: mount it on the workflow server at `/_observe`."""
    if isinstance(target, int) and not isinstance(target, bool):
        httpd = ThreadingHTTPServer(("0.0.0.0", target), _Handler)
        threading.Thread(target=httpd.serve_forever, name="haira-observe", daemon=True).start()
        print(f"[haira] Observe dashboard: http://localhost:{httpd.server_address[1]}/_observe")
        return
    _dashboard["enabled"] = True
    print("[haira] Observe dashboard: /_observe")
