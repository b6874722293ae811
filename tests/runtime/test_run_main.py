"""`run_main`: uncaught panics reported as `path.haira:line:col: runtime error: …` (§0 #14)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A module shaped like generated code: functions plus a source map of its own lines.
GENERATED = textwrap.dedent(
    '''
    import haira.rt
    from haira.stdlib import io, env

    def divide(a: int, b: int) -> int:
        return haira.rt.idiv(a, b)

    def main() -> None:
        try:
            io.println("before", env.env("GREETING"))
            io.println(divide(10, 0))
        finally:
            io.println("deferred")

    __haira_source_map__: dict[int, tuple[str, int, int]] = {
        6: ("app.haira", 2, 12),
        10: ("app.haira", 5, 9),
        11: ("app.haira", 6, 20),
    }

    if __name__ == "__main__":
        haira.rt.run_main(main, source_map=__haira_source_map__)
    '''
)


def _run(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(source)
    env = dict(os.environ)
    env.pop("HAIRA_DEBUG", None)
    env.pop("GREETING", None)
    return subprocess.run(
        [sys.executable, "app.py", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_uncaught_runtime_error_is_reported_haira_style(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('GREETING="hello there"\n')
    proc = _run(tmp_path, GENERATED)
    assert proc.returncode == 2
    assert proc.stdout == "before hello there\ndeferred\n"
    assert proc.stderr == (
        "app.haira:2:12: runtime error: integer divide by zero\n"
        "    at divide (app.haira:2:12)\n"
        "    at main (app.haira:6:20)\n"
    )
    assert "Traceback" not in proc.stderr


def test_panic_with_error_value_and_exit_zero(tmp_path: Path) -> None:
    src = textwrap.dedent(
        '''
        import haira.rt
        from haira.stdlib import conv

        def main() -> None:
            n = haira.rt.unwrap(*conv.string_to_int("12abc"))
            print(n)

        __haira_source_map__ = {5: ("m.haira", 3, 9)}

        if __name__ == "__main__":
            haira.rt.run_main(main, source_map=__haira_source_map__)
        '''
    )
    proc = _run(tmp_path, src)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == (
        'm.haira:3:9: runtime error: cannot convert "12abc" to int'
    )
    ok = _run(tmp_path, "import haira.rt\nhaira.rt.run_main(lambda: None)\n")
    assert (ok.returncode, ok.stderr) == (0, "")


def test_unexpected_python_exception_never_shows_a_traceback(tmp_path: Path) -> None:
    src = textwrap.dedent(
        '''
        import haira.rt

        def main() -> None:
            d: dict[str, int] = {}
            d["x"] += 1

        __haira_source_map__ = {5: ("k.haira", 2, 5)}
        haira.rt.run_main(main, source_map=__haira_source_map__)
        '''
    )
    proc = _run(tmp_path, src)
    assert proc.returncode == 2
    assert proc.stderr.startswith("k.haira:2:5: runtime error: KeyError")
    assert "Traceback" not in proc.stderr


def test_nearest_mapped_line_and_deep_recursion(tmp_path: Path) -> None:
    src = textwrap.dedent(
        '''
        import haira.rt

        def depth(n: int) -> int:
            if n == 0:
                return haira.rt.index([1, 2, 3],
                                      5)
            return depth(n - 1) + 1

        def main() -> None:
            depth(3000)

        __haira_source_map__ = {5: ("r.haira", 3, 16), 7: ("r.haira", 4, 12), 10: ("r.haira", 7, 5)}
        haira.rt.run_main(main, source_map=__haira_source_map__)
        '''
    )
    proc = _run(tmp_path, src)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0] == "r.haira:3:16: runtime error: index out of range [5] with length 3"
    assert lines[1] == "    at depth (r.haira:3:16)"
    assert lines[-1] == "    at main (r.haira:7:5)"
    assert "more frames" in proc.stderr
    assert len(lines) < 50


def test_panic_inside_async_block_ends_the_program(tmp_path: Path) -> None:
    src = textwrap.dedent(
        '''
        import time
        import haira.rt

        def main() -> None:
            haira.rt.go(lambda: haira.rt.idiv(1, 0))
            time.sleep(5)
            print("not reached")

        haira.rt.run_main(main)
        '''
    )
    proc = _run(tmp_path, src)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "runtime error: integer divide by zero\n"


def test_closed_stdout_pipe_ends_quietly(tmp_path: Path) -> None:
    src = "import haira.rt\nfrom haira.stdlib import io\n\ndef main() -> None:\n    for i in range(200000):\n        io.println('line', i)\n\nhaira.rt.run_main(main)\n"
    (tmp_path / "app.py").write_text(src)
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"line 0\n"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""
