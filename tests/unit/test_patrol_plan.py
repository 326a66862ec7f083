"""Spreading due visits over wardens' working days: capacity, order, overflow."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.calendar import make_calendar
from gridwatch.patrol.plan import NOT_PLANNED, plan_visits
from gridwatch.patrol.schedule import due_visits
from gridwatch.patrol.window import make_window

D = dt.date
DAYS = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
CAL = make_calendar()


def _ents(rows):
    """rows of (id, warden, risk, last_inspected_on[, located=True])."""
    xs = [
        113.05 + 0.001 * i if (len(r) < 5 or r[4]) else None for i, r in enumerate(rows)
    ]
    return gpd.GeoDataFrame(
        {
            "enterprise_id": [r[0] for r in rows],
            "warden": [r[1] for r in rows],
            "risk_level": [r[2] for r in rows],
            "last_inspected_on": [r[3] for r in rows],
        },
        geometry=gpd.points_from_xy(xs, [23.02 if x else None for x in xs]),
        crs="EPSG:4326",
    )


def _plan(
    ents, start, days, *, wardens=None, per_day=1, capacity=None, hazards=None, cal=CAL
):
    window = make_window(start, days, today=start)
    due = due_visits(ents, window, DAYS, hazards=hazards)
    w = pd.DataFrame({"warden": wardens or sorted(set(ents["warden"].dropna()))})
    plan = plan_visits(
        due, ents, w, window, cal, visits_per_day=per_day, capacity=capacity
    )
    return due, plan


def _on(plan, eid):
    return plan.planned.set_index("enterprise_id").loc[eid, "planned_on"]


def test_plan_capacity_and_overflow_listed():
    ents = _ents([(f"E{i}", "w1", "red", None) for i in range(5)])
    due, plan = _plan(ents, D(2026, 12, 7), 3)  # Mon-Wed, 1 a day
    assert sorted(plan.planned["planned_on"]) == [
        D(2026, 12, 7),
        D(2026, 12, 8),
        D(2026, 12, 9),
    ]
    assert list(plan.unplanned["not_planned_reason"]) == ["no_capacity"] * 2
    assert plan.unplanned["not_planned_text"].iloc[0] == NOT_PLANNED["no_capacity"]
    assert len(plan.planned) + len(plan.unplanned) == len(due) == 5


def test_plan_visit_due_in_window_goes_on_its_due_date():
    ents = _ents([("A", "w1", "red", D(2026, 11, 10))])  # due Thu 12-10
    _, plan = _plan(ents, D(2026, 12, 7), 5, per_day=8)
    assert _on(plan, "A") == D(2026, 12, 10)
    assert not plan.planned["is_late"].any()


def test_plan_due_on_saturday_goes_on_friday():
    ents = _ents([("A", "red", "red", D(2026, 11, 12))])  # due Sat 12-12
    ents["warden"] = "w1"
    _, plan = _plan(ents, D(2026, 12, 7), 7, per_day=8)
    assert _on(plan, "A") == D(2026, 12, 11)


def test_plan_overdue_goes_on_first_working_day_and_is_late():
    ents = _ents([("A", "w1", "red", D(2026, 10, 1))])  # due 10-31
    _, plan = _plan(ents, D(2026, 12, 5), 5)  # Sat start
    row = plan.planned.iloc[0]
    assert row["planned_on"] == D(2026, 12, 7)
    assert row["is_late"] and row["days_late"] == 37


def test_plan_full_due_date_moves_earlier_before_late():
    ents = _ents([(f"E{i}", "w1", "red", D(2026, 11, 10)) for i in range(3)])
    _, plan = _plan(ents, D(2026, 12, 8), 5)  # Tue-Sat; all due Thu 12-10
    assert sorted(plan.planned["planned_on"]) == [
        D(2026, 12, 8),
        D(2026, 12, 9),
        D(2026, 12, 10),
    ]
    assert not plan.planned["is_late"].any()


def test_plan_late_when_no_day_before_due_is_free():
    ents = _ents([(f"E{i}", "w1", "red", D(2026, 11, 8)) for i in range(2)])
    _, plan = _plan(ents, D(2026, 12, 8), 3)  # both due Tue 12-08 = first day
    late = plan.planned.sort_values("planned_on")
    assert list(late["planned_on"]) == [D(2026, 12, 8), D(2026, 12, 9)]
    assert list(late["days_late"]) == [0, 1]


def test_plan_highest_risk_first_when_capacity_is_short():
    ents = _ents([("blue", "w1", "blue", None), ("red", "w1", "red", None)])
    _, plan = _plan(ents, D(2026, 12, 7), 1)
    assert list(plan.planned["enterprise_id"]) == ["red"]
    assert list(plan.unplanned["enterprise_id"]) == ["blue"]


def test_plan_most_overdue_first():
    ents = _ents(
        [("recent", "w1", "red", D(2026, 10, 20)), ("old", "w1", "red", D(2026, 8, 1))]
    )
    _, plan = _plan(ents, D(2026, 12, 7), 1)
    assert list(plan.planned["enterprise_id"]) == ["old"]


def test_plan_skips_holidays_and_uses_adjusted_working_saturday():
    # Thu 02-12 .. Mon 02-16 2026: Sat 14 is 调休上班, Sun 15 and Mon 16 are 春节
    ents = _ents([(f"E{i}", "w1", "red", D(2026, 1, 17)) for i in range(4)])
    _, plan = _plan(ents, D(2026, 2, 12), 5)  # all due Mon 02-16
    assert sorted(plan.planned["planned_on"]) == [
        D(2026, 2, 12),
        D(2026, 2, 13),
        D(2026, 2, 14),
    ]
    assert list(plan.unplanned["not_planned_reason"]) == ["no_capacity"]
    assert set(plan.days["date"]) == {D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 14)}
    assert plan.days.set_index("date").loc[D(2026, 2, 14), "day_name"] == (
        "春节调休上班"
    )


def test_plan_per_day_overrides_day_off_and_overtime():
    ents = _ents([(f"E{i}", "w1", "red", None) for i in range(3)])
    cap = pd.DataFrame(
        {
            "warden": ["w1", None],
            "date": [D(2026, 12, 7), D(2026, 12, 12)],
            "visits": [0, 2],
        }
    )
    _, plan = _plan(ents, D(2026, 12, 7), 6, capacity=cap)  # Mon-Sat
    days = sorted(plan.planned["planned_on"])
    assert D(2026, 12, 7) not in days  # day off
    assert days == [D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10)]
    caps = plan.days.set_index("date")["capacity"].to_dict()
    assert caps[D(2026, 12, 12)] == 2 and D(2026, 12, 7) not in caps


def test_plan_per_warden_visits_per_day():
    ents = _ents([(f"E{i}", "w1", "red", None) for i in range(3)])
    window = make_window(D(2026, 12, 7), 1, today=D(2026, 12, 7))
    due = due_visits(ents, window, DAYS)
    wardens = pd.DataFrame({"warden": ["w1"], "visits_per_day": [3]})
    plan = plan_visits(due, ents, wardens, window, CAL, visits_per_day=1)
    assert len(plan.planned) == 3


def test_plan_lists_no_location_and_no_warden():
    ents = _ents(
        [
            ("nowhere", "w1", "red", None, False),
            ("orphan", None, "red", None),
            ("other", "w9", "red", None),
            ("ok", "w1", "red", None),
        ]
    )
    _, plan = _plan(ents, D(2026, 12, 7), 5, wardens=["w1"])
    reasons = dict(
        zip(plan.unplanned["enterprise_id"], plan.unplanned["not_planned_reason"])
    )
    assert reasons == {
        "nowhere": "no_location",
        "orphan": "no_warden",
        "other": "no_warden",
    }
    assert list(plan.planned["enterprise_id"]) == ["ok"]


def test_plan_warden_without_working_day():
    ents = _ents([("A", "w1", "red", None)])
    _, plan = _plan(ents, D(2026, 12, 12), 2)  # Sat-Sun
    assert list(plan.unplanned["not_planned_reason"]) == ["no_working_day"]
    assert plan.planned.empty


def test_plan_second_visit_after_the_first():
    ents = _ents([("A", "w1", "red", D(2026, 10, 1))])
    window = make_window(D(2026, 12, 7), 60, today=D(2026, 12, 7))
    cal = make_calendar(unknown_year="weekends_only")
    due = due_visits(ents, window, DAYS)
    plan = plan_visits(
        due, ents, pd.DataFrame({"warden": ["w1"]}), window, cal, visits_per_day=1
    )
    days = list(plan.planned.sort_values("visit_no")["planned_on"])
    assert len(days) == 2 and days[0] < days[1]
    assert plan.warnings and "2027" in plan.warnings[0]


def test_plan_never_loses_a_visit_random():
    rng = np.random.default_rng(3)
    n = 300
    risks = rng.choice(list(DAYS), n)
    last = [
        None
        if rng.random() < 0.1
        else D(2026, 12, 7) - dt.timedelta(days=int(rng.integers(0, 400)))
        for _ in range(n)
    ]
    rows = [
        (
            f"E{i}",
            f"w{rng.integers(4)}" if rng.random() > 0.05 else None,
            risks[i],
            last[i],
            rng.random() > 0.05,
        )
        for i in range(n)
    ]
    ents = _ents(rows)
    cap = pd.DataFrame(
        {"warden": ["w0", "w1"], "date": [D(2026, 12, 8)] * 2, "visits": [0, 5]}
    )
    due, plan = _plan(
        ents,
        D(2026, 12, 7),
        14,
        wardens=["w0", "w1", "w2", "w3"],
        per_day=3,
        capacity=cap,
    )
    assert sorted(
        plan.planned["visit_id"].tolist() + plan.unplanned["visit_id"].tolist()
    ) == sorted(due["visit_id"])
    used = plan.planned.groupby(["warden", "planned_on"]).size()
    cap_of = plan.days.set_index(["warden", "date"])["capacity"]
    assert (used <= cap_of.loc[used.index]).all()
    assert all(
        CAL.is_workday(d) or d == D(2026, 12, 8) for d in plan.planned["planned_on"]
    )


def test_plan_zero_visits_per_day_one_sentence():
    ents = _ents([("A", "w1", "red", None)])
    with pytest.raises(InvalidInputError) as exc:
        _plan(ents, D(2026, 12, 7), 5, per_day=0)
    assert "at least 1" in exc.value.user_msg


def test_plan_warden_without_enterprises_one_sentence():
    ents = _ents([("A", "w1", "red", None)])
    with pytest.raises(InvalidInputError) as exc:
        _plan(ents, D(2026, 12, 7), 5, wardens=["w1", "w2"])
    assert "'w2'" in exc.value.user_msg and "no grids" in exc.value.user_msg


@pytest.mark.parametrize(
    ("cap", "needle"),
    [
        (pd.DataFrame({"date": [D(2026, 12, 8)], "visits": [-1]}), ">= 0"),
        (pd.DataFrame({"date": [D(2026, 12, 8)], "visits": [1.5]}), ">= 0"),
        (
            pd.DataFrame({"warden": ["w7"], "date": [D(2026, 12, 8)], "visits": [2]}),
            "'w7'",
        ),
    ],
)
def test_plan_bad_capacity_override(cap, needle):
    ents = _ents([("A", "w1", "red", None)])
    with pytest.raises(InvalidInputError, match=needle):
        _plan(ents, D(2026, 12, 7), 5, capacity=cap)


def test_plan_window_into_unknown_year_is_refused():
    ents = _ents([("A", "w1", "red", None)])
    with pytest.raises(InvalidInputError, match="2027"):
        _plan(ents, D(2026, 12, 28), 7)


def test_plan_keeps_integer_warden_ids():
    # an int column with a None reads as floats (5.0); the plan reports warden 5
    ents = _ents([(11, 5, "red", None), (12, None, "red", None)])
    window = make_window(D(2026, 12, 7), 1, today=D(2026, 12, 7))
    due = due_visits(ents, window, DAYS)
    plan = plan_visits(
        due, ents, pd.DataFrame({"warden": [5]}), window, CAL, visits_per_day=2
    )
    assert plan.planned["warden"].tolist() == [5]
    assert type(plan.planned["warden"].iloc[0]) is int
    assert plan.unplanned["not_planned_reason"].tolist() == ["no_warden"]


def test_plan_grouping_keeps_on_time_visits_on_time():
    rng = np.random.default_rng(8)
    rows = [
        (
            f"E{i}",
            "w1",
            "red",
            dt.date(2026, 11, 8) + dt.timedelta(days=int(rng.integers(0, 23))),
        )
        for i in range(60)
    ]
    ents = _ents(rows)
    ents = ents.set_geometry(
        gpd.points_from_xy(
            113.05 + rng.uniform(-0.02, 0.02, 60), 23.02 + rng.uniform(-0.02, 0.02, 60)
        ),
        crs="EPSG:4326",
    )
    window = make_window(dt.date(2026, 12, 7), 14, today=dt.date(2026, 12, 7))
    due = due_visits(ents, window, DAYS)
    w = pd.DataFrame({"warden": ["w1"]})
    plain = plan_visits(due, ents, w, window, CAL, visits_per_day=6, group_days=False)
    grouped = plan_visits(due, ents, w, window, CAL, visits_per_day=6)
    assert set(plain.planned["visit_id"]) == set(grouped.planned["visit_id"])
    late = grouped.planned.set_index("visit_id")["days_late"]
    late0 = plain.planned.set_index("visit_id")["days_late"]
    assert (late.loc[late0.index] <= late0).all()
    assert (grouped.days["n_planned"] <= grouped.days["capacity"]).all()
    assert (
        grouped.planned["planned_on"]
        != plain.planned.set_index("visit_id")
        .loc[grouped.planned["visit_id"], "planned_on"]
        .to_numpy()
    ).any()
