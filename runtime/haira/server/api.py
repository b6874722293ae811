"""The Falcon ASGI app behind the workflow routes: `/_api/*`, `/_ui/`, and the 404/405 answers.

    GET /_api/health        -> {"status":"ok"}
    GET /_api/workflows     -> [{"name":"Chat","path":"/chat",...}]
    GET /_api/chats/s1      -> {"id":"s1","messages":[...]}

Errors use the same JSON shape as the workflow routes (`{"error", "code"}`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Final

import falcon
import falcon.asgi
import orjson

from haira.memory import Chat, ChatSummary, Store
from haira.memory.unavailable import StoreUnavailable
from haira.server.openapi import openapi, workflow_item
from haira.server.problems import error_body, report_internal
from haira.server.spec import WorkflowSpec

__all__ = ["build_api"]

_JSON: Final = "application/json"
_CODES: Final[dict[int, str]] = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _json(resp: falcon.asgi.Response, doc: object, status: int = 200) -> None:
    resp.status = status
    resp.content_type = _JSON
    resp.data = orjson.dumps(doc) + b"\n"


class _Health:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        _json(resp, {"status": "ok"})

    on_head = on_get  # load balancers often probe with HEAD


class _Static:
    """A precomputed JSON document (workflow list, OpenAPI)."""

    def __init__(self, doc: object) -> None:
        self._body = orjson.dumps(doc) + b"\n"

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = _JSON
        resp.data = self._body


class _Chats:
    def __init__(self, store: Callable[[], Store], names: dict[str, str]) -> None:
        self._store = store
        self._names = names

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        wanted = req.get_param("workflow")
        chats = await self._store().list_chats()
        _json(resp, [_summary(c, self._names) for c in chats if wanted in (None, c.workflow)])


class _ChatDetail:
    def __init__(self, store: Callable[[], Store], names: dict[str, str]) -> None:
        self._store = store
        self._names = names

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, chat_id: str
    ) -> None:
        chat = await self._store().get_chat(chat_id)
        if chat is None:
            raise falcon.HTTPNotFound(description=f"no chat with id '{chat_id}'")
        _json(resp, _detail(chat, self._names))

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, chat_id: str
    ) -> None:
        existed = await self._store().delete_chat(chat_id)
        _json(resp, {"status": "deleted", "existed": existed})


class _Ui:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, rest: str = ""
    ) -> None:
        from haira.webui import asset
        from haira.webui.assets import CACHE_CONTROL

        found = asset(rest)
        if found is None:
            raise falcon.HTTPNotFound(description=f"no UI file '{rest}'")
        body, content_type = found
        resp.content_type = content_type
        resp.cache_control = [CACHE_CONTROL]
        resp.data = body

    on_head = on_get


class _Root:
    """`GET /` from a browser goes to the UI; anything else is the usual 404."""

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if "text/html" in (req.accept or ""):
            raise falcon.HTTPFound("/_ui/")
        raise falcon.HTTPNotFound()


class _UiRedirect:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        raise falcon.HTTPMovedPermanently("/_ui/")


def _summary(c: ChatSummary, names: dict[str, str]) -> dict[str, object]:
    return {
        "id": c.session_id,
        "session_id": c.session_id,
        "workflow_name": names.get(c.workflow, c.workflow),
        "workflow_path": c.workflow,
        "title": c.title,
        "message_count": c.message_count,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _detail(c: Chat, names: dict[str, str]) -> dict[str, object]:
    return {
        "id": c.session_id,
        "session_id": c.session_id,
        "workflow_name": names.get(c.workflow, c.workflow),
        "workflow_path": c.workflow,
        "title": next((m.content[:80] for m in c.messages if m.role == "user"), ""),
        "message_count": len(c.messages),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "messages": [
            {
                "role": m.role,
                "content": m.content,
                "interrupted": m.interrupted,
                "timestamp": m.timestamp,
            }
            for m in c.messages
        ],
    }


def _serialize_error(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, exc: falcon.HTTPError
) -> None:
    status = exc.status_code
    code = _CODES.get(status, "error")
    if status == 404 and exc.description is None:
        message = f"no route for {req.path}"
    elif status == 405 and exc.description is None:
        message = f"method {req.method} is not allowed on {req.path}"
    else:
        message = exc.description or exc.title
    resp.content_type = _JSON
    resp.data = error_body(message, code)


async def _internal_error(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, exc: Exception, params: object
) -> None:
    # Falcon would print a traceback; report one line (store down, a bug) and answer 500.
    if isinstance(exc, falcon.HTTPError):
        raise exc
    if isinstance(exc, StoreUnavailable):  # scale-out: the shared database is down
        sys.stderr.write(f"[haira] {req.method} {req.path}: {exc}\n")
        resp.status = 503
        resp.content_type = _JSON
        resp.data = error_body(str(exc), "store_unavailable")
        return
    report_internal(exc, debug=False)
    resp.status = 500
    resp.content_type = _JSON
    resp.data = error_body("internal error", "internal")


def build_api(
    specs: list[WorkflowSpec], store: Callable[[], Store], *, ui: bool, auth: bool
) -> falcon.asgi.App[falcon.asgi.Request, falcon.asgi.Response]:
    """The Falcon app serving `/_api/*` and (with `ui`) `/_ui/`."""
    app = falcon.asgi.App(media_type=_JSON)
    app.set_error_serializer(_serialize_error)
    app.add_error_handler(Exception, _internal_error)
    names = {s.path: s.name for s in specs}
    app.add_route("/_api/health", _Health())
    app.add_route("/_api/workflows", _Static([workflow_item(s) for s in specs]))
    app.add_route("/_api/openapi.json", _Static(openapi(specs, auth=auth)))
    app.add_route("/_api/chats", _Chats(store, names))
    app.add_route("/_api/chats/{chat_id}", _ChatDetail(store, names))
    if ui:
        app.add_route("/_ui", _UiRedirect())
        app.add_route("/_ui/", _Ui())
        app.add_route("/_ui/{rest:path}", _Ui())
        if "/" not in names:
            app.add_route("/", _Root())
    return app
