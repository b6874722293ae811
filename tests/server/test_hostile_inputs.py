"""Broken stores and hostile bodies: JSON errors and one stderr line, never a traceback."""

from __future__ import annotations

import httpx
import pytest
from haira.memory import SQLiteStore, set_store
from haira.types import FILE, STRING, FieldT
from server_support import Script, json_spec, live_server, stream_spec

SESSION = (FieldT("message", STRING), FieldT("session_id", STRING))


def test_broken_store_gives_500_json_and_streams_go_on(capfd: pytest.CaptureFixture[str]) -> None:
    set_store(SQLiteStore("/proc/no-such-dir/haira.db"))  # every statement fails
    specs = [stream_spec("/chat", lambda m, s: Script(("text", "fine")), params=SESSION)]
    with live_server(specs) as srv:
        r = httpx.get(srv.url("/_api/chats"))
        assert r.status_code == 500
        assert r.json() == {"error": "internal error", "code": "internal"}
        r = httpx.post(srv.url("/chat"), json={"message": "hi", "session_id": "s"})
        assert r.status_code == 200
        assert '{"content":"fine"}' in r.text and r.text.endswith("data: [DONE]\n\n")
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "[haira] internal error: OperationalError" in err
    assert "[haira] could not record chat 's'" in err


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage",
        b'--x\r\nContent-Disposition: form-data; name="doc"; filename="a\r\n\r\n',
        b"--x\r\n\r\n--x--",
        b"--x--",
    ],
)
def test_hostile_multipart_is_a_client_error(body: bytes) -> None:
    specs = [json_spec("/up", lambda doc: {"ok": True}, (FieldT("doc", FILE),), name="Up")]
    with live_server(specs) as srv:
        r = httpx.post(
            srv.url("/up"),
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        )
    assert r.status_code == 400, r.text
    assert r.json()["code"] in ("invalid_parameter", "missing_parameter")


def test_deeply_nested_json_is_invalid_json() -> None:
    specs = [json_spec("/x", lambda message: {"ok": True}, (FieldT("message", STRING),))]
    with live_server(specs) as srv:
        r = httpx.post(
            srv.url("/x"),
            content=b'{"message": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            headers={"Content-Type": "application/json"},
        )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json"
