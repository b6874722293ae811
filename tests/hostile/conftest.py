"""Each module here starts one compiled app (module-scoped fixture); its tests share an
xdist group so that app starts once, on one worker."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
