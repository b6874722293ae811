"""Haira `time`: local time records, Go reference layouts, sleeping (language.md §6.8, §0 #21).

    t = time.now()                              # &{2026 11 25 19 20 1 1795634401 2026-11-25T19:20:01Z}
    time.format(t, "2006-01-02 15:04:05")       # "2026-11-25 19:20:01"
    time.parse("2024-05-01", "2006-01-02")      # (Time, None)
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
import time as _time
from typing import ClassVar

from haira.aio import Channel
from haira.errors import HairaError
from haira.rt import go_quote

__all__ = [
    "Time",
    "after",
    "tick",
    "format",
    "now",
    "parse",
    "since",
    "sleep",
    "slug",
    "timestamp",
    "unix",
    "unix_ms",
]


class Time:
    """A time record: `year month day hour minute second unix iso` (iso = RFC 3339, local)."""

    __slots__ = ("dt", "year", "month", "day", "hour", "minute", "second", "unix", "iso")
    __haira_fields__: ClassVar[tuple[str, ...]] = (
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "unix",
        "iso",
    )
    # REF returns a pointer to the record, so a top-level `%v` prints `&{...}`.
    __haira_pointer__: ClassVar[bool] = True

    def __init__(self, dt: _dt.datetime) -> None:
        if dt.tzinfo is None:
            dt = dt.astimezone()
        self.dt = dt
        self.year = dt.year
        self.month = dt.month
        self.day = dt.day
        self.hour = dt.hour
        self.minute = dt.minute
        self.second = dt.second
        self.unix = int(dt.timestamp())
        self.iso = _rfc3339(dt)


def _rfc3339(dt: _dt.datetime) -> str:
    s = dt.isoformat(timespec="seconds")
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def now() -> Time:
    """The current local time."""
    return Time(_dt.datetime.now().astimezone())


def unix() -> int:
    """Seconds since the Unix epoch."""
    return int(_time.time())


def unix_ms() -> int:
    """Milliseconds since the Unix epoch."""
    return _time.time_ns() // 1_000_000


def timestamp() -> str:
    """The current local time in RFC 3339."""
    return now().iso


def sleep(ms: object) -> None:
    """Pause for `ms` milliseconds (int or float)."""
    if isinstance(ms, int | float) and not isinstance(ms, bool) and ms > 0:
        _time.sleep(float(ms) / 1000.0)


def after(ms: object) -> Channel[Time]:
    """A channel that receives the current time once, after `ms` milliseconds (for `select`)."""
    ch: Channel[Time] = Channel()
    delay = float(ms) / 1000.0 if isinstance(ms, int | float) and not isinstance(ms, bool) else 0.0
    timer = threading.Timer(max(delay, 0.0), lambda: ch.send(now()))
    timer.daemon = True
    timer.start()
    return ch


def tick(ms: object) -> Channel[Time]:
    """A channel that receives the current time every `ms` milliseconds."""
    ch: Channel[Time] = Channel()
    period = float(ms) / 1000.0 if isinstance(ms, int | float) and not isinstance(ms, bool) else 0.0
    period = max(period, 0.001)

    def run() -> None:
        while True:
            _time.sleep(period)
            ch.send(now())

    threading.Thread(target=run, name="haira-tick", daemon=True).start()
    return ch


def _as_datetime(t: object) -> _dt.datetime | None:
    if isinstance(t, Time):
        return t.dt
    if isinstance(t, _dt.datetime):
        return t
    if isinstance(t, str):
        try:
            d = _dt.datetime.fromisoformat(t.strip())
        except ValueError:
            return None
        return d if d.tzinfo is not None else d.astimezone()
    return None


def since(t: object) -> int:
    """Milliseconds elapsed since `t` (a time record or RFC 3339 string)."""
    d = _as_datetime(t)
    if d is None:
        return 0
    return int((_dt.datetime.now(_dt.UTC) - d).total_seconds() * 1000)


def slug() -> str:
    """The current UTC time as `2006.01.02T15.04.05`."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y.%m.%dT%H.%M.%S")


# ---------------------------------------------------------------- Go layouts

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_FIXED_TOKENS = (
    "January", "Jan", "Monday", "Mon", "MST",
    "2006", "002", "01", "02", "03", "04", "05", "06", "_2", "15",
    "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07",
    "-07:00:00", "-070000", "-07:00", "-0700", "-07",
    "PM", "pm", "1", "2", "3", "4", "5",
)  # fmt: skip
_FRACTION = re.compile(r"[.,](0+|9+)(?![0-9])")


def _tokens(layout: str) -> list[tuple[bool, str]]:
    """Split a Go layout into (is_token, text) chunks."""
    out: list[tuple[bool, str]] = []
    lit: list[str] = []
    i = 0
    n = len(layout)
    while i < n:
        m = _FRACTION.match(layout, i) if layout[i] in ".," else None
        if m is not None:
            if lit:
                out.append((False, "".join(lit)))
                lit = []
            out.append((True, m.group(0)))
            i = m.end()
            continue
        for tok in _FIXED_TOKENS:
            if layout.startswith(tok, i):
                if tok in ("Jan", "Mon") and layout[i + 3 : i + 4].islower():
                    continue  # "Janet": not a token, as Go's startsWithLowerCase rule
                if lit:
                    out.append((False, "".join(lit)))
                    lit = []
                out.append((True, tok))
                i += len(tok)
                break
        else:
            lit.append(layout[i])
            i += 1
    if lit:
        out.append((False, "".join(lit)))
    return out


def _zone(dt: _dt.datetime, tok: str) -> str:
    off = dt.utcoffset() or _dt.timedelta(0)
    if tok.startswith("Z") and off == _dt.timedelta(0):
        return "Z"
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    body = tok.lstrip("Z-")
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def _format_token(dt: _dt.datetime, tok: str) -> str:  # noqa: C901  # NOTE: one arm per Go token
    h12 = dt.hour % 12 or 12
    simple = {
        "January": _MONTHS[dt.month - 1],
        "Jan": _MONTHS[dt.month - 1][:3],
        "Monday": _DAYS[dt.weekday()],
        "Mon": _DAYS[dt.weekday()][:3],
        "MST": dt.tzname() or "UTC",
        "2006": f"{dt.year:04d}",
        "06": f"{dt.year % 100:02d}",
        "002": f"{dt.timetuple().tm_yday:03d}",
        "01": f"{dt.month:02d}",
        "1": str(dt.month),
        "02": f"{dt.day:02d}",
        "_2": f"{dt.day:2d}",
        "2": str(dt.day),
        "15": f"{dt.hour:02d}",
        "03": f"{h12:02d}",
        "3": str(h12),
        "04": f"{dt.minute:02d}",
        "4": str(dt.minute),
        "05": f"{dt.second:02d}",
        "5": str(dt.second),
        "PM": "PM" if dt.hour >= 12 else "AM",
        "pm": "pm" if dt.hour >= 12 else "am",
    }
    hit = simple.get(tok)
    if hit is not None:
        return hit
    if tok[0] in "Z-":
        return _zone(dt, tok)
    # Fractional seconds: .000 (fixed width) or .999 (trailing zeros dropped).
    digits = f"{dt.microsecond:06d}000"[: len(tok) - 1]
    if tok[1] == "9":
        digits = digits.rstrip("0")
        return tok[0] + digits if digits else ""
    return tok[0] + digits


def format(t: object, layout: str) -> str:  # noqa: A001
    """`t` (a time record or RFC 3339 string) laid out with a Go reference layout."""
    dt = _as_datetime(t)
    if dt is None:
        # REF: an unparsable string comes back unchanged, anything else as `%v`.
        from haira.rt import fmt

        return t if isinstance(t, str) else fmt(t)
    return "".join(_format_token(dt, text) if is_tok else text for is_tok, text in _tokens(layout))


_PARSE_PATTERNS = {
    "January": "(?P<month_name>" + "|".join(_MONTHS) + ")",
    "Jan": "(?P<month_abbr>" + "|".join(m[:3] for m in _MONTHS) + ")",
    "Monday": "(?:" + "|".join(_DAYS) + ")",
    "Mon": "(?:" + "|".join(d[:3] for d in _DAYS) + ")",
    "MST": "(?P<tzname>[A-Z]{3,4}|[+-]\\d\\d)",
    "2006": "(?P<year>\\d{4})",
    "06": "(?P<year2>\\d\\d)",
    "002": "(?P<yday>\\d{3})",
    "01": "(?P<month>\\d\\d)",
    "1": "(?P<month>\\d\\d?)",
    "02": "(?P<day>\\d\\d)",
    "_2": "(?P<day> ?\\d\\d?)",
    "2": "(?P<day>\\d\\d?)",
    "15": "(?P<hour>\\d\\d?)",
    "03": "(?P<hour12>\\d\\d)",
    "3": "(?P<hour12>\\d\\d?)",
    "04": "(?P<minute>\\d\\d)",
    "4": "(?P<minute>\\d\\d?)",
    "05": "(?P<second>\\d\\d)",
    "5": "(?P<second>\\d\\d?)",
    "PM": "(?P<ampm>AM|PM)",
    "pm": "(?P<ampm>am|pm)",
}


def _parse_regex(layout: str) -> re.Pattern[str]:
    parts: list[str] = []
    used: set[str] = set()
    for is_tok, text in _tokens(layout):
        if not is_tok:
            parts.append(re.escape(text))
            continue
        pat = _PARSE_PATTERNS.get(text)
        if pat is None:
            if text[0] in "Z-":
                pat = "(?P<zone>Z|[+-]\\d\\d(?::?\\d\\d(?::?\\d\\d)?)?)"
            else:
                pat = "(?:[.,](?P<frac>\\d+))" + ("?" if text[1] == "9" else "")
        name = re.search(r"\?P<(\w+)>", pat)
        if name is not None:
            if name.group(1) in used:
                pat = pat.replace(f"?P<{name.group(1)}>", "?:")
            used.add(name.group(1))
        parts.append(pat)
    return re.compile("".join(parts))


def _zone_offset(z: str) -> _dt.timezone:
    if z == "Z":
        return _dt.UTC
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    hh = int(digits[0:2])
    mm = int(digits[2:4] or 0)
    ss = int(digits[4:6] or 0)
    return _dt.timezone(sign * _dt.timedelta(hours=hh, minutes=mm, seconds=ss))


def _field(g: dict[str, str | None], key: str, default: int) -> int:
    v = g.get(key)
    return int(v) if v else default


def _build(g: dict[str, str | None]) -> _dt.datetime:
    year = _field(g, "year", 0)
    if g.get("year2"):
        y2 = int(g["year2"] or 0)
        year = 1900 + y2 if y2 >= 69 else 2000 + y2
    month = _field(g, "month", 1)
    if g.get("month_name"):
        month = _MONTHS.index(g["month_name"] or "") + 1
    if g.get("month_abbr"):
        month = [m[:3] for m in _MONTHS].index(g["month_abbr"] or "") + 1
    hour = _field(g, "hour", 0)
    if g.get("hour12"):
        hour = int(g["hour12"] or 0) % 12
        if (g.get("ampm") or "").lower() == "pm":
            hour += 12
    frac = (g.get("frac") or "")[:6].ljust(6, "0")
    tz: _dt.tzinfo = _dt.UTC
    if g.get("zone"):
        tz = _zone_offset(g["zone"] or "Z")
    d = _dt.datetime(
        max(year, 1),
        month,
        _field(g, "day", 1),
        hour,
        _field(g, "minute", 0),
        _field(g, "second", 0),
        int(frac),
        tzinfo=tz,
    )
    if g.get("yday"):
        d = d.replace(month=1, day=1) + _dt.timedelta(days=int(g["yday"] or 1) - 1)
    return d


def parse(s: str, layout: str) -> tuple[Time | None, HairaError | None]:
    """Parse `s` with a Go reference layout; without a zone in the layout the time is UTC."""
    m = _parse_regex(layout).fullmatch(s)
    err = HairaError(f"parsing time {go_quote(s)} as {go_quote(layout)}: cannot parse {go_quote(s)} as {go_quote(layout)}")
    if m is None:
        return None, err
    try:
        d = _build(m.groupdict())
    except ValueError as exc:
        return None, HairaError(f"parsing time {go_quote(s)}: {exc}")
    return Time(d), None
