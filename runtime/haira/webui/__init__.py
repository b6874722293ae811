"""The chat and form web UI: static assets (`haira.webui.assets`) and the
`haira webui` reverse proxy (`haira.webui.proxy`).

Importing this package is cheap: the proxy (httpx, uvicorn) is only imported
by whoever uses it, so a server that just mounts the assets pays nothing.
"""

from __future__ import annotations

from haira.webui.assets import asset

__all__ = ["asset"]
