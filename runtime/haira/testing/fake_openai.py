"""`python -m haira.testing.fake_openai --port N`: the fake LLM server on the command line.

Serves the OpenAI chat-completions wire (and Azure's and Anthropic's routes) on loopback;
point a provider at it with `OPENAI_BASE_URL=http://127.0.0.1:N/v1`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import orjson

from haira.testing.fake_llm import FakeLLM
from haira.testing.script import step_from_json

__all__ = ["main"]


def main(argv: list[str] | None = None, *, flavour: str = "OpenAI") -> int:
    parser = argparse.ArgumentParser(prog=f"python -m haira.testing.fake_{flavour.lower()}",
                                     description=f"Fake {flavour}-compatible LLM server for tests and demos.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--token-rate", type=float, default=0.0, help="tokens per second (0 = unthrottled)")
    parser.add_argument("--reply", default="", help="fixed reply text (default: Echo: <last user message>)")
    parser.add_argument("--model", default="", help="model name to report (default: the requested one)")
    parser.add_argument("--script", default="", help="JSON file: a list of steps to answer with, in order "
                        "(as POST /_fake/script takes them)")
    args = parser.parse_args(argv)
    fake = FakeLLM(host=args.host, port=args.port, token_rate=args.token_rate,
                   reply_text=args.reply, model=args.model)
    if args.script:
        try:
            with open(args.script, "rb") as f:
                items = orjson.loads(f.read())
        except (OSError, orjson.JSONDecodeError) as exc:
            print(f"fake {flavour} server: cannot read --script {args.script}: {exc}", file=sys.stderr)
            return 2
        items = items if isinstance(items, list) else [items]
        fake.script(*(step_from_json(x) for x in items if isinstance(x, dict)))

    async def run() -> None:
        await fake.start_async()
        base = fake.openai_base
        print(f"fake {flavour} server on {fake.url}  (OPENAI_BASE_URL={base}, ANTHROPIC_BASE_URL={base})",
              file=sys.stderr, flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop  # a runtime dependency; the fake server should not be the bottleneck

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"fake {flavour} server: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
