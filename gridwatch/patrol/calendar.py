"""Working days: weekends, China's public holidays and adjusted working days (调休).

Which days a warden works is decided, day by day, by the first rule that applies:

1. a row of the **holiday file** for that date (``is_workday`` true or false), so a
   bureau can add a local day off or a make-up working day, or correct a library;
2. the **official arrangement** published each year by the General Office of the
   State Council (国务院办公厅关于XXXX年部分节假日安排的通知), as packaged by the
   maintained ``chinese-calendar`` library: the public holidays *and* the adjusted
   working weekends (调休上班日, e.g. Sunday 2026-01-04 and Saturday 2026-02-14);
3. for a year the library does not know, but the holiday file has rows in: the
   file is taken as that year's complete list of exceptions to the Monday–Friday
   week;
4. any other year is **refused** with one sentence (``unknown_year="refuse"``, the
   default), because guessing next year's 调休 days gives confident wrong plans;
   ``unknown_year="weekends_only"`` plans Monday–Friday instead and records a
   warning in :attr:`WorkCalendar.warnings` for the caller to show.

Why ``chinese-calendar`` and not ``holidays`` (checked with chinese-calendar 1.11.0
and holidays 0.109): ``chinese-calendar`` lists the adjusted working days
explicitly and refuses years it has no official data for (2027 at the time of
writing), while ``holidays.China`` names the 调休 days only inside holiday names
and returns rule-based guesses for 2027 without any make-up working day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import chinese_calendar
import pandas as pd

from gridwatch.errors import InvalidInputError

__all__ = ["WorkCalendar", "library_years", "make_calendar", "read_holiday_file"]

UnknownYear = Literal["refuse", "weekends_only"]

#: Header spellings accepted in a holiday file (lower-cased, spaces removed).
_HEADERS = {
    "date": "date",
    "日期": "date",
    "is_workday": "is_workday",
    "workday": "is_workday",
    "是否上班": "is_workday",
    "上班": "is_workday",
    "是否工作日": "is_workday",
    "工作日": "is_workday",
    "name": "name",
    "名称": "name",
    "说明": "name",
    "节日": "name",
    "备注": "name",
}
_TRUE = {"1", "true", "yes", "y", "t", "是", "上班", "班", "工作日", "调休上班"}
_FALSE = {"0", "false", "no", "n", "f", "否", "休", "休息", "放假", "节假日", "假"}


@lru_cache(maxsize=1)
def library_years() -> frozenset[int]:
    """Years for which ``chinese-calendar`` has the State Council's arrangement.

    >>> {2025, 2026} <= library_years()
    True
    """
    return frozenset(d.year for d in chinese_calendar.constants.holidays)


def _library_name(day: dt.date) -> str | None:
    """Chinese holiday name from the library, e.g. "春节" or "春节调休上班"."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is None:
        return None
    chinese = next(
        (h.chinese for h in chinese_calendar.Holiday if h.value == name), name
    )
    return chinese if on_holiday else f"{chinese}调休上班"


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of the street office's wardens (build with :func:`make_calendar`).

    Attributes
    ----------
    overrides : dict of datetime.date to (bool, str)
        The holiday file's rows: date → (is_workday, name).
    unknown_year : {"refuse", "weekends_only"}
        What to do for a year neither the library nor the file covers.
    warnings : list of str
        Sentences for the caller to show (a year planned on weekends only).
    """

    overrides: dict[dt.date, tuple[bool, str]] = field(default_factory=dict)
    unknown_year: UnknownYear = "refuse"
    warnings: list[str] = field(default_factory=list, compare=False)

    def source_of(self, year: int) -> str:
        """Where ``year``'s working days come from: "library", "file" or "none"."""
        if year in library_years():
            return "library"
        if any(d.year == year for d in self.overrides):
            return "file"
        return "none"

    def _check_year(self, year: int) -> None:
        if self.source_of(year) != "none":
            return
        known = sorted(library_years())
        if self.unknown_year == "refuse":
            raise InvalidInputError(
                f"The official public holidays and adjusted working days for {year} "
                f"are not known (chinese-calendar "
                f"{chinese_calendar.__version__} covers {known[0]}–{known[-1]}); "
                f"add {year}'s holidays and make-up working days to a holiday "
                "file, or upgrade chinese-calendar.",
                details={"year": year, "known_years": [known[0], known[-1]]},
            )
        msg = (
            f"{year}: public holidays unknown, planned on Monday–Friday only "
            "(add a holiday file for that year)."
        )
        if msg not in self.warnings:
            self.warnings.append(msg)

    def is_workday(self, day: dt.date) -> bool:
        """True when wardens work on ``day``.

        Raises
        ------
        InvalidInputError
            If ``day``'s year is unknown and ``unknown_year`` is "refuse".

        >>> cal = make_calendar()
        >>> cal.is_workday(dt.date(2026, 2, 14)), cal.is_workday(dt.date(2026, 2, 16))
        (True, False)
        """
        if day in self.overrides:
            return self.overrides[day][0]
        self._check_year(day.year)
        if day.year in library_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def day_name(self, day: dt.date) -> str | None:
        """Why ``day`` is special: the file's name, the holiday, or None.

        >>> make_calendar().day_name(dt.date(2026, 1, 4))
        '元旦调休上班'
        """
        if day in self.overrides:
            return self.overrides[day][1] or None
        if day.year in library_years():
            return _library_name(day)
        return None

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working days from ``start`` to ``end``, both included, in order.

        >>> cal = make_calendar()
        >>> days = cal.working_days(dt.date(2026, 2, 13), dt.date(2026, 2, 16))
        >>> [d.day for d in days]
        [13, 14]
        """
        n = (end - start).days + 1
        days = (start + dt.timedelta(days=i) for i in range(max(n, 0)))
        return [d for d in days if self.is_workday(d)]


def _header_key(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")
    return _HEADERS.get(key)


def _parse_flag(value: str, line: int) -> bool:
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidInputError(
        f"Holiday file line {line}: is_workday {value!r} is neither yes nor no; "
        "write 1 for a working day (上班) or 0 for a day off (休息)."
    )


def _text_of(source) -> str:
    """The holiday file's text from a path (UTF-8 or GB18030) or a file object."""
    if isinstance(source, (str, Path)):
        from gridwatch.registry.reader import detect_encoding

        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(f"Holiday file {path} does not exist.")
        return path.read_text(detect_encoding(path))
    text = source.read()
    return text.decode("utf-8-sig") if isinstance(text, bytes) else text


def read_holiday_file(source) -> pd.DataFrame:
    """Read a holiday file: CSV with columns date, is_workday, name.

    Parameters
    ----------
    source : str, pathlib.Path or file object
        CSV in UTF-8 (with or without BOM) or GBK/GB18030. Headers may be English
        (``date, is_workday, name``) or Chinese (``日期, 是否上班, 名称``).
        ``is_workday`` accepts 1/0, true/false, yes/no, 是/否, 上班/休息; ``name`` is
        optional. Dates as 2027-02-06, 2027/2/6 or 2027年2月6日.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime.date), ``is_workday`` (bool), ``name`` (str), one row
        per line of the file, in file order.

    Raises
    ------
    InvalidInputError
        A missing file or column, a bad date or flag (naming the line), or one
        date given twice with different flags.

    Examples
    --------
    >>> text = "日期,是否上班,名称\\n2027-02-06,0,春节\\n2027-02-20,1,春节调休上班\\n"
    >>> read_holiday_file(io.StringIO(text))["is_workday"].tolist()
    [False, True]
    """
    from gridwatch.registry.fields import parse_date

    rows = list(csv.reader(io.StringIO(_text_of(source))))
    if not rows:
        raise InvalidInputError("The holiday file is empty; add a header line.")
    keys = [_header_key(h) for h in rows[0]]
    for need in ("date", "is_workday"):
        if need not in keys:
            raise InvalidInputError(
                f"The holiday file has no {need} column; its header must read "
                "date,is_workday,name (or 日期,是否上班,名称)."
            )
    out: dict[dt.date, tuple[bool, str, int]] = {}
    records = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = dict(zip(keys, row))
        try:
            day = parse_date(cell.get("date", ""))
        except ValueError as exc:
            raise InvalidInputError(f"Holiday file line {line}: {exc}.") from None
        flag = _parse_flag(cell.get("is_workday", ""), line)
        name = (cell.get("name") or "").strip()
        if day in out and out[day][0] != flag:
            raise InvalidInputError(
                f"Holiday file line {line}: {day} is already given on line "
                f"{out[day][2]} with the opposite is_workday; keep one."
            )
        out[day] = (flag, name, line)
        records.append({"date": day, "is_workday": flag, "name": name})
    return pd.DataFrame(records, columns=["date", "is_workday", "name"])


def make_calendar(
    holidays: pd.DataFrame | None = None, *, unknown_year: UnknownYear = "refuse"
) -> WorkCalendar:
    """Build the working-day calendar from the library and an optional file.

    Parameters
    ----------
    holidays : pandas.DataFrame, optional
        Columns ``date``, ``is_workday`` and optionally ``name`` (as returned by
        :func:`read_holiday_file`). Each row overrides the official arrangement for
        its date; a year the library does not know is covered by the file when
        the file has any row in it (see the module docstring).
    unknown_year : {"refuse", "weekends_only"}
        What to do for a year neither source covers.

    Returns
    -------
    WorkCalendar

    Raises
    ------
    InvalidInputError
        If ``holidays`` lacks a column or ``unknown_year`` is not one of the two.

    Examples
    --------
    >>> cal = make_calendar(pd.DataFrame({"date": [dt.date(2026, 3, 2)],
    ...                                   "is_workday": [False], "name": ["区停电"]}))
    >>> cal.is_workday(dt.date(2026, 3, 2)), cal.day_name(dt.date(2026, 3, 2))
    (False, '区停电')
    """
    if unknown_year not in ("refuse", "weekends_only"):
        raise InvalidInputError(
            f"unknown_year must be 'refuse' or 'weekends_only', not {unknown_year!r}."
        )
    overrides: dict[dt.date, tuple[bool, str]] = {}
    if holidays is not None:
        from gridwatch.frames import require_columns

        require_columns(holidays, ["date", "is_workday"], "holidays")
        names = holidays["name"] if "name" in holidays else [""] * len(holidays)
        for day, flag, name in zip(holidays["date"], holidays["is_workday"], names):
            overrides[pd.Timestamp(day).date()] = (bool(flag), str(name or ""))
    return WorkCalendar(overrides=overrides, unknown_year=unknown_year)
