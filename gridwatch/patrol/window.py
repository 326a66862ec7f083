"""The planning window: which calendar days a plan covers, checked against today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from gridwatch.errors import InvalidInputError

__all__ = ["MAX_WINDOW_DAYS", "PlanWindow", "make_window"]

#: Longest plan window accepted, in days: a year of visits is already more than
#: any street office plans at once, and a typo (3000 days) should not run.
MAX_WINDOW_DAYS = 366


@dataclass(frozen=True)
class PlanWindow:
    """The planning window: ``days`` calendar days from ``start`` (both ends in).

    Attributes
    ----------
    start, end : datetime.date
        First and last calendar day of the window (``end = start + days - 1``).
    days : int
        Calendar days in the window (>= 1).
    today : datetime.date
        The day the plan is made; the window never starts before it.
    """

    start: dt.date
    days: int
    today: dt.date

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)

    def dates(self) -> Iterable[dt.date]:
        """Every calendar day of the window, in order."""
        return (self.start + dt.timedelta(days=i) for i in range(self.days))


def _as_date(value, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(
            f"{what} {value!r} is not a date; write it as 2026-12-01."
        ) from None


def make_window(start, days: int, today) -> PlanWindow:
    """Check and build a plan window.

    Parameters
    ----------
    start : datetime.date or str
        First day planned (ISO date).
    days : int
        Calendar days to plan, 1 to 366.
    today : datetime.date or str
        The day the plan is made: a window may start today or later, never in
        the past (past days cannot be visited any more).

    Returns
    -------
    PlanWindow

    Raises
    ------
    InvalidInputError
        One sentence for days < 1, days > 366, a bad date, or a start before today.

    Examples
    --------
    >>> w = make_window("2026-12-01", 31, today="2026-11-30")
    >>> w.end
    datetime.date(2026, 12, 31)
    """
    start_d, today_d = _as_date(start, "The start date"), _as_date(today, "Today")
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInputError(f"days must be a whole number, not {days!r}.")
    if days < 1:
        raise InvalidInputError(
            f"The plan window must be at least 1 day long, not {days}; "
            "give the number of days to plan."
        )
    if days > MAX_WINDOW_DAYS:
        raise InvalidInputError(
            f"The plan window of {days} days is longer than {MAX_WINDOW_DAYS}; "
            "plan at most a year at a time."
        )
    if start_d < today_d:
        raise InvalidInputError(
            f"The plan window starts on {start_d}, before today ({today_d}); "
            "past days cannot be planned, start today or later."
        )
    return PlanWindow(start=start_d, days=days, today=today_d)
