"""The `__main__.py` shim of a compiled app: `python -m app [--port P] [--host H] [--workers N]`.

A native extension module cannot be run with `python -m`, so the wheel carries this one
small pure-Python file. It applies the serving flags with `haira.launch.serving_options`
(the parser `hairac run` uses too; they win over `listen()`'s arguments and the `HAIRA_*`
variables), then calls the program's entry function with the program's own arguments.

    shim_source("app", "app.main", "main")  # the text of app/__main__.py
"""

from __future__ import annotations

from hairac import __version__

_TEMPLATE = '''\
"""`python -m {name}`: run the Haira program `{name}` (compiled by hairac {version})."""

from __future__ import annotations

import sys

from haira.launch import serving_options


def _main() -> int:
    # The program sees its own arguments only, as under `hairac run`.
    sys.argv[1:] = serving_options(sys.argv[1:], "python -m {name}")
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
