"""Sampling the server's hot path with py-spy while it relays long streams.

py-spy attaches to the running server (no change to the code under test) and writes
collapsed stacks; the report lists the functions that were on CPU most (self time) and
the ones most often on the stack (inclusive time).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.suite.config import Config
from benchmarks.suite.figures import log, spec
from benchmarks.suite.procs import LOOPBACK, LoadGen
from benchmarks.suite.targets import Target, fake_server, token_text

__all__ = ["profile", "top_frames"]

_LINE = re.compile(r"^(.*) (\d+)$")
_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^():]*)(?::\d+)?\)$")


def _short(frame: str) -> str:
    """`fn (path/to/site-packages/pkg/mod.py:12)` -> `fn (pkg/mod.py)`."""
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "/runtime/", "/lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/lib/python3.":
                path = "stdlib:" + path.split("/", 1)[-1]
            break
    return f"{m.group('fn')} ({path})"


# Frames every sample passes through (process, entry point, event loop): no information.
_OUTER = ("process ", "<module>", "_run_code", "_run_module_as_main", "Runner.run", "asyncio_run",
          "run_until_complete", "run_forever", "_run_once", "Handle._run", "serve", "Server.",
          "execute_main", "run_main", "main (", "run (", "_worker (", "Thread.")


# Native scaffolding of the compiled app: C helpers, libc, libuv, mypyc entry wrappers.
_NATIVE_OUTER = ("(object.h)", "(libc.so", "(loop.c)", "(core.c)", "(misc_ops.c)", "(bytes_ops.c)",
                 "(pythoncapi_compat.h)", "(libpython")
_NATIVE_NAMES = ("CPyPy_", "execute_main", "___main (", "_entry___run", "0x")


def _outer(frame: str) -> bool:
    if frame.startswith(_OUTER) or "/_entry.py" in frame or "/__main__.py" in frame:
        return True
    if frame.endswith(_NATIVE_OUTER) or any(n in frame for n in _NATIVE_NAMES):
        return True
    # C files other than the mypyc-compiled modules (CPython's, libuv's) and mypyc's
    # `am_send` trampolines only repeat the frame above them.
    native_c = frame.endswith((".c)", ".h)")) and "(__native_" not in frame
    return native_c or "CPyDunder_am_send" in frame


def top_frames(raw: str, n: int = 15) -> dict[str, Any]:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks.

    Inclusive shares leave out the frames every sample has (entry point, event loop).
    """
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        count = int(m.group(2))
        frames = [_short(f) for f in m.group(1).split(";") if f]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for f in set(frames):
            if not _outer(f):
                incl[f] += count
    return {"samples": total,
            "self": [(f, c / total * 100) for f, c in own.most_common(n)] if total else [],
            # Anything on the stack in ≥ 90 % of samples is scaffolding (native unwinding of
            # the compiled app shows the entry point and libuv's loop under other names).
            "inclusive": [(f, c / total * 100) for f, c in incl.most_common() if c < 0.9 * total][:n]
            if total else []}


def _pyspy() -> str | None:
    exe = Path(sys.executable).parent / "py-spy"
    return str(exe) if exe.exists() else shutil.which("py-spy")


SCENARIOS = {
    "relay": "20,000-token streams back to back (the relay figure's load): the per-token path",
    "request": "one-token streams back to back (the first-token figure's load): the per-request path",
}


def _one(cfg: Config, spy: str, t: Target, scenario: str, env: dict[str, str]) -> dict[str, Any]:
    server = t.start(env)
    raw_path = cfg.work_dir / f"profile-{scenario}-{t.name}.txt"
    try:
        gen = LoadGen(spec("sequential", server.port, t, count=1_000_000,
                           seconds=cfg.profile_seconds + 3, tag=f"p{scenario}-"), cfg.work_dir)
        # --gil: only the thread holding the GIL is sampled, i.e. Python work on CPU
        # (a loop waiting in epoll or an idle worker thread does not count).
        argv = [spy, "record", "--pid", str(server.pid), "--subprocesses", "--gil", "--duration",
                str(max(1, round(cfg.profile_seconds))), "--rate", "250", "--format", "raw",
                "-o", str(raw_path)]
        if t.name == "compiled":
            argv.append("--native")  # mypyc functions are C frames
        else:
            argv.append("--nonblocking")  # (not allowed together with --native)
        proc = subprocess.run(argv, capture_output=True, timeout=cfg.profile_seconds + 60)
        gen.result(cfg.profile_seconds + 120)
        if proc.returncode != 0 or not raw_path.exists():
            msg = proc.stderr.decode(errors="replace").strip().splitlines()
            return {"error": f"py-spy failed: {msg[-1] if msg else proc.returncode}"}
        return {"label": t.label, **top_frames(raw_path.read_text())}
    except Exception as exc:  # the report says why; the other figures stand
        return {"error": str(exc).splitlines()[0]}
    finally:
        server.stop()


def profile(cfg: Config, targets: list[Target]) -> dict[str, Any]:
    spy = _pyspy()
    if spy is None:
        return {"error": "py-spy is not installed (benchmarks/requirements.txt)"}
    results: dict[str, Any] = {}
    for scenario in SCENARIOS:
        reply = token_text(cfg.relay_tokens) if scenario == "relay" else "hi"
        with fake_server(cfg.work_dir, reply=reply) as fake:
            env = {"OPENAI_BASE_URL": f"http://{LOOPBACK}:{fake.port}/v1"}
            for t in targets:
                log(f"profile: {scenario}, {t.name}")
                results[f"{scenario}/{t.name}"] = {"scenario": scenario, **_one(cfg, spy, t, scenario, env)}
    return {"seconds": cfg.profile_seconds, "scenarios": SCENARIOS, "targets": results}
