"""The `__main__.py` shim of a compiled app: `python -m app [--port P] [--host H] [--workers N]`.

A native extension module cannot be run with `python -m`, so the wheel carries this one
small pure-Python file. It parses the serving flags, hands them to the runtime with
`haira.server.config.override(...)` (they win over `listen()`'s arguments and the
`HAIRA_*` variables), then calls the program's entry function.

    shim_source("app", "app.main", "main")  # the text of app/__main__.py
"""

from __future__ import annotations

from hairac import __version__

_TEMPLATE = '''\
"""`python -m {name}`: run the Haira program `{name}` (compiled by hairac {version})."""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {name}",
        description=(
            "Run the Haira program {name}. A program that calls server.listen() serves "
            "HTTP; these options override listen()'s arguments and the HAIRA_PORT, "
            "HAIRA_HOST and HAIRA_WORKERS environment variables."
        ),
    )
    parser.add_argument("--port", type=int, metavar="PORT", help="TCP port to listen on")
    parser.add_argument("--host", metavar="HOST", help="address to bind (e.g. 0.0.0.0)")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="number of server worker processes"
    )
    return parser


def _main() -> int:
    parser = _parser()
    options, rest = parser.parse_known_args(sys.argv[1:])
    if options.port is not None and not 0 <= options.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if options.workers is not None and options.workers < 1:
        parser.error("--workers must be at least 1")
    if options.port is not None or options.host is not None or options.workers is not None:
        from haira.server import config

        config.override(port=options.port, host=options.host, workers=options.workers)
    # The program sees its own arguments only, as under `hairac run`.
    sys.argv = [sys.argv[0], *rest]
    from {entry_module} import {entry_function} as entry

    status = entry()
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    raise SystemExit(_main())
'''


def shim_source(name: str, entry_module: str, entry_function: str) -> str:
    """The text of `<name>/__main__.py` calling `entry_module.entry_function()`."""
    return _TEMPLATE.format(
        name=name,
        version=__version__,
        entry_module=entry_module,
        entry_function=entry_function,
    )
