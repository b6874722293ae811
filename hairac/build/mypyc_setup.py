"""Run in a child process: mypyc-compile a package's modules into extension modules.

    python -m hairac.build.mypyc_setup CONFIG.json

CONFIG names the `.py` files to compile, the group (shared library) name, and where the
generated C, the object files and the finished `.so` files go. The build runs in a child
process so setuptools' global state and the C compiler's output stay out of `hairac`, and a
failure leaves a log instead of a traceback. Both C levels run in parallel: extension
modules (`build_ext --parallel`) and the C files of one extension (a thread per `gcc`),
together never more than `jobs` compilers at once.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class MypycConfig:
    """What to compile and where; written as JSON by `hairac.build.native`."""

    sources: tuple[str, ...]
    group_name: str
    c_dir: str
    build_temp: str
    build_lib: str
    opt_level: str = "3"
    jobs: int = 2
    multi_file: bool = False
    mypy_args: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "sources": list(self.sources),
                "group_name": self.group_name,
                "c_dir": self.c_dir,
                "build_temp": self.build_temp,
                "build_lib": self.build_lib,
                "opt_level": self.opt_level,
                "jobs": self.jobs,
                "multi_file": self.multi_file,
                "mypy_args": list(self.mypy_args),
            },
            indent=2,
        )

    @staticmethod
    def from_json(text: str) -> MypycConfig:
        raw = json.loads(text)
        return MypycConfig(
            sources=tuple(str(s) for s in raw["sources"]),
            group_name=str(raw["group_name"]),
            c_dir=str(raw["c_dir"]),
            build_temp=str(raw["build_temp"]),
            build_lib=str(raw["build_lib"]),
            opt_level=str(raw.get("opt_level", "3")),
            jobs=int(raw.get("jobs", 2)),
            multi_file=bool(raw.get("multi_file", False)),
            mypy_args=tuple(str(a) for a in raw.get("mypy_args", [])),
        )


def install_parallel_compile(jobs: int) -> None:
    """Compile the C files of one extension concurrently, `jobs` compilers at most overall.

    distutils compiles an extension's sources one after the other; mypyc's runtime library
    and multi-file output give several files per extension. The semaphore also bounds the
    extension-level parallelism of `build_ext --parallel`, so 2 cores see 2 compilers.
    """
    try:
        from setuptools._distutils import ccompiler
    except ImportError:  # pragma: no cover - a setuptools without vendored distutils
        return
    base: Any = ccompiler.CCompiler
    slots = threading.BoundedSemaphore(max(1, jobs))

    def compile_(
        self: Any,
        sources: Any,
        output_dir: Any = None,
        macros: Any = None,
        include_dirs: Any = None,
        debug: bool = False,
        extra_preargs: Any = None,
        extra_postargs: Any = None,
        depends: Any = None,
    ) -> list[str]:
        macros, objects, extra_postargs, pp_opts, build = self._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = self._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj: str) -> None:
            src, ext = build[obj]
            with slots:
                self._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

        todo = [obj for obj in objects if obj in build]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in [pool.submit(one, obj) for obj in todo]:
                future.result()
        result: list[str] = objects
        return result

    base.compile = compile_


def build(config: MypycConfig) -> None:
    """mypycify `config.sources` and build the extensions into `config.build_lib`."""
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[attr-defined]  # re-exported, not in __all__

    install_parallel_compile(config.jobs)
    extensions = mypycify(
        [*config.mypy_args, *config.sources],
        opt_level=config.opt_level,
        target_dir=config.c_dir,
        group_name=config.group_name,
        multi_file=config.multi_file,
    )
    setup(
        name=config.group_name,
        ext_modules=extensions,
        script_args=[
            "--quiet",
            "build_ext",
            "--build-lib",
            config.build_lib,
            "--build-temp",
            config.build_temp,
            "--parallel",
            str(max(1, config.jobs)),
        ],
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m hairac.build.mypyc_setup CONFIG.json", file=sys.stderr)
        return 2
    config = MypycConfig.from_json(Path(argv[0]).read_text(encoding="utf-8"))
    os.makedirs(config.c_dir, exist_ok=True)
    build(config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
