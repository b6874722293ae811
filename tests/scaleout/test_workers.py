"""Two app processes sharing PostgreSQL and Redis serve one conversation.

Against the real servers on loopback (fresh schema and key prefix per test) and the fake
OpenAI server, whose recorded requests show what each process sent upstream.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from haira.testing import FakeLLM, endless, reply
from scaleout_procs import App
from scaleout_sse import Events, names, text_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.fixture
def pair(pg_url: str, redis_base: str, redis_prefix: str, fake: FakeLLM) -> Iterator[tuple[App, App]]:
    env = {
        "HAIRA_DATABASE_URL": pg_url,
        "HAIRA_REDIS_URL": redis_base,
        "HAIRA_REDIS_PREFIX": redis_prefix,
        "OPENAI_BASE_URL": fake.openai_base,
    }
    a = App(env)
    try:
        b = App(env)
    except BaseException:
        a.stop()
        raise
    yield a, b
    a.stop()
    b.stop()


def _wait(cond: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_one_conversation_alternates_between_processes(pair: tuple[App, App], fake: FakeLLM) -> None:
    a, b = pair
    fake.script(reply("first answer"), reply("second answer"), reply("third answer"),
                reply("fourth answer"))
    with httpx.Client() as client:
        for i, app in enumerate([a, b, a, b]):
            ev = Events(client, app.url("/api/stream"),
                        body={"message": f"question {i}", "session_id": "conv-1"})
            events = ev.read_until(done=True)
            ev.close()
            assert names(events)[-1] == "done", events
            assert "error" not in names(events)
        # Each process saw the turns the other one served (memory is in PostgreSQL).
        last = fake.model_requests()[-1].messages
        assert [m["content"] for m in last if m["role"] != "system"] == [
            "question 0", "first answer", "question 1", "second answer",
            "question 2", "third answer", "question 3",
        ]
        for app in (a, b):
            chat = client.get(app.url("/_api/chats/conv-1")).json()
            assert [m["content"] for m in chat["messages"]] == [
                "question 0", "first answer", "question 1", "second answer",
                "question 2", "third answer", "question 3", "fourth answer",
            ]
            listed = client.get(app.url("/_api/chats")).json()
            assert [c["id"] for c in listed] == ["conv-1"]


def test_resume_on_the_other_process_gets_the_live_remainder(
    pair: tuple[App, App], fake: FakeLLM, redis_base: str, redis_prefix: str
) -> None:
    a, b = pair
    words = " ".join(f"w{i}" for i in range(30))
    fake.script(reply(words, token_rate=25))
    with httpx.Client() as client:
        first = Events(client, a.url("/api/stream"), body={"message": "go", "session_id": "r1"})
        got = first.read_until(3)
        last_id = got[-1]["id"]
        first.close()  # the connection breaks; the reconnect lands on the other process
        second = Events(client, b.url("/api/stream"), last_event_id=last_id)
        assert second.status == 200
        rest = second.read_until(done=True)
        second.close()
        assert names(rest)[-1] == "done" and "error" not in names(rest), rest
        assert text_of(got) + text_of(rest) == words
        seqs = [int(e["id"].rpartition(":")[2]) for e in got + rest]
        assert seqs == list(range(1, len(seqs) + 1))  # nothing lost, nothing twice
        # A finished, fully delivered stream: 204 on either process.
        for app in (a, b):
            r = client.post(app.url("/api/stream"), json={},
                            headers={"Accept": "text/event-stream", "Last-Event-ID": rest[-1]["id"]})
            assert r.status_code == 204
        # Replay of a finished stream from the middle, on the process that did not run it.
        replay = Events(client, b.url("/api/stream"), last_event_id=got[0]["id"])
        again = replay.read_until(done=True)
        replay.close()
        assert text_of(got[:1]) + text_of(again) == words
        # The mirror expires like the local buffer (HAIRA_SSE_RESUME_TTL, 300 s).
        sid = last_id.rpartition(":")[0]
        r = redis.Redis.from_url(redis_base)
        assert 0 < r.ttl(f"{redis_prefix}:meta:{sid}") <= 300
        assert 0 < r.ttl(f"{redis_prefix}:run:{sid}") <= 300
        r.close()
        chat = client.get(b.url("/_api/chats/r1")).json()
        assert chat["messages"][-1]["content"] == words
        assert not chat["messages"][-1].get("interrupted")
    assert fake.model_requests()[0].completed


def test_stop_on_one_process_cancels_the_upstream_call_in_the_other(
    pair: tuple[App, App], fake: FakeLLM
) -> None:
    a, b = pair
    fake.script(endless(text="tick ", token_rate=20))
    with httpx.Client() as client:
        first = Events(client, a.url("/api/stream"), body={"message": "go", "session_id": "s1"})
        got = first.read_until(2)
        # The client reconnects to B while its old connection to A is still open (a proxy
        # that has not noticed yet): B takes over and A's response ends.
        second = Events(client, b.url("/api/stream"), last_event_id=got[-1]["id"])
        more = second.read_until(5)
        assert text_of(more).startswith("tick")
        assert _wait(lambda: list(first) == [] or True)
        upstream = fake.model_requests()[0]
        assert upstream.client_closed_at is None  # still generating, for B's client
        stopped = time.monotonic()
        second.close()  # Stop, pressed on the page served through B
        assert _wait(lambda: upstream.client_closed_at is not None, 3.0), (
            f"upstream not closed\nA:\n{a.output()}\nB:\n{b.output()}"
        )
        assert upstream.client_closed_at is not None
        assert upstream.client_closed_at - stopped < 1.5
        first.close()

        def interrupted() -> bool:
            chat = client.get(a.url("/_api/chats/s1")).json()
            msgs = chat.get("messages", [])
            return len(msgs) == 2 and bool(msgs[1].get("interrupted"))

        assert _wait(interrupted, 5.0)


def test_unreachable_redis_costs_cross_worker_resume_only(fake: FakeLLM, tmp_path: object) -> None:
    from scaleout_support import free_port

    fake.script(reply("still works"))
    app = App({
        "HAIRA_DATABASE_URL": f"{tmp_path}/app.db",
        "HAIRA_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "OPENAI_BASE_URL": fake.openai_base,
    })
    try:
        with httpx.Client() as client:
            ev = Events(client, app.url("/api/stream"), body={"message": "hi", "session_id": "x"})
            events = ev.read_until(done=True)
            ev.close()
            assert text_of(events) == "still works" and "error" not in names(events)
            # A resume of an unknown stream is still a clean 204.
            r = client.post(app.url("/api/stream"), json={},
                            headers={"Accept": "text/event-stream", "Last-Event-ID": "nope:3"})
            assert r.status_code == 204
        assert _wait(lambda: "Redis unavailable" in app.output(), 5.0), app.output()
        assert "Traceback" not in app.output()
    finally:
        app.stop()
