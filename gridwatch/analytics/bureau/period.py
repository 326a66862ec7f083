"""Reporting periods: a chosen period and the same period a year earlier.

Every figure of the dashboard, the assessment and the annual report is counted
over a :class:`Period` (both ends included) and compared with
:attr:`Period.previous`, the same calendar dates one year earlier (同比). A
29 February moves to the 28th.

A period is written (dashboard URLs, the command line) as:

* ``2026``: the year; while that year is still running it ends today, so the
  comparison is year-to-date against the same dates last year (a full previous
  year against a part of this one would make every count look like a fall);
* ``2026-Q2``: a quarter; ``2026-05``: a month (both cut at today the same way);
* ``2026-01-01..2026-06-30``: any range of days.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gridwatch.errors import InvalidInputError

__all__ = ["Period", "parse_period", "year_period"]

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|~|至|/)\s*(\d{4}-\d{2}-\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def _year_back(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included.

    ``kind`` is ``year``, ``quarter``, ``month`` or ``range``; ``key`` the text
    :func:`parse_period` reads back (``2026``, ``2026-Q2``); ``is_cut`` tells a
    calendar period cut short at today (year to date).

    >>> p = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    >>> p.previous.start, p.previous.end
    (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    >>> p.months[0], p.months[-1], len(p.months)
    ('2026-01', '2026-06', 6)
    """

    start: dt.date
    end: dt.date
    kind: str = "range"
    key: str = ""
    is_cut: bool = False

    def __post_init__(self):
        for name in ("start", "end"):
            v = getattr(self, name)
            if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
                raise TypeError(f"{name} must be a date, got {type(v).__name__}")
        if self.start > self.end:
            raise InvalidInputError(
                f"The period starts {self.start} after it ends {self.end}; "
                "swap the dates."
            )
        if not self.key:
            object.__setattr__(self, "key", f"{self.start}..{self.end}")

    @property
    def previous(self) -> Period:
        """The same dates one year earlier."""
        start, end = _year_back(self.start), _year_back(self.end)
        key = f"{start}..{end}"
        return Period(start, end, self.kind, key, self.is_cut)

    @property
    def calendar_end(self) -> dt.date:
        """The end of the calendar period a cut period is part of (31 December
        for a year to date): what figures kept per period (manual assessment
        figures) are filed under, so they hold as the running year goes on."""
        if self.kind == "year":
            return dt.date(self.start.year, 12, 31)
        if self.kind == "quarter":
            return _month_end(self.start.year, self.start.month + 2)
        if self.kind == "month":
            return _month_end(self.start.year, self.start.month)
        return self.end

    @property
    def year(self) -> int:
        """The year of the period's end (targets and declarations are annual)."""
        return self.end.year

    @property
    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def label(self) -> str:
        """Chinese: ``2026年``, ``2026年1月1日至11月30日``, ``2026年第二季度``."""
        if self.kind == "year" and not self.is_cut:
            return f"{self.start.year}年"
        if self.kind == "quarter" and not self.is_cut:
            q = "一二三四"[(self.start.month - 1) // 3]
            return f"{self.start.year}年第{q}季度"
        if self.kind == "month" and not self.is_cut:
            return f"{self.start.year}年{self.start.month}月"
        return f"{_zh(self.start)}至{_zh(self.end, self.start.year)}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _zh(day: dt.date, same_year: int | None = None) -> str:
    year = "" if same_year == day.year else f"{day.year}年"
    return f"{year}{day.month}月{day.day}日"


def _calendar(start: dt.date, end: dt.date, kind, key, today) -> Period:
    if today is not None and start > today:
        raise InvalidInputError(
            f"The period {key} has not begun yet (today is {today}); choose a "
            "period up to today."
        )
    cut = today is not None and end > today
    return Period(start, min(end, today) if cut else end, kind, key, cut)


def year_period(year: int, today: dt.date | None = None) -> Period:
    """The calendar year, cut at ``today`` while it runs.

    >>> year_period(2026, dt.date(2026, 11, 30)).label
    '2026年1月1日至11月30日'
    >>> year_period(2025, dt.date(2026, 11, 30)).label
    '2025年'
    """
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        raise InvalidInputError(f"{year!r} is not a year; give four digits, e.g. 2026.")
    return _calendar(
        dt.date(year, 1, 1), dt.date(year, 12, 31), "year", str(year), today
    )


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(text: str | None, today: dt.date) -> Period:
    """A :class:`Period` from ``2026``, ``2026-Q2``, ``2026-05`` or ``A..B``.

    Empty text is the current year to date.

    Raises
    ------
    InvalidInputError
        Text in none of the forms, an impossible date, a reversed range, or a
        period that begins after ``today``.

    >>> today = dt.date(2026, 11, 30)
    >>> parse_period("2026-Q2", today).end
    datetime.date(2026, 6, 30)
    >>> parse_period("", today).key, parse_period("2026-11", today).is_cut
    ('2026', True)
    """
    raw = (text or "").strip()
    if not raw:
        return year_period(today.year, today)
    try:
        if m := _YEAR.match(raw):
            return year_period(int(m.group(1)), today)
        if m := _QUARTER.match(raw):
            y, q = int(m.group(1)), int(m.group(2))
            start = dt.date(y, 3 * q - 2, 1)
            end = _month_end(y, 3 * q)
            return _calendar(start, end, "quarter", f"{y}-Q{q}", today)
        if m := _MONTH.match(raw):
            y, mo = int(m.group(1)), int(m.group(2))
            start = dt.date(y, mo, 1)
            return _calendar(start, _month_end(y, mo), "month", f"{y}-{mo:02d}", today)
        if m := _RANGE.match(raw):
            start = dt.date.fromisoformat(m.group(1))
            end = dt.date.fromisoformat(m.group(2))
            return Period(start, end)
    except ValueError:
        pass
    raise InvalidInputError(
        f"{raw!r} is not a period; write a year (2026), a quarter (2026-Q2), a "
        "month (2026-05) or a range of days (2026-01-01..2026-06-30)."
    )
