"""Haira `websearch`: keyless web search and page fetching (reference-runtime.md §8.8).

    results = websearch.search("haira language")   # [{title, url, snippet}, …]
    text = websearch.fetch("https://example.com")  # the page as plain text

Search uses DuckDuckGo's HTML endpoint (`HAIRA_WEBSEARCH_ENDPOINT` overrides it, e.g. for
tests); network failures panic with `websearch: …`, which `try`/`catch` can handle.
"""

from __future__ import annotations

import html
import os
import re
import urllib.parse

import httpx

from haira.errors import HairaPanic

__all__ = ["fetch", "search"]

DEFAULT_ENDPOINT = "https://html.duckduckgo.com/html/"
_UA = "Mozilla/5.0 (compatible; haira-runtime)"
_RESULT = re.compile(
    r'<a[^>]*class="[^"]*result__a[^"]*"[^>]*href="(?P<href>[^"]*)"[^>]*>(?P<title>.*?)</a>'
    r'(?:.*?class="[^"]*result__snippet[^"]*"[^>]*>(?P<snippet>.*?)</(?:a|div|td)>)?',
    re.S,
)
_TAGS = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|noscript|head)\b.*?</\1>", re.S | re.I)
_BLOCK = re.compile(r"</?(p|div|br|li|h[1-6]|tr|section|article|header|footer)\b[^>]*>", re.I)


def _text(fragment: str) -> str:
    return html.unescape(_TAGS.sub("", fragment)).strip()


def _real_url(href: str) -> str:
    href = html.unescape(href)
    parsed = urllib.parse.urlsplit(href)
    target = urllib.parse.parse_qs(parsed.query).get("uddg")
    if target:
        return target[0]
    return "https:" + href if href.startswith("//") else href


def search(query: str, limit: int = 10) -> list[dict[str, object]]:
    """Up to `limit` results `{title, url, snippet}`."""
    endpoint = os.environ.get("HAIRA_WEBSEARCH_ENDPOINT", DEFAULT_ENDPOINT)
    try:
        r = httpx.post(
            endpoint, data={"q": query}, headers={"User-Agent": _UA}, timeout=20, follow_redirects=True
        )
        r.raise_for_status()
    except httpx.HTTPError as exc:
        raise HairaPanic(f"websearch: {exc}") from None
    results: list[dict[str, object]] = []
    for m in _RESULT.finditer(r.text):
        results.append(
            {
                "title": _text(m.group("title")),
                "url": _real_url(m.group("href")),
                "snippet": _text(m.group("snippet") or ""),
            }
        )
        if len(results) >= limit:
            break
    return results


def fetch(url: str) -> str:
    """The page at `url` as plain text (scripts and styles dropped, whitespace collapsed)."""
    try:
        r = httpx.get(url, headers={"User-Agent": _UA}, timeout=20, follow_redirects=True)
        r.raise_for_status()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise HairaPanic(f"websearch: {exc}") from None
    body = r.text
    if "html" not in r.headers.get("content-type", "html"):
        return body
    body = _BLOCK.sub("\n", _DROP.sub("", body))
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in _text(body).split("\n"))
    return "\n".join(line for line in lines if line)
