"""Due-date arithmetic: risk intervals, hazard deadlines, campaigns, window edges."""

import datetime as dt

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.schedule import DUE_COLUMNS, due_visits, validate_due_days
from gridwatch.patrol.window import make_window

D = dt.date
DAYS = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
START = D(2026, 12, 1)
WINDOW = make_window(START, 31, today=START)  # 2026-12-01 .. 2026-12-31


def _ents(*rows):
    """rows of (id, risk, last_inspected_on[, registered_on])."""
    return pd.DataFrame(
        {
            "enterprise_id": [r[0] for r in rows],
            "risk_level": [r[1] for r in rows],
            "last_inspected_on": [r[2] for r in rows],
            "registered_on": [r[3] if len(r) > 3 else None for r in rows],
        }
    )


def _hazards(*rows):
    """rows of (hazard_id, enterprise_id, deadline, status)."""
    return pd.DataFrame(
        rows, columns=["hazard_id", "enterprise_id", "deadline", "status"]
    )


def _campaign(eids, starts, ends, cid="C1", name="危化品专项整治"):
    return pd.DataFrame(
        {
            "campaign_id": cid,
            "name": name,
            "starts_on": starts,
            "ends_on": ends,
            "enterprise_id": eids,
        }
    )


def _one(frame, eid):
    rows = frame[frame["enterprise_id"] == eid]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("risk", "last", "due"),
    [
        ("red", D(2026, 11, 20), D(2026, 12, 20)),
        ("orange", D(2026, 9, 10), D(2026, 12, 9)),
        ("yellow", D(2026, 6, 5), D(2026, 12, 4)),
        ("blue", D(2025, 12, 10), D(2026, 12, 10)),
    ],
)
def test_due_visits_interval_per_risk_level(risk, last, due):
    row = _one(due_visits(_ents(("A", risk, last)), WINDOW, DAYS), "A")
    assert row["due_on"] == due and row["reasons"] == ("interval",)
    assert row["days_overdue"] == 0 and row["interval_days"] == DAYS[risk]


def test_due_visits_window_edges():
    ents = _ents(
        ("on_last_day", "red", D(2026, 12, 1)),  # due 12-31: in
        ("day_after", "red", D(2026, 12, 2)),  # due 2027-01-01: out
        ("on_first_day", "red", D(2026, 11, 1)),  # due 12-01: 0 days overdue
        ("day_before", "red", D(2026, 10, 31)),  # due 11-30: 1 day overdue
    )
    due = due_visits(ents, WINDOW, DAYS)
    by = due.groupby("enterprise_id")
    assert "day_after" not in by.groups
    assert list(by.get_group("on_last_day")["due_on"]) == [D(2026, 12, 31)]
    # due on the first day: 0 days overdue, and due again 30 days later (12-31)
    first = by.get_group("on_first_day")
    assert list(first["due_on"]) == [D(2026, 12, 1), D(2026, 12, 31)]
    assert list(first["days_overdue"]) == [0, 0]
    # 1 day overdue: visited at the earliest on 12-01, so next due 12-31
    before = by.get_group("day_before")
    assert list(before["due_on"]) == [D(2026, 11, 30), D(2026, 12, 31)]
    assert list(before["days_overdue"]) == [1, 0]


def test_due_visits_registration_date_when_never_inspected():
    row = _one(
        due_visits(_ents(("A", "red", None, D(2026, 11, 10))), WINDOW, DAYS), "A"
    )
    assert row["due_on"] == D(2026, 12, 10) and row["reasons"] == ("interval",)


def test_due_visits_never_inspected_nor_registered_is_due_at_once():
    row = _one(due_visits(_ents(("A", "blue", None)), WINDOW, DAYS), "A")
    assert row["due_on"] == START and row["reasons"] == ("never_inspected",)
    assert row["reason_text"] == "从未检查"


def test_due_visits_repeat_within_a_long_window():
    window = make_window(START, 90, today=START)  # to 2027-02-28
    due = due_visits(_ents(("A", "red", D(2026, 10, 1))), window, DAYS)
    # overdue since 10-31: first visit at the window start, then every 30 days
    assert list(due["due_on"]) == [D(2026, 10, 31), D(2026, 12, 31), D(2027, 1, 30)]
    assert list(due["visit_no"]) == [1, 2, 3]
    assert list(due["visit_id"]) == ["A#1", "A#2", "A#3"]


def test_due_visits_sorted_by_due_date_then_risk():
    ents = _ents(
        ("blue", "blue", D(2025, 12, 5)),
        ("red", "red", D(2026, 11, 5)),
        ("early", "yellow", D(2026, 6, 1)),
    )
    due = due_visits(ents, WINDOW, DAYS)
    assert list(due["enterprise_id"]) == ["early", "red", "blue"]
    assert list(due.columns) == DUE_COLUMNS


def test_due_visits_hazard_deadline_in_window_makes_visit_due_on_deadline():
    ents = _ents(("A", "blue", D(2026, 10, 1)))
    hz = _hazards((7, "A", D(2026, 12, 15), "open"))
    row = _one(due_visits(ents, WINDOW, DAYS, hazards=hz), "A")
    assert row["due_on"] == D(2026, 12, 15)
    assert row["reasons"] == ("hazard:7",) and row["hazard_ids"] == (7,)
    assert row["reason_text"] == "隐患#7复查(整改期限2026-12-15)"


def test_due_visits_hazard_deadline_after_window_is_not_due():
    ents = _ents(("A", "blue", D(2026, 10, 1)))
    hz = _hazards((7, "A", D(2027, 1, 1), "open"))
    assert due_visits(ents, WINDOW, DAYS, hazards=hz).empty


def test_due_visits_closed_hazard_and_done_reinspection_ignored():
    ents = _ents(("A", "blue", D(2026, 10, 1)), ("B", "blue", D(2026, 11, 20)))
    hz = _hazards(
        (1, "A", D(2026, 12, 10), "closed"),
        (2, "B", D(2026, 11, 15), "open"),  # inspected 11-20, after the deadline
    )
    assert due_visits(ents, WINDOW, DAYS, hazards=hz).empty


def test_due_visits_overdue_hazard_is_due_on_its_past_deadline():
    ents = _ents(("A", "blue", D(2026, 10, 1)))
    hz = _hazards((3, "A", D(2026, 11, 20), "overdue"))
    row = _one(due_visits(ents, WINDOW, DAYS, hazards=hz), "A")
    assert row["due_on"] == D(2026, 11, 20) and row["days_overdue"] == 11


def test_due_visits_hazard_and_interval_on_one_day_are_one_visit():
    ents = _ents(("A", "red", D(2026, 11, 10)))  # interval due 12-10
    hz = _hazards((4, "A", D(2026, 12, 10), "rectified"))
    row = _one(due_visits(ents, WINDOW, DAYS, hazards=hz), "A")
    assert row["reasons"] == ("interval", "hazard:4")


def test_due_visits_hazard_visit_restarts_the_interval():
    # red, last 11-20 → interval due 12-20; hazard deadline 12-05 comes first and
    # its visit restarts the clock (next interval 2027-01-04, after the window)
    ents = _ents(("A", "red", D(2026, 11, 20)))
    hz = _hazards((5, "A", D(2026, 12, 5), "open"))
    due = due_visits(ents, WINDOW, DAYS, hazards=hz)
    assert list(due["due_on"]) == [D(2026, 12, 5)]


def test_due_visits_later_hazard_is_a_second_visit():
    ents = _ents(("A", "red", D(2026, 11, 5)))  # interval due 12-05
    hz = _hazards((6, "A", D(2026, 12, 20), "open"))
    due = due_visits(ents, WINDOW, DAYS, hazards=hz)
    assert list(zip(due["due_on"], due["reasons"])) == [
        (D(2026, 12, 5), ("interval",)),
        (D(2026, 12, 20), ("hazard:6",)),
    ]


def test_due_visits_campaign_due_by_its_end_not_before_its_start():
    ents = _ents(("A", "blue", D(2026, 6, 1)))
    camp = _campaign(["A"], D(2026, 12, 10), D(2026, 12, 25))
    row = _one(due_visits(ents, WINDOW, DAYS, campaigns=camp), "A")
    assert row["due_on"] == D(2026, 12, 25) and row["earliest_on"] == D(2026, 12, 10)
    assert row["reasons"] == ("campaign:C1",)
    assert row["reason_text"] == "专项整治「危化品专项整治」(2026-12-10至2026-12-25)"


def test_due_visits_campaign_already_inspected_in_it_is_not_due():
    ents = _ents(("A", "blue", D(2026, 11, 25)))
    camp = _campaign(["A"], D(2026, 11, 20), D(2026, 12, 20))
    assert due_visits(ents, WINDOW, DAYS, campaigns=camp).empty


def test_due_visits_campaign_that_ended_is_ignored():
    ents = _ents(("A", "blue", D(2026, 6, 1)))
    camp = _campaign(["A"], D(2026, 10, 1), D(2026, 11, 30))
    assert due_visits(ents, WINDOW, DAYS, campaigns=camp).empty


def test_due_visits_campaign_rides_along_an_interval_visit():
    # campaign runs past the window (not due by itself) but the interval visit on
    # 12-20 falls inside it, so that visit counts for the campaign too
    ents = _ents(("A", "red", D(2026, 11, 20)))
    camp = _campaign(["A"], D(2026, 12, 1), D(2027, 2, 28))
    row = _one(due_visits(ents, WINDOW, DAYS, campaigns=camp), "A")
    assert row["due_on"] == D(2026, 12, 20)
    assert row["reasons"] == ("interval", "campaign:C1")


def test_due_visits_unknown_risk_level_one_sentence():
    with pytest.raises(InvalidInputError) as exc:
        due_visits(_ents(("A", "purple", None)), WINDOW, DAYS)
    assert "'A'" in exc.value.user_msg and "'purple'" in exc.value.user_msg


@pytest.mark.parametrize(
    ("days", "needle"),
    [
        ({**DAYS, "purple": 10}, "unknown risk level 'purple'"),
        ({**DAYS, "red": 0}, "at least 1"),
        ({**DAYS, "red": 7.5}, "whole number"),
        ({"red": 30}, "lack risk level"),
    ],
)
def test_validate_due_days_bad(days, needle):
    with pytest.raises(InvalidInputError, match=needle):
        validate_due_days(days)


def test_due_visits_duplicate_enterprise():
    ents = _ents(("A", "red", None), ("A", "blue", None))
    with pytest.raises(InvalidInputError, match="listed twice"):
        due_visits(ents, WINDOW, DAYS)


def test_due_visits_missing_column():
    with pytest.raises(InvalidInputError, match="last_inspected_on"):
        due_visits(
            pd.DataFrame({"enterprise_id": ["A"], "risk_level": ["red"]}), WINDOW, DAYS
        )


def test_due_visits_campaign_ending_before_start():
    camp = _campaign(["A"], D(2026, 12, 20), D(2026, 12, 10))
    with pytest.raises(InvalidInputError, match="ends before it starts"):
        due_visits(_ents(("A", "red", None)), WINDOW, DAYS, campaigns=camp)


def test_due_visits_does_not_mutate_inputs():
    ents = _ents(("A", "red", D(2026, 11, 1)))
    before = ents.copy()
    due_visits(ents, WINDOW, DAYS)
    pd.testing.assert_frame_equal(ents, before)


def test_due_visits_bad_date_named():
    ents = _ents(("A", "red", "last spring"))
    with pytest.raises(InvalidInputError, match="'last spring', which is not a date"):
        due_visits(ents, WINDOW, DAYS)
