"""`string` (language.md §6.2, §6.11): byte-based indices as Go."""

from __future__ import annotations

import pytest
from haira.errors import RuntimeFault
from haira.stdlib import string, strings


def test_basics() -> None:
    assert string.len_("Hello, Haira") == 12
    assert string.len_("héllo") == 6
    assert string.is_empty("") and not string.is_empty(" ")
    assert string.trim("  Hello, Haira  \n") == "Hello, Haira"
    assert string.trim("\u00a0x\u3000") == "x"
    assert string.trim_left("  a ") == "a "
    assert string.trim_right("  a ") == "  a"
    assert string.to_upper("Hello, Haira") == "HELLO, HAIRA"
    assert string.to_upper("straße") == "STRAßE"
    assert string.to_lower("ÀB") == "àb"
    assert string.contains("haira", "ir")
    assert string.starts_with("haira", "ha") and string.ends_with("haira", "ra")


def test_byte_indices() -> None:
    assert string.index_of("héllo", "l") == 3
    assert string.index_of("abc", "z") == -1
    assert string.last_index_of("héllo", "l") == 4
    assert string.substring("hello", 1, 3) == "el"
    assert string.substring("hello", -5, 99) == "hello"
    assert string.substring("hello", 3, 1) == ""
    assert string.substring("héllo", 0, 3) == "hé"
    assert string.char_at("abc", 1) == "b"
    assert string.char_at("abc", 3) == ""
    assert string.char_at("abc", -1) == ""


def test_split_join_replace() -> None:
    assert string.split("a,b,c", ",") == ["a", "b", "c"]
    assert string.split("", ",") == [""]
    assert string.split("héy", "") == ["h", "é", "y"]
    assert string.join(["a", 1, 2.0, None], "-") == "a-1-2-"
    assert string.replace("aaa", "a", "b") == "baa"
    assert string.replace_all("aaa", "a", "b") == "bbb"
    assert string.replace_all("ab", "", "-") == "-a-b-"
    assert string.repeat("ab", 3) == "ababab"
    assert string.repeat("ab", 0) == ""
    with pytest.raises(RuntimeFault, match="negative Repeat count"):
        string.repeat("x", -1)


def test_extensions() -> None:
    assert string.slugify("Hello World!.xlsx") == "hello-world-xlsx"
    assert string.slugify("--Ünïcode--") == "n-code"
    assert string.basename("/path/to/file.xlsx") == "file.xlsx"
    assert string.basename("/a/b/") == "b"
    assert string.basename("") == "."
    assert string.basename("///") == "/"
    assert string.ext("file.tar.gz") == ".gz"
    assert string.ext("dir.d/file") == ""
    assert string.strip_ext("file.xlsx") == "file"
    assert string.strip_ext("noext") == "noext"
    assert string.pad_left("42", 10, "0") == "0000000042"
    assert string.pad_left("42", 5, "ab") == "bab42"
    assert string.pad_left("hello", 3, "") == "llo"
    assert string.pad_right("42", 5, "") == "42   "
    assert string.pad_right("42", 5, "ab") == "42aba"
    assert string.truncate("long text here", 8, "...") == "long ..."
    assert string.truncate("short", 8, "...") == "short"
    assert string.truncate("abcdef", 2, "...") == "..."
    assert string.extract_between('key="value"', '"', '"') == "value"
    assert string.extract_between("abc", "x", "c") == ""
    assert string.capitalize("élan vital") == "Élan vital"
    assert string.capitalize("") == ""
    assert string.title("hello wide world") == "Hello Wide World"
    assert string.title("o'neil is here") == "O'Neil Is Here"
    assert string.reverse("héllo") == "olléh"
    assert string.count("cheese", "e") == 3
    assert string.count("five", "") == 5
    assert string.lines("a\nb\n") == ["a", "b", ""]
    assert string.words("  a  b\tc\n") == ["a", "b", "c"]
    assert string.words("   ") == []
    assert string.shell_escape("it's") == "'it'\\''s'"
    assert string.detect_language("main.go") == "go"
    assert string.detect_language("x.PY") == "python"
    assert string.detect_language("x.ts") == "typescript"
    assert string.detect_language("README") == "text"


def test_strings_alias() -> None:
    assert strings.to_upper is string.to_upper
