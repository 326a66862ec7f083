"""Coverage arithmetic on hand-made cases: due intervals, period edges, new firms."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analytics import (
    count_open_hazards,
    coverage_by,
    enterprise_points,
    enterprise_status,
    grid_coverage,
    overdue_list,
)
from gridwatch.errors import InvalidInputError

DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
Q1 = ("2024-01-01", "2024-03-31")  # 2024 is a leap year: Q1 has 91 days


def _ents(rows):
    cols = ["uscc", "risk_level", "grid_code", "community_code", "town_code"]
    return pd.DataFrame([r[:5] for r in rows], columns=cols)


def _status(ents, insp, period=Q1, **kw):
    insp = pd.DataFrame(insp, columns=["uscc", "inspected_on"])
    return enterprise_status(ents, insp, *period, DUE, **kw).set_index("uscc")


ONE = _ents([("A", "red", "g1", "c1", "t1")])


def test_enterprise_status_regular_monthly_inspections_are_on_time():
    st = _status(ONE, [("A", "2023-12-15"), ("A", "2024-01-10"), ("A", "2024-02-05"),
                       ("A", "2024-03-06")])
    row = st.loc["A"]
    assert row["is_on_time"]
    assert row["status"] == "due_soon"  # due 2024-04-05, 5 days after the period
    assert row["due_on"] == dt.date(2024, 4, 5)
    assert row["n_inspections"] == 3 and row["inspected_in_period"]


def test_enterprise_status_gap_of_exactly_the_interval_is_on_time():
    # 2023-12-31 + 30 d = 2024-01-30; then 2024-01-30 + 30 d = 2024-02-29; ...
    st = _status(ONE, [("A", "2023-12-31"), ("A", "2024-01-30"), ("A", "2024-02-29"),
                       ("A", "2024-03-30")])
    assert st.loc["A", "is_on_time"]


def test_enterprise_status_gap_one_day_over_the_interval_is_late():
    st = _status(ONE, [("A", "2023-12-31"), ("A", "2024-01-31"), ("A", "2024-03-01"),
                       ("A", "2024-03-30")])
    assert not st.loc["A", "is_on_time"]
    assert st.loc["A", "status"] == "on_time"  # fine at the end, late in between


def test_enterprise_status_inspection_on_period_start_counts_in_period():
    st = _status(ONE, [("A", "2024-01-01"), ("A", "2024-01-31"), ("A", "2024-03-01"),
                       ("A", "2024-03-31")])
    assert st.loc["A", "inspected_in_period"] and st.loc["A", "n_inspections"] == 4
    assert st.loc["A", "is_on_time"]


def test_enterprise_status_ignores_inspections_after_period_end():
    st = _status(ONE, [("A", "2024-04-01")])
    assert st.loc["A", "status"] == "never"
    assert st.loc["A", "last_inspected_on"] is None
    assert not st.loc["A", "inspected_in_period"]


def test_enterprise_status_overdue_counts_days_past_due():
    st = _status(ONE, [("A", "2024-01-01")])
    assert st.loc["A", "status"] == "overdue"
    assert st.loc["A", "days_overdue"] == 60  # due 2024-01-31, period ends 03-31
    assert not st.loc["A", "is_on_time"]


def test_enterprise_status_never_inspected_without_registration_is_never():
    st = _status(_ents([("B", "blue", "g1", "c1", "t1")]), [])
    row = st.loc["B"]
    assert row["status"] == "never" and not row["is_on_time"]
    assert row["days_overdue"] == 90 and row["due_on"] is None


def test_enterprise_status_unknown_history_clock_starts_at_period_start():
    # no earlier inspection, no registration date: first one due within D of start
    ents = _ents([("B", "blue", "g", "c", "t"), ("R", "red", "g", "c", "t")])
    st = _status(ents, [("B", "2024-02-15"), ("R", "2024-02-15"), ("R", "2024-03-15")])
    assert st.loc["B", "is_on_time"]
    assert not st.loc["R", "is_on_time"]  # 45 days from 01-01 to the first visit


def test_enterprise_status_registered_mid_period_not_yet_due_is_on_time():
    ents = _ents([("N", "blue", "g1", "c1", "t1")]).assign(registered_on="2024-03-01")
    st = _status(ents, [])
    row = st.loc["N"]
    assert row["status"] == "on_time" and row["is_on_time"]
    assert row["due_on"] == dt.date(2025, 3, 1)
    assert not row["inspected_in_period"]


def test_enterprise_status_registered_mid_period_clock_starts_at_registration():
    ents = _ents([("N", "red", "g1", "c1", "t1")]).assign(registered_on="2024-02-01")
    late = _status(ents, [("N", "2024-03-15")])  # 43 days after registration
    ok = _status(ents, [("N", "2024-03-01"), ("N", "2024-03-30")])
    assert not late.loc["N", "is_on_time"]
    assert ok.loc["N", "is_on_time"]


def test_enterprise_status_registered_after_period_is_left_out():
    ents = _ents([("A", "red", "g", "c", "t"), ("L", "red", "g", "c", "t")])
    ents["registered_on"] = [None, "2024-04-01"]
    st = _status(ents, [])
    assert list(st.index) == ["A"]


def test_enterprise_status_due_soon_window_edges():
    # blue, inspected 2023-04-14: due 2024-04-13 = period end + 13 days
    ents = _ents([("B", "blue", "g", "c", "t")])
    st = _status(ents, [("B", "2023-04-14")])
    assert st.loc["B", "status"] == "due_soon"
    st = _status(ents, [("B", "2023-04-14")], due_soon_days=12)
    assert st.loc["B", "status"] == "on_time"


def test_enterprise_status_rejects_reversed_period():
    with pytest.raises(InvalidInputError, match="before it starts"):
        _status(ONE, [], period=("2024-03-31", "2024-01-01"))


def test_enterprise_status_rejects_unknown_risk_level():
    with pytest.raises(InvalidInputError, match="purple"):
        _status(_ents([("A", "purple", "g", "c", "t")]), [])


def test_enterprise_status_names_missing_column():
    with pytest.raises(InvalidInputError, match="risk_level"):
        enterprise_status(pd.DataFrame({"uscc": ["A"]}),
                          pd.DataFrame(columns=["uscc", "inspected_on"]), *Q1, DUE)


def test_enterprise_status_does_not_mutate_inputs():
    ents = ONE.copy()
    insp = pd.DataFrame([("A", "2024-01-05")], columns=["uscc", "inspected_on"])
    enterprise_status(ents, insp, *Q1, DUE)
    pd.testing.assert_frame_equal(ents, ONE)


def _district():
    ents = _ents([
        ("A", "red", "g1", "c1", "t1"), ("B", "blue", "g1", "c1", "t1"),
        ("C", "yellow", "g2", "c1", "t1"), ("D", "orange", "g3", "c2", "t1"),
        ("E", "blue", "g4", "c3", "t2"), ("F", "red", None, None, "t2"),
    ])
    insp = [("A", "2024-01-20"), ("A", "2024-02-15"), ("A", "2024-03-10"),
            ("B", "2023-06-01"), ("C", "2024-02-01"), ("D", "2023-10-01"),
            ("E", "2024-03-31"), ("F", "2023-12-01")]
    return ents, _status(ents, insp).reset_index()


def test_coverage_by_levels_sum_to_district():
    _, st = _district()
    district = coverage_by(st).iloc[0]
    for level in ("grid_code", "community_code", "town_code"):
        per = coverage_by(st, level)
        for col in ("n", "on_time", "never", "overdue", "due_soon"):
            assert per[col].sum() == district[col], (level, col)


def test_coverage_by_counts_hand_made_district():
    _, st = _district()
    d = coverage_by(st).iloc[0]
    # on time: A (monthly), B (blue, 2023-06 + 365 d), E (blue, first visit
    # within a year of the start); C: clock starts 01-01, 31 d ok for yellow -> on
    # time; D: orange 2023-10-01 + 90 = 2023-12-30 -> late; F: red, late
    assert d["n"] == 6 and d["on_time"] == 4
    assert d["never"] == 3  # B, D, F had no inspection in Q1
    assert d["overdue"] == 2  # D and F
    assert d["share_on_time"] == pytest.approx(4 / 6)


def test_coverage_by_groups_unassigned_enterprises_under_empty_code():
    _, st = _district()
    per = coverage_by(st, "grid_code")
    assert per.loc["", "n"] == 1


def test_coverage_by_rejects_unknown_level():
    _, st = _district()
    with pytest.raises(ValueError, match="street"):
        coverage_by(st, "street")


def test_overdue_list_sorts_most_overdue_first():
    ents, st = _district()
    ents = ents.assign(name=[f"企业{u}" for u in ents["uscc"]])
    late = overdue_list(st, ents)
    assert list(late["uscc"]) == ["D", "F"]  # 92 days vs 91 days past due
    assert list(late["days_overdue"]) == [92, 91]
    assert late.loc[0, "name"] == "企业D"


def test_count_open_hazards_counts_unrectified_states_only():
    hz = pd.DataFrame({"uscc": ["A", "A", "A", "B", "B", "C"],
                       "status": ["found", "rectifying", "closed", "rectified",
                                  "closed", "rectifying"]})
    counts = count_open_hazards(hz)
    assert counts.to_dict() == {"A": 2, "C": 1}


def test_count_open_hazards_reads_the_old_statuses():
    hz = pd.DataFrame({"uscc": ["A", "A", "A", "B"],
                       "status": ["open", "overdue", "closed", "rectified"]})
    counts = count_open_hazards(hz)
    assert counts.to_dict() == {"A": 2}


def test_grid_coverage_joins_counts_and_hazards():
    _, st = _district()
    grids = gpd.GeoDataFrame({"code": ["g1", "g2", "g3", "g4", "g5"]},
                             geometry=[box(i, 0, i + 1, 1) for i in range(5)],
                             crs="EPSG:4326")
    hz = pd.DataFrame({"uscc": ["A", "B", "E"],
                       "status": ["rectifying", "found", "closed"]})
    gc = grid_coverage(grids, st, count_open_hazards(hz)).set_index("code")
    assert gc.loc["g1", "n"] == 2 and gc.loc["g1", "open_hazards"] == 2
    assert gc.loc["g5", "n"] == 0 and np.isnan(gc.loc["g5", "share_on_time"])
    assert gc.crs == grids.crs


def test_enterprise_points_adds_status_and_hazards():
    ents, st = _district()
    gents = gpd.GeoDataFrame(ents.assign(name="x", sector="other"),
                             geometry=[Point(i, 0) for i in range(6)], crs=4326)
    pts = enterprise_points(gents, st, pd.Series({"A": 3}))
    assert pts.set_index("uscc").loc["A", "open_hazards"] == 3
    assert pts.set_index("uscc").loc["F", "status"] == "overdue"
