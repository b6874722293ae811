"""Fixtures for the LLM runtime tests: a fake LLM server on a free loopback port, an
isolated SQLite store, and a clean provider environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from haira.memory import SQLiteStore, set_store
from haira.testing import FakeLLM

_PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "HAIRA_PROVIDER",
    "HAIRA_MOCK_REPLY",
    "HAIRA_MOCK_TOKEN_RATE",
    "HAIRA_DATABASE_URL",
    "HAIRA_LLM_MAX_RETRIES",
    "HAIRA_LLM_FIRST_TOKEN_TIMEOUT",
    "HAIRA_LLM_IDLE_TIMEOUT",
    "HAIRA_LLM_TOTAL_TIMEOUT",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HAIRA_QUIET", "1")


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(str(tmp_path / "test.haira.db"))
    set_store(s)
    yield s
    set_store(None)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.openai_base)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
        yield server
