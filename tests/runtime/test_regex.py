"""`regex` (language.md §6.10): RE2 syntax on Python `re`, Go's match rules."""

from __future__ import annotations

import pytest
from haira.stdlib import regex


def test_is_match_and_find() -> None:
    assert regex.is_match(r"\d+", "abc123")
    assert not regex.is_match(r"^\d+$", "abc")
    assert not regex.is_match("[", "[")  # invalid pattern → false
    assert regex.find(r"\d+", "a12b345") == "12"
    assert regex.find(r"\d+", "abc") == ""
    assert regex.find("(", "x") == ""


def test_find_all_skips_empty_match_after_previous() -> None:
    assert regex.find_all(r"\d+", "a1b22c333") == ["1", "22", "333"]
    assert regex.find_all(r"\d", "abc") == []
    assert regex.find_all("a*", "baaab") == ["", "aaa", ""]
    assert regex.find_all("(", "x") == []


def test_captures() -> None:
    assert regex.captures(r"(\w+)@(\w+)\.com", "mail bob@example.com") == [
        "bob@example.com",
        "bob",
        "example",
    ]
    assert regex.captures(r"(a)|(b)", "b") == ["b", "", "b"]
    assert regex.captures(r"x", "y") is None
    assert regex.captures(r"(?P<year>\d{4})-(?<m>\d\d)", "2024-05") == ["2024-05", "2024", "05"]


def test_replacements_expand_go_templates() -> None:
    assert regex.replace_all(r"(\w+)@(\w+)", "a@b c@d", "$2 at ${1}") == "b at a d at c"
    assert regex.replace(r"(\w+)@(\w+)", "a@b c@d", "$2") == "b c@d"
    assert regex.replace_all(r"(?P<w>\w+)", "hi yo", "<${w}>") == "<hi> <yo>"
    assert regex.replace_all(r"(?P<w>\w+)", "hi", "<$w>") == "<hi>"
    assert regex.replace_all("(a)", "aaa", "$1x|") == "|||"  # `$1x` names group "1x"
    assert regex.replace_all("a", "aa", "$$") == "$$"
    assert regex.replace_all("a", "aa", "$") == "$$"
    assert regex.replace_all("a", "aa", "${") == "${${"
    assert regex.replace_all("x*", "abxd", "-") == "-a-b-d-"
    assert regex.replace("a(b)?", "xac", "[$1]") == "x[]c"
    assert regex.replace("z", "abc", "y") == "abc"
    assert regex.replace_all("(", "abc", "y") == "abc"


def test_split_like_go() -> None:
    assert regex.split(",", "a,b,,c") == ["a", "b", "", "c"]
    assert regex.split(r"\s+", "a  b c") == ["a", "b", "c"]
    assert regex.split("a*", "abaabaccadaaae") == ["", "b", "b", "c", "c", "d", "e"]
    assert regex.split(",", "") == [""]
    assert regex.split("x", "abc") == ["abc"]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\d+$", "ab12\n", ""),  # RE2 `$` is end of text only
        (r"(?m)\d+$", "ab12\ncd", "12"),
        (r"\d+\z", "ab12", "12"),
        (r"[[:digit:]]+", "ab12", "12"),
        (r"[^[:space:]]+", "  xy ", "xy"),
        (r"\Qa.b\E", "aXb a.b", "a.b"),
        (r"\w+", "héllo", "h"),  # \w is ASCII in RE2
        (r"(?i)HELLO", "say hello", "hello"),
        (r"\pL+", "123abc", "abc"),
        (r"a{2}", "caaat", "aa"),
    ],
)
def test_re2_translation(pattern: str, text: str, expected: str) -> None:
    assert regex.find(pattern, text) == expected


def test_unsupported_constructs_are_invalid_patterns() -> None:
    assert regex.compile_go(r"(?<=a)b") is None
    assert regex.compile_go(r"a(?!b)") is None
    assert not regex.is_match(r"(a)\1", "aa")
    assert regex.compile_go(r"[[:bogus:]]") is None
    assert regex.compile_go("\\") is None
