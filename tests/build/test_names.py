from __future__ import annotations

import pytest

from hairac.build.errors import BadName
from hairac.build.names import (
    app_name_from_path,
    check_app_name,
    check_version,
    wheel_name_component,
)


def test_default_name_is_the_file_stem_as_an_identifier() -> None:
    assert app_name_from_path("examples/streaming_chat.haira") == "streaming_chat"
    assert app_name_from_path("/x/my-app.haira") == "my_app"
    assert app_name_from_path("a.b.haira") == "a_b"


@pytest.mark.parametrize("name", ["app", "chat2", "_x", "StreamingChat"])
def test_good_names(name: str) -> None:
    assert check_app_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("2app", "not a valid Python package name"),
        ("my-app", "not a valid Python package name"),
        ("class", "keyword"),
        ("haira", "package the app runs on"),
        ("json", "standard library"),
        ("", "not a valid"),
    ],
)
def test_bad_names_say_why(name: str, why: str) -> None:
    with pytest.raises(BadName, match=why):
        check_app_name(name)


@pytest.mark.parametrize("version", ["1", "0.1.0", "2.0rc1", "1.0.post2", "1.0.dev3", "1.0+abc.1"])
def test_good_versions(version: str) -> None:
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["v1", "1.0-beta", "", "1..2"])
def test_bad_versions(version: str) -> None:
    with pytest.raises(BadName, match="version"):
        check_version(version)


def test_wheel_name_escaping() -> None:
    assert wheel_name_component("haira-runtime") == "haira_runtime"
    assert wheel_name_component("1.0+abc") == "1.0+abc"
