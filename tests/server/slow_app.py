"""A server process for the shutdown and listen tests: `python slow_app.py` (HAIRA_PORT set).

`/slow` streams one delta, then waits forever (touching $HAIRA_TEST_MARK first, when set);
`/fast` answers at once.
"""

from __future__ import annotations

import os
import sys

from haira.server import Server
from haira.types import STRING, FieldT
from server_support import Script, stream_spec


def _slow(message: str) -> Script:
    mark = os.environ.get("HAIRA_TEST_MARK", "")
    started = (("touch", mark),) if mark else ()
    return Script(*started, ("text", "first"), ("sleep", 3600))


def main() -> None:
    forever = Script  # each request gets its own script
    specs = [
        stream_spec("/slow", _slow),
        stream_spec(
            "/fast",
            lambda m: forever(("text", m)),
            params=(FieldT("message", STRING),),
            name="Fast",
        ),
    ]
    err = Server(specs).listen(int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
    if err is not None:
        sys.exit(1)


if __name__ == "__main__":
    main()
