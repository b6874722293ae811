"""The server as a process: `listen`, HAIRA_PORT, SIGTERM with streams in flight, workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import raw_request, stream_id

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pythonpath() -> str:
    # Keep an outer PYTHONPATH (the native-runtime suite runs us against an unpacked wheel).
    outer = os.environ.get("PYTHONPATH", "")
    return str(HERE) + (os.pathsep + outer if outer else "")


def _start(env_extra: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": _pythonpath(),
        "HAIRA_HOST": "127.0.0.1",
        "HAIRA_PORT": str(port),
        **env_extra,
    }
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "slow_app.py"), *args],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_api/health", timeout=0.5).status_code == 200:
                return proc, port
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc, port = _start({})
    yield proc, port
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)
    if proc.stderr is not None:
        proc.stderr.close()


def test_sigterm_ends_streams_with_error_and_done(server) -> None:  # type: ignore[no-untyped-def]
    proc, port = server
    resp = raw_request(
        port,
        "POST",
        "/slow",
        headers={"Content-Type": "application/json"},
        body=b'{"message":"m"}',
    )
    got = b""
    while b'"first"' not in got:
        got += resp.chunk()
    sid = stream_id(got)
    proc.send_signal(signal.SIGTERM)
    rest = b""
    while True:
        chunk = resp.chunk()
        if not chunk:
            break
        rest += chunk
    assert rest == (
        b'id: %s:2\nevent: error\ndata: {"error":"the server is shutting down","code":"shutting_down"}\n\n'
        b"id: %s:3\nevent: done\ndata: [DONE]\n\n" % (sid.encode(), sid.encode())
    )
    resp.close()
    assert proc.wait(10) == 0
    err = proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in err
    assert "[haira] serving 2 workflow(s) on http://127.0.0.1:" in err
    assert "[haira] POST /slow 200 " in err and "events=3" in err


def test_sigterm_answers_a_pending_json_fallback_with_503(tmp_path: Path) -> None:
    mark = tmp_path / "started"
    proc, port = _start({"HAIRA_TEST_MARK": str(mark)})
    import threading

    result: dict[str, httpx.Response] = {}

    def call() -> None:
        result["r"] = httpx.post(
            f"http://127.0.0.1:{port}/slow",
            json={"message": "m"},
            headers={"Accept": "application/json"},
            timeout=20,
        )

    t = threading.Thread(target=call)
    t.start()
    try:
        deadline = time.monotonic() + 20
        while not mark.exists():  # the run has started: now stop the server
            assert time.monotonic() < deadline, "the request never reached the workflow"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        t.join(20)
        r = result["r"]
        assert r.status_code == 503
        assert r.json() == {"error": "the server is shutting down", "code": "shutting_down"}
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()


def test_listen_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        env = {
            **os.environ,
            "PYTHONPATH": _pythonpath(),
            "HAIRA_HOST": "127.0.0.1",
            "HAIRA_PORT": str(port),
        }
        done = subprocess.run(
            [sys.executable, str(HERE / "slow_app.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert done.returncode == 1
    assert f"[haira] cannot listen on 127.0.0.1:{port}:" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_environment_is_reported() -> None:
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "HAIRA_PORT": "eighty"}
    done = subprocess.run(
        [sys.executable, str(HERE / "slow_app.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 1
    assert "HAIRA_PORT must be an integer, got 'eighty'" in done.stderr
    assert "Traceback" not in done.stderr


def test_workers_serve_and_stop_together() -> None:
    proc, port = _start({"HAIRA_WORKERS": "2"})
    try:
        for _ in range(20):
            r = httpx.post(
                f"http://127.0.0.1:{port}/fast",
                json={"message": "w"},
                headers={"Accept": "application/json"},
            )
            assert r.json() == {"reply": "w"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()
