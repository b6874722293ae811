"""Server settings: environment variables, `python -m app` flags and `listen`'s argument.

    override(port=9000)            # from `python -m app --port 9000`
    settings = load(port=8080)     # flags > HAIRA_PORT/HAIRA_HOST/HAIRA_WORKERS > listen(8080)

Every other knob (CORS origin, auth token, limits, SSE timing) comes from the environment
or from a `Settings` passed to `Server(...)` directly (tests do that).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from haira.errors import ConfigError

__all__ = ["Settings", "load", "override", "reset_overrides"]

DEFAULT_HOST: Final = "0.0.0.0"  # REF binds every interface; containers need it


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server reads from its environment, resolved once at startup."""

    host: str = DEFAULT_HOST
    port: int = 8080
    workers: int = 1
    cors_origin: str = "*"
    auth_token: str | None = None
    no_ui: bool = False
    # request bodies (§2)
    max_body_bytes: int = 1 << 20
    max_multipart_bytes: int = 32 << 20
    max_streams_per_client: int = 0  # 0 = unlimited (clients behind one proxy share an address)
    max_header_bytes: int = 256 << 10  # request line + headers (httptools has no cap of its own)
    header_timeout_s: float = 30.0  # a request head must be complete by then, a body silent no longer
    # SSE (§4–6)
    heartbeat_s: float = 15.0
    stall_timeout_s: float = 60.0
    resume_ttl_s: float = 300.0
    resume_grace_s: float = 0.3  # a dropped stream waits this long for a resume (< 1 s)
    max_pending_bytes: int = 256 << 10
    replay_max_events: int = 16384
    replay_max_bytes: int = 2 << 20
    max_finished_streams: int = 10000
    resume_max_bytes: int = 64 << 20  # all finished streams' buffers together
    # shutdown: how long in-flight work gets to end after SIGTERM
    shutdown_grace_s: float = 5.0
    # threads for synchronous workflow code (each `A.ask` holds one for the model call)
    threads: int = 256
    access_log: bool = True
    debug: bool = False


_overrides: dict[str, object] = {}


def override(
    *, port: int | None = None, host: str | None = None, workers: int | None = None
) -> None:
    """Settings from command-line flags (`python -m app --port ...`); they beat everything."""
    if port is not None:
        _overrides["port"] = port
    if host is not None:
        _overrides["host"] = host
    if workers is not None:
        _overrides["workers"] = workers


def reset_overrides() -> None:
    """Forget `override(...)` calls (for tests and embedding)."""
    _overrides.clear()


def load(port: int | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve the settings: flags > environment > `listen(port)` > defaults.

    A malformed variable raises `ConfigError` naming it (never a traceback at startup).
    """
    e = os.environ if env is None else env
    base = Settings()
    values: dict[str, object] = {}
    if port is not None:
        values["port"] = port
    values.update(_from_env(e))
    values.update(_overrides)
    settings = dataclasses.replace(base, **values)  # type: ignore[arg-type]
    _validate(settings)
    return settings


def _from_env(e: Mapping[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    _int(e, "HAIRA_PORT", "port", out)
    if e.get("HAIRA_HOST", "").strip():
        out["host"] = e["HAIRA_HOST"].strip()
    _int(e, "HAIRA_WORKERS", "workers", out)
    if e.get("HAIRA_CORS_ORIGIN", "").strip():
        out["cors_origin"] = e["HAIRA_CORS_ORIGIN"].strip()
    if e.get("HAIRA_AUTH_TOKEN", ""):
        out["auth_token"] = e["HAIRA_AUTH_TOKEN"]
    out["no_ui"] = bool(e.get("HAIRA_NO_UI", ""))
    _int(e, "HAIRA_MAX_BODY_BYTES", "max_body_bytes", out)
    _int(e, "HAIRA_MAX_MULTIPART_BYTES", "max_multipart_bytes", out)
    _int(e, "HAIRA_MAX_STREAMS_PER_CLIENT", "max_streams_per_client", out)
    _int(e, "HAIRA_MAX_HEADER_BYTES", "max_header_bytes", out)
    _float(e, "HAIRA_HEADER_TIMEOUT", "header_timeout_s", out)
    _float(e, "HAIRA_SSE_HEARTBEAT", "heartbeat_s", out)
    _float(e, "HAIRA_SSE_STALL_TIMEOUT", "stall_timeout_s", out)
    _float(e, "HAIRA_SSE_RESUME_TTL", "resume_ttl_s", out)
    _float(e, "HAIRA_SSE_RESUME_GRACE", "resume_grace_s", out)
    _float(e, "HAIRA_SHUTDOWN_GRACE", "shutdown_grace_s", out)
    _int(e, "HAIRA_THREADS", "threads", out)
    if e.get("HAIRA_ACCESS_LOG", "").strip().lower() in ("0", "false", "off", "no"):
        out["access_log"] = False
    out["debug"] = bool(e.get("HAIRA_DEBUG", ""))
    return out


def _int(e: Mapping[str, str], var: str, key: str, out: dict[str, object]) -> None:
    raw = e.get(var, "").strip()
    if not raw:
        return
    try:
        out[key] = int(raw)
    except ValueError:
        raise ConfigError(f"{var} must be an integer, got {raw!r}") from None


def _float(e: Mapping[str, str], var: str, key: str, out: dict[str, object]) -> None:
    raw = e.get(var, "").strip()
    if not raw:
        return
    try:
        out[key] = float(raw)
    except ValueError:
        raise ConfigError(f"{var} must be a number of seconds, got {raw!r}") from None


def _validate(s: Settings) -> None:
    if not 0 <= s.port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {s.port}")
    if s.workers < 1:
        raise ConfigError(f"workers must be at least 1, got {s.workers}")
    if s.threads < 1:
        raise ConfigError(f"HAIRA_THREADS must be at least 1, got {s.threads}")
    if not 0 <= s.resume_grace_s < 1:
        raise ConfigError("HAIRA_SSE_RESUME_GRACE must be at least 0 and below 1 second")
    if s.heartbeat_s <= 0 or s.stall_timeout_s <= 0:
        raise ConfigError("SSE heartbeat and stall timeout must be positive")
