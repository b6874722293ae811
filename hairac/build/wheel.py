"""Write a wheel (PEP 427) from a list of files: the app's native modules and its shim.

We write the zip ourselves instead of running `bdist_wheel` so the wheel holds exactly
what we list (no generated `.py` sneaks in through `build_py`), and byte-identical inputs
give a byte-identical wheel (fixed timestamps, sorted entries).

    write_wheel(WheelSpec("app", "0.1.0", tag, requires=("haira-runtime==0.1.0",)),
                {"app/__main__.py": Path(...)}, Path("dist"))  # dist/app-0.1.0-cp311-...whl
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hairac import __version__
from hairac.build.names import wheel_name_component
from hairac.build.tags import WheelTag

# 1980-01-01, the earliest time a zip entry can carry: the same inputs, the same wheel.
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class WheelSpec:
    """What goes into the wheel's metadata."""

    name: str
    version: str
    tag: WheelTag
    requires: tuple[str, ...] = ()
    summary: str = ""
    top_level: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        name = wheel_name_component(self.name)
        version = wheel_name_component(self.version)
        return f"{name}-{version}-{self.tag}.whl"

    @property
    def dist_info(self) -> str:
        return f"{wheel_name_component(self.name)}-{wheel_name_component(self.version)}.dist-info"


def _metadata(spec: WheelSpec) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {spec.name}", f"Version: {spec.version}"]
    if spec.summary:
        lines.append(f"Summary: {spec.summary}")
    lines.append(f"Requires-Python: ==3.{_python_minor(spec.tag)}.*")
    lines.extend(f"Requires-Dist: {req}" for req in spec.requires)
    return ("\n".join(lines) + "\n").encode()


def _python_minor(tag: WheelTag) -> str:
    # cp311 -> "11": a native module only loads into the minor version that built it.
    digits = "".join(ch for ch in tag.interpreter if ch.isdigit())
    return digits[1:] if digits else "*"


def _wheel_file(spec: WheelSpec) -> bytes:
    return (
        "Wheel-Version: 1.0\n"
        f"Generator: hairac {__version__}\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {spec.tag}\n"
    ).encode()


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes, *, executable: bool) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_wheel(spec: WheelSpec, files: Mapping[str, Path | bytes], out_dir: Path) -> Path:
    """Write `out_dir/<spec.filename>` holding `files` (archive path → file or bytes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / spec.filename
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    record: list[str] = []
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname in sorted(files):
            source = files[arcname]
            if isinstance(source, Path):
                data = source.read_bytes()
                executable = arcname.endswith(".so") or bool(source.stat().st_mode & 0o111)
            else:
                data = source
                executable = False
            _add(zf, arcname, data, executable=executable)
            record.append(_record_line(arcname, data))
        meta: dict[str, bytes] = {
            f"{spec.dist_info}/METADATA": _metadata(spec),
            f"{spec.dist_info}/WHEEL": _wheel_file(spec),
        }
        if spec.top_level:
            meta[f"{spec.dist_info}/top_level.txt"] = ("\n".join(spec.top_level) + "\n").encode()
        for arcname, data in meta.items():
            _add(zf, arcname, data, executable=False)
            record.append(_record_line(arcname, data))
        record_name = f"{spec.dist_info}/RECORD"
        record.append(f"{record_name},,")
        _add(zf, record_name, ("\n".join(record) + "\n").encode(), executable=False)
    os.replace(tmp, target)
    return target
