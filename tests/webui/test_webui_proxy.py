"""The UI assets and the `haira webui` proxy, over real loopback sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from haira.webui import asset
from haira.webui.proxy import BackendError, WebUIProxy, backend_url
from webui_backend import WireBackend
from webui_support import Served, free_port

ROOT = Path(__file__).resolve().parents[2]



def test_assets_are_served_by_path() -> None:
    page = asset("")
    assert page is not None and page[1].startswith("text/html")
    assert b'src="app.js"' in page[0]
    assert asset("index.html") == page
    for name, kind in [("app.js", "text/javascript"), ("sse.js", "text/javascript"), ("style.css", "text/css")]:
        found = asset(name)
        assert found is not None and found[1].startswith(kind), name
    for bad in ["../assets.py", "assets.py", "nope.js", ".hidden.js", "static/app.js", "a\\b.js"]:
        assert asset(bad) is None, bad


def test_assets_reference_nothing_outside() -> None:
    # Self-contained: no CDN, no absolute URLs to other hosts.
    for name in ["index.html", "app.js", "sse.js", "markdown.js", "style.css"]:
        found = asset(name)
        assert found is not None
        text = found[0].decode()
        assert "http://" not in text and "https://" not in text, name
        assert "//cdn" not in text.lower(), name


def test_backend_url() -> None:
    assert backend_url("localhost:8080") == "http://localhost:8080"
    assert backend_url("https://example.com/") == "https://example.com"
    assert backend_url("[::1]:8080") == "http://[::1]:8080"
    for bad in ["", "localhost:99999", "ftp://x", "localhost:abc", "http://[::1", ":8080"]:
        with pytest.raises(BackendError):
            backend_url(bad)


def test_ui_routes(proxy: Served) -> None:
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        root = client.get("/", headers={"accept": "text/html"})
        assert root.status_code == 302 and root.headers["location"] == "/_ui/"
        assert client.get("/_ui").headers["location"] == "/_ui/"
        page = client.get("/_ui/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert client.get("/_ui/missing.js").status_code == 404
        workflows = client.get("/_api/workflows").json()
        assert [w["name"] for w in workflows] == ["Chat", "Sum", "Write", "Styled"]


def test_proxy_streams_without_buffering(backend: tuple[WireBackend, Served], proxy: Served) -> None:
    app, _ = backend
    app.state.gate.clear()
    body = {"message": "gate", "session_id": f"s-{uuid.uuid4().hex}"}
    seen: list[str] = []
    with httpx.Client(timeout=5) as client, client.stream(
        "POST", proxy.url + "/chat", json=body, headers={"accept": "text/event-stream"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        for line in lines:
            seen.append(line)
            if '"first' in line:
                break
        # The first token came through while the backend still holds the stream open.
        assert not app.state.gate.is_set()
        app.state.gate.set()
        seen.extend(lines)
    text = "\n".join(seen)
    assert text.startswith("retry: 3000")
    assert 'data: {"content":"second"}' in text
    assert text.rstrip().endswith("data: [DONE]")


def test_proxy_passes_the_disconnect_on(backend: tuple[WireBackend, Served], proxy: Served) -> None:
    app, _ = backend
    sid = f"s-{uuid.uuid4().hex}"
    with httpx.Client(timeout=5) as client, client.stream(
        "POST", proxy.url + "/chat", json={"message": "slow", "session_id": sid}
    ) as response:
        for line in response.iter_lines():
            if "tok0" in line:
                break
    deadline = time.monotonic() + 3
    while sid not in app.state.disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sid in app.state.disconnects


def test_proxy_forwards_errors_and_headers(backend: tuple[WireBackend, Served], proxy: Served) -> None:
    app, _ = backend
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        response = client.post("/sum", json={"a": 1}, headers={"authorization": "Bearer t0k"})
        assert response.status_code == 400
        assert response.json()["param"] == "b"
        assert app.state.requests[-1]["headers"]["authorization"] == "Bearer t0k"
        assert app.state.requests[-1]["headers"]["x-forwarded-proto"] == "http"
        assert client.post("/sum", json={"a": 1, "b": 2}).json()["sum"] == 3


def test_unreachable_backend_is_a_clear_502() -> None:
    dead = f"127.0.0.1:{free_port()}"
    served = Served(WebUIProxy([dead]))
    try:
        response = httpx.get(served.url + "/_api/workflows", timeout=5)
    finally:
        served.stop()
    assert response.status_code == 502
    data = response.json()
    assert data["code"] == "backend_unreachable"
    assert data["error"].startswith(f"Backend unreachable: http://{dead} (connection refused). ")
    assert "haira run" in data["error"]


def test_several_backends() -> None:
    one, two = Served(WireBackend()), Served(WireBackend())
    served = Served(WebUIProxy([one.url, two.url]))
    try:
        with httpx.Client(base_url=served.url, timeout=5) as client:
            workflows = client.get("/_api/workflows").json()
            paths = [w["path"] for w in workflows]
            assert paths == [
                "/_b/chat/chat", "/_b/chat/sum", "/_b/chat/write", "/_b/chat/styled",
                "/_b/chat-2/chat", "/_b/chat-2/sum", "/_b/chat-2/write", "/_b/chat-2/styled",
            ]
            assert workflows[4]["api_base"] == "/_b/chat-2"
            assert workflows[4]["backend_path"] == "/chat"
            sid = f"s-{uuid.uuid4().hex}"
            stream = client.post("/_b/chat-2/chat", json={"message": "hi", "session_id": sid})
            assert "You said: hi" not in stream.text  # tokens are separate events
            assert '"content":" hi"' in stream.text
            assert [c["id"] for c in client.get("/_b/chat-2/_api/chats").json()] == [sid]
            assert client.get("/_b/chat/_api/chats").json() == []
            assert [c["id"] for c in client.get("/_api/chats").json()] == [sid]
            assert client.get(f"/_api/chats/{sid}").json()["message_count"] == 2
            assert client.get("/_api/chats/nope").status_code == 404
            assert client.get("/_b/nope/chat").status_code == 404
    finally:
        for s in (served, one, two):
            s.stop()


def _cli(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "hairac", "webui", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cli_rejects_a_bad_port() -> None:
    proc = _cli("-p", "abc")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.strip() == "haira webui: invalid port: abc"


def test_cli_reports_a_port_in_use() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = _cli("-p", str(port))
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert err.strip() == f"haira webui: cannot listen on 127.0.0.1:{port}: address already in use"


def test_cli_serves_the_documented_command(backend: tuple[WireBackend, Served]) -> None:
    # `haira webui -c localhost:8080 -p 3000`, with the test backend's port.
    port = free_port()
    proc = _cli("-c", f"localhost:{backend[1].port}", "-p", str(port))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/_ui/", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert page.status_code == 200
        workflows = httpx.get(f"http://127.0.0.1:{port}/_api/workflows", timeout=5).json()
        assert workflows[0]["name"] == "Chat"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert f"  Local:   http://localhost:{port}/" in err
    assert f"  Backend: http://localhost:{backend[1].port}" in err
    assert "Traceback" not in err


def test_cli_warns_when_the_backend_is_down() -> None:
    port, dead = free_port(), free_port()
    proc = _cli("-c", f"127.0.0.1:{dead}", "-p", str(port))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/_api/workflows", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 502
        assert json.loads(response.text)["code"] == "backend_unreachable"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert f"warning: Backend unreachable: http://127.0.0.1:{dead}" in err
    assert "Traceback" not in err
