"""Default deadlines and overdue derived from them, at the deadline's edges."""

import datetime as dt

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.supervision import (
    Hazard,
    days_left,
    days_overdue,
    deadline_days,
    default_deadline,
    is_overdue,
    overdue_flags,
    rectified_on_time,
)

FOUND = dt.date(2024, 1, 31)
DEADLINE = dt.date(2024, 3, 1)


def _h(state="rectifying", deadline=DEADLINE, **kw):
    return Hazard(1, "ordinary", state, FOUND, deadline=deadline, **kw)


@pytest.mark.parametrize(
    ("level", "days", "want"),
    [
        ("ordinary", None, dt.date(2024, 3, 1)),  # 30 days, through a leap February
        ("major", None, dt.date(2024, 4, 30)),
        ("ordinary", {"ordinary": 7, "major": 60}, dt.date(2024, 2, 7)),
    ],
)
def test_default_deadline_by_level(level, days, want):
    assert default_deadline(level, FOUND, days) == want


@pytest.mark.parametrize(
    "days",
    [
        {"ordinary": 30},
        {"ordinary": 30, "major": 0},
        {"ordinary": 1.5, "major": 9},
        {"ordinary": 30, "major": 90, "minor": 3},
        {"ordinary": True, "major": 9},
    ],
)
def test_deadline_days_refuses_bad_settings(days):
    with pytest.raises(InvalidInputError):
        deadline_days(days)


@pytest.mark.parametrize(
    ("on", "overdue", "late"),
    [
        (DEADLINE - dt.timedelta(1), False, 0),
        (DEADLINE, False, 0),  # the deadline day itself is not overdue
        (DEADLINE + dt.timedelta(1), True, 1),  # the next day is
        (DEADLINE + dt.timedelta(40), True, 40),
    ],
)
def test_overdue_at_the_deadline_edges(on, overdue, late):
    assert is_overdue(_h(), on) is overdue
    assert days_overdue(_h(), on) == late
    assert days_left(DEADLINE, on) == (DEADLINE - on).days


@pytest.mark.parametrize(
    "hazard",
    [
        _h("found", deadline=None),
        _h("rectified", rectified_on=DEADLINE + dt.timedelta(5)),
        _h("closed", rectified_on=FOUND, closed_on=FOUND),
    ],
)
def test_never_overdue_without_deadline_or_once_rectified(hazard):
    assert not is_overdue(hazard, DEADLINE + dt.timedelta(100))


@pytest.mark.parametrize(
    ("rectified_on", "state", "want"),
    [
        (None, "rectifying", None),
        (DEADLINE, "rectified", True),
        (DEADLINE + dt.timedelta(1), "rectified", False),  # rectified late
    ],
)
def test_rectified_on_time(rectified_on, state, want):
    assert rectified_on_time(_h(state, rectified_on=rectified_on)) is want


def test_overdue_flags_reads_legacy_statuses_and_dates():
    frame = pd.DataFrame(
        {
            "status": ["open", "overdue", "rectified", "found", "rectifying"],
            "deadline": [DEADLINE, DEADLINE, DEADLINE, None, pd.NaT],
        }
    )
    out = overdue_flags(frame, DEADLINE + dt.timedelta(2))
    assert out["is_overdue"].tolist() == [True, True, False, False, False]
    assert out["days_overdue"].tolist() == [2, 2, 0, 0, 0]
    assert "is_overdue" not in frame.columns


def test_overdue_flags_refuses_unknown_status():
    frame = pd.DataFrame({"status": ["late"], "deadline": [DEADLINE]})
    with pytest.raises(InvalidInputError, match="unknown status value"):
        overdue_flags(frame, DEADLINE)
