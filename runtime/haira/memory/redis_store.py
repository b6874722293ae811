"""Redis implementation of `Store` (`HAIRA_DATABASE_URL=redis://host:port/db`).

For deployments that already run Redis for resume buffers and want no database server.
Keys live under a prefix (`HAIRA_REDIS_PREFIX`, default `haira`), so several apps (or test
runs) can share one Redis. Every write is one MULTI/EXEC transaction.

    <p>:mem:<len(agent)>:<agent>:<session>   list of JSON [role, content, interrupted]
    <p>:chat:<session_id>                    hash workflow, title, created_at, updated_at
    <p>:chatmsg:<session_id>                 list of JSON [role, content, interrupted, ts]
    <p>:chats                                sorted set of session ids by updated_at
    <p>:memsessions:<len(agent)>:<agent>     sorted set of the agent's sessions by last write
    <p>:wfrun:<id>                           JSON row of a workflow run (/_api/runs)
    <p>:wfruns                               sorted set of run ids by first save
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import orjson
import redis.asyncio as aioredis
import redis.exceptions

from haira.memory import runs_codec
from haira.memory.limits import store_limits
from haira.memory.perloop import PerLoop
from haira.memory.store import Chat, ChatEntry, ChatSummary, Message, Store, rfc3339
from haira.memory.unavailable import StoreUnavailable

if TYPE_CHECKING:
    from haira.memory.store import RunRecord

__all__ = ["RedisStore"]

Client = aioredis.Redis

# Evict the oldest members of the sorted set KEYS[1] over the cap ARGV[1], never ARGV[2]
# (the session or chat being written), deleting the key ARGV[i] .. member for i >= 3.
# A script, so it runs atomically inside the write's MULTI/EXEC.
_EVICT = """
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if over <= 0 then return 0 end
local old = redis.call('ZRANGE', KEYS[1], 0, over)
local n = 0
for _, m in ipairs(old) do
  if n < over and m ~= ARGV[2] then
    for i = 3, #ARGV do redis.call('DEL', ARGV[i] .. m) end
    redis.call('ZREM', KEYS[1], m)
    n = n + 1
  end
end
return n
"""


class RedisStore(Store):
    """The shared store on Redis."""

    def __init__(self, url: str, *, prefix: str | None = None) -> None:
        self.url = url
        self.prefix = prefix if prefix is not None else os.environ.get("HAIRA_REDIS_PREFIX", "haira")
        self._clients: PerLoop[Client] = PerLoop(self._new_client)
        self.limits = store_limits()

    def _new_client(self) -> Client:
        client: Client = aioredis.Redis.from_url(
            self.url, socket_connect_timeout=5, socket_timeout=10, health_check_interval=30
        )
        return client

    def _mem_key(self, agent: str, session: str) -> str:
        # The agent's length makes the key unambiguous whatever the names contain.
        return f"{self.prefix}:mem:{len(agent)}:{agent}:{session}"

    async def _call(self, fn: Any) -> Any:
        try:
            return await fn(self._clients.get())
        except redis.exceptions.ConnectionError as exc:
            raise StoreUnavailable(f"Redis is unavailable: {exc}") from None
        except redis.exceptions.TimeoutError as exc:
            raise StoreUnavailable(f"Redis did not answer in time: {exc}") from None
        except redis.exceptions.RedisError as exc:
            raise StoreUnavailable(f"Redis error: {exc}") from None

    # ------------------------------------------------------------ memory

    async def load_messages(self, agent: str, session: str, *, limit: int = 0) -> list[Message]:
        key = self._mem_key(agent, session)

        async def q(r: Client) -> list[bytes]:
            out = await r.lrange(key, -limit if limit > 0 else 0, -1)
            return [x if isinstance(x, bytes) else x.encode() for x in out]

        rows: list[bytes] = await self._call(q)
        out: list[Message] = []
        for raw in rows:
            role, content, interrupted = orjson.loads(raw)
            out.append(Message(str(role), str(content), bool(interrupted)))
        return out

    async def append_messages(
        self, agent: str, session: str, messages: list[Message], *, keep: int = 0
    ) -> None:
        if not messages and keep <= 0:
            return
        key = self._mem_key(agent, session)
        items = [orjson.dumps([m.role, m.content, m.interrupted]) for m in messages]
        sessions = f"{self.prefix}:memsessions:{len(agent)}:{agent}"
        max_sessions = self.limits.sessions_per_agent

        async def q(r: Client) -> None:
            async with r.pipeline(transaction=True) as p:
                if items:
                    p.rpush(key, *items)
                    p.zadd(sessions, {session: time.time()})
                if keep > 0:
                    p.ltrim(key, -keep, -1)
                if items and max_sessions > 0:
                    p.eval(_EVICT, 1, sessions, max_sessions, session, f"{self.prefix}:mem:{len(agent)}:{agent}:")
                await p.execute()

        await self._call(q)

    async def replace_messages(self, agent: str, session: str, messages: list[Message]) -> None:
        key = self._mem_key(agent, session)
        items = [orjson.dumps([m.role, m.content, m.interrupted]) for m in messages]

        sessions = f"{self.prefix}:memsessions:{len(agent)}:{agent}"

        async def q(r: Client) -> None:
            async with r.pipeline(transaction=True) as p:
                p.delete(key)
                if items:
                    p.rpush(key, *items)
                    p.zadd(sessions, {session: time.time()})
                else:
                    p.zrem(sessions, session)
                await p.execute()

        await self._call(q)

    # ------------------------------------------------------------ chats

    async def record_chat_message(
        self, session_id: str, workflow: str, role: str, content: str, *, interrupted: bool = False
    ) -> None:
        now = time.time()
        chat = f"{self.prefix}:chat:{session_id}"
        title = content[:80] if role == "user" else ""
        limits = self.limits

        async def q(r: Client) -> None:
            async with r.pipeline(transaction=True) as p:
                p.hsetnx(chat, "workflow", workflow)
                p.hsetnx(chat, "created_at", repr(now))
                if title:  # the first user message names the chat
                    p.hsetnx(chat, "title", title)
                p.hset(chat, "updated_at", repr(now))
                p.rpush(
                    f"{self.prefix}:chatmsg:{session_id}",
                    orjson.dumps([role, content, interrupted, now]),
                )
                p.zadd(f"{self.prefix}:chats", {session_id: now})
                if limits.chat_messages > 0:
                    p.ltrim(f"{self.prefix}:chatmsg:{session_id}", -limits.chat_messages, -1)
                if limits.chats > 0:
                    p.eval(_EVICT, 1, f"{self.prefix}:chats", limits.chats, session_id,
                           f"{self.prefix}:chat:", f"{self.prefix}:chatmsg:")
                await p.execute()

        await self._call(q)

    async def list_chats(self) -> list[ChatSummary]:
        async def q(r: Client) -> list[ChatSummary]:
            raw_ids = await r.zrange(f"{self.prefix}:chats", 0, -1, desc=True)
            ids = [i.decode() if isinstance(i, bytes) else str(i) for i in raw_ids]
            async with r.pipeline(transaction=False) as p:
                for sid in ids:
                    p.hgetall(f"{self.prefix}:chat:{sid}")
                    p.llen(f"{self.prefix}:chatmsg:{sid}")
                res = await p.execute()
            rows: list[tuple[float, str, ChatSummary]] = []
            for i, sid in enumerate(ids):
                h: dict[bytes, bytes] = res[2 * i]
                if not h:
                    continue  # deleted between the two reads
                updated = float(h[b"updated_at"])
                rows.append((-updated, sid, _summary(sid, h, int(res[2 * i + 1]))))
            rows.sort(key=lambda row: (row[0], row[1]))  # as the SQL stores: newest first, ties by id
            return [row[2] for row in rows]

        result: list[ChatSummary] = await self._call(q)
        return result

    async def get_chat(self, session_id: str) -> Chat | None:
        async def q(r: Client) -> Chat | None:
            async with r.pipeline(transaction=True) as p:
                p.hgetall(f"{self.prefix}:chat:{session_id}")
                p.lrange(f"{self.prefix}:chatmsg:{session_id}", 0, -1)
                h, rows = await p.execute()
            if not h:
                return None
            entries = []
            for raw in rows:
                role, content, interrupted, ts = orjson.loads(raw)
                entries.append(ChatEntry(str(role), str(content), bool(interrupted), rfc3339(ts)))
            return Chat(
                session_id,
                h.get(b"workflow", b"").decode(),
                rfc3339(float(h[b"created_at"])),
                rfc3339(float(h[b"updated_at"])),
                entries,
            )

        result: Chat | None = await self._call(q)
        return result

    async def delete_chat(self, session_id: str) -> bool:
        async def q(r: Client) -> bool:
            async with r.pipeline(transaction=True) as p:
                p.delete(f"{self.prefix}:chat:{session_id}")
                p.delete(f"{self.prefix}:chatmsg:{session_id}")
                p.zrem(f"{self.prefix}:chats", session_id)
                res = await p.execute()
            return bool(res[0])

        result: bool = await self._call(q)
        return result

    # ------------------------------------------------------------ runs (/_api/runs)

    async def save_run(self, run: RunRecord) -> None:
        row = orjson.dumps(list(runs_codec.to_row(run)))
        now = time.time()

        async def q(r: Client) -> None:
            async with r.pipeline(transaction=True) as p:
                p.set(f"{self.prefix}:wfrun:{run.id}", row)
                p.zadd(f"{self.prefix}:wfruns", {run.id: now}, nx=True)
                await p.execute()

        await self._call(q)

    async def get_run(self, run_id: str) -> RunRecord | None:
        async def q(r: Client) -> Any:
            return await r.get(f"{self.prefix}:wfrun:{run_id}")

        raw = await self._call(q)
        return None if raw is None else runs_codec.from_row(tuple(orjson.loads(raw)))

    async def list_runs(self) -> list[RunRecord]:
        async def q(r: Client) -> list[Any]:
            ids = await r.zrange(f"{self.prefix}:wfruns", 0, -1, desc=True)
            if not ids:
                return []
            keys = [f"{self.prefix}:wfrun:{i.decode() if isinstance(i, bytes) else i}" for i in ids]
            rows: list[Any] = await r.mget(keys)
            return rows

        raws: list[Any] = await self._call(q)
        runs = [runs_codec.from_row(tuple(orjson.loads(raw))) for raw in raws if raw is not None]
        runs.sort(key=lambda run: run.started_at, reverse=True)  # stable: ties keep save order
        return runs

    async def close(self) -> None:
        client = self._clients.pop_current()
        if client is not None:
            await client.aclose()

    def after_fork(self) -> None:
        self._clients.clear()


def _summary(sid: str, h: dict[bytes, bytes], count: int) -> ChatSummary:
    return ChatSummary(
        sid,
        h.get(b"workflow", b"").decode(),
        h.get(b"title", b"").decode(),
        count,
        rfc3339(float(h[b"created_at"])),
        rfc3339(float(h[b"updated_at"])),
    )
