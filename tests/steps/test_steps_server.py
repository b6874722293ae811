"""Workflow steps end to end: `tests/steps/data/pipeline.haira` compiled by hairac and served
by the real uvicorn on loopback. Step SSE wire text (reference-runtime.md §4.7 with the id,
retry and done rules of http-streaming.md §4), JSON clients, `/_api/runs*` (§5.4), @confirm
over HTTP, @retry, verify, step and workflow onerror, runs failed by a restart."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lang.harness import ROOT, compile_program

PROGRAM = Path("tests/steps/data/pipeline.haira")
SSE = {"Accept": "text/event-stream"}
DURATION = re.compile(rb',"duration_ms":\d+')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Served:
    def __init__(self, pkg_dir: Path, db: Path | str) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(pkg_dir),
            "HAIRA_PORT": str(self.port),
            "HAIRA_HOST": "127.0.0.1",
            "HAIRA_DATABASE_URL": str(db),
        }
        env.pop("HAIRA_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prog"],
            cwd=pkg_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url("/_api/health"), timeout=1)
                return
            except httpx.TransportError:
                assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self, sig: int = signal.SIGTERM) -> tuple[str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=20)
        return out.decode(), err.decode()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("steps_pkg")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        sink, pkg = compile_program(PROGRAM, out, "prog")
    finally:
        os.chdir(cwd)
    assert pkg is not None, sink.render()
    return out


@pytest.fixture(scope="module")
def server(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    s = Served(package, tmp_path_factory.mktemp("steps_db") / "runs.db")
    yield s
    _, err = s.stop()
    assert "Traceback" not in err, err


def stream(server: Served, path: str, body: dict[str, object], confirm: bool | None = None) -> bytes:
    """The whole SSE body; answers the first `awaiting_confirm` with `confirm`."""
    got = b""
    answered = False
    with httpx.Client(timeout=20) as client, client.stream(
        "POST", server.url(path), json=body, headers=SSE
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        for chunk in r.iter_raw():
            got += chunk
            if confirm is not None and not answered and b"awaiting_confirm" in got:
                run_id = re.search(rb'"run_id":"([^"]+)"', got)
                assert run_id is not None
                c = httpx.post(
                    server.url(f"/_api/runs/{run_id.group(1).decode()}/confirm"),
                    json={"confirmed": confirm},
                )
                assert c.status_code == 200
                assert c.json() == {"status": "confirmed" if confirm else "denied"}
                answered = True
    return got


def normalized(body: bytes) -> tuple[str, str]:
    """(run id, the body with the run id as RID and durations removed)."""
    m = re.search(rb'"run_id":"([^"]+)"', body)
    assert m is not None, body
    rid = m.group(1)
    return rid.decode(), DURATION.sub(b"", body.replace(rid, b"RID")).decode()


def events(*frames: tuple[str, str]) -> str:
    out = "retry: 3000\n\n"
    for i, (name, data) in enumerate(frames, start=1):
        out += f"id: RID:{i}\nevent: {name}\ndata: {data}\n\n"
    return out


VALIDATE = [
    ("step", '{"name":"Validate","status":"start"}'),
    ("step", '{"name":"Validate","status":"log","log":{"level":"info","message":"checking hi there"}}'),
    ("step", '{"name":"Validate","status":"end"}'),
    ("step", '{"name":"Flaky","status":"start"}'),
    ("step", '{"name":"Flaky","status":"retry","attempt":2,"delay_ms":5}'),
    ("step", '{"name":"Flaky","status":"end"}'),
    ("step", '{"name":"Publish","status":"start"}'),
    ("step", '{"name":"Publish","status":"awaiting_confirm","confirm":{"title":"Publish",'
             '"message":"Publish hi there?","confirm_label":"Yes","deny_label":"No"}}'),
]


def test_step_stream_wire_and_runs_api(server: Served) -> None:
    body = stream(server, "/pipeline", {"text": "hi there", "fail_times": 1}, confirm=True)
    rid, text = normalized(body)
    assert text == events(
        ("run_id", '{"run_id":"RID"}'),
        *VALIDATE,
        ("step", '{"name":"Publish","status":"end"}'),
        ("result", '{"words":8,"tries":2}'),
        ("done", "[DONE]"),
    )
    # The run is stored: in the list, in detail, and replayed.
    runs = httpx.get(server.url("/_api/runs")).json()
    summary = next(r for r in runs if r["id"] == rid)
    assert summary["workflow_name"] == "Pipeline" and summary["workflow_path"] == "/pipeline"
    assert summary["status"] == "completed" and summary["step_count"] == 9
    assert list(summary) == [
        "id", "workflow_name", "workflow_path", "status", "started_at", "finished_at", "step_count",
    ]
    detail = httpx.get(server.url(f"/_api/runs/{rid}")).json()
    assert detail["params"] == {"text": "hi there", "fail_times": 1}
    assert detail["result"] == {"words": 8, "tries": 2}
    assert [s["status"] for s in detail["steps"]][-2:] == ["awaiting_confirm", "end"]
    assert "error" not in detail
    replay = httpx.get(server.url(f"/_api/runs/stream/{rid}"))
    assert replay.headers["content-type"] == "text/event-stream; charset=utf-8"
    replayed = DURATION.sub(b"", replay.content.replace(rid.encode(), b"RID")).decode()
    assert replayed == events(
        *VALIDATE[:8],
        ("step", '{"name":"Publish","status":"end"}'),
        ("result", '{"words":8,"tries":2}'),
        ("done", "[DONE]"),
    )
    # A finished run takes no confirmation; unknown runs are 404.
    late = httpx.post(server.url(f"/_api/runs/{rid}/confirm"), json={"confirmed": True})
    assert late.status_code == 409 and late.json()["code"] == "run_finished"
    for path in ("/_api/runs/nope", "/_api/runs/stream/nope", "/_api/runs/nope/confirm"):
        r = httpx.request("POST" if path.endswith("confirm") else "GET", server.url(path),
                          json={"confirmed": True})
        assert r.status_code == 404 and r.json()["code"] == "not_found", path
    bad = httpx.post(server.url(f"/_api/runs/{rid}/confirm"), json={"confirmed": "yes"})
    assert bad.status_code == 400
    assert httpx.delete(server.url("/_api/runs")).status_code == 405


def test_json_clients_get_the_result_and_auto_confirm(server: Served) -> None:
    before = len(httpx.get(server.url("/_api/runs")).json())
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        r = httpx.post(server.url("/pipeline"), json={"text": "abc", "fail_times": 0},
                       headers=headers, timeout=20)
        assert r.status_code == 200 and r.text == '{"words":3,"tries":1}\n', headers
    assert len(httpx.get(server.url("/_api/runs")).json()) == before  # not recorded as runs


def test_retry_exhausted_fails_the_run(server: Served) -> None:
    rid, text = normalized(stream(server, "/pipeline", {"text": "hi there", "fail_times": 5}))
    assert text == events(
        ("run_id", '{"run_id":"RID"}'),
        *VALIDATE[:5],
        ("step", '{"name":"Flaky","status":"retry","attempt":3,"delay_ms":10}'),
        ("step", '{"name":"Flaky","status":"failed","error":"attempt 3 failed"}'),
        ("error", '{"error":"attempt 3 failed","code":"step_failed"}'),
        ("done", "[DONE]"),
    )
    detail = httpx.get(server.url(f"/_api/runs/{rid}")).json()
    assert detail["status"] == "failed" and detail["error"] == "attempt 3 failed"
    assert "result" not in detail
    r = httpx.post(server.url("/pipeline"), json={"text": "x", "fail_times": 5}, timeout=20)
    assert r.status_code == 500
    assert r.json() == {"error": "attempt 3 failed", "code": "step_failed"}


def test_confirm_denied(server: Served) -> None:
    _, text = normalized(
        stream(server, "/pipeline", {"text": "hi there", "fail_times": 0}, confirm=False)
    )
    assert text.endswith(
        events(
            ("step", '{"name":"Publish","status":"failed","error":"step denied by user"}'),
            ("error", '{"error":"step denied by user","code":"step_failed"}'),
            ("done", "[DONE]"),
        ).removeprefix("retry: 3000\n\n").replace("id: RID:1\n", "id: RID:9\n")
        .replace("id: RID:2\n", "id: RID:10\n").replace("id: RID:3\n", "id: RID:11\n")
    )


def test_verify_step_onerror_and_workflow_onerror(server: Served) -> None:
    _, text = normalized(stream(server, "/guarded", {"text": "bad"}))
    assert text == events(
        ("run_id", '{"run_id":"RID"}'),
        ("step", '{"name":"Check","status":"start"}'),
        ("step", '{"name":"Check","status":"failed","error":"assertion failed (bad text): expected not equal, got bad"}'),
        ("step", '{"name":"Explode","status":"start"}'),
        ("step", '{"name":"Explode","status":"end"}'),
        ("result", '{"status":"ok"}'),
        ("done", "[DONE]"),
    )
    _, text = normalized(stream(server, "/guarded", {"text": "boom"}))
    assert text == events(
        ("run_id", '{"run_id":"RID"}'),
        ("step", '{"name":"Check","status":"start"}'),
        ("step", '{"name":"Check","status":"end"}'),
        ("step", '{"name":"Explode","status":"start"}'),
        ("step", '{"name":"Explode","status":"failed","error":"boom happened"}'),
        ("result", '{"status":"recovered: boom happened"}'),
        ("done", "[DONE]"),
    )


def test_spawn_inside_a_step(server: Served) -> None:
    _, text = normalized(stream(server, "/fanout", {"a": "x"}))
    assert text == events(
        ("run_id", '{"run_id":"RID"}'),
        ("step", '{"name":"Parallel","status":"start"}'),
        ("step", '{"name":"Parallel","status":"log","log":{"level":"info","message":"task x"}}'),
        ("step", '{"name":"Parallel","status":"end"}'),
        ("result", '{"n":1}'),
        ("done", "[DONE]"),
    )


def test_a_run_outlives_its_client_and_resumes(server: Served) -> None:
    with httpx.Client(timeout=20) as client, client.stream(
        "POST", server.url("/pipeline"), json={"text": "hi there", "fail_times": 0}, headers=SSE
    ) as r:
        got = b""
        for chunk in r.iter_raw():
            got += chunk
            if b"awaiting_confirm" in got:
                break
    rid, _ = normalized(got)
    time.sleep(0.5)  # past the resume grace: a streaming run would be cancelled by now
    c = httpx.post(server.url(f"/_api/runs/{rid}/confirm"), json={"confirmed": True})
    assert c.status_code == 200
    deadline = time.monotonic() + 10
    while httpx.get(server.url(f"/_api/runs/{rid}")).json()["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert httpx.get(server.url(f"/_api/runs/{rid}")).json()["result"] == {"words": 8, "tries": 1}
    # Last-Event-ID on the workflow route resumes the step stream after that event.
    resumed = httpx.post(
        server.url("/pipeline"), json={}, headers={**SSE, "Last-Event-ID": f"{rid}:8"}
    )
    assert DURATION.sub(b"", resumed.content).decode() == (
        f"retry: 3000\n\nid: {rid}:9\nevent: step\n"
        'data: {"name":"Publish","status":"end"}\n\n'
        f"id: {rid}:10\nevent: result\ndata: {{\"words\":8,\"tries\":1}}\n\n"
        f"id: {rid}:11\nevent: done\ndata: [DONE]\n\n"
    )


def test_openapi_lists_runs(server: Served) -> None:
    paths = httpx.get(server.url("/_api/openapi.json")).json()["paths"]
    for p in ("/_api/runs", "/_api/runs/{id}", "/_api/runs/stream/{id}", "/_api/runs/{id}/confirm"):
        assert p in paths
    assert "text/event-stream" in paths["/pipeline"]["post"]["responses"]["200"]["content"]


def _stored_steps(db: Path, rid: str, status: str) -> bool:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT steps FROM haira_runs WHERE id=?", (rid,)).fetchone()
    return row is not None and f'"status":"{status}"' in row[0]


def test_running_runs_fail_at_restart(package: Path, tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    first = Served(package, db)
    try:
        with httpx.Client(timeout=20) as client, client.stream(
            "POST", first.url("/pipeline"), json={"text": "hi there", "fail_times": 0},
            headers=SSE,
        ) as r:
            got = b""
            for chunk in r.iter_raw():
                got += chunk
                if b"awaiting_confirm" in got:
                    break
        rid, _ = normalized(got)
        assert httpx.get(first.url(f"/_api/runs/{rid}")).json()["status"] == "running"
        deadline = time.monotonic() + 10
        while not _stored_steps(db, rid, "awaiting_confirm"):  # saves are asynchronous
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        first.stop(signal.SIGKILL)
    second = Served(package, db)
    try:
        detail = httpx.get(second.url(f"/_api/runs/{rid}")).json()
        assert detail["status"] == "failed"
        assert detail["error"] == "interrupted: server restarted"
        assert "finished_at" in detail
    finally:
        second.stop()


def test_runs_api_with_the_database_down(package: Path) -> None:
    down = Served(package, "postgresql://u:p@127.0.0.1:1/x")  # nothing listens on port 1
    try:
        r = httpx.get(down.url("/_api/runs"), timeout=30)
        assert r.status_code == 503 and r.json()["code"] == "store_unavailable"
    finally:
        _, err = down.stop()
    assert "Traceback" not in err, err
