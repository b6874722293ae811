"""Schemathesis against the app's own `/_api/openapi.json`: generated requests (valid and
invalid) for every operation must never get a 5xx, and every error must be the JSON shape
of http-streaming.md §2. Bounded: HAIRA_SCHEMATHESIS_EXAMPLES (default 25) per operation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.hostile.app_support import App, hostile_app

pytestmark = pytest.mark.xdist_group("hostile-schemathesis")

EXAMPLES = int(os.environ.get("HAIRA_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with hostile_app(tmp_path_factory.mktemp("hostile_schema"), HAIRA_LLM_TOTAL_TIMEOUT="5") as a:
        yield a
        a.assert_no_secrets()


@pytest.fixture(scope="module")
def api_schema(app: App) -> schemathesis.BaseSchema:
    doc = httpx.get(app.url("/_api/openapi.json"), headers=app.auth, timeout=10).json()
    return schemathesis.openapi.from_dict(doc)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, app: App) -> None:
    response = case.call(base_url=app.url(""), headers=app.auth, timeout=30)
    body = response.content
    app.bodies.append(body)
    assert response.status_code < 500, (case.method, case.path, response.status_code, body[:500])
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
        doc = json.loads(body)
        assert isinstance(doc.get("error"), str) and isinstance(doc.get("code"), str), doc
