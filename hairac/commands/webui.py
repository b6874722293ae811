"""`haira webui [-c HOST:PORT]... [-p PORT]`: the chat and form UI for running servers.

    haira webui -c localhost:8080 -p 3000    # open http://localhost:3000/

The work is done by `haira.webui.serve` (runtime package); this module only
parses the command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "webui",
        help="serve the chat/form web UI for a running Haira server",
        description=(
            "Serve the chat and form UI and proxy a Haira server's workflows and /_api routes "
            "(streams are passed through unbuffered)."
        ),
    )
    parser.add_argument(
        "-c",
        "--connect",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="backend server (default localhost:8080); repeat for several backends",
    )
    parser.add_argument(
        "-p", "--port", default="3000", help="port to serve the UI on (default 3000)"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from haira.webui.serve import parse_port, serve

    port = parse_port(str(args.port))
    if port is None:
        print(f"haira webui: invalid port: {args.port}", file=sys.stderr)
        return 2
    return serve(list(args.connect), port=port, host=str(args.host))
