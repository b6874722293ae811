"""Hostile HTTP requests against the real compiled app (uvicorn on loopback).

Each request must get its 4xx answer with the JSON error shape of http-streaming.md §2
(`{"error": ..., "code": ...}`), never a 500 or a traceback, while a stream to another
client keeps flowing. Requests that are broken below HTTP (an unparseable request line, a
header flood) are refused by the HTTP layer itself: a 4xx or a closed connection.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from haira.testing import reply

from tests.hostile.app_support import AUTH_TOKEN, App, hostile_app, sse_events
from tests.hostile.raw_http import raw_request

pytestmark = pytest.mark.xdist_group("hostile-http_input")

GOOD_CALC = {"a": 1, "ratio": 1.5, "flag": True, "tags": ["x"], "p": {"x": 1, "y": 2}}


def calc(**changes: object) -> dict[str, object]:
    body = dict(GOOD_CALC)
    for k, v in changes.items():
        if v is _DROP:
            body.pop(k)
        else:
            body[k] = v
    return body


_DROP = object()
DEEP = 100_000


@dataclass
class Case:
    name: str
    method: str
    path: str
    body: bytes = b""
    content_type: str | None = "application/json"
    status: int = 400
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True


def j(obj: object) -> bytes:
    return json.dumps(obj).encode()


CASES = [
    Case("malformed json", "POST", "/api/calc", b"{bad", code="invalid_json"),
    Case("truncated json", "POST", "/api/calc", b'{"a": 1, "ratio"', code="invalid_json"),
    Case("json array body", "POST", "/api/calc", b"[1, 2]", code="invalid_json"),
    Case("json scalar body", "POST", "/api/calc", b"42", code="invalid_json"),
    Case("json null body", "POST", "/api/calc", b"null", code="invalid_json"),
    Case("NaN literal", "POST", "/api/calc", b'{"a": 1, "ratio": NaN}', code="invalid_json"),
    Case("empty json body", "POST", "/api/calc", b"", code="missing_parameter"),
    Case("string for int", "POST", "/api/calc", j(calc(a="x")), code="invalid_parameter"),
    Case("float for int", "POST", "/api/calc", j(calc(a=4.5)), code="invalid_parameter"),
    Case("bool for int", "POST", "/api/calc", j(calc(a=True)), code="invalid_parameter"),
    Case("int beyond int64", "POST", "/api/calc", j(calc(a=2**70)), code="invalid_parameter"),
    Case("string for bool", "POST", "/api/calc", j(calc(flag="yes")), code="invalid_parameter"),
    Case("object for float", "POST", "/api/calc", j(calc(ratio={})), code="invalid_parameter"),
    Case("null int", "POST", "/api/calc", j(calc(a=None))),
    Case("null list", "POST", "/api/calc", j(calc(tags=None))),
    Case("null struct", "POST", "/api/calc", j(calc(p=None))),
    Case("wrong list items", "POST", "/api/calc", j(calc(tags=[1, None])), code="invalid_parameter"),
    Case("string for struct", "POST", "/api/calc", j(calc(p="1,2")), code="invalid_parameter"),
    Case("struct field wrong", "POST", "/api/calc", j(calc(p={"x": "one", "y": 2})), code="invalid_parameter"),
    Case("struct field missing", "POST", "/api/calc", j(calc(p={"x": 1}))),
    Case("missing param", "POST", "/api/calc", j(calc(a=_DROP)), code="missing_parameter"),
    Case("deep list nesting", "POST", "/api/calc", b'{"tags": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    Case("deep object nesting", "POST", "/api/calc", b'{"p": ' + b'{"x":' * DEEP + b"1" + b"}" * DEEP + b"}"),
    Case("deep nesting in ignored key", "POST", "/api/calc", b'{"zz": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    Case("huge body", "POST", "/api/calc", b'{"a": "' + b"x" * (3 << 20) + b'"}', status=413, code="payload_too_large"),
    Case("invalid utf-8 json", "POST", "/api/calc", b'{"tags": ["\xff\xfe"]}', code="invalid_json"),
    Case("invalid utf-8 stream message", "POST", "/api/stream", b'{"message": "\xc3\x28", "session_id": "s"}',
         code="invalid_json"),
    Case("lone surrogate escape", "POST", "/api/stream", b'{"message": "\\ud800", "session_id": "s"}',
         code="invalid_json"),
    Case("stream message object", "POST", "/api/stream", j({"message": {"a": 1}, "session_id": "s"}),
         code="invalid_parameter"),
    Case("stream message null", "POST", "/api/stream", j({"message": None, "session_id": "s"})),
    Case("text/plain body", "POST", "/api/calc", b"a=1", content_type="text/plain", status=415,
         code="unsupported_media_type"),
    Case("xml body", "POST", "/api/calc", b"<a>1</a>", content_type="application/xml", status=415,
         code="unsupported_media_type"),
    Case("garbage content type", "POST", "/api/calc", b"{}", content_type=";;==", status=415),
    Case("form wrong type", "POST", "/api/calc", b"a=x&ratio=1&flag=true&tags=[]&p={}",
         content_type="application/x-www-form-urlencoded", code="invalid_parameter"),
    Case("form invalid utf-8", "POST", "/api/calc", b"a=%ff%fe&ratio=1",
         content_type="application/x-www-form-urlencoded"),
    Case("form deep list nesting", "POST", "/api/calc",
         b"a=1&ratio=1&flag=true&p={}&tags=" + b"[" * DEEP + b"]" * DEEP, content_type="application/x-www-form-urlencoded",
         code="invalid_parameter"),
    Case("form deep object nesting", "POST", "/api/calc",
         b'a=1&ratio=1&flag=true&tags=[]&p=' + b'{"x":' * DEEP + b"1" + b"}" * DEEP,
         content_type="application/x-www-form-urlencoded", code="invalid_parameter"),
    Case("multipart without boundary", "POST", "/api/calc", b"--x\r\n", content_type="multipart/form-data"),
    Case("multipart garbage", "POST", "/api/calc", b"\x00\xff" * 100,
         content_type="multipart/form-data; boundary=zzz"),
    # Query strings are decoded leniently (U+FFFD), like browsers do.
    Case("query invalid utf-8", "GET", "/api/stream?message=%ff%fe&session_id=s", content_type=None, status=200),
    Case("unknown path", "GET", "/nope", content_type=None, status=404),
    Case("unknown path with junk", "GET", "/%ff/..%2f..%2fetc/passwd", content_type=None, status=404),
    Case("unknown api path", "POST", "/_api/../api/calc/extra", j(GOOD_CALC), status=404),
    Case("wrong method", "DELETE", "/api/calc", content_type=None, status=405),
    Case("unknown method", "PATCH", "/api/stream", j({}), status=405),
    Case("no auth", "POST", "/api/calc", j(GOOD_CALC), status=401, auth=False),
    Case("wrong auth", "POST", "/api/calc", j(GOOD_CALC), status=401, auth=False,
         headers={"Authorization": "Bearer nope"}),
    Case("basic auth", "POST", "/api/calc", j(GOOD_CALC), status=401, auth=False,
         headers={"Authorization": "Basic dXNlcjpwYXNz"}),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_http"), HAIRA_HEADER_TIMEOUT="3") as a:
        yield a


class Background:
    """A stream to another client that must keep flowing while the hostile requests run."""

    def __init__(self, app: App) -> None:
        app.fake.token_rate = 0  # default replies fast; the scripted one is slow
        # 160 tokens at 40/s: about 4 s, well inside the app's 8 s total upstream timeout.
        app.fake.script(reply(" ".join(f"w{i}" for i in range(160)), token_rate=40))
        before = len(app.fake.model_requests())
        self.body = b""
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(app,), daemon=True)
        self.thread.start()
        # The scripted slow reply must go to this stream, not to a hostile case's.
        app.fake.wait_for_requests(before + 1, timeout=10)

    def _run(self, app: App) -> None:
        try:
            with app.client(timeout=60) as c, c.stream(
                "POST", "/api/stream", json={"message": "bg", "session_id": "bg"}
            ) as r:
                for chunk in r.iter_bytes():
                    self.body += chunk
        except BaseException as exc:  # reported by the test
            self.error = exc

    def finish(self) -> list[tuple[str, str]]:
        self.thread.join(60)
        assert self.error is None, self.error
        return sse_events(self.body)


def check_json_error(case: Case, status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == case.status, (case.name, status, body[:500])
    if status == 200:
        return
    assert headers.get("content-type", "").startswith("application/json"), (case.name, headers)
    doc = json.loads(body)
    assert isinstance(doc, dict) and isinstance(doc.get("error"), str) and doc["error"], doc
    assert isinstance(doc.get("code"), str), doc
    if case.code is not None:
        assert doc["code"] == case.code, (case.name, doc)
    assert "Traceback" not in body.decode("utf-8", "replace")
    if status == 405:
        assert headers.get("allow"), headers


def send(app: App, case: Case) -> tuple[int, dict[str, str], bytes]:
    headers = {"Host": "127.0.0.1", "Connection": "close", "Accept": "application/json", **case.headers}
    if case.auth:
        headers.update(app.auth)
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(case.body))
    head = f"{case.method} {case.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return raw_request(app.port, head.encode("latin-1") + b"\r\n" + case.body, timeout=20)


def test_hostile_requests_get_json_errors_while_others_stream(app: App) -> None:
    bg = Background(app)
    failures = []
    for case in CASES:
        status, headers, body = send(app, case)
        app.bodies.append(body)
        try:
            check_json_error(case, status, headers, body)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{case.name}: {exc}")
    events = bg.finish()
    assert not failures, "\n".join(failures)
    assert events[-1] == ("done", "[DONE]"), events[-3:]
    assert not any(name == "error" for name, _ in events), events
    assert sum(1 for name, _ in events if name == "message") >= 150
    app.assert_no_secrets()


def test_protocol_level_garbage_is_refused_not_crashed(app: App) -> None:
    """Below HTTP: refused by uvicorn (4xx or a closed connection), and the server lives on."""
    garbage = [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /api/calc HTTP/1.1\r\nHost: x\r\nContent-Type: \x01\x02\r\nContent-Length: 2\r\n\r\n{}",
        b"NOT A REQUEST\r\n\r\n",
        b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /api/calc HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/calc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /_api/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-Flood-%d: %s\r\n" % (i, b"v" * 100) for i in range(5000)) + b"\r\n",
        b"GET /_api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 1_000_000 + b"\r\n\r\n",
    ]
    for data in garbage:
        status, _, body = raw_request(app.port, data, timeout=10)
        assert status == 0 or 400 <= status < 500, (data[:40], status, body[:200])
        assert b"Traceback" not in body
    r = httpx.get(app.url("/_api/health"), headers=app.auth, timeout=5)
    assert r.status_code == 200


def test_chunked_body_over_the_limit_is_413(app: App) -> None:
    def gen() -> Iterator[bytes]:
        yield b'{"a": "'
        for _ in range(64):
            yield b"x" * 65536
        yield b'"}'

    r = httpx.post(app.url("/api/calc"), content=gen(), timeout=20,
                   headers={**app.auth, "Content-Type": "application/json"})
    assert r.status_code == 413, r.text[:300]
    assert r.json()["code"] == "payload_too_large"


def test_slowloris_senders_do_not_block_streams(app: App) -> None:
    """Dozens of connections dribbling headers and bodies byte by byte: normal clients keep
    being served, and the server does not spend a thread or unbounded memory on them."""
    socks: list[socket.socket] = []
    rss0 = app.rss_kib()
    for i in range(60):
        s = socket.create_connection(("127.0.0.1", app.port), timeout=5)
        if i % 2:
            s.sendall(b"POST /api/stream HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never end
        else:
            s.sendall(b"POST /api/calc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")  # body never ends
        socks.append(s)
    try:
        for _ in range(3):
            for s in socks:
                with contextlib.suppress(OSError):
                    s.sendall(b"a")
            r = httpx.post(app.url("/api/stream"), json={"message": "still here", "session_id": "sl"},
                           headers=app.auth, timeout=10)
            assert r.status_code == 200
            assert sse_events(r.content)[-1] == ("done", "[DONE]")
            time.sleep(0.2)
        assert app.rss_kib() - rss0 < 50_000
    finally:
        for s in socks:
            s.close()


ODD_PATHS = ["/_api/chats/" + "a" * 5000, "/_api/chats/%ff", "/_api/chats/..%2f..%2fetc", "/_api/chats/s1/extra",
             "/_api/chats?workflow=%ff", "/_api/chats?workflow=" + "x" * 10000, "/_api/chats/", "/_api/chats/%00",
             "/_api/workflows?x=%ff", "/_api/openapi.json/x", "/_ui/../../etc/passwd", "/_api/health?%%%",
             "/api/stream?message=" + "%00" * 100]


def test_odd_paths_and_methods_never_5xx(app: App) -> None:
    for path in ODD_PATHS:
        for method in ("GET", "DELETE", "POST", "PUT", "TRACE", "CONNECT"):
            status, headers, body = send(app, Case("odd", method, path, content_type=None))
            app.bodies.append(body)
            assert 0 < status < 500, (method, path[:60], status, body[:200])
            if status >= 400:
                assert headers.get("content-type", "").startswith("application/json"), (method, path[:60])


def test_garbage_last_event_id_starts_a_fresh_stream_or_204(app: App) -> None:
    for value in ("x", ":", "abc:-1", "abc:1e5", "a" * 10000, "abc:99999999999999999999999", "a:b:c"):
        r = app.client().post("/api/stream", json={"message": "hi", "session_id": "lei"},
                              headers={"Last-Event-ID": value})
        app.bodies.append(r.content)
        assert r.status_code in (200, 204), (value[:40], r.status_code, r.text[:200])
        if r.status_code == 200:
            assert sse_events(r.content)[-1] == ("done", "[DONE]")


def test_error_messages_do_not_echo_huge_values(app: App) -> None:
    """A 900 KB string where an int belongs: the 400 quotes only the start of it."""
    r = app.client().post("/api/calc", json=calc(a="9" * 900_000 + "x"))
    assert r.status_code == 400 and r.json()["code"] == "invalid_parameter"
    assert len(r.content) < 1000, len(r.content)


def test_header_floods_get_431_and_memory_stays_flat(app: App) -> None:
    """httptools alone buffers a head without limit; HAIRA_MAX_HEADER_BYTES (256 KiB) caps it."""
    auth = f"Authorization: Bearer {AUTH_TOKEN}\r\n".encode()
    flood = (b"GET /_api/health HTTP/1.1\r\nHost: x\r\n" + auth
             + b"".join(b"X-Flood-%d: %s\r\n" % (i, b"v" * 100) for i in range(5000)) + b"\r\n")
    big = b"GET /_api/health HTTP/1.1\r\nHost: x\r\n" + auth + b"X-Big: " + b"v" * 1_000_000 + b"\r\n\r\n"
    for data in (flood, big):
        status, headers, body = raw_request(app.port, data, timeout=20)
        assert status == 431, (status, body[:200])
        assert json.loads(body)["code"] == "headers_too_large"
    # An endless header: the connection is closed long before the client stops sending.
    before = app.rss_kib()
    sent = 0
    with socket.create_connection(("127.0.0.1", app.port), timeout=10) as s:
        s.sendall(b"GET /_api/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        with contextlib.suppress(OSError):
            while sent < 50_000_000:
                s.sendall(b"v" * 100_000)
                sent += 100_000
    assert sent < 5_000_000, sent
    assert app.rss_kib() - before < 20_000
    # Ordinary large-ish heads still pass.
    ok = httpx.get(app.url("/_api/health"), headers={**app.auth, "X-Pad": "p" * 30_000}, timeout=10)
    assert ok.status_code == 200


def test_heads_that_never_finish_get_408(app: App) -> None:
    """Slowloris: a head trickling in (or never starting) is answered 408 after
    HAIRA_HEADER_TIMEOUT (3 s here), so such connections do not pile up."""
    trickle = socket.create_connection(("127.0.0.1", app.port), timeout=10)
    silent = socket.create_connection(("127.0.0.1", app.port), timeout=10)
    start = time.monotonic()
    try:
        trickle.sendall(b"GET /_api/health HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        with contextlib.suppress(OSError):
            while time.monotonic() - start < 8:
                trickle.sendall(b"X-A: b\r\n")
                time.sleep(0.5)
        with contextlib.suppress(OSError):
            while chunk := trickle.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b'"code":"request_timeout"' in answer
        assert time.monotonic() - start < 7
        rest = silent.recv(4096)
        assert rest.startswith(b"HTTP/1.1 408"), rest[:200]
    finally:
        trickle.close()
        silent.close()


def test_bodies_that_stop_arriving_get_408(app: App) -> None:
    """A body that stops mid-way is answered 408 after HAIRA_HEADER_TIMEOUT (3 s) of silence;
    one that keeps trickling is not cut off while it makes progress."""
    head = (b"POST /api/calc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + AUTH_TOKEN.encode() + b"\r\nContent-Length: 100\r\n\r\n{")
    with socket.create_connection(("127.0.0.1", app.port), timeout=10) as s:
        start = time.monotonic()
        s.sendall(head)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := s.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b'"code":"request_timeout"' in answer
        assert 2.5 < time.monotonic() - start < 8
    body = json.dumps(GOOD_CALC).encode()
    with socket.create_connection(("127.0.0.1", app.port), timeout=10) as s:
        s.sendall(head.replace(b"100", str(len(body)).encode()).removesuffix(b"{"))
        for i in range(0, len(body), 20):  # 20 bytes a second: slow, but progressing
            s.sendall(body[i : i + 20])
            time.sleep(1.0 if i + 20 < len(body) else 0)
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
