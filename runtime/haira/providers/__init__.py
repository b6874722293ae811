"""LLM providers: `define_provider` for `provider` blocks, and the streaming clients.

Generated code: `openai = haira.providers.define_provider("openai", {"api_key":
haira.providers.EnvRef("OPENAI_API_KEY"), "model": "gpt-4o"})`. The client is built on
first use (REF), so keys set by `main` before the first agent call are seen.
"""

from __future__ import annotations

import os
import sys
import threading

from haira.errors import ConfigError
from haira.providers.anthropic import AnthropicClient
from haira.providers.config import EnvRef, ProviderConfig
from haira.providers.mock import MockClient
from haira.providers.openai import OpenAIClient
from haira.providers.transport import (
    RetryPolicy,
    Timeouts,
    close_shared_clients,
    prewarm,
    shared_client,
)
from haira.providers.types import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    TextCallback,
    ToolCall,
    ToolSpec,
    TurnResult,
    Usage,
)

__all__ = [
    "ChatClient",
    "ChatMessage",
    "ChatRequest",
    "EnvRef",
    "Provider",
    "RetryPolicy",
    "TextCallback",
    "Timeouts",
    "ToolCall",
    "ToolSpec",
    "TurnResult",
    "Usage",
    "close_shared_clients",
    "define_provider",
    "shared_client",
]


class Provider:
    """A declared provider; `client()` resolves the backend once, on first use."""

    def __init__(self, config: ProviderConfig) -> None:
        self.name = config.name
        self.config = config
        self._client: ChatClient | None = None
        self._lock = threading.Lock()

    @property
    def temperature(self) -> float:
        return self.config.floats.get("temperature", 0.0)

    @property
    def max_tokens(self) -> int:
        return self.config.ints.get("max_tokens", 0)

    def client(self) -> ChatClient:
        c = self._client
        if c is not None:
            return c
        with self._lock:
            if self._client is None:
                self._client = _build_client(self.config)
                if os.environ.get("HAIRA_QUIET", "") == "":
                    print(f"[haira] Using {self._client.describe()}", file=sys.stderr)
            return self._client

    def __repr__(self) -> str:
        return f"<provider {self.name}>"


def _build_client(cfg: ProviderConfig) -> ChatClient:
    model = cfg.get("model")
    if cfg.is_mock():
        return MockClient(name=cfg.name, model=model, reply=cfg.get("reply") or os.environ.get("HAIRA_MOCK_REPLY", ""), token_rate=cfg.token_rate())
    key = cfg.api_key()
    if not key and cfg.needs_key():
        raise ConfigError(cfg.missing_key_message())
    if not model:
        raise ConfigError(f'provider "{cfg.name}": the "model" field is required')
    base = cfg.base_url()
    timeouts, retry = cfg.timeouts(), cfg.retry()
    if cfg.is_azure():
        return OpenAIClient(
            name=cfg.name, model=model, base_url=base, api_key=key,
            azure_version=cfg.get("api_version"), timeouts=timeouts, retry=retry,
            kind="Azure OpenAI",
        )
    if cfg.is_anthropic():
        return AnthropicClient(
            name=cfg.name, model=model, base_url=base, api_key=key, timeouts=timeouts, retry=retry
        )
    kind = cfg.backend or ("OpenAI" if base.startswith("https://api.openai.com") else "OpenAI-compatible")
    return OpenAIClient(
        name=cfg.name, model=model, base_url=base, api_key=key, timeouts=timeouts, retry=retry, kind=kind
    )


def define_provider(name: str, fields: dict[str, object]) -> Provider:
    """A `provider` block: validate now (unknown fields are errors), connect later."""
    config = ProviderConfig.from_fields(name, fields)
    config.warn_if_key_missing()
    if not config.is_mock():
        prewarm()
    return Provider(config)
