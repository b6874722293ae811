"""`hairac console HOST:PORT [--workflow NAME] [--token T]`: chat with a running server.

Discovers the workflows (`GET /_api/workflows`), picks the only streaming one (or
asks), and sends each line as a message with session id `cli-<16 hex>`, printing the
reply as it streams. Slash commands: /new /session [id] /workflows /clear /help /quit /exit.
Exit 0 when the user leaves, 1 when the server cannot be used.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "console",
        help="chat with a running Haira server's streaming workflow in the terminal",
        description="An interactive terminal client for a Haira server's streaming workflow.",
    )
    parser.add_argument("target", metavar="HOST:PORT", help="the server (also :PORT or a URL)")
    parser.add_argument("--workflow", "-w", help="the workflow to chat with (name or path)")
    parser.add_argument(
        "--token", help="bearer token for a server with HAIRA_AUTH_TOKEN (default: that variable)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: httpx is not needed by the other commands' start-up.
    from hairac.console import Client, base_url, run_console

    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401 - line editing and history for input()

    token = args.token or os.environ.get("HAIRA_AUTH_TOKEN") or None
    client = Client(base_url(args.target), token=token)
    try:
        return run_console(args.target, client, wanted=args.workflow, interactive=interactive)
    finally:
        client.close()
