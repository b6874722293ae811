"""Generate a realistic Haira program of about N lines (default 10,000) for the benchmark.

The mix follows real programs: structs, enums, functions with assignments,
calls, `if`/`for`/`while`, `match`, string interpolation, lists and maps, and
an agent + workflow. Deterministic for a given N.
"""

from __future__ import annotations

import sys

_FUNCTION = """\
fn compute_{i}(items: [int], factor: int, label: string) -> int {{
    total = 0
    count = 0
    for item in items {{
        if item % 2 == 0 and item > factor {{
            total += item * factor
        }} else if item < 0 {{
            total -= item
        }} else {{
            total = total + (item << 1) - 3
        }}
        count += 1
    }}
    while count > 10 {{
        count = count / 2
    }}
    names = ["alpha", "beta", "gamma_{i}"]
    scores = {{"alpha": 1, "beta": 2, "gamma": {i}}}
    point = Point {{ x = total, y = count }}
    kind = match total % 4 {{
        0 => "zero"
        1 | 2 => "small"
        _ => "other"
    }}
    io.println("compute_{i}: ${{label}} total=${{total}} kind=${{kind}} x=${{point.x}}")
    doubled = array.map(items, x => x * 2) |> array.filter((x) => x > {i})
    return total + string.len(label) + len(doubled)
}}

"""

_HEADER = """\
import "io"
import "array"
import "string"

struct Point {
    x: int
    y: int = 0
}

enum Shape { Circle(radius: float), Rect(w: float, h: float), Dot }

provider openai {
    api_key: env("OPENAI_API_KEY")
    model: "gpt-4o"
}

agent Writer {
    provider: openai
    system: "You are a creative writer."
    memory: conversation(max_turns: 10)
    temperature: 0.9
}

@post("/api/stream")
workflow Stream(message: string, session_id: string) -> stream {
    return Writer.stream(message, session: session_id)
}

"""


def generate(lines: int = 10_000) -> str:
    parts = [_HEADER]
    count = _HEADER.count("\n")
    i = 0
    while count < lines - 8:
        chunk = _FUNCTION.format(i=i)
        parts.append(chunk)
        count += chunk.count("\n")
        i += 1
    parts.append("fn main() {\n    io.println(compute_0([1, 2, 3], 2, \"x\"))\n}\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
