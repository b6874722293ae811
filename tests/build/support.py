"""Helpers of the end-to-end build tests: compile with the real CLI, serve, stream."""

from __future__ import annotations

import contextlib
import http.client
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO, clean_env


def driver_ready() -> bool:
    """The code generator provides the functions `hairac compile` needs."""
    try:
        driver = importlib.import_module("hairac.driver")
    except ImportError:
        return False
    return hasattr(driver, "check_file") and hasattr(driver, "write_package")


def require_driver() -> None:
    if not driver_ready():
        pytest.skip("hairac.driver does not provide check_file/write_package yet")


def hairac(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run the real `hairac` command line, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "hairac", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@contextlib.contextmanager
def serving(
    python: Path, app: str, port: int, cwd: Path, *flags: str, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m app --port PORT --host 127.0.0.1 [flags]` until the block ends, then SIGINT."""
    proc = subprocess.Popen(
        [str(python), "-m", app, "--port", str(port), "--host", "127.0.0.1", *flags],
        cwd=cwd, env=clean_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def stream_post(port: int, path: str, body: dict[str, object], timeout: float = 30) -> list[tuple[str, str]]:
    """POST like the documented `curl -N`; the SSE events as (event, data) pairs."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST", path, body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
        )
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()[:500]
        assert resp.getheader("Content-Type", "").startswith("text/event-stream")
        text = resp.read().decode()
    finally:
        conn.close()
    events: list[tuple[str, str]] = []
    for block in text.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            events.append((name, "\n".join(data)))
    return events
