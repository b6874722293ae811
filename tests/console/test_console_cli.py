"""`hairac console` end to end against real servers (`hairac run` with the mock provider)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hairac.console.repl import Renderer
from hairac.console.sse import Event, events

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
SESSION = re.compile(r"cli-[0-9a-f]{16}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(program: Path, workdir: Path, **env: str) -> Iterator[int]:
    port = _free_port()
    full_env = {
        **os.environ,
        "HAIRA_PROVIDER": "mock",
        "HAIRA_HOST": "127.0.0.1",
        "HAIRA_PORT": str(port),
        "HAIRA_DATABASE_URL": f"sqlite:///{workdir / 'chat.db'}",
        "HAIRA_ACCESS_LOG": "0",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hairac", "run", str(program)],
        cwd=workdir,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                # Any answer means it is up (with HAIRA_AUTH_TOKEN, health is 401).
                httpx.get(f"http://127.0.0.1:{port}/_api/health", timeout=0.5)
                break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read() if proc.stderr else ""
                raise RuntimeError(f"server did not start: {err}")
            time.sleep(0.1)
        yield port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    # Throttled, so the incremental-streaming test can see tokens arrive over time.
    yield from _serve(
        ROOT / "examples" / "streaming_chat.haira",
        tmp_path_factory.mktemp("chat"),
        HAIRA_MOCK_TOKEN_RATE="25",
    )


@pytest.fixture(scope="module")
def multi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(DATA / "chat.haira", tmp_path_factory.mktemp("multi"))


def console(port: int, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hairac", "console", f"127.0.0.1:{port}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_transcript_sessions_and_commands(chat_server: int) -> None:
    done = console(
        chat_server,
        "hello there\n/session\n/workflows\n/bogus\n\n/new\nsecond message\n/session cli-00000000000000aa\nthird\n/quit\nnot sent\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    sessions = SESSION.findall(done.stdout)
    first, second = sessions[0], sessions[2]
    assert first != second
    out = done.stdout.replace(first, "<S1>").replace(second, "<S2>")
    assert out == (
        f"Connected to http://127.0.0.1:{chat_server}: Stream (POST /api/stream)\n"
        "Session: <S1>\n"
        "Type /help for commands, /quit to leave.\n"
        "Mock reply to: hello there\n"
        "Session: <S1>\n"
        "* Stream  POST /api/stream  (stream)\n"
        "Unknown command: /bogus (type /help)\n"
        "New session: <S2>\n"
        "Mock reply to: second message\n"
        "Session: cli-00000000000000aa\n"
        "Mock reply to: third\n"
    )
    # Each turn went to the server under the console's session id (recorded as chats).
    chats = httpx.get(f"http://127.0.0.1:{chat_server}/_api/chats").json()
    ids = {c["id"] for c in chats}
    assert {first, second, "cli-00000000000000aa"} <= ids


def test_help_and_end_of_input(chat_server: int) -> None:
    done = console(chat_server, "/help\n")
    assert done.returncode == 0
    assert "/session [id]" in done.stdout and "/quit, /exit" in done.stdout
    assert done.stdout.count("Connected to") == 1


def test_tokens_are_printed_as_they_arrive(chat_server: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hairac", "console", f"127.0.0.1:{chat_server}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"one two three four five six seven eight nine ten\n")
        proc.stdin.flush()
        seen = b""
        first_token_at = end_at = 0.0
        deadline = time.monotonic() + 30
        while b"ten\n" not in seen and time.monotonic() < deadline:
            chunk = proc.stdout.read(1)
            if not chunk:
                break
            seen += chunk
            if not first_token_at and seen.endswith(b"Mock"):
                first_token_at = time.monotonic()
        end_at = time.monotonic()
        assert seen.endswith(b"Mock reply to: one two three four five six seven eight nine ten\n")
        # 13 tokens at 25/s: the first one shows well before the last.
        assert end_at - first_token_at > 0.25
        proc.stdin.write(b"/exit\n")
        proc.stdin.flush()
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdin.close()
        proc.stdout.close()


def test_choose_among_streaming_workflows_and_tool_events(multi_server: int) -> None:
    done = console(multi_server, "2\nwhat does get_weather say\n/workflows\n/exit\n")
    assert done.returncode == 0, done.stderr
    out = SESSION.sub("<S>", done.stdout)
    assert out == (
        "Streaming workflows:\n"
        "  1. Chat (/api/chat)\n"
        "  2. Weather (/api/weather)\n"
        "Choose one [1-2]: "
        f"Connected to http://127.0.0.1:{multi_server}: Weather (POST /api/weather)\n"
        "Session: <S>\n"
        "Type /help for commands, /quit to leave.\n"
        '[tool] get_weather {"city": "mock"}\n'
        "[tool] get_weather: ok\n"
        'Mock reply to: what does get_weather say (tool said "sunny in mock")\n'
        "  Chat  POST /api/chat  (stream)\n"
        "* Weather  POST /api/weather  (stream)\n"
        "  Health  GET /api/health2  (json)\n"
    )


def test_workflow_flag(multi_server: int) -> None:
    done = console(multi_server, "hi\n", "--workflow", "/api/chat")
    assert done.returncode == 0
    assert ": Chat (POST /api/chat)\n" in done.stdout
    assert done.stdout.endswith("Mock reply to: hi\n")
    bad = console(multi_server, "", "-w", "Nope")
    assert bad.returncode == 1
    assert bad.stderr == "hairac console: no workflow named 'Nope' (see /workflows)\n"


def test_unreachable_server() -> None:
    port = _free_port()
    done = console(port, "hi\n")
    assert done.returncode == 1
    assert (
        done.stderr == f"hairac console: cannot reach http://127.0.0.1:{port}: connection refused\n"
    )


def test_renderer_errors_handoffs_and_failed_tools() -> None:
    out = io.StringIO()
    render = Renderer(out)
    wire = (
        'data: {"content":"Hel"}\n\ndata: {"content":"lo"}\n\n: ping\n\n'
        'event: handoff\ndata: {"from":"Triage","to":"Billing"}\n\n'
        'event: tool_end\ndata: {"tool":"lookup","ok":false,"error":"boom"}\n\n'
        'data: {"content":"partial"}\n\n'
        'event: error\ndata: {"error":"upstream failed","code":"upstream_error"}\n\n'
        "event: done\ndata: [DONE]\n\n"
    )
    for event in events(wire.splitlines()):
        render(event)
    assert out.getvalue() == (
        "Hello\n"
        "[handoff] Triage -> Billing\n"
        "[tool] lookup failed: boom\n"
        "partial\n"
        "[error] upstream failed (upstream_error)\n"
    )


def test_sse_parser_multiline_data_and_ids() -> None:
    got = list(events(["id: s:1", "data: a", "data: b", "", "event: done", "data: [DONE]"]))
    assert got == [Event("message", "a\nb", "s:1"), Event("done", "[DONE]", "s:1")]


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(
        ROOT / "examples" / "streaming_chat.haira",
        tmp_path_factory.mktemp("auth"),
        HAIRA_AUTH_TOKEN="s3cret",
    )


def test_bearer_token(auth_server: int) -> None:
    denied = console(auth_server, "hi\n")
    assert denied.returncode == 1
    assert denied.stderr.startswith(
        f"hairac console: cannot list workflows at http://127.0.0.1:{auth_server}: "
    )
    assert "s3cret" not in denied.stderr
    by_flag = console(auth_server, "hi\n", "--token", "s3cret")
    assert (by_flag.returncode, by_flag.stdout.splitlines()[-1]) == (0, "Mock reply to: hi")
    by_env = subprocess.run(
        [sys.executable, "-m", "hairac", "console", f"127.0.0.1:{auth_server}"],
        input="hi\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HAIRA_AUTH_TOKEN": "s3cret"},
    )
    assert (by_env.returncode, by_env.stdout.splitlines()[-1]) == (0, "Mock reply to: hi")


def test_terminal_prompt_and_ctrl_c_interrupts_the_reply(chat_server: int) -> None:
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on a terminal
        os.execv(
            sys.executable, [sys.executable, "-m", "hairac", "console", f"127.0.0.1:{chat_server}"]
        )

    def read_until(marker: bytes, timeout: float = 20) -> bytes:
        got = b""
        deadline = time.monotonic() + timeout
        while marker not in got and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    got += os.read(fd, 4096)
                except OSError:
                    break
        return got

    try:
        banner = read_until(b"you> ")
        assert b"you> " in banner
        session = SESSION.search(banner.decode())
        assert session is not None
        os.write(fd, b"a b c d e f g h i j k l m n o p q r s t u v w x y z\r")
        read_until(b"Mock reply")
        os.write(fd, b"\x03")  # Ctrl-C while the reply streams
        after = read_until(b"you> ")
        assert b"[interrupted]" in after and b" z\r\n" not in after
        os.write(fd, b"/quit\r")
        read_until(b"\n", timeout=5)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(fd)
    # The server kept the partial reply, marked interrupted (http-streaming.md §6).
    deadline = time.monotonic() + 10
    while True:
        chat = httpx.get(f"http://127.0.0.1:{chat_server}/_api/chats/{session.group()}").json()
        replies = [m for m in chat.get("messages", []) if m["role"] == "assistant"]
        if replies or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert replies and replies[-1].get("interrupted") is True
    assert replies[-1]["content"].startswith("Mock reply")
