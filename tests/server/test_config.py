"""Settings: `python -m app` flags > HAIRA_* environment > `listen(port)` > defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from haira.errors import ConfigError
from haira.server import config


@pytest.fixture(autouse=True)
def no_overrides() -> Iterator[None]:
    config.reset_overrides()
    yield
    config.reset_overrides()


def test_defaults_and_listen_argument() -> None:
    s = config.load(8080, env={})
    assert (s.host, s.port, s.workers) == ("0.0.0.0", 8080, 1)
    assert s.cors_origin == "*" and s.auth_token is None and not s.no_ui
    assert s.heartbeat_s == 15.0 and s.resume_ttl_s == 300.0
    assert (s.max_body_bytes, s.max_multipart_bytes) == (1 << 20, 32 << 20)


def test_environment_beats_listen_and_flags_beat_environment() -> None:
    env = {"HAIRA_PORT": "9000", "HAIRA_HOST": "127.0.0.1", "HAIRA_WORKERS": "3"}
    s = config.load(8080, env=env)
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 9000, 3)
    config.override(port=9100, workers=2)
    s = config.load(8080, env=env)
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 9100, 2)


def test_other_variables() -> None:
    s = config.load(
        None,
        env={
            "HAIRA_CORS_ORIGIN": "https://a.example",
            "HAIRA_AUTH_TOKEN": "tok",
            "HAIRA_NO_UI": "1",
            "HAIRA_SSE_HEARTBEAT": "0.5",
            "HAIRA_MAX_BODY_BYTES": "100",
            "HAIRA_ACCESS_LOG": "off",
        },
    )
    assert s.cors_origin == "https://a.example"
    assert s.auth_token == "tok"
    assert s.no_ui and not s.access_log
    assert s.heartbeat_s == 0.5 and s.max_body_bytes == 100


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HAIRA_PORT": "http"}, "HAIRA_PORT must be an integer, got 'http'"),
        ({"HAIRA_PORT": "70000"}, "port must be between 0 and 65535, got 70000"),
        ({"HAIRA_WORKERS": "0"}, "workers must be at least 1, got 0"),
        ({"HAIRA_SSE_HEARTBEAT": "soon"}, "HAIRA_SSE_HEARTBEAT must be a number of seconds"),
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.load(8080, env=env)
    assert str(info.value).startswith(message)
