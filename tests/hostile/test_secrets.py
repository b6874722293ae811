"""Secrets and injection: API keys and HAIRA_AUTH_TOKEN never appear in responses, error
events or logs, even when the upstream echoes them back; model output cannot break SSE
framing. (Every other hostile test also greps its bodies and logs: `App.assert_no_secrets`.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from haira.testing import error, malformed, reply

from tests.hostile.app_support import API_KEY, AUTH_TOKEN, SECRETS, App, hostile_app, sse_events

pytestmark = pytest.mark.xdist_group("hostile-secrets")

LITERAL_KEY = "sk-literal-SOURCEKEY-5e8d2b7a9c41"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_secrets"), HAIRA_LLM_MAX_RETRIES="0") as a:
        yield a


ECHOES = [
    error(401, message=f"Incorrect API key provided: {API_KEY}"),
    error(400, message=f"bad request; headers were Authorization: Bearer {API_KEY}"),
    error(500, message=f"internal: token {AUTH_TOKEN} key {API_KEY}"),
    malformed(after=1, text=f"partial {API_KEY[:6]} then garbage"),
]


@pytest.mark.parametrize("accept", ["text/event-stream", "application/json"])
@pytest.mark.parametrize("step", ECHOES, ids=["401", "400", "500", "malformed"])
def test_upstream_errors_echoing_secrets_are_redacted(app: App, step: object, accept: str) -> None:
    app.fake.reset()
    app.fake.script(step)  # type: ignore[arg-type]
    r = app.post("/api/stream", {"message": "hi", "session_id": "sec"}, accept=accept)
    assert r.status_code in (200, 502), r.text
    if accept == "text/event-stream":
        assert sse_events(r.content)[-1] == ("done", "[DONE]")
    app.assert_no_secrets()


def test_discovery_and_errors_carry_no_secrets(app: App) -> None:
    for path in ("/_api/workflows", "/_api/openapi.json", "/_api/chats", "/_api/health", "/nope"):
        r = httpx.get(app.url(path), headers=app.auth, timeout=10)
        app.bodies.append(r.content)
        app.bodies.append(json.dumps(dict(r.headers)).encode())
    for auth in ("Bearer " + AUTH_TOKEN[:-1], "Bearer " + AUTH_TOKEN + "x", AUTH_TOKEN, ""):
        r = httpx.post(app.url("/api/stream"), json={"message": "x", "session_id": "y"},
                       headers={"Authorization": auth}, timeout=10)
        assert r.status_code == 401
        app.bodies.append(r.content)
    app.assert_no_secrets()
    assert all(s not in app.logs() for s in SECRETS)


def test_model_output_cannot_break_sse_framing(app: App) -> None:
    nasty = 'a\n\nevent: done\ndata: [DONE]\n\nid: x:99\r\n</script><script>alert(1)</script>\u2028"\\'
    app.fake.reset()
    app.fake.script(reply(nasty))
    r = app.post("/api/stream", {"message": "hi", "session_id": "inj"})
    events = sse_events(r.content)
    assert [n for n, _ in events].count("done") == 1 and events[-1] == ("done", "[DONE]")
    text = "".join(json.loads(d)["content"] for n, d in events if n == "message")
    assert text == nasty
    for block in r.content.split(b"\n\n"):
        for line in block.split(b"\n"):
            assert line == b"" or line.split(b":", 1)[0] in (b"id", b"data", b"event", b"retry", b""), line


def test_key_written_in_the_source_is_redacted_too(tmp_path: Path) -> None:
    source = Path(__file__).parent / "data" / "literal_key.haira"
    with hostile_app(tmp_path, source, HAIRA_LLM_MAX_RETRIES="0") as app:
        app.fake.script(error(401, message=f"Incorrect API key provided: {LITERAL_KEY}"))
        for accept in ("text/event-stream", "application/json"):
            app.fake.script(error(401, message=f"Incorrect API key provided: {LITERAL_KEY}"))
            r = app.post("/api/stream", {"message": "hi", "session_id": "lit"}, accept=accept)
            assert LITERAL_KEY not in r.text, r.text
            assert LITERAL_KEY[12:] not in r.text, r.text
        assert app.fake.model_requests()[0].headers["authorization"] == f"Bearer {LITERAL_KEY}"
        assert LITERAL_KEY not in app.logs()
        app.assert_no_secrets()
