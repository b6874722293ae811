"""Every example that starts an `http.Server` serves under `haira run` (mock provider):
discovery lists its workflows, and a request without parameters gets a JSON 400."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SERVING = sorted(
    p for p in (REPO / "examples").rglob("*.haira") if "http.Server(" in p.read_text("utf-8")
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.parametrize("example", SERVING, ids=[str(p.relative_to(REPO)) for p in SERVING])
def test_example_serves(example: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HAIRA_PORT": str(port),
        "HAIRA_HOST": "127.0.0.1",
        "HAIRA_PROVIDER": "mock",
        "HAIRA_DATABASE_URL": str(tmp_path / "ex.db"),
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "haira"), "run", str(example)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        items = None
        while items is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/_api/workflows", timeout=1)
                items = r.json()
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert isinstance(items, list) and items
        for item in items:
            required = [p for p in item["params"] if p["required"]]
            if not required:
                continue
            r = httpx.request(item["method"], f"http://127.0.0.1:{port}{item['path']}", json={})
            assert r.status_code == 400, (item["name"], r.text)
            assert r.json()["code"] == "missing_parameter"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err, err
