"""The serving options of a Haira program's command line: `--port P --host H --workers N`.

One parser for both ways a program starts: the compiled app's `python -m app ...` (the
build's `__main__.py` shim) and `hairac run FILE ...` (the generated package's
`__main__.py`). It lives in the runtime because a compiled app carries no hairac.

The rule: before a `--`, `--port`, `--host`, `--workers` (and `-h`/`--help`) are the
runtime's; every other argument, and everything after the first `--`, is the program's,
in order. The options override `listen()`'s arguments and the `HAIRA_*` variables.

    sys.argv[1:] = serving_options(sys.argv[1:], "python -m app")
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        # `--po` must stay a program argument, not become `--port`
        allow_abbrev=False,
        description=(
            "Run the Haira program. A program that calls server.listen() serves HTTP; "
            "these options override listen()'s arguments and the HAIRA_PORT, HAIRA_HOST "
            "and HAIRA_WORKERS environment variables. Other arguments, and all after "
            "`--`, are the program's (os.args())."
        ),
    )
    parser.add_argument("--port", type=int, metavar="PORT", help="TCP port to listen on")
    parser.add_argument("--host", metavar="HOST", help="address to bind (e.g. 0.0.0.0)")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="number of server worker processes"
    )
    return parser


def serving_options(argv: Sequence[str], prog: str) -> list[str]:
    """Apply the serving options in `argv`; return the program's own arguments.

    A malformed option exits 2 with a usage message; `-h` prints the help and exits 0.
    """
    args = list(argv)
    split = args.index("--") if "--" in args else len(args)
    head, tail = args[:split], args[split + 1 :]
    parser = _parser(prog)
    options, rest = parser.parse_known_args(head)
    if options.port is not None and not 0 <= options.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if options.workers is not None and options.workers < 1:
        parser.error("--workers must be at least 1")
    if options.port is not None or options.host is not None or options.workers is not None:
        # imported only when needed: a program that does not serve never loads the server
        from haira.server import config

        config.override(port=options.port, host=options.host, workers=options.workers)
    return [*rest, *tail]
