"""A PostgreSQL restart under load: clear errors while it is down, recovery without
restarting the app (the pool replaces its broken connections)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from haira.testing import FakeLLM
from scaleout_pg import PgCluster
from scaleout_procs import App
from scaleout_sse import Events, names

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    c = PgCluster()
    yield c
    c.destroy()


def test_restart_during_load_then_recovery(cluster: PgCluster) -> None:
    with FakeLLM(reply_text="fine") as fake:
        app = App({
            "HAIRA_DATABASE_URL": cluster.url,
            "HAIRA_DB_TIMEOUT": "2",
            "OPENAI_BASE_URL": fake.openai_base,
        })
        results: list[tuple[float, int, str]] = []
        stop = threading.Event()

        def load(n: int) -> None:
            with httpx.Client(timeout=15) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    t0 = time.monotonic()
                    try:
                        r = client.post(app.url("/api/stream"),
                                        json={"message": f"m{i}", "session_id": f"load-{n}"},
                                        headers={"Accept": "application/json"})
                        results.append((t0, r.status_code, r.text))
                    except httpx.HTTPError as exc:
                        results.append((t0, 0, repr(exc)))
                    time.sleep(0.02)

        workers = [threading.Thread(target=load, args=(n,)) for n in range(3)]
        try:
            for w in workers:
                w.start()
            deadline = time.monotonic() + 20
            while sum(1 for _, s, _ in results if s == 200) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            warmed_at = time.monotonic()
            down_at = time.monotonic()
            cluster.stop()
            time.sleep(4.0)
            with httpx.Client(timeout=15) as client:
                # While down: a clear error, promptly, from every kind of route.
                t0 = time.monotonic()
                r = client.get(app.url("/_api/chats"))
                assert r.status_code == 503, r.text
                assert r.json()["code"] == "store_unavailable"
                assert "database is unavailable" in r.json()["error"]
                assert time.monotonic() - t0 < 5
                ev = Events(client, app.url("/api/stream"),
                            body={"message": "during outage", "session_id": "sse"})
                events = ev.read_until(done=True)
                ev.close()
                assert names(events)[-2:] == ["error", "done"], events
                assert "database is unavailable" in events[-2]["data"]
            up_at = time.monotonic()
            cluster.start()
            # Recovered: a stretch of 3 s with successes and no failure, within 30 s.
            deadline = up_at + 30
            while time.monotonic() < deadline:
                now = time.monotonic()
                last_fail = max((t for t, s, _ in results if s != 200), default=up_at)
                window = [s for t, s, _ in results if t > max(last_fail, up_at)]
                if now - max(last_fail, up_at) > 3.0 and window:
                    break
                time.sleep(0.1)
        finally:
            stop.set()
            for w in workers:
                w.join(20)
        try:
            before = [r for r in results if r[0] < warmed_at and r[1] != 0][:6]
            # Started while down and given up (HAIRA_DB_TIMEOUT=2) before it came back.
            during = [r for r in results if down_at + 0.5 < r[0] < up_at - 2.5]
            recovered = max(t for t, s, _ in results if s != 200)
            assert recovered - up_at < 25, "no recovery without restarting the app"
            after = [r for r in results if r[0] > recovered]
            assert before and all(s == 200 for _, s, _ in before), [(round(t - down_at, 2), s) for t, s, _ in results[:8]]
            assert during and all(s == 500 for _, s, _ in during), during[-3:]
            assert all("database is unavailable" in body for _, _, body in during), during[-3:]
            assert len(after) >= 3 and all(s == 200 for _, s, _ in after), after[-3:]
            # The conversation continued in the restarted database.
            with httpx.Client(timeout=15) as client:
                chat = client.get(app.url("/_api/chats/load-0")).json()
                assert chat["messages"][-1]["content"] == "fine"
            assert "Traceback" not in app.output(), app.output()
        finally:
            app.stop()
