"""`/_api/*` routes, chats recorded from session workflows, auth, CORS, the access log."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from haira.types import INT, STRING, FieldT, ListT, OptionalT, StructT
from server_support import Script, json_spec, live_server, stream_spec

SESSION = (FieldT("message", STRING), FieldT("session_id", STRING))


def _wait_for(predicate, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _specs(gate: threading.Event | None = None) -> list:  # type: ignore[type-arg]
    def chat(message: str, session_id: str) -> Script:
        if message == "hang" and gate is not None:
            return Script(("text", "part"), ("wait", gate))
        return Script(("text", "You said: "), ("text", message))

    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    point = StructT("Point", Point, (FieldT("x", INT), FieldT("y", INT)))
    return [
        stream_spec("/api/chat", chat, params=SESSION),
        json_spec(
            "/api/plot",
            lambda pts, title: {"n": len(pts)},
            (FieldT("pts", ListT(point)), FieldT("title", OptionalT(STRING))),
            returns=None,
            name="Plot",
        ),
    ]


def test_health_and_workflows() -> None:
    with live_server(_specs()) as srv:
        assert httpx.get(srv.url("/_api/health")).json() == {"status": "ok"}
        assert httpx.head(srv.url("/_api/health")).status_code == 200
        items = httpx.get(srv.url("/_api/workflows")).json()
    assert items == [
        {
            "name": "Chat",
            "path": "/api/chat",
            "method": "POST",
            "is_stream": True,
            "chat_param": "message",
            "params": [
                {"name": "message", "type": "string", "required": True},
                {"name": "session_id", "type": "string", "required": True},
            ],
        },
        {
            "name": "Plot",
            "path": "/api/plot",
            "method": "POST",
            "is_stream": False,
            "params": [
                {"name": "pts", "type": "[Point]", "required": True},
                {"name": "title", "type": "string?", "required": False},
            ],
        },
    ]


def test_openapi_document() -> None:
    with live_server(_specs()) as srv:
        doc = httpx.get(srv.url("/_api/openapi.json")).json()
    assert doc["openapi"] == "3.1.0"
    chat = doc["paths"]["/api/chat"]
    assert set(chat) == {"post", "get"}
    body = chat["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {
        "type": "object",
        "properties": {"message": {"type": "string"}, "session_id": {"type": "string"}},
        "required": ["message", "session_id"],
    }
    assert [p["name"] for p in chat["get"]["parameters"]] == ["message", "session_id"]
    assert "text/event-stream" in chat["post"]["responses"]["200"]["content"]
    assert chat["post"]["responses"]["502"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    pts = doc["paths"]["/api/plot"]["post"]["requestBody"]["content"]["application/json"]
    assert pts["schema"]["properties"]["pts"] == {
        "type": "array",
        "items": {
            "type": "object",
            "title": "Point",
            "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
            "required": ["x", "y"],
        },
    }


def test_chats_are_recorded_listed_and_deleted() -> None:
    gate = threading.Event()
    with live_server(_specs(gate)) as srv:
        r = httpx.post(srv.url("/api/chat"), json={"message": "hello", "session_id": "s1"})
        assert "[DONE]" in r.text
        r = httpx.post(
            srv.url("/api/chat"),
            json={"message": "again", "session_id": "s1"},
            headers={"Accept": "application/json"},
        )
        assert r.json() == {"reply": "You said: again"}
        httpx.post(srv.url("/api/chat"), json={"message": "other", "session_id": "s2"})

        def count(sid: str) -> int:
            d = httpx.get(srv.url(f"/_api/chats/{sid}"))
            return len(d.json()["messages"]) if d.status_code == 200 else 0

        _wait_for(lambda: count("s1") == 4 and count("s2") == 2)
        chats = httpx.get(srv.url("/_api/chats")).json()
        assert {c["id"] for c in chats} == {"s1", "s2"}
        s1 = next(c for c in chats if c["id"] == "s1")
        assert s1["workflow_name"] == "Chat"
        assert s1["workflow_path"] == "/api/chat"
        assert s1["title"] == "hello"
        assert s1["message_count"] == 4
        assert httpx.get(srv.url("/_api/chats?workflow=/api/chat")).json() != []
        assert httpx.get(srv.url("/_api/chats?workflow=/other")).json() == []
        detail = httpx.get(srv.url("/_api/chats/s1")).json()
        assert [(m["role"], m["content"], m["interrupted"]) for m in detail["messages"]] == [
            ("user", "hello", False),
            ("assistant", "You said: hello", False),
            ("user", "again", False),
            ("assistant", "You said: again", False),
        ]
        # An interrupted reply is kept, marked interrupted.
        with httpx.stream(
            "POST", srv.url("/api/chat"), json={"message": "hang", "session_id": "s3"}
        ) as resp:
            for chunk in resp.iter_raw():
                if b'"part"' in chunk:
                    break
        _wait_for(lambda: count("s3") == 2)
        msgs = httpx.get(srv.url("/_api/chats/s3")).json()["messages"]
        assert msgs[1]["content"] == "part"
        assert msgs[1]["interrupted"] is True

        r = httpx.delete(srv.url("/_api/chats/s1"))
        assert r.json()["status"] == "deleted"
        r = httpx.get(srv.url("/_api/chats/s1"))
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"
    gate.set()


def test_auth_token() -> None:
    with live_server(_specs(), auth_token="s3cret-token-value") as srv:
        for method, path in [
            ("POST", "/api/chat"),
            ("GET", "/api/chat?message=a&session_id=b"),
            ("GET", "/_api/workflows"),
            ("GET", "/_api/health"),
            ("GET", "/_api/openapi.json"),
        ]:
            r = httpx.request(method, srv.url(path), json={"message": "a", "session_id": "b"})
            assert r.status_code == 401, path
            assert r.json()["code"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
            assert "s3cret" not in r.text
            r = httpx.request(
                method,
                srv.url(path),
                json={"message": "a", "session_id": "b"},
                headers={"Authorization": "Bearer wrong"},
            )
            assert r.status_code == 401
        ok = {"Authorization": "Bearer s3cret-token-value"}
        assert httpx.get(srv.url("/_api/health"), headers=ok).status_code == 200
        r = httpx.post(srv.url("/api/chat"), json={"message": "a", "session_id": "b"}, headers=ok)
        assert r.status_code == 200
        # Preflights carry no credentials and still succeed; the UI page is public.
        assert httpx.options(srv.url("/api/chat")).status_code == 204
        assert httpx.get(srv.url("/_ui/")).status_code == 200


def test_cors_on_every_answer_and_preflight() -> None:
    with live_server(_specs()) as srv:
        r = httpx.options(
            srv.url("/api/chat"),
            headers={"Origin": "http://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert r.status_code == 204
        assert r.content == b""
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["access-control-allow-methods"] == "GET, POST, PUT, DELETE, OPTIONS"
        assert (
            r.headers["access-control-allow-headers"]
            == "Content-Type, Accept, Authorization, Last-Event-ID"
        )
        assert httpx.options(srv.url("/anything/at/all")).status_code == 204
        for r in [
            httpx.get(srv.url("/nope")),
            httpx.put(srv.url("/api/chat")),
            httpx.post(srv.url("/api/chat"), json={}),
            httpx.post(srv.url("/api/chat"), json={"message": "a", "session_id": "b"}),
            httpx.get(srv.url("/_api/workflows")),
        ]:
            assert r.headers["access-control-allow-origin"] == "*", r.request.url
    with live_server(_specs(), cors_origin="https://a.example, https://b.example") as srv:
        r = httpx.get(srv.url("/_api/health"), headers={"Origin": "https://b.example"})
        assert r.headers["access-control-allow-origin"] == "https://b.example"
        assert r.headers["vary"] == "Origin"
        r = httpx.get(srv.url("/_api/health"), headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_ui_is_mounted() -> None:
    with live_server(_specs()) as srv:
        r = httpx.get(srv.url("/_ui"))
        assert r.status_code == 301
        assert r.headers["location"].endswith("/_ui/")
        r = httpx.get(srv.url("/_ui/"))
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert httpx.get(srv.url("/_ui/nope.js")).status_code == 404
        r = httpx.get(srv.url("/"), headers={"Accept": "text/html,*/*;q=0.8"})
        assert r.status_code == 302 and r.headers["location"].endswith("/_ui/")
        assert httpx.get(srv.url("/")).status_code == 404
    with live_server(_specs(), no_ui=True) as srv:
        assert httpx.get(srv.url("/_ui/")).status_code == 404
        assert httpx.get(srv.url("/"), headers={"Accept": "text/html"}).status_code == 404


def test_access_log_line_per_request(capfd: pytest.CaptureFixture[str]) -> None:
    with live_server(_specs(), access_log=True) as srv:
        httpx.post(srv.url("/api/chat"), json={"message": "hi", "session_id": "x"})
        httpx.post(srv.url("/api/chat"), json={})
        httpx.get(srv.url("/_api/health"))
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("[haira] ")]
    assert len(lines) == 3, err
    import re

    assert re.fullmatch(r"\[haira\] POST /api/chat 200 \d+\.\dms events=3", lines[0]), lines[0]
    assert re.fullmatch(r"\[haira\] POST /api/chat 400 \d+\.\dms", lines[1]), lines[1]
    assert re.fullmatch(r"\[haira\] GET /_api/health 200 \d+\.\dms", lines[2]), lines[2]


def test_webui_decorator_in_discovery_and_openapi() -> None:
    import dataclasses

    (chat, plot) = _specs()
    chat = dataclasses.replace(
        chat,
        description="Chat with the writer",
        decorators={
            "webui": {
                "title": "Writer",
                "mode": "chat",
                "suggestions": ["Tell me a story", "A poem"],
            }
        },
    )
    with live_server([chat, plot]) as srv:
        item = httpx.get(srv.url("/_api/workflows")).json()[0]
        doc = httpx.get(srv.url("/_api/openapi.json")).json()
    assert item["title"] == "Writer"
    assert item["description"] == "Chat with the writer"
    assert item["mode"] == "chat"
    assert item["suggestions"] == ["Tell me a story", "A poem"]
    post = doc["paths"]["/api/chat"]["post"]
    assert post["summary"] == "Writer"
    assert post["description"] == "Chat with the writer"
