"""`fs` and `os` (language.md §6.9, §6.12): Go error texts, shell execution."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from haira.rt import fmt
from haira.stdlib import fs
from haira.stdlib import os as hos


def test_read_write_append(tmp_path: Path) -> None:
    p = str(tmp_path / "a.txt")
    assert fs.write_file(p, "héllo") is None
    assert fs.read_file(p) == ("héllo", None)
    assert fs.append_file(p, "!") is None
    assert fs.read_file(p) == ("héllo!", None)
    assert fs.write_file(p, "x") is None
    assert fs.read_file(p) == ("x", None)
    q = str(tmp_path / "new.txt")
    assert fs.append_file(q, "1") is None and fs.read_file(q) == ("1", None)
    assert oct(os.stat(p).st_mode & 0o777) in ("0o644", "0o664", "0o600", "0o666")


def test_go_error_texts(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.txt")
    content, err = fs.read_file(missing)
    assert content == ""
    assert fmt(err) == f"open {missing}: no such file or directory"
    assert fmt(fs.read_file(str(tmp_path))[1]) == f"read {tmp_path}: is a directory"
    assert fmt(fs.remove(missing)) == f"remove {missing}: no such file or directory"
    assert fmt(fs.write_file(str(tmp_path / "no" / "x"), "")) == (
        f"open {tmp_path}/no/x: no such file or directory"
    )
    assert fmt(fs.mkdir(str(tmp_path))) == f"mkdir {tmp_path}: file exists"
    assert fmt(fs.stat(missing)[1]) == f"stat {missing}: no such file or directory"
    assert fmt(fs.read_dir(missing)[1]) == f"open {missing}: no such file or directory"
    assert fmt(fs.rename(missing, missing + "2")) == (
        f"rename {missing} {missing}2: no such file or directory"
    )
    assert fmt(fs.copy(missing, missing + "2")) == f"open {missing}: no such file or directory"


def test_dirs(tmp_path: Path) -> None:
    d = str(tmp_path / "a" / "b")
    assert fs.mkdir_all(d) is None
    assert fs.mkdir_all(d) is None
    assert fs.exists(d) and not fs.exists(d + "x")
    assert fs.write_file(d + "/z.txt", "zz") is None
    assert fs.write_file(d + "/a.txt", "a") is None
    assert fs.mkdir(d + "/sub") is None
    entries, err = fs.read_dir(d)
    assert err is None
    assert [e["name"] for e in entries] == ["a.txt", "sub", "z.txt"]
    assert [e["is_dir"] for e in entries] == [False, True, False]
    assert entries[2]["size"] == 2
    assert isinstance(entries[0]["modified"], str)
    info, err2 = fs.stat(d + "/z.txt")
    assert err2 is None
    assert info["name"] == "z.txt" and info["size"] == 2 and info["is_dir"] is False
    assert info["path"] == os.path.abspath(d + "/z.txt")
    assert fs.copy(d + "/z.txt", d + "/c.txt") is None
    assert fs.read_file(d + "/c.txt") == ("zz", None)
    assert fs.rename(d + "/c.txt", d + "/d.txt") is None
    assert not fs.exists(d + "/c.txt") and fs.exists(d + "/d.txt")
    assert fs.remove(d + "/sub") is None
    assert fs.remove_all(str(tmp_path / "a")) is None
    assert not fs.exists(d)
    assert fs.remove_all(str(tmp_path / "nothing")) is None


def test_exec() -> None:
    assert hos.exec_("echo hi; echo err 1>&2") == ("hi\nerr\n", None)
    out, err = hos.exec("exit 3")
    assert out == "" and fmt(err) == "exit status 3"
    out2, err2 = hos.exec_timeout("sleep 5", 0.2)
    assert fmt(err2) == "signal: killed"
    assert hos.exec_timeout("echo ok", 5) == ("ok\n", None)


def test_safe_exec_blocks_dangerous_patterns() -> None:
    out, err = hos.safe_exec("sudo rm x", 5)
    assert out == ""
    assert fmt(err) == 'blocked: command contains dangerous pattern "sudo rm"'
    assert fmt(hos.safe_exec("dd if=/dev/zero of=x", 0)[1]) == (
        'blocked: command contains dangerous pattern "dd if="'
    )
    assert hos.safe_exec("echo fine", 0) == ("fine\n", None)


def test_environment_and_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert hos.cwd() == str(tmp_path)
    assert hos.setenv("HAIRA_TEST_VAR", "v1") is None
    assert hos.getenv("HAIRA_TEST_VAR") == "v1"
    assert hos.environ()["HAIRA_TEST_VAR"] == "v1"
    assert hos.getenv("HAIRA_TEST_UNSET_VAR") == ""
    assert fmt(hos.setenv("", "x")) == "setenv: invalid argument"
    monkeypatch.delenv("HAIRA_TEST_VAR")
    sub = tmp_path / "sub"
    sub.mkdir()
    assert hos.chdir(str(sub)) is None and hos.cwd() == str(sub)
    assert fmt(hos.chdir(str(tmp_path / "nope"))) == (
        f"chdir {tmp_path}/nope: no such file or directory"
    )
    assert hos.platform() == ("linux" if sys.platform.startswith("linux") else hos.platform())
    assert hos.arch() in ("amd64", "arm64", "386", "arm", "ppc64le", "s390x", "riscv64")
    assert hos.hostname()
    assert hos.temp_dir()
    assert hos.args() == sys.argv[1:]
