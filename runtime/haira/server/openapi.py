"""Discovery documents generated from the workflows: `/_api/workflows` and OpenAPI 3.1.

workflow_item(spec)  -> {"name": "Chat", "path": "/chat", "method": "POST", "is_stream": true,
                         "chat_param": "message", "params": [{"name": "message", "type": "string", ...}]}
openapi(specs)       -> {"openapi": "3.1.0", "paths": {"/chat": {"post": ..., "get": ...}}, ...}
"""

from __future__ import annotations

from typing import Final

import haira
from haira.server.spec import WorkflowSpec
from haira.types import (
    FILE,
    EnumT,
    FieldT,
    HType,
    ListT,
    MapT,
    OptionalT,
    PrimT,
    StructT,
    to_jsonable,
    type_name,
)

__all__ = ["openapi", "schema", "workflow_item"]

_PRIM_SCHEMAS: Final[dict[str, dict[str, object]]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "string": {"type": "string"},
    "bool": {"type": "boolean"},
    "any": {},
    "file": {"type": "string", "format": "binary"},
}

_WEBUI_KEYS: Final = (
    "title",
    "description",
    "mode",
    "suggestions",
    "accent",
    "logo",
    "theme",
    "avatar",
)


def schema(t: HType) -> dict[str, object]:
    """The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a Haira type."""
    if isinstance(t, PrimT):
        return dict(_PRIM_SCHEMAS.get(t.kind, {}))
    if isinstance(t, OptionalT):
        return {"anyOf": [schema(t.inner), {"type": "null"}]}
    if isinstance(t, ListT):
        return {"type": "array", "items": schema(t.elem)}
    if isinstance(t, MapT):
        return {"type": "object", "additionalProperties": schema(t.value)}
    if isinstance(t, StructT):
        return _object_schema(t.fields, title=t.name)
    if isinstance(t, EnumT):
        return {"type": "string", "enum": [name for name, _ in t.variants], "title": t.name}
    return {}


def _object_schema(fields: tuple[FieldT, ...], *, title: str | None = None) -> dict[str, object]:
    props: dict[str, object] = {}
    for f in fields:
        s = schema(f.type)
        if not f.required:
            s["default"] = to_jsonable(f.default)
        props[f.name] = s
    doc: dict[str, object] = {"type": "object", "properties": props}
    required = [f.name for f in fields if f.required and not isinstance(f.type, OptionalT)]
    if required:
        doc["required"] = required
    if title:
        doc["title"] = title
    return doc


def workflow_item(spec: WorkflowSpec) -> dict[str, object]:
    """The `/_api/workflows` entry of one workflow (the web UI reads it)."""
    item: dict[str, object] = {
        "name": spec.name,
        "path": spec.path,
        "method": spec.method.upper(),
        "is_stream": spec.is_stream,
    }
    if spec.is_stream:
        item["chat_param"] = spec.chat_param
    webui = spec.webui
    for key in _WEBUI_KEYS:
        if key in webui:
            item[key] = to_jsonable(webui[key])
    if "description" not in item and spec.description:
        item["description"] = spec.description
    params: list[dict[str, object]] = []
    for p in spec.params:
        entry: dict[str, object] = {
            "name": p.name,
            "type": type_name(p.type),
            "required": p.required and not isinstance(p.type, OptionalT),
        }
        if not p.required:
            entry["default"] = to_jsonable(p.default)
        params.append(entry)
    item["params"] = params
    return item


def openapi(specs: list[WorkflowSpec], *, auth: bool) -> dict[str, object]:
    """An OpenAPI 3.1 document describing every workflow route."""
    paths: dict[str, dict[str, object]] = {}
    for spec in specs:
        ops = paths.setdefault(spec.path, {})
        ops[spec.method.lower()] = _operation(spec, query=spec.method.upper() in ("GET", "DELETE"))
    for spec in specs:  # a stream's GET, unless a workflow is declared for GET there
        ops = paths[spec.path]
        if spec.is_stream and "get" not in ops:
            get_op = _operation(spec, query=True)
            get_op["operationId"] = f"{spec.name}_get"
            ops["get"] = get_op
    if any(spec.steps for spec in specs):
        paths.update(_runs_paths())
    doc: dict[str, object] = {
        "openapi": "3.1.0",
        "info": {"title": "Haira workflows", "version": haira.__version__},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "code": {"type": "string"},
                        "param": {"type": "string"},
                    },
                    "required": ["error", "code"],
                }
            }
        },
    }
    if auth:
        components = doc["components"]
        assert isinstance(components, dict)
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc


def _runs_paths() -> dict[str, dict[str, object]]:
    """`/_api/runs*` (reference-runtime.md §5.4), present when some workflow has steps."""
    run_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    step = {"type": "object", "properties": {"name": {"type": "string"}, "status": {
        "type": "string",
        "enum": ["start", "end", "failed", "retry", "log", "render", "awaiting_confirm"],
    }}, "required": ["name", "status"]}
    summary = {"type": "object", "properties": {
        "id": {"type": "string"}, "workflow_name": {"type": "string"},
        "workflow_path": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "completed", "failed"]},
        "started_at": {"type": "string"}, "finished_at": {"type": "string"},
        "step_count": {"type": "integer"},
    }, "required": ["id", "workflow_name", "workflow_path", "status", "started_at"]}
    detail = {"type": "object", "properties": {
        "id": {"type": "string"}, "workflow_name": {"type": "string"},
        "workflow_path": {"type": "string"}, "status": {"type": "string"},
        "params": {"type": "object"}, "steps": {"type": "array", "items": step},
        "result": {}, "error": {"type": "string"},
        "started_at": {"type": "string"}, "finished_at": {"type": "string"},
    }, "required": ["id", "workflow_name", "workflow_path", "status", "steps", "started_at"]}

    def ok(description: str, media: str, body: object) -> dict[str, object]:
        return {"description": description, "content": {media: {"schema": body}}}

    return {
        "/_api/runs": {"get": {
            "operationId": "listRuns", "summary": "Runs of workflows with steps, newest first",
            "responses": {"200": ok("Run summaries", "application/json",
                                    {"type": "array", "items": summary})},
        }},
        "/_api/runs/{id}": {"get": {
            "operationId": "getRun", "summary": "One run with its step events",
            "parameters": run_id,
            "responses": {"200": ok("The run", "application/json", detail),
                          "404": _error_response("No such run")},
        }},
        "/_api/runs/stream/{id}": {"get": {
            "operationId": "streamRun",
            "summary": "SSE: the run's recorded steps, then live ones, its result or error, done",
            "parameters": run_id,
            "responses": {"200": ok("The run's events", "text/event-stream", {"type": "string"}),
                          "404": _error_response("No such run")},
        }},
        "/_api/runs/{id}/confirm": {"post": {
            "operationId": "confirmRun", "summary": "Answer the step waiting for @confirm",
            "parameters": run_id,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"confirmed": {"type": "boolean"}},
                "required": ["confirmed"],
            }}}},
            "responses": {
                "200": ok("Recorded", "application/json", {"type": "object", "properties": {
                    "status": {"type": "string", "enum": ["confirmed", "denied"]}}}),
                "400": _error_response("The body is not {\"confirmed\": bool}"),
                "404": _error_response("No such run"),
                "409": _error_response("The run is not running"),
            },
        }},
    }


def _error_response(description: str) -> dict[str, object]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _operation(spec: WorkflowSpec, *, query: bool) -> dict[str, object]:
    op: dict[str, object] = {
        "operationId": spec.name,
        "summary": str(to_jsonable(spec.webui.get("title", spec.name))),
    }
    description = to_jsonable(spec.webui.get("description", spec.description))
    if description:
        op["description"] = str(description)
    if query:
        op["parameters"] = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required and not isinstance(p.type, OptionalT),
                "schema": schema(p.type),
            }
            for p in spec.params
            if p.type is not FILE
        ]
    elif spec.params:
        content: dict[str, object] = {"application/json": {"schema": _object_schema(spec.params)}}
        content["application/x-www-form-urlencoded"] = {"schema": _object_schema(spec.params)}
        if any(p.type is FILE for p in spec.params):
            content["multipart/form-data"] = {"schema": _object_schema(spec.params)}
        op["requestBody"] = {"required": True, "content": content}
    responses: dict[str, object] = {}
    if spec.is_stream:
        reply = {
            "type": "object",
            "properties": {"reply": {"type": "string"}},
            "required": ["reply"],
        }
        responses["200"] = {
            "description": "An SSE stream of the reply (or, with `Accept: application/json`, the whole reply)",
            "content": {
                "text/event-stream": {"schema": {"type": "string"}},
                "application/json": {"schema": reply},
            },
        }
        responses["204"] = {"description": "Resumed stream that has already been fully delivered"}
    else:
        result = schema(spec.returns) if isinstance(spec.returns, HType) else {}
        media: dict[str, object] = {"application/json": {"schema": result}}
        description = "The workflow's result"
        if spec.steps:
            media["text/event-stream"] = {"schema": {"type": "string"}}
            description += (
                " (or, with `Accept: text/event-stream`, the run's run_id, step, result or"
                " error, and done events)"
            )
        responses["200"] = {"description": description, "content": media}
    responses["400"] = _error_response("Missing or invalid parameters, malformed body")
    responses["413"] = _error_response("Request body too large")
    responses["415"] = _error_response("Unsupported Content-Type")
    responses["500"] = _error_response("The workflow failed")
    if spec.is_stream:
        responses["502"] = _error_response("The model provider failed")
        responses["504"] = _error_response("The model provider timed out")
    op["responses"] = responses
    return op
