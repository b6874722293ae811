"""The peer: FastAPI + sse-starlette + httpx, written the way their documentation suggests.

    uvicorn benchmarks.peers.fastapi_peer:app --port 8000

* `POST /api/stream {message, session_id}` streams the OpenAI-compatible upstream at
  `OPENAI_BASE_URL` as SSE (`data: {"content": ...}`, then `event: done`), with one shared
  `httpx.AsyncClient` (created in the lifespan, as httpx recommends) and
  `EventSourceResponse` around an async generator (as sse-starlette's README shows).
  With `HAIRA_PROVIDER=mock` the tokens come from an in-process generator paced like
  Haira's mock provider (`HAIRA_MOCK_REPLY`, `HAIRA_MOCK_TOKEN_RATE`) instead.
* `POST /api/ask {message} -> {reply}`: the mock provider's reply, token by token.
* `POST /api/add {a, b} -> {sum}`: a plain JSON endpoint.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

_TOKEN = re.compile(r"\s*\S+")
_state: dict[str, httpx.AsyncClient] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Unlimited pool: the default (100 connections) would queue streams in the
    # concurrency benchmark, which is not what a tuned deployment does.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=None), limits=limits) as client:
        _state["client"] = client
        yield


app = FastAPI(lifespan=lifespan)


class ChatIn(BaseModel):
    message: str
    session_id: str


class AskIn(BaseModel):
    message: str


class AskOut(BaseModel):
    reply: str


class AddIn(BaseModel):
    a: int
    b: int


class AddOut(BaseModel):
    sum: int


async def mock_tokens(message: str) -> AsyncIterator[str]:
    """The same reply, tokens and pacing as Haira's mock provider."""
    text = os.environ.get("HAIRA_MOCK_REPLY", "") or f"Mock reply to: {message}"
    rate = float(os.environ.get("HAIRA_MOCK_TOKEN_RATE", "0") or 0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i, tok in enumerate(_TOKEN.findall(text)):
        if rate > 0:
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)
        yield tok


async def upstream_tokens(message: str) -> AsyncIterator[str]:
    base = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
    payload = {"model": "gpt-4o", "stream": True, "temperature": 0.9,
               "messages": [{"role": "system", "content": "You are a creative writer."},
                            {"role": "user", "content": message}]}
    headers = {"Authorization": f"Bearer {os.environ.get('OPENAI_API_KEY', '')}"}
    client = _state["client"]
    async with client.stream("POST", f"{base}/chat/completions", json=payload, headers=headers) as resp:
        resp.raise_for_status()
        async for line in resp.aiter_lines():
            if not line.startswith("data: "):
                continue
            data = line[6:]
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            choices = chunk.get("choices") or []
            if choices:
                delta = choices[0].get("delta", {}).get("content")
                if delta:
                    yield delta


def token_source(message: str) -> AsyncIterator[str]:
    if os.environ.get("HAIRA_PROVIDER", "").lower() == "mock":
        return mock_tokens(message)
    return upstream_tokens(message)


@app.post("/api/stream")
async def stream(body: ChatIn) -> EventSourceResponse:
    async def events() -> AsyncIterator[dict[str, str]]:
        async for tok in token_source(body.message):
            yield {"data": json.dumps({"content": tok})}
        yield {"event": "done", "data": "[DONE]"}

    return EventSourceResponse(events())


@app.post("/api/ask")
async def ask(body: AskIn) -> AskOut:
    parts = [tok async for tok in mock_tokens(body.message)]
    return AskOut(reply="".join(parts))


@app.post("/api/add")
async def add(body: AddIn) -> AddOut:
    return AddOut(sum=body.a + body.b)
