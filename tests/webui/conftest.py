"""Fixtures: the test backend and the webui proxy on loopback, and a headless chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from haira.webui.proxy import WebUIProxy
from webui_backend import WireBackend
from webui_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Served


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; here for runs with `-p no:xdist`.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


@pytest.fixture(scope="module")
def backend() -> Iterator[tuple[WireBackend, Served]]:
    app = WireBackend()
    served = Served(app)
    yield app, served
    app.state.gate.set()
    served.stop()


@pytest.fixture(scope="module")
def proxy(backend: tuple[WireBackend, Served]) -> Iterator[Served]:
    served = Served(WebUIProxy([backend[1].url]))
    yield served
    served.stop()


# NOTE: module scope, not session: Playwright's sync API keeps an event loop marked as
# running on the main thread while it is open, which would break every asyncio test (and
# every other sync_playwright user) that the same xdist worker runs afterwards.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"headless chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's
    # Content-Security-Policy forbids; test_csp.py runs the UI with the policy on.
    context = browser.new_context(viewport={"width": 1200, "height": 800}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
