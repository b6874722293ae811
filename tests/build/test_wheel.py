"""The wheel writer: metadata, RECORD hashes, reproducibility, the interpreter's tag."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from packaging.tags import sys_tags

from hairac.build.tags import wheel_tag
from hairac.build.wheel import WheelSpec, write_wheel


def _spec() -> WheelSpec:
    return WheelSpec("demo_app", "1.0", wheel_tag(), requires=("haira-runtime==0.1.0",), top_level=("demo_app",))


def test_tag_is_one_this_interpreter_installs() -> None:
    assert str(wheel_tag()) in {str(t) for t in sys_tags()}


def test_wheel_holds_files_metadata_and_a_valid_record(tmp_path: Path) -> None:
    native = tmp_path / "m.so"
    native.write_bytes(b"\x7fELF fake")
    path = write_wheel(_spec(), {"demo_app/m.so": native, "demo_app/__main__.py": b"print(1)\n"}, tmp_path / "dist")
    assert path.name == f"demo_app-1.0-{wheel_tag()}.whl"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "demo_app/m.so" in names and "demo_app/__main__.py" in names
        metadata = zf.read("demo_app-1.0.dist-info/METADATA").decode()
        assert "Name: demo_app\n" in metadata
        assert "Requires-Dist: haira-runtime==0.1.0\n" in metadata
        assert "Root-Is-Purelib: false" in zf.read("demo_app-1.0.dist-info/WHEEL").decode()
        record = zf.read("demo_app-1.0.dist-info/RECORD").decode().splitlines()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if name.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = zf.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
        assert len(record) == len(names)
        assert zf.getinfo("demo_app/m.so").external_attr >> 16 & 0o111


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    files: dict[str, Path | bytes] = {"demo_app/__main__.py": b"x = 1\n"}
    first = write_wheel(_spec(), files, tmp_path / "a").read_bytes()
    second = write_wheel(_spec(), files, tmp_path / "b").read_bytes()
    assert first == second
