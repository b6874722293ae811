"""Disconnects and load: clients that vanish mid-stream, hundreds at once, and slow readers.

Against the compiled app and the fake LLM server (which records when each upstream client
hung up): every vanished client's upstream request is closed promptly (http-streaming.md
§6: within 1 s; a looser bound here for a loaded CI box with hundreds at once), the
partial replies are stored, and the server's memory returns to its level after the first
round instead of growing with each round. A client that stops reading is held to a bounded
buffer and dropped after HAIRA_SSE_STALL_TIMEOUT, closing its upstream request.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from haira.testing import endless

from tests.hostile.app_support import AUTH_TOKEN, App, hostile_app

pytestmark = pytest.mark.xdist_group("hostile-disconnects")

CLIENTS = 200
STALL = 3.0


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_disc"), HAIRA_SSE_STALL_TIMEOUT=str(STALL),
                     HAIRA_LLM_TOTAL_TIMEOUT="120", HAIRA_LLM_IDLE_TIMEOUT="30",
                     HAIRA_LLM_FIRST_TOKEN_TIMEOUT="30", HAIRA_ACCESS_LOG="0") as a:
        yield a
        a.assert_no_secrets()


def open_stream(app: App, sid: str, *, rcvbuf: int | None = None) -> socket.socket:
    body = f'{{"message": "go", "session_id": "{sid}"}}'.encode()
    s = socket.socket()
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(20)
    s.connect(("127.0.0.1", app.port))
    s.sendall(
        b"POST /api/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
        b"Content-Type: application/json\r\nAuthorization: Bearer " + AUTH_TOKEN.encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    return s


def read_until_text(s: socket.socket) -> None:
    buf = b""
    while b'"content"' not in buf:
        chunk = s.recv(4096)
        assert chunk, buf
        buf += chunk


def vanish_round(app: App, tag: str) -> list[float]:
    """CLIENTS streams, each until its first text delta; then all vanish at once.
    Returns, per upstream request, how long after the vanishing it was closed."""
    app.fake.reset()
    app.fake.script(*[endless(text="tok ", token_rate=50) for _ in range(CLIENTS)])
    socks = []
    for i in range(CLIENTS):
        socks.append(open_stream(app, f"{tag}-{i}"))
    for s in socks:
        read_until_text(s)
    assert len(app.fake.model_requests()) == CLIENTS
    gone = time.monotonic()
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # RST: the client vanished
    deadline = gone + 15
    while time.monotonic() < deadline:
        reqs = app.fake.model_requests()
        if all(r.client_closed_at is not None for r in reqs):
            break
        time.sleep(0.05)
    reqs = app.fake.model_requests()
    still_open = [r for r in reqs if r.client_closed_at is None]
    assert not still_open, f"{len(still_open)} upstream requests still open"
    return [r.client_closed_at - gone for r in reqs if r.client_closed_at is not None]


def test_hundreds_of_clients_vanish_mid_stream(app: App) -> None:
    lags = vanish_round(app, "warm")  # the first round sizes pools and caches
    assert max(lags) < 8, max(lags)
    time.sleep(1)
    baseline = app.rss_kib()
    for r in range(2):
        lags = vanish_round(app, f"r{r}")
        assert max(lags) < 8, max(lags)
        # The contract's 1 s is for one client (tests/server); with 200 at once on a shared
        # 2-core box the median stays near it.
        assert sorted(lags)[len(lags) // 2] < 2.0, sorted(lags)[len(lags) // 2]
    time.sleep(1)
    grown = app.rss_kib() - baseline
    assert grown < 20_000, f"RSS grew {grown} KiB over two rounds of {CLIENTS} vanished clients"
    # The server still serves, and the vanished streams' partial replies were kept.
    c = httpx.get(app.url("/_api/chats/r1-7"), headers=app.auth, timeout=10).json()
    assert c["messages"][0]["content"] == "go"
    assert c["messages"][1]["interrupted"] is True and c["messages"][1]["content"].startswith("tok")


def test_slow_reader_is_bounded_and_dropped(app: App) -> None:
    app.fake.reset()
    app.fake.script(endless(text="x" * 200 + " ", token_rate=5000))  # ~1 MB/s upstream
    before = app.rss_kib()
    s = open_stream(app, "slow", rcvbuf=4096)
    try:
        time.sleep(0.5)
        req = app.fake.wait_for_requests(1)[0]
        peak = before
        deadline = time.monotonic() + STALL + 10
        while req.client_closed_at is None and time.monotonic() < deadline:
            peak = max(peak, app.rss_kib())
            time.sleep(0.1)
        assert req.client_closed_at is not None, "the stalled reader's upstream request is still open"
        assert req.client_closed_at - req.received_at < STALL + 6
        assert peak - before < 30_000, f"RSS grew {peak - before} KiB for one stalled reader"
    finally:
        s.close()
    r = httpx.get(app.url("/_api/health"), headers=app.auth, timeout=5)
    assert r.status_code == 200
