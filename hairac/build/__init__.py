"""Build: generated Python package → mypyc native modules → wheel (plus the runtime's wheels).

Modules, in the order a build runs them: `frontend` (check + generate through the driver),
`app` (the app's wheel, cached), `native` and `mypyc_setup` (the mypyc/C build in a child
process), `shim` (`__main__.py`), `wheel` (the zip), `runtime` (haira-runtime's wheels),
`cache` (content-addressed build cache), `tags`, `names`, `progress`, `errors`.
`pipeline.compile_program` composes them for `hairac compile`.
"""

from hairac.build.errors import BadName, BuildError

__all__ = ["BadName", "BuildError"]
