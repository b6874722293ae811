"""Haira `slack`: incoming webhooks, Block Kit helpers and a bot client (REF `slack*.go`).

    slack.send(webhook, "#ops", "deployed")                      # -> error or nil
    slack.send_blocks(webhook, [slack.header("Deploy"), slack.divider()])
    bot = slack.client(token); bot.post_message("#ops", "hi")

Errors read as REF's: `slack send: …`, `slack error (<status>): <body>`, `slack api error: …`.
The Web API base URL can be overridden with `HAIRA_SLACK_API` (tests).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import httpx

from haira.errors import HairaError
from haira.stdlib.json import marshal

__all__ = [
    "SlackClient",
    "client",
    "context",
    "divider",
    "header",
    "section",
    "send",
    "send_blocks",
]

API_BASE = "https://slack.com/api"


def _post_webhook(url: str, payload: dict[str, object], what: str) -> HairaError | None:
    body, _ = marshal(payload)
    try:
        r = httpx.post(url, content=body.encode(), headers={"Content-Type": "application/json"}, timeout=30)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return HairaError(f"{what}: {exc}")
    if r.status_code != 200:
        return HairaError(f"slack error ({r.status_code}): {r.text}")
    return None


def send(webhook_url: str, channel: str, text: str) -> HairaError | None:
    """Post `text` to `channel` through an incoming webhook."""
    return _post_webhook(webhook_url, {"channel": channel, "text": text}, "slack send")


def send_blocks(webhook_url: str, blocks: Sequence[object]) -> HairaError | None:
    """Post Block Kit `blocks` through an incoming webhook."""
    return _post_webhook(webhook_url, {"blocks": list(blocks)}, "slack send blocks")


def header(text: str) -> dict[str, object]:
    """A header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def section(text: str) -> dict[str, object]:
    """A section block with markdown text."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def divider() -> dict[str, object]:
    """A divider block."""
    return {"type": "divider"}


def context(*texts: str) -> dict[str, object]:
    """A context block of markdown elements."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


class SlackClient:
    """A bot client for the Slack Web API (`chat.postMessage`)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def _post(self, payload: dict[str, object]) -> HairaError | None:
        body, _ = marshal(payload)
        base = os.environ.get("HAIRA_SLACK_API", API_BASE).rstrip("/")
        try:
            r = httpx.post(
                f"{base}/chat.postMessage",
                content=body.encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
                timeout=30,
            )
            result = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            return HairaError(f"slack send: {exc}")
        if not (isinstance(result, dict) and result.get("ok") is True):
            err = result.get("error", "") if isinstance(result, dict) else ""
            return HairaError(f"slack api error: {err}")
        return None

    def post_message(self, channel: str, text: str) -> HairaError | None:
        """Post `text` to `channel`."""
        return self._post({"channel": channel, "text": text})

    def post_blocks(self, channel: str, blocks: Sequence[object]) -> HairaError | None:
        """Post Block Kit `blocks` to `channel`."""
        return self._post({"channel": channel, "blocks": list(blocks)})


def client(token: str) -> SlackClient:
    """A bot client authenticated with `token`."""
    return SlackClient(token)
