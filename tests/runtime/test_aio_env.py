"""`haira.aio.run_sync` and `env` / `.env` loading."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from haira import aio
from haira.stdlib import env


async def _whoami() -> tuple[int, asyncio.AbstractEventLoop]:
    await asyncio.sleep(0)
    return threading.get_ident(), asyncio.get_running_loop()


async def _fail() -> None:
    raise ValueError("inner")


def test_run_sync_without_server_uses_background_loop() -> None:
    aio.set_main_loop(None)
    ident, loop = aio.run_sync(_whoami())
    assert ident != threading.get_ident()
    assert loop is aio.background_loop()
    assert aio.run_sync(_whoami())[1] is loop
    with pytest.raises(ValueError, match="inner"):
        aio.run_sync(_fail())


def test_run_sync_from_worker_thread_uses_server_loop() -> None:
    loop = asyncio.new_event_loop()
    server_thread = threading.Thread(target=loop.run_forever, daemon=True)
    server_thread.start()
    try:
        aio.set_main_loop(loop)
        assert aio.get_main_loop() is loop
        result: list[asyncio.AbstractEventLoop] = []
        worker = threading.Thread(target=lambda: result.append(aio.run_sync(_whoami())[1]))
        worker.start()
        worker.join(10)
        assert result == [loop]
    finally:
        aio.set_main_loop(None)
        loop.call_soon_threadsafe(loop.stop)
        server_thread.join(10)
        loop.close()


async def test_run_sync_on_the_loop_thread_does_not_deadlock() -> None:
    aio.set_main_loop(asyncio.get_running_loop())
    try:
        _, used = aio.run_sync(_whoami())
        assert used is not asyncio.get_running_loop()
    finally:
        aio.set_main_loop(None)


def test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAIRA_T_PORT", " 8080 ")
    monkeypatch.setenv("HAIRA_T_RATE", "0.25")
    monkeypatch.setenv("HAIRA_T_BAD", "8x")
    monkeypatch.delenv("HAIRA_T_UNSET", raising=False)
    assert env.env("HAIRA_T_RATE") == "0.25"
    assert env.env("HAIRA_T_UNSET") == ""
    assert env.env("HAIRA_T_PORT", int) == 8080
    assert env.env("HAIRA_T_BAD", int) == 0
    assert env.env("HAIRA_T_UNSET", int) == 0
    assert env.env("HAIRA_T_RATE", float) == 0.25
    assert env.env("HAIRA_T_BAD", float) == 0.0
    assert env.env("HAIRA_T_RATE", str) == "0.25"
    assert env.env_int("HAIRA_T_PORT") == 8080
    assert env.env_float("HAIRA_T_PORT") == 8080.0


def test_parse_dotenv() -> None:
    text = (
        "# comment\n"
        "A=1\n"
        "export B = two words # trailing comment\n"
        "C='single $raw \\n'\n"
        'D="line\\nnext \\"q\\""\n'
        'E="multi\n'
        'line"\n'
        "F: colon\n"
        "garbage line\n"
        "G=\n"
    )
    assert env.parse_dotenv(text) == [
        ("A", "1"),
        ("B", "two words"),
        ("C", "single $raw \\n"),
        ("D", 'line\nnext "q"'),
        ("E", "multi\nline"),
        ("F", "colon"),
        ("G", ""),
    ]


def test_load_dotenv_does_not_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("HAIRA_T_X=from_file\nHAIRA_T_Y=kept\n")
    monkeypatch.setenv("HAIRA_T_Y", "from_env")
    monkeypatch.delenv("HAIRA_T_X", raising=False)
    assert env.load_dotenv(str(tmp_path / ".env"))
    assert env.env("HAIRA_T_X") == "from_file"
    assert env.env("HAIRA_T_Y") == "from_env"
    monkeypatch.delenv("HAIRA_T_X")
    assert not env.load_dotenv(str(tmp_path / "missing.env"))


def test_spawn_keeps_statement_order_and_reports_lowest_failure() -> None:
    import time as pytime

    from haira.errors import HairaPanic
    from haira.rt import catch_text, idiv

    def slow() -> object:
        pytime.sleep(0.05)
        return "slow"

    assert aio.spawn([slow, lambda: 2, lambda: None]) == ["slow", 2, None]
    assert aio.spawn([]) == []
    ran: list[int] = []

    def boom() -> object:
        return idiv(1, 0)

    def late() -> object:
        pytime.sleep(0.05)
        ran.append(3)
        raise HairaPanic("second")

    with pytest.raises(HairaPanic) as info:
        aio.spawn([lambda: 1, boom, late])
    assert ran == [3]  # every task ran to the end
    assert catch_text(info.value) == "spawn task 1 panicked: runtime error: integer divide by zero"


def test_channels_go_and_select() -> None:
    from haira.stdlib import time as htime

    ch = aio.go(lambda: 41 + 1)
    assert ch.recv() == 42
    assert ch.recv() is None  # closed and drained
    empty: aio.Channel[int] = aio.Channel()
    assert aio.select([empty], True) == (-1, None)
    assert empty.try_recv() == (False, None)
    timer = htime.after(30)
    idx, value = aio.select([empty, timer], False)
    assert idx == 1 and isinstance(value, htime.Time)
    ticker = htime.tick(5)
    assert isinstance(ticker.recv(), htime.Time)
    assert isinstance(ticker.recv(), htime.Time)


def test_run_sync_nested_on_the_background_loop_does_not_deadlock() -> None:
    aio.set_main_loop(None)

    async def outer() -> int:
        # Synchronous code running on the background loop calls run_sync again.
        inner_ident, _ = aio.run_sync(_whoami())
        assert inner_ident != threading.get_ident()
        return 5

    assert aio.run_sync(outer()) == 5

    async def outer_fail() -> None:
        aio.run_sync(_fail())

    with pytest.raises(ValueError, match="inner"):
        aio.run_sync(outer_fail())
