"""`python -m haira.testing.bench_stream`: tokens/s and per-token CPU of the agent hot path.

Starts the fake server in a child process (so its CPU is not counted), scripts a long
reply, and streams it through provider → agent loop → a counting sink, N times.

    python -m haira.testing.bench_stream --tokens 20000 --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx


class _Count:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    async def text(self, content: str) -> None:
        self.n += 1

    async def tool_start(self, tool: str, args: dict[str, object]) -> None:
        return None

    async def tool_end(self, tool: str, ok: bool, error: str | None) -> None:
        return None

    async def handoff(self, from_agent: str, to_agent: str) -> None:
        return None

    async def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _bench(base: str, tokens: int, runs: int, concurrency: int, rate: float = 0.0) -> None:
    import haira.agents as agents
    import haira.memory as memory
    import haira.providers as providers

    os.environ["OPENAI_BASE_URL"] = f"{base}/v1"
    p = providers.define_provider("openai", {"model": "bench"})
    a = agents.define_agent("Bench", {"provider": p, "memory": memory.none})
    text = " ".join(f"w{i % 100}" for i in range(tokens))
    async with httpx.AsyncClient() as ctl:
        for _ in range(runs):
            await ctl.post(
                f"{base}/_fake/script", json=[{"kind": "reply", "text": text, "token_rate": rate}] * concurrency
            )
            sinks = [_Count() for _ in range(concurrency)]
            wall0, cpu0 = time.perf_counter(), time.process_time()
            await asyncio.gather(*(a.stream("go", session=None).run(s) for s in sinks))
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            n = sum(s.n for s in sinks)
            print(
                f"{n} tokens in {concurrency} streams: {wall:.2f} s, {n / wall:,.0f} tokens/s, "
                f"{cpu / n * 1e6:.2f} us CPU/token (client side)"
            )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--token-rate", type=float, default=0.0, help="per stream; 0 = unthrottled")
    args = ap.parse_args()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "haira.testing.fake_openai", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/_fake/health")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        os.environ.setdefault("HAIRA_QUIET", "1")
        asyncio.run(_bench(base, args.tokens, args.runs, args.concurrency, args.token_rate))
    finally:
        proc.terminate()
        proc.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
