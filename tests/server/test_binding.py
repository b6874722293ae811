"""Parameter binding and every 4xx answer (contract §2), through a real uvicorn."""

from __future__ import annotations

import httpx
import pytest
from haira.types import BOOL, FILE, FLOAT, INT, STRING, FieldT, ListT, MapT, OptionalT
from server_support import Script, json_spec, live_server, raw_request, stream_spec

PARAMS = (
    FieldT("name", STRING),
    FieldT("count", INT),
    FieldT("ratio", FLOAT, 0.5),
    FieldT("loud", BOOL, False),
    FieldT("tags", ListT(STRING), []),
    FieldT("extra", MapT(INT), {}),
    FieldT("nick", OptionalT(STRING)),
)


def _echo(name, count, ratio, loud, tags, extra, nick):  # type: ignore[no-untyped-def]
    return {
        "name": name,
        "count": count,
        "ratio": ratio,
        "loud": loud,
        "tags": tags,
        "extra": extra,
        "nick": nick,
    }


def _upload(title: str, doc: str) -> dict[str, object]:
    with open(doc, "rb") as fh:
        data = fh.read()
    return {"title": title, "size": len(data), "text": data.decode()}


@pytest.fixture(scope="module")
def srv():  # type: ignore[no-untyped-def]
    specs = [
        json_spec("/echo", _echo, PARAMS),
        json_spec("/upload", _upload, (FieldT("title", STRING), FieldT("doc", FILE)), name="Up"),
        json_spec("/items", lambda: {"ok": True}, (), method="GET", name="Items"),
        stream_spec("/chat", lambda m: Script(("text", m))),
    ]
    with live_server(specs, max_body_bytes=4096, max_multipart_bytes=8192) as s:
        yield s


def _err(r: httpx.Response) -> dict[str, object]:
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    assert isinstance(doc, dict)
    return doc


def test_json_body_with_conversions_and_defaults(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo"), json={"name": "a", "count": "42", "unknown": 1})
    assert r.status_code == 200
    assert r.json() == {
        "name": "a",
        "count": 42,
        "ratio": 0.5,
        "loud": False,
        "tags": [],
        "extra": {},
        "nick": None,
    }


def test_query_fills_what_the_body_lacks(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        srv.url("/echo?count=7&name=ignored&loud=TRUE&ratio=1.5&tags=%5B%22x%22%5D"),
        json={"name": "body"},
    )
    assert r.json()["name"] == "body"
    assert r.json()["count"] == 7
    assert r.json()["loud"] is True
    assert r.json()["ratio"] == 1.5
    assert r.json()["tags"] == ["x"]


def test_form_body(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo"), data={"name": "f", "count": "3", "loud": "0"})
    assert r.status_code == 200
    assert (r.json()["count"], r.json()["loud"]) == (3, False)


def test_multipart_binds_the_saved_file_path(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        srv.url("/upload"),
        data={"title": "notes"},
        files={"doc": ("notes.txt", b"hello file", "text/plain")},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"title": "notes", "size": 10, "text": "hello file"}


@pytest.mark.parametrize(
    ("payload", "code", "param", "message"),
    [
        ({"count": 1}, "missing_parameter", "name", "missing required parameter 'name' (string)"),
        ({"name": "a"}, "missing_parameter", "count", "missing required parameter 'count' (int)"),
        ({"name": 5, "count": 1}, "invalid_parameter", "name", None),
        ({"name": True, "count": 1}, "invalid_parameter", "name", None),
        ({"name": ["a"], "count": 1}, "invalid_parameter", "name", None),
        ({"name": "a", "count": 4.5}, "invalid_parameter", "count", None),
        ({"name": "a", "count": "4x"}, "invalid_parameter", "count", None),
        ({"name": "a", "count": True}, "invalid_parameter", "count", None),
        ({"name": "a", "count": 1, "ratio": "abc"}, "invalid_parameter", "ratio", None),
        ({"name": "a", "count": 1, "loud": "true"}, "invalid_parameter", "loud", None),
        ({"name": "a", "count": 1, "tags": [1]}, "invalid_parameter", "tags", None),
        ({"name": "a", "count": 1, "extra": {"k": "v"}}, "invalid_parameter", "extra", None),
    ],
)
def test_400_for_missing_and_mistyped(srv, payload, code, param, message) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo"), json=payload)
    assert r.status_code == 400
    doc = _err(r)
    assert doc["code"] == code
    assert doc["param"] == param
    if message is not None:
        assert doc["error"] == message
    else:
        assert str(doc["error"]).startswith(f"invalid value for parameter '{param}': ")


def test_400_query_bool_garbage(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo?loud=yes"), json={"name": "a", "count": 1})
    assert r.status_code == 400
    assert _err(r)["param"] == "loud"


def test_400_file_param_without_upload(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/upload"), json={"title": "t", "doc": "/etc/passwd"})
    assert r.status_code == 400
    assert _err(r) == {
        "error": "invalid value for parameter 'doc': expected a file upload (multipart/form-data)",
        "code": "invalid_parameter",
        "param": "doc",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"name": "a",', None),
        (b"[1, 2]", "the request body must be a JSON object"),
        (b'"text"', "the request body must be a JSON object"),
        (b"null", "the request body must be a JSON object"),
    ],
)
def test_400_bad_json(srv, body: bytes, message: str | None) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo"), content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    doc = _err(r)
    assert doc["code"] == "invalid_json"
    assert "param" not in doc
    if message:
        assert doc["error"] == message


def test_400_happens_before_any_stream_starts(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/chat"), json={}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 400
    assert _err(r) == {
        "error": "missing required parameter 'message' (string)",
        "code": "missing_parameter",
        "param": "message",
    }
    r = httpx.get(srv.url("/chat"), headers={"Accept": "text/event-stream"})  # EventSource('/chat')
    assert r.status_code == 400
    assert _err(r)["code"] == "missing_parameter"


def test_415_unsupported_content_type(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(srv.url("/echo"), content=b"name=a", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert _err(r)["code"] == "unsupported_media_type"
    resp = raw_request(srv.port, "POST", "/echo", body=b'{"name":"a","count":1}')
    try:
        assert resp.status == 415  # a body without any Content-Type
    finally:
        resp.close()


def test_413_payload_too_large(srv) -> None:  # type: ignore[no-untyped-def]
    big = {"name": "x" * 5000, "count": 1}
    r = httpx.post(srv.url("/echo"), json=big)
    assert r.status_code == 413
    assert _err(r)["code"] == "payload_too_large"

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'", "count": 1}'

    r = httpx.post(srv.url("/echo"), content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = httpx.post(
        srv.url("/upload"),
        data={"title": "t"},
        files={"doc": ("a.bin", b"z" * 6000, "application/octet-stream")},
    )
    assert r.status_code == 200, "multipart has its own, larger limit"
    r = httpx.post(
        srv.url("/upload"),
        data={"title": "t"},
        files={"doc": ("a.bin", b"z" * 9000, "application/octet-stream")},
    )
    assert r.status_code == 413


def test_405_with_allow(srv) -> None:  # type: ignore[no-untyped-def]
    r = httpx.put(srv.url("/echo"), json={})
    assert r.status_code == 405
    assert r.headers["allow"] == "POST, OPTIONS"
    assert _err(r) == {"error": "method PUT is not allowed on /echo", "code": "method_not_allowed"}
    r = httpx.get(srv.url("/echo"))
    assert r.status_code == 405
    r = httpx.delete(srv.url("/chat"))
    assert r.status_code == 405
    assert r.headers["allow"] == "POST, GET, OPTIONS"
    r = httpx.post(srv.url("/items"))
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, OPTIONS"
    r = httpx.post(srv.url("/_api/health"))
    assert r.status_code == 405
    assert _err(r)["code"] == "method_not_allowed"


def test_404_json(srv) -> None:  # type: ignore[no-untyped-def]
    for path in ("/nope", "/", "/_api/nope", "/echo/"):
        r = httpx.get(srv.url(path))
        assert r.status_code == 404, path
        assert _err(r) == {"error": f"no route for {path}", "code": "not_found"}


def test_several_workflows_share_a_path_by_method() -> None:
    specs = [
        json_spec(
            "/tickets",
            lambda id, status: {"updated": id},
            (FieldT("id", INT), FieldT("status", STRING)),
            method="PUT",
            name="Update",
        ),
        json_spec(
            "/tickets",
            lambda id: {"deleted": id},
            (FieldT("id", INT),),
            method="DELETE",
            name="Delete",
        ),
        stream_spec("/feed", lambda m: Script(("text", m))),
        json_spec("/feed", lambda: {"feed": "index"}, (), method="GET", name="FeedIndex"),
    ]
    with live_server(specs) as srv:
        assert httpx.put(srv.url("/tickets"), json={"id": 3, "status": "x"}).json() == {
            "updated": 3
        }
        assert httpx.delete(srv.url("/tickets?id=4")).json() == {"deleted": 4}
        r = httpx.post(srv.url("/tickets"), json={})
        assert r.status_code == 405
        assert r.headers["allow"] == "PUT, DELETE, OPTIONS"
        # An explicit GET workflow wins over the stream's implicit GET.
        assert httpx.get(srv.url("/feed")).json() == {"feed": "index"}
        assert '{"content":"hi"}' in httpx.post(srv.url("/feed"), json={"message": "hi"}).text
        doc = httpx.get(srv.url("/_api/openapi.json")).json()
    assert set(doc["paths"]["/tickets"]) == {"put", "delete"}
    assert doc["paths"]["/feed"]["get"]["operationId"] == "FeedIndex"


def test_the_same_method_and_path_twice_is_refused() -> None:
    from haira.errors import ConfigError
    from haira.server import Server

    specs = [
        json_spec("/x", dict, (), name="A"),
        json_spec("/x", dict, (), name="B"),
    ]
    with pytest.raises(ConfigError, match="workflows A and B are both served at POST /x"):
        Server(specs).asgi()
