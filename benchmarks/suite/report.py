"""The Markdown report (`report.md`), one PNG chart per figure, and `results.json`.

Every figure names the peer measured in the same run and gives the ratio to it next to the
absolute numbers; the summary says which of issue 9's aims are met.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["ours", "write_report"]

_OURS = ("compiled", "run")


def ours(targets: dict[str, Any]) -> str | None:
    """The Haira target a figure's ratios use: the compiled app, else `hairac run`."""
    for name in _OURS:
        if name in targets and "error" not in targets[name]:
            return name
    return None


def _f(v: object, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if abs(v) >= 10_000:
            return f"{v:,.0f}"
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _bar_chart(path: Path, title: str, labels: list[str], values: list[float], unit: str,
               highlight: set[int] | None = None) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(labels) + 1.6))
    colors = ["#d9480f" if highlight and i in highlight else "#4c6ef5" for i in range(len(labels))]
    ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v:,.1f}", va="center", fontsize=9)
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.margins(x=0.2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ per figure

def _relay(r: dict[str, Any], out: Path, aims: list[list[str]]) -> list[str]:
    t = r["targets"]
    lines = ["## 1. Relay throughput", "",
             f"One stream of {r['tokens']:,} tokens from the fake LLM server (as fast as it sends), relayed "
             f"to the client as SSE; {r['repeats']} runs each after a warm-up run, the targets taking "
             "turns (round 1 of every target, then round 2, ...). Time is from the request to the last "
             "content event; tokens/s and µs/token are the median run, `best` the fastest.", ""]
    fa = t.get("fastapi", {}).get("tokens_per_s")
    fl = t.get("floor", {}).get("tokens_per_s")
    rows, labels, vals = [], [], []
    for name, v in t.items():
        if "error" in v:
            rows.append([name, f"not measured: {v['error']}", "", "", "", "", ""])
            continue
        rows.append([f"{name} ({v['label']})", _f(v["tokens_per_s"], 0), _f(v.get("best_tokens_per_s"), 0),
                     _f(v["us_per_token"], 2),
                     _f(v.get("server_cpu_us_per_token"), 2), _ratio(v["tokens_per_s"], fa),
                     _ratio(v["tokens_per_s"], fl)])
        labels.append(name)
        vals.append(float(v["tokens_per_s"]))
    lines += _table(["target", "tokens/s", "best tokens/s", "µs/token", "server CPU µs/token", "vs FastAPI",
                     "vs floor"], rows)
    if labels:
        _bar_chart(out / "relay.png", f"Relay throughput, {r['tokens']:,}-token stream", labels, vals,
                   "tokens/s (higher is better)", {i for i, n in enumerate(labels) if n in _OURS})
        lines += ["![relay throughput](relay.png)", ""]
    o = ours(t)
    if o and fa:
        x = t[o]["tokens_per_s"]
        aims.append(["relay ≥ 2× FastAPI", f"{o}: {x / fa:.2f}×", "yes" if x >= 2 * fa else "no"])
    else:
        aims.append(["relay ≥ 2× FastAPI", "not measured", "–"])
    if o and fl:
        x = t[o]["tokens_per_s"]
        aims.append(["relay ≥ 60 % of the floor", f"{o}: {x / fl * 100:.0f} %", "yes" if x >= 0.6 * fl else "no"])
    else:
        aims.append(["relay ≥ 60 % of the floor", "not measured", "–"])
    return lines


def _ttft(r: dict[str, Any], out: Path, aims: list[list[str]]) -> list[str]:
    t = r["targets"]
    lines = ["## 2. Time to first token added by the server", "",
             f"One-token streams, {r['requests']} sequential requests per target on keep-alive "
             "connections (after 10 warm-up requests; the targets take turns in rounds); time from "
             "sending the request to the first content event. "
             "`added` = the same percentile minus calling the fake server directly.", ""]
    rows = []
    labels, p50s, p99s = [], [], []
    fa = t.get("fastapi", {}).get("added_p50_ms")
    for name, v in t.items():
        if "error" in v:
            rows.append([name, f"not measured: {v['error']}", "", "", "", "", ""])
            continue
        rows.append([f"{name} ({v['label']})", _f(v["p50_ms"], 3), _f(v["p99_ms"], 3),
                     _f(v.get("added_p50_ms"), 3), _f(v.get("added_p99_ms"), 3),
                     _ratio(v.get("added_p50_ms"), fa) if name != "direct" else "", _f(v["errors"])])
        labels.append(name)
        p50s.append(float(v["p50_ms"]))
        p99s.append(float(v["p99_ms"]))
    lines += _table(["target", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms",
                     "added p50 vs FastAPI", "errors"], rows)
    if labels:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(8, 4))
        xs = range(len(labels))
        ax.bar([x - 0.2 for x in xs], p50s, 0.4, label="p50", color="#4c6ef5")
        ax.bar([x + 0.2 for x in xs], p99s, 0.4, label="p99", color="#f59f00")
        ax.set_xticks(list(xs), labels)
        ax.set_ylabel("ms to first token (lower is better)")
        ax.set_title("Time to first token, one-token streams")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "ttft.png", dpi=110)
        plt.close(fig)
        lines += ["![time to first token](ttft.png)", ""]
    o = ours(t)
    if o:
        a = t[o]["added_p50_ms"]
        aims.append(["≤ 1 ms added to the first token at p50", f"{o}: {a:.3f} ms", "yes" if a <= 1.0 else "no"])
    else:
        aims.append(["≤ 1 ms added to the first token at p50", "not measured", "–"])
    return lines


def _concurrency(r: dict[str, Any], out: Path, aims: list[list[str]]) -> list[str]:
    t = r["targets"]
    lines = ["## 3. Concurrent open streams", "",
             f"N streams opened (at most {r['ramp']:,.0f} new per second and {r.get('window', 0):,} waiting "
             f"for their first token), then all held open together for {r['hold_seconds']:g} s and closed "
             "by the client. Tokens trickle from the in-process mock provider (the peer: an equivalent "
             "async generator with the same pacing) to separate load-generator processes. The per-stream "
             "rate is 20 tokens/s, capped so all streams together offer at most "
             f"{r.get('max_events', 0):,.0f} events/s (this machine's 2 cores are shared with the load "
             "generators and whatever else runs; see `tokens/s each`).", "",
             "Memory per stream = (RSS while every stream was open − RSS before) / open streams; "
             "`net` subtracts the mock provider's per-stream token list (an artifact of the mock upstream, "
             "the same for both servers). Lag = arrival of event i − (arrival of the stream's first "
             "event + i / rate). `open s` = time until every stream had its first token.", ""]
    rows = []
    series: dict[str, tuple[list[int], list[float], list[float]]] = {}
    fastapi = t.get("fastapi", {}).get("by_streams", {})
    for name, v in t.items():
        if "error" in v:
            rows.append([name, f"not measured: {v['error']}"] + [""] * 10)
            continue
        xs: list[int] = []
        kib: list[float] = []
        lag: list[float] = []
        for n, row in v["by_streams"].items():
            if "error" in row:
                rows.append([name, n, f"not measured: {row['error']}"] + [""] * 9)
                continue
            peer = fastapi.get(n, {})
            kinds = ", ".join(f"{k}: {c}" for k, c in row.get("error_kinds", {}).items())
            rows.append([name, _f(row["streams"]), _f(row.get("rate"), 1), _f(row.get("open_seconds"), 1),
                         _f(row["kib_per_stream"], 1), _f(row["kib_per_stream_net"], 1),
                         _ratio(row["kib_per_stream_net"], peer.get("kib_per_stream_net")) if name != "fastapi" else "",
                         _f(row["rss_held_mib"], 1), _f(row["lag_p50_ms"], 1), _f(row["lag_p99_ms"], 1),
                         f"{_f(row['ttft_p50_ms'], 0)} / {_f(row['ttft_p99_ms'], 0)}",
                         _f(row["errors"]) + (f" ({kinds})" if kinds else "")])
            xs.append(int(row["streams"]))
            kib.append(float(row["kib_per_stream_net"]))
            lag.append(float(row["lag_p99_ms"]))
        series[name] = (xs, kib, lag)
    for name, v in t.items():
        for n, row in v.get("by_streams", {}).items():
            for sample in row.get("error_samples", [])[:2]:
                rows.append([name, n, "an early end's last bytes:", "`" + sample.strip()[-160:].replace("\n", "\\n").replace("|", "\\|") + "`"] + [""] * 8)
    lines += _table(["target", "streams", "tokens/s each", "open s", "KiB/stream", "net KiB/stream",
                     "net vs FastAPI", "RSS open MiB", "lag p50 ms", "lag p99 ms",
                     "first token p50 / p99 ms", "errors"], rows)
    if any(s[0] for s in series.values()):
        plt = _plt()
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
        for name, (xs, kib, lag) in series.items():
            a1.plot(xs, kib, marker="o", label=name)
            a2.plot(xs, lag, marker="o", label=name)
        a1.set_title("memory per open stream (net)")
        a1.set_xlabel("concurrent streams")
        a1.set_ylabel("KiB (lower is better)")
        a2.set_title("event delivery lag p99")
        a2.set_xlabel("concurrent streams")
        a2.set_ylabel("ms (lower is better)")
        a1.legend()
        fig.tight_layout()
        fig.savefig(out / "concurrency.png", dpi=110)
        plt.close(fig)
        lines += ["![concurrency](concurrency.png)", ""]
    o = ours(t)
    rows_o = t.get(o, {}).get("by_streams", {}) if o else {}
    best = max((int(n) for n, row in rows_o.items() if "error" not in row), default=0)
    if best:
        row = rows_o[str(best)]
        aims.append(["10,000 streams in one process, zero errors",
                     f"{o}: {row['live_at_end']:,} of {best:,} streams open at once, {row['errors']} errors",
                     "yes" if best >= 10_000 and row["errors"] == 0 and row["live_at_end"] >= best else "no"])
        aims.append(["≤ 20 KiB per open stream", f"{o}: {row['kib_per_stream_net']:.1f} KiB net "
                     f"({row['kib_per_stream']:.1f} gross) at {best:,}",
                     "yes" if row["kib_per_stream_net"] <= 20 else "no"])
    else:
        aims.append(["10,000 streams in one process, zero errors", "not measured", "–"])
        aims.append(["≤ 20 KiB per open stream", "not measured", "–"])
    return lines


def _rate(r: dict[str, Any], out: Path, aims: list[list[str]]) -> list[str]:
    t = r["targets"]
    lines = ["## 4. Non-streaming request rate", "",
             f"{r['connections']} keep-alive connections sending requests back to back for {r['seconds']:g} s "
             f"per route (in {r.get('rounds', 1)} turns, the targets alternating, after a 1 s warm-up), "
             "one server process each. `ask`: a workflow `-> { reply: string }` "
             "whose agent uses the mock provider (the peer builds the same reply token by token); "
             "`json`: a plain JSON workflow `-> { sum: int }`.", ""]
    rows = []
    labels, vals = [], []
    fa = t.get("fastapi", {})
    for name, v in t.items():
        if "error" in v:
            rows.append([name, f"not measured: {v['error']}", "", "", "", "", ""])
            continue
        for route in ("ask", "json"):
            row = v.get(route)
            if not row:
                continue
            peer = fa.get(route, {}).get("rps")
            rows.append([f"{name} ({v['label']})", route, _f(row["rps"], 0), _f(row["p50_ms"], 2),
                         _f(row["p99_ms"], 2), _ratio(row["rps"], peer) if name != "fastapi" else "",
                         _f(row["errors"])])
            labels.append(f"{name} {route}")
            vals.append(float(row["rps"]))
    lines += _table(["target", "route", "requests/s", "p50 ms", "p99 ms", "vs FastAPI", "errors"], rows)
    if labels:
        _bar_chart(out / "rate.png", "Non-streaming request rate, one worker", labels, vals,
                   "requests/s (higher is better)", {i for i, n in enumerate(labels) if n.split()[0] in _OURS})
        lines += ["![request rate](rate.png)", ""]
    return lines


def _external(part: str, title: str, r: dict[str, Any]) -> list[str]:
    lines = [f"### {title} (`benchmarks/{part}`)", ""]
    if "error" in r:
        lines += [f"Not included: {r['error']}", ""]
    if r.get("output"):
        if "command" in r:
            when = f" in {r['reused_from']}" if "reused_from" in r else ""
            took = f" ({r['seconds']:.0f} s)" if r.get("seconds") else ""
            lines += [f"`{r['command']}` printed{when}{took}:", ""]
        lines += ["```", r["output"].rstrip(), "```", ""]
    return lines


def _profile(r: dict[str, Any]) -> list[str]:
    lines = ["## 6. Hot-path profile", "",
             f"py-spy (`--gil`: Python work on CPU only) sampling the server for {r.get('seconds', 0):g} s "
             "under each load below. Self = the function was running; inclusive = it was on the stack "
             "(frames every sample has, such as the entry point and the event loop, left out).", ""]
    lines += [f"* `{k}`: {v}" for k, v in r.get("scenarios", {}).items()] + [""]
    if "error" in r:
        return lines + [f"Not measured: {r['error']}", ""]
    for name, v in r["targets"].items():
        if "error" in v:
            lines += [f"**{name}**: not measured: {v['error']}", ""]  # name = scenario/target
            continue
        lines += [f"**{name}** ({v['label']}), {v['samples']} samples", ""]
        rows = []
        for i in range(max(len(v["self"]), len(v["inclusive"]))):
            s = v["self"][i] if i < len(v["self"]) else ("", 0.0)
            c = v["inclusive"][i] if i < len(v["inclusive"]) else ("", 0.0)
            rows.append([f"`{s[0]}`", f"{s[1]:.1f} %", f"`{c[0]}`", f"{c[1]:.1f} %"])
        lines += _table(["self", "%", "inclusive", "%"], rows)
    return lines


def write_report(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    aims: list[list[str]] = []
    body: list[str] = []
    if "relay" in results:
        body += _relay(results["relay"], out, aims)
    if "ttft" in results:
        body += _ttft(results["ttft"], out, aims)
    if "concurrency" in results:
        body += _concurrency(results["concurrency"], out, aims)
    if "rate" in results:
        body += _rate(results["rate"], out, aims)
    if "frontend" in results or "native" in results:
        body += ["## 5. Compile speed and native speedups", ""]
        for part, title in (("frontend", "Compile speed"), ("native", "Interpreted vs native")):
            if part in results:
                body += _external(part, title, results[part])
        builds = results.get("builds", {})
        if builds:
            rows = [[name, _f(b.get("compile_seconds"), 1), "; ".join(f"{k}: {e}" for k, e in b.get("errors", {}).items()) or "ok"]
                    for name, b in builds.items()]
            body += ["`hairac compile` as run by this harness (build cache as found):", ""]
            body += _table(["program", "seconds", "status"], rows)
    if "profile" in results:
        body += _profile(results["profile"])
    m = results["machine"]
    head = [f"# Haira benchmarks{' (quick smoke sizes: not for quoting)' if results.get('quick') else ''}", "",
            f"Run {results['started']} → {results['finished']} with `{results['command']}`.", "",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in m.items()) + ".", "",
            "All servers, peers and load generators ran on this machine over 127.0.0.1, one server "
            "process each, sharing its cores with the load generator and the fake LLM server. A load "
            "average above the core count means other work was running too: absolute numbers are then "
            "lower than on a quiet machine, while ratios within a figure hold up better (targets take "
            "turns).", "",
            "## Aims (issue 9)", ""]
    head += _table(["aim", "measured", "met"], aims or [["–", "no figure run", "–"]])
    missing = results.get("missing", [])
    if missing:
        head += ["## Missing from this run", ""] + [f"* {x}" for x in missing] + [""]
    text = "\n".join(head + body)
    path = out / "report.md"
    path.write_text(text)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    return path
