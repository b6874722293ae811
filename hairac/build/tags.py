"""The wheel tag of the running interpreter: `cp311-cp311-linux_x86_64`.

A native module only loads into the interpreter (and ABI) that compiled it, so the tag is
the running interpreter's most specific one. The platform is the plain `linux_x86_64`
form, not `manylinux_*`: nothing audits the shared libraries we link against.

    wheel_tag() == WheelTag("cp311", "cp311", "linux_x86_64")
"""

from __future__ import annotations

import sys
import sysconfig
from dataclasses import dataclass

_IMPLEMENTATION_ABBREVIATIONS: dict[str, str] = {"cpython": "cp", "pypy": "pp"}


@dataclass(frozen=True, slots=True)
class WheelTag:
    """The three parts of a PEP 425 compatibility tag."""

    interpreter: str
    abi: str
    platform: str

    def __str__(self) -> str:
        return f"{self.interpreter}-{self.abi}-{self.platform}"


def interpreter_tag() -> str:
    """`cp311` for CPython 3.11."""
    name = sys.implementation.name
    prefix = _IMPLEMENTATION_ABBREVIATIONS.get(name, name)
    return f"{prefix}{sys.version_info.major}{sys.version_info.minor}"


def abi_tag() -> str:
    """`cp311`, with `d` for debug builds and `t` for free-threaded ones (PEP 703)."""
    abi = interpreter_tag()
    if sysconfig.get_config_var("Py_DEBUG"):
        abi += "d"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        abi += "t"
    return abi


def platform_tag() -> str:
    """`linux_x86_64`, `macosx_11_0_arm64`, `win_amd64`."""
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    # NOTE: a 32-bit interpreter on a 64-bit Linux kernel reports the kernel's machine.
    if platform == "linux_x86_64" and sys.maxsize <= 2**32:
        platform = "linux_i686"
    return platform


def wheel_tag() -> WheelTag:
    """The tag a wheel holding native modules built by this interpreter carries."""
    return WheelTag(interpreter_tag(), abi_tag(), platform_tag())
