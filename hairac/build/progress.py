"""Progress on stderr: one line per phase with its time.

    hairac: checking ... 0.21 s
    hairac: compiling native module ... 14.8 s
    hairac: packing ... cached

The phase name is written when the phase starts and the time when it ends, so a long
phase (the C compiler) shows what it is doing while it runs.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO


class Phase:
    """A running phase: `note` adds a word to its time (`cached`), `failed` marks it failed."""

    def __init__(self) -> None:
        self.note: str | None = None
        self.failed = False


class Progress:
    """Writes phase lines to `stream` (stderr by default); silent when `quiet`."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, prefix: str = "hairac") -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._quiet = quiet
        self._prefix = prefix
        self.timings: dict[str, float] = {}

    def line(self, text: str) -> None:
        if not self._quiet:
            print(text, file=self._stream, flush=True)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        phase = Phase()
        if not self._quiet:
            self._stream.write(f"{self._prefix}: {name} ... ")
            self._stream.flush()
        start = time.perf_counter()
        ok = False
        try:
            yield phase
            ok = True
        finally:
            elapsed = time.perf_counter() - start
            self.timings[name] = elapsed
            if not self._quiet:
                if not ok or phase.failed:
                    end = "failed"
                elif phase.note:
                    end = f"{phase.note} ({_seconds(elapsed)})"
                else:
                    end = _seconds(elapsed)
                self._stream.write(end + "\n")
                self._stream.flush()


def _seconds(elapsed: float) -> str:
    return f"{elapsed:.2f} s" if elapsed < 10 else f"{elapsed:.1f} s"
