"""Haira `http` client (language.md §6.16); the server side is `haira.server`.

    resp, err = http.get("https://example.com/api")
    resp.status_code, resp.body, resp.json()

A string body is sent as is; a map or list is JSON-encoded with
`Content-Type: application/json`. Failures return `(nil, error)` with Go-like text
(`Get "http://127.0.0.1:1/": connection refused`); an HTTP error status is not an error.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Mapping
from typing import ClassVar

import httpx

from haira.errors import HairaError
from haira.rt import fmt
from haira.rt import go_quote as rt_quote

__all__ = [
    "Client",
    "Response",
    "client",
    "delete",
    "delete_with_headers",
    "encode_uri",
    "get",
    "get_with_headers",
    "post",
    "post_with_headers",
    "put",
    "put_with_headers",
]

DEFAULT_TIMEOUT = 30.0


class Response:
    """An HTTP response: `status_code` (also `status`), `body`, `headers`; prints as REF's
    `&{<status> <body>}`."""

    __slots__ = ("body", "headers", "status", "status_code")
    __haira_fields__: ClassVar[tuple[str, ...]] = ("status_code", "body")
    __haira_pointer__: ClassVar[bool] = True

    def __init__(self, status_code: int, body: str, headers: dict[str, str]) -> None:
        self.status_code = status_code
        self.status = status_code
        self.body = body
        self.headers = headers

    def json(self) -> dict[str, object]:
        """The body as a JSON object; `{}` when it is not one."""
        from haira.stdlib.json import unmarshal

        value, err = unmarshal(self.body)
        return {} if err is not None else value

    def json_array(self) -> list[object]:
        """The body as a JSON array; `[]` when it is not one."""
        from haira.stdlib.json import parse

        value, err = parse(self.body)
        return value if err is None and isinstance(value, list) else []

    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status_code < 300


def _encode_body(body: object) -> tuple[bytes | None, str | None]:
    if body is None:
        return None, None
    if isinstance(body, str):
        return body.encode("utf-8", "surrogateescape"), None
    if isinstance(body, dict | list):
        from haira.stdlib.json import marshal

        text, _ = marshal(body)
        return text.encode("utf-8", "surrogateescape"), "application/json"
    return fmt(body).encode("utf-8", "surrogateescape"), None


def _error_text(method: str, url: str, exc: Exception) -> str:
    """Go's `http <METHOD> failed: <Op> "<url>": <cause>` text for a transport failure."""
    op = method[:1] + method[1:].lower()
    detail = str(exc) or type(exc).__name__
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if isinstance(exc, httpx.TimeoutException):
        detail = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    elif isinstance(exc, httpx.ConnectError):
        low = detail.lower()
        if "refused" in low:
            detail = f"dial tcp {host}:{port}: connect: connection refused"
        elif "name or service not known" in low or "nodename nor servname" in low:
            detail = f"dial tcp: lookup {host}: no such host"
    elif isinstance(exc, httpx.UnsupportedProtocol):
        detail = f"unsupported protocol scheme {rt_quote(parts.scheme)}"
    return f'http {method} failed: {op} "{url}": {detail}'


class Client:
    """A configured client (REF `http.client`): base URL, default headers, retries on 5xx
    and transport errors, a timeout in seconds."""

    def __init__(
        self,
        base_url: str = "",
        headers: Mapping[str, object] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: int = 0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {k: fmt(v) for k, v in (headers or {}).items()}
        self.timeout = timeout
        self.retry = max(retry, 0)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout, follow_redirects=True)
            return self._client

    def request(
        self,
        method: str,
        url: str,
        body: object = None,
        headers: Mapping[str, object] | None = None,
    ) -> tuple[Response | None, HairaError | None]:
        """Send one request; `(Response, nil)` or `(nil, error)`."""
        full = self.base_url + url if self.base_url and not url.startswith(("http:", "https:")) else url
        content, ctype = _encode_body(body)
        hdrs = dict(self.headers)
        if ctype is not None:
            hdrs.setdefault("Content-Type", ctype)
        for k, v in (headers or {}).items():
            hdrs[k] = fmt(v)
        failure: HairaError | None = None
        for attempt in range(self.retry + 1):
            last = attempt == self.retry
            try:
                r = self._http().request(method, full, content=content, headers=hdrs)
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                failure = HairaError(_error_text(method, full, exc))
                continue
            if r.status_code >= 500 and not last:
                failure = HairaError(f"http {method} returned {r.status_code}")
                continue
            text = r.content.decode("utf-8", "surrogateescape")
            return Response(r.status_code, text, dict(r.headers.items())), None
        return None, failure

    def get(self, url: str, headers: Mapping[str, object] | None = None) -> tuple[Response | None, HairaError | None]:
        """GET `url`."""
        return self.request("GET", url, None, headers)

    def post(self, url: str, body: object = None, headers: Mapping[str, object] | None = None) -> tuple[Response | None, HairaError | None]:
        """POST `body` to `url`."""
        return self.request("POST", url, body, headers)

    def put(self, url: str, body: object = None, headers: Mapping[str, object] | None = None) -> tuple[Response | None, HairaError | None]:
        """PUT `body` to `url`."""
        return self.request("PUT", url, body, headers)

    def patch(self, url: str, body: object = None, headers: Mapping[str, object] | None = None) -> tuple[Response | None, HairaError | None]:
        """PATCH `body` to `url`."""
        return self.request("PATCH", url, body, headers)

    def delete(self, url: str, headers: Mapping[str, object] | None = None) -> tuple[Response | None, HairaError | None]:
        """DELETE `url`."""
        return self.request("DELETE", url, None, headers)


_default = Client()

Result = tuple[Response | None, HairaError | None]


def client(
    base_url: str = "",
    opts: Mapping[str, object] | None = None,
    *,
    headers: Mapping[str, object] | None = None,
    retry: int | None = None,
    timeout: int | float | None = None,
) -> Client:
    """REF `http.client(base_url, {headers, retry, timeout})`; `timeout` in milliseconds.

    The options come as one map (REF collects named arguments into it) or as keywords.
    """
    o = dict(opts or {})
    hdrs = headers if headers is not None else o.get("headers")
    n = retry if retry is not None else o.get("retry", 0)
    ms = timeout if timeout is not None else o.get("timeout", DEFAULT_TIMEOUT * 1000)
    return Client(
        base_url,
        hdrs if isinstance(hdrs, Mapping) else None,
        float(ms) / 1000.0 if isinstance(ms, int | float) and not isinstance(ms, bool) and ms > 0 else DEFAULT_TIMEOUT,
        int(n) if isinstance(n, int | float) and not isinstance(n, bool) else 0,
    )


def get(url: str) -> Result:
    """GET `url`."""
    return _default.request("GET", url)


def post(url: str, body: object) -> Result:
    """POST `body` to `url`."""
    return _default.request("POST", url, body)


def put(url: str, body: object) -> Result:
    """PUT `body` to `url`."""
    return _default.request("PUT", url, body)


def delete(url: str) -> Result:
    """DELETE `url`."""
    return _default.request("DELETE", url)


def get_with_headers(url: str, headers: Mapping[str, object]) -> Result:
    """GET with extra headers."""
    return _default.request("GET", url, None, headers)


def post_with_headers(url: str, body: object, headers: Mapping[str, object]) -> Result:
    """POST with extra headers."""
    return _default.request("POST", url, body, headers)


def put_with_headers(url: str, body: object, headers: Mapping[str, object]) -> Result:
    """PUT with extra headers."""
    return _default.request("PUT", url, body, headers)


def delete_with_headers(url: str, headers: Mapping[str, object]) -> Result:
    """DELETE with extra headers."""
    return _default.request("DELETE", url, None, headers)


def encode_uri(s: str) -> str:
    """Go `url.QueryEscape`: spaces as `+`, everything but `A-Za-z0-9-_.~` escaped."""
    return urllib.parse.quote_plus(s, safe="")
