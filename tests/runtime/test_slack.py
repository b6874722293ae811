"""`slack` against a loopback webhook / Web API stand-in."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from haira.rt import fmt
from haira.stdlib import slack

posts: list[tuple[str, str, dict[str, object]]] = []


class _H(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802  # NOTE: http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        posts.append((self.path, self.headers.get("Authorization", ""), body))
        if self.path == "/hook/bad":
            status, reply = 404, b"no_service"
        elif self.path == "/api/chat.postMessage":
            ok = body.get("channel") != "#nope"
            status, reply = 200, json.dumps({"ok": ok, "error": "channel_not_found"}).encode()
        else:
            status, reply = 200, b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def base() -> Iterator[str]:
    posts.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_webhooks(base: str) -> None:
    assert slack.send(base + "/hook/ok", "#ops", "deployed") is None
    assert posts[-1][2] == {"channel": "#ops", "text": "deployed"}
    blocks = [slack.header("Deploy"), slack.section("*done*"), slack.divider(), slack.context("a", "b")]
    assert slack.send_blocks(base + "/hook/ok", blocks) is None
    assert posts[-1][2]["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "Deploy"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*done*"}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "a"}, {"type": "mrkdwn", "text": "b"}]},
    ]
    assert fmt(slack.send(base + "/hook/bad", "#ops", "x")) == "slack error (404): no_service"


def test_bot_client(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_SLACK_API", base + "/api")
    bot = slack.client("xoxb-1")
    assert bot.post_message("#ops", "hi") is None
    assert posts[-1][1] == "Bearer xoxb-1"
    assert fmt(bot.post_message("#nope", "hi")) == "slack api error: channel_not_found"
    assert bot.post_blocks("#ops", [slack.divider()]) is None
