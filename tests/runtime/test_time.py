"""`time` (language.md §6.8): records, Go layouts, parse errors."""

from __future__ import annotations

import datetime as dt
import time as pytime

from haira.rt import fmt
from haira.stdlib import time


def _t(s: str) -> time.Time:
    return time.Time(dt.datetime.fromisoformat(s))


def test_record_fields_and_printing() -> None:
    t = _t("2024-05-01T13:45:10+02:00")
    assert (t.year, t.month, t.day, t.hour, t.minute, t.second) == (2024, 5, 1, 13, 45, 10)
    assert t.unix == 1714563910
    assert t.iso == "2024-05-01T13:45:10+02:00"
    assert fmt(t) == "&{2024 5 1 13 45 10 1714563910 2024-05-01T13:45:10+02:00}"
    assert fmt([t]).startswith("[{2024 ")
    assert _t("2024-05-01T13:45:10+00:00").iso == "2024-05-01T13:45:10Z"


def test_now_and_since() -> None:
    t = time.now()
    assert abs(t.unix - pytime.time()) < 5
    assert 0 <= time.since(t) < 5000
    assert time.since(t.iso) >= 0
    assert time.since("garbage") == 0
    assert abs(time.unix() - pytime.time()) < 5
    assert time.unix_ms() // 1000 - time.unix() in (0, 1, -1)
    assert time.timestamp()[:4].isdigit()


def test_format_layouts() -> None:
    t = _t("2024-05-01T13:04:05.120000+02:00")
    assert time.format(t, "2006-01-02 15:04:05") == "2024-05-01 13:04:05"
    assert time.format(t, "Jan 2, 2006 at 3:04pm") == "May 1, 2024 at 1:04pm"
    assert time.format(t, "Monday January _2 06") == "Wednesday May  1 24"
    assert time.format(t, "03:04:05 PM -07:00 Z0700") == "01:04:05 PM +02:00 +0200"
    assert time.format(t, "05.000 05.999 05.9") == "05.120 05.12 05.1"
    assert time.format(t, "002") == "122"
    assert time.format("2024-05-01T13:04:05Z", "Z07:00 MST") == "Z UTC"
    assert time.format("not a time", "2006") == "not a time"
    assert time.format(5, "2006") == "5"
    assert time.format(t, "Janet") == "Janet"


def test_parse() -> None:
    t, err = time.parse("2024-05-01 13:45:10", "2006-01-02 15:04:05")
    assert err is None and t is not None
    assert (t.year, t.month, t.day, t.hour, t.iso) == (2024, 5, 1, 13, "2024-05-01T13:45:10Z")
    t2, _ = time.parse("2024-05-01T13:45:10+02:00", "2006-01-02T15:04:05Z07:00")
    assert t2 is not None and t2.unix == 1714563910
    t3, _ = time.parse("May 7, 2024 3:04pm", "Jan 2, 2006 3:04pm")
    assert t3 is not None and (t3.month, t3.day, t3.hour) == (5, 7, 15)
    bad, err2 = time.parse("x", "2006")
    assert bad is None
    assert fmt(err2) == 'parsing time "x" as "2006": cannot parse "x" as "2006"'
    _, err3 = time.parse("2024-13-01", "2006-01-02")
    assert fmt(err3).startswith('parsing time "2024-13-01"')


def test_sleep_and_slug() -> None:
    start = pytime.monotonic()
    time.sleep(20)
    time.sleep(0.5)
    time.sleep("x")
    assert pytime.monotonic() - start >= 0.02
    s = time.slug()
    assert len(s) == 19 and s[4] == "." and s[10] == "T"
