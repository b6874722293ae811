"""Provider declarations: field validation and backend resolution (REF §1.2–1.3).

`ProviderConfig.from_fields("openai", {"model": "gpt-4o", "api_key": EnvRef("OPENAI_API_KEY")})`
validates the fields; `resolve()` (at first use) picks mock / Azure / Anthropic /
OpenAI-compatible / OpenAI and builds the client.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from haira.errors import ConfigError
from haira.providers.transport import RetryPolicy, Timeouts

__all__ = ["BACKEND_URLS", "EnvRef", "ProviderConfig", "is_local_url"]

BACKEND_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "together": "https://api.together.xyz/v1",
    "mistral": "https://api.mistral.ai/v1",
    "deepseek": "https://api.deepseek.com",
    "fireworks": "https://api.fireworks.ai/inference/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "xai": "https://api.x.ai/v1",
    "cerebras": "https://api.cerebras.ai/v1",
}
OPENAI_URL = "https://api.openai.com/v1"
ANTHROPIC_URL = "https://api.anthropic.com/v1"


class EnvRef:
    """`env("NAME")` written in a provider block: read when the provider is first used,
    so the runtime can name the variable when it is missing."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def value(self) -> str:
        return os.environ.get(self.name, "")

    def __repr__(self) -> str:
        return f'env("{self.name}")'


_STR_FIELDS = frozenset(
    {"api_key", "model", "endpoint", "api_version", "backend", "host", "account_id", "reply", "transport", "auth"}
)
_FLOAT_FIELDS = frozenset(
    {
        "temperature",
        "input_token_cost",
        "output_token_cost",
        "connect_timeout",
        "first_token_timeout",
        "idle_timeout",
        "timeout",
        "token_rate",
    }
)
_INT_FIELDS = frozenset({"max_tokens", "max_retries"})


def is_local_url(url: str) -> bool:
    """Loopback / private endpoints (fake server, Ollama, vLLM) need no API key."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".local"):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return addr.is_loopback or addr.is_private


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be a number, got {raw!r}") from None


@dataclass(slots=True)
class ProviderConfig:
    """The validated fields of one `provider` block."""

    name: str
    strs: dict[str, str | EnvRef]
    floats: dict[str, float]
    ints: dict[str, int]

    @staticmethod
    def from_fields(name: str, fields: dict[str, object]) -> ProviderConfig:
        strs: dict[str, str | EnvRef] = {}
        floats: dict[str, float] = {}
        ints: dict[str, int] = {}
        for key, value in fields.items():
            where = f'provider "{name}": field "{key}"'
            if key in _STR_FIELDS:
                if not isinstance(value, str | EnvRef):
                    raise ConfigError(f"{where} must be a string")
                strs[key] = value
            elif key in _FLOAT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(f"{where} must be a number")
                floats[key] = float(value)
            elif key in _INT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ConfigError(f"{where} must be an integer")
                ints[key] = value
            else:
                known = ", ".join(sorted(_STR_FIELDS | _FLOAT_FIELDS | _INT_FIELDS))
                raise ConfigError(f'provider "{name}": unknown field "{key}" (known: {known})')
        return ProviderConfig(name, strs, floats, ints)

    def get(self, key: str) -> str:
        v = self.strs.get(key, "")
        return v.value() if isinstance(v, EnvRef) else v

    # ------------------------------------------------------------ resolution

    @property
    def backend(self) -> str:
        return self.get("backend").lower()

    def is_mock(self) -> bool:
        return self.backend == "mock" or os.environ.get("HAIRA_PROVIDER", "").lower() == "mock"

    def is_anthropic(self) -> bool:
        return self.backend == "anthropic" or (self.name == "anthropic" and not self.get("endpoint"))

    def is_azure(self) -> bool:
        return bool(self.get("endpoint") and self.get("api_version")) and self.backend in ("", "azure")

    def base_url(self) -> str:
        """REF `resolveEndpoint`, plus OPENAI_BASE_URL / ANTHROPIC_BASE_URL for the defaults."""
        endpoint = self.get("endpoint")
        if endpoint:
            return endpoint
        backend = self.backend
        if backend == "anthropic" or self.is_anthropic():
            return os.environ.get("ANTHROPIC_BASE_URL", "") or ANTHROPIC_URL
        if backend == "cloudflare" and self.get("account_id"):
            return f"https://api.cloudflare.com/client/v4/accounts/{self.get('account_id')}/ai/v1"
        if backend == "ollama":
            return f"http://{self.get('host') or 'localhost:11434'}/v1"
        if backend in BACKEND_URLS and backend != "openai":
            return BACKEND_URLS[backend]
        host = self.get("host")
        if host and backend in ("", "openai"):
            return host if "://" in host else f"http://{host}/v1"
        return os.environ.get("OPENAI_BASE_URL", "") or OPENAI_URL

    def key_env_name(self) -> str:
        """The environment variable the API key comes from (declared or conventional)."""
        v = self.strs.get("api_key")
        if isinstance(v, EnvRef):
            return v.name
        if v is None:
            return "ANTHROPIC_API_KEY" if self.is_anthropic() else "OPENAI_API_KEY"
        return ""

    def api_key(self) -> str:
        if "api_key" in self.strs:
            return self.get("api_key")
        env = self.key_env_name()
        return os.environ.get(env, "") if env else ""

    def needs_key(self) -> bool:
        return not self.is_mock() and not is_local_url(self.base_url())

    def missing_key_message(self) -> str:
        env = self.key_env_name()
        if env:
            return (
                f'provider "{self.name}": no API key: environment variable {env} is not set '
                f"(set it, or use HAIRA_PROVIDER=mock for the built-in mock provider)"
            )
        return f'provider "{self.name}": the api_key field is empty'

    def warn_if_key_missing(self) -> None:
        """Startup warning (REF prints one for Anthropic; we do it for every provider)."""
        if self.needs_key() and not self.api_key():
            print(f"[haira] warning: {self.missing_key_message()}", file=sys.stderr)

    def timeouts(self) -> Timeouts:
        f = self.floats
        return Timeouts(
            connect=f.get("connect_timeout", _env_float("HAIRA_LLM_CONNECT_TIMEOUT", 10.0)),
            first_token=f.get("first_token_timeout", _env_float("HAIRA_LLM_FIRST_TOKEN_TIMEOUT", 60.0)),
            idle=f.get("idle_timeout", _env_float("HAIRA_LLM_IDLE_TIMEOUT", 60.0)),
            total=f.get("timeout", _env_float("HAIRA_LLM_TOTAL_TIMEOUT", 600.0)),
        )

    def retry(self) -> RetryPolicy:
        n = self.ints.get("max_retries")
        if n is None:
            n = int(_env_float("HAIRA_LLM_MAX_RETRIES", 2.0))
        return RetryPolicy(max_retries=max(0, n))

    def token_rate(self) -> float:
        return self.floats.get("token_rate", _env_float("HAIRA_MOCK_TOKEN_RATE", 0.0))
