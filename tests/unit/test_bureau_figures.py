"""The bureau's figure functions on hand-made records (no database)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gridwatch.analytics.bureau import (
    ASSESSMENT_SOURCES,
    EXTRA,
    FIGURES,
    Period,
    Records,
    parse_period,
    source_measured,
    tally,
    year_period,
)
from gridwatch.analytics.bureau.accident_input import validate_accident
from gridwatch.analytics.bureau.accidents import grade_table
from gridwatch.errors import InvalidInputError
from gridwatch.report.data import ANNUAL_FIGURES
from gridwatch.vocab import FIGURE_LABELS

D = dt.date
TODAY = D(2026, 11, 30)
P = year_period(2026, TODAY)
DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}


def _ents(n=4):
    return pd.DataFrame(
        {
            "enterprise_id": range(1, n + 1),
            "uscc": [f"91X{i}" for i in range(1, n + 1)],
            "name": [f"企业{i}" for i in range(1, n + 1)],
            "town_code": ["T1", "T1", "T2", None][:n],
            "risk_level": ["yellow"] * n,
            "registered_on": [None] * n,
            "entered_on": [D(2026, 2, 1)] * n,
        }
    )


def _records(**frames) -> Records:
    return Records("440604", DUE, TODAY, enterprises=_ents(), **frames)


def _hazards(rows):
    cols = [
        "hazard_id",
        "enterprise_id",
        "level",
        "found_on",
        "deadline",
        "rectified_on",
        "closed_on",
        "is_listed",
        "listed_on",
        "listing_deadline",
    ]
    h = pd.DataFrame(rows, columns=cols)
    h["category"], h["description"] = "fire", ""
    return h


# --- periods -----------------------------------------------------------------


def test_parse_period_year_to_date_and_previous():
    p = parse_period("2026", TODAY)
    assert (p.start, p.end, p.is_cut, p.calendar_end) == (
        D(2026, 1, 1),
        TODAY,
        True,
        D(2026, 12, 31),
    )
    assert (p.previous.start, p.previous.end) == (D(2025, 1, 1), D(2025, 11, 30))
    assert p.label == "2026年1月1日至11月30日"
    assert parse_period("2025", TODAY).label == "2025年"


def test_parse_period_leap_day_moves_to_28_february():
    p = parse_period("2024-02-01..2024-02-29", TODAY)
    assert p.previous.end == D(2023, 2, 28)


@pytest.mark.parametrize("text", ["2026-13", "20xx", "2026-02-30..2026-03-01", "2027"])
def test_parse_period_refuses_in_one_sentence(text):
    with pytest.raises(InvalidInputError) as err:
        parse_period(text, TODAY)
    msg = err.value.user_msg
    assert msg.endswith(".") and "\n" not in msg and text in msg


def test_quarter_and_month_keys():
    assert parse_period("2026-Q2", TODAY).months == ["2026-04", "2026-05", "2026-06"]
    assert parse_period("2026-11", TODAY).calendar_end == D(2026, 11, 30)


# --- the catalogue ---------------------------------------------------------------


def test_catalogue_covers_the_report_and_the_assessment():
    assert set(ANNUAL_FIGURES) <= set(FIGURES)
    assert {k for k, _ in ASSESSMENT_SOURCES.values()} <= set(FIGURES)
    labels = {k: v.label for k, v in ANNUAL_FIGURES.items()}
    labels.update({k: v.label for k, v in EXTRA.items()})
    assert labels == FIGURE_LABELS  # the web's translated labels cannot drift


# --- hazards -----------------------------------------------------------------------


def test_hazard_figures_count_by_the_date_of_each_step():
    hz = _hazards(
        [
            (
                1,
                1,
                "ordinary",
                D(2026, 3, 1),
                D(2026, 3, 31),
                D(2026, 3, 10),
                None,
                False,
                None,
                None,
            ),
            (
                2,
                1,
                "major",
                D(2026, 3, 1),
                D(2026, 4, 30),
                None,
                None,
                True,
                D(2026, 3, 5),
                D(2026, 9, 30),
            ),
            (
                3,
                3,
                "ordinary",
                D(2025, 12, 1),
                D(2026, 1, 15),
                D(2026, 2, 1),
                D(2026, 2, 3),
                False,
                None,
                None,
            ),
        ]
    )
    rec = _records(hazards=hz)
    assert tally(rec, "hazards_found", P).value() == 2
    assert tally(rec, "hazards_rectified", P).value() == 1
    assert tally(rec, "rectification_rate", P).value() == 0.5
    assert tally(rec, "hazards_rectified_in_period", P).value() == 2
    assert tally(rec, "hazards_closed", P).value() == 1
    # the listed hazard's listing deadline (30 Sept) binds, not its own (30 April)
    assert tally(rec, "hazards_overdue", P).value() == 1
    assert tally(rec, "hazards_overdue", Period(P.start, D(2026, 8, 1))).value() == 0
    # deadline in the period: 31 March (on time), 15 Jan (late), 30 Sept (open)
    assert tally(rec, "rectification_on_time_rate", P).parts() == (1.0, 3.0)
    assert tally(rec, "listed_hazards", P).by("month").index.tolist() == ["2026-03"]
    assert tally(rec, "hazards_found", P).by("town_code")["value"].to_dict() == {
        "T1": 2.0
    }


# --- penalties: the one rule of penalty_totals ------------------------------------


def test_penalties_add_in_fen_through_penalty_totals():
    pen = pd.DataFrame(
        {
            "penalty_id": [1, 2, 3, 4],
            "enterprise_id": [1, 2, 3, 4],
            "decided_on": [D(2026, 1, 5), D(2026, 2, 5), D(2026, 2, 6), D(2025, 2, 6)],
            "kind": ["fine", "fine", "warning", "fine"],
            "amount_yuan": [0.1, 0.2, 0.0, 5.0],
            "decision_no": ["a", "b", "c", "d"],
        }
    )
    rec = _records(penalties=pen)
    assert tally(rec, "penalties", P).value() == 3
    assert tally(rec, "fines", P).value() == 2
    amount = tally(rec, "fine_amount", P)
    assert amount.value() == 0.3  # exactly: 10 + 20 fen, not 0.30000000000000004
    by_town = amount.by("town_code")["value"].to_dict()
    assert by_town == {"T1": 0.3}
    assert tally(rec, "fine_amount", P.previous).value() == 5.0


# --- self-reports -------------------------------------------------------------------


def test_self_report_rate_leaves_reports_not_yet_due_out():
    reports = pd.DataFrame(
        {
            "uscc": ["91X1", "91X1", "91X2"],
            "month": ["2026-10", "2026-11", "2026-10"],
            "submitted_on": [D(2026, 11, 5), D(2026, 11, 28), D(2026, 11, 20)],
        }
    )
    rec = _records(self_reports=reports)
    t = tally(rec, "self_report_rate", parse_period("2026-10-01..2026-11-30", TODAY))
    # October: 4 expected, 2 submitted (one late); November is not due until
    # 10 December: the three not yet in are left out, the one already in counts
    assert t.parts() == (3.0, 5.0)


# --- foundations and targets ---------------------------------------------------------


def test_targets_town_rows_sum_to_the_district_and_scope_reads_its_own():
    targets = pd.DataFrame(
        {
            "year": [2026, 2026],
            "indicator": ["safety_officers_trained"] * 2,
            "unit_code": ["T1", "T2"],
            "value": [30.0, 20.0],
        }
    )
    officers = pd.DataFrame(
        {
            "officer_id": [1, 2, 3],
            "enterprise_id": [1, 1, 3],
            "name": ["张三", "张三", "李四"],
            "trained_on": [D(2026, 3, 1), D(2026, 4, 1), D(2025, 3, 1)],
        }
    )
    rec = _records(targets=targets, officers=officers)
    from gridwatch.analytics.bureau import figure_target

    assert tally(rec, "safety_officers_trained", P).value() == 1  # one person
    assert figure_target(rec, "safety_officers_trained", P)[0] == 50
    rec.scope_town = "T2"
    assert figure_target(rec, "safety_officers_trained", P)[0] == 20


def test_of_target_source_without_a_target_is_not_applicable():
    rec = _records()
    m = source_measured(rec, "safety_officers_trained_vs_target", P, "T1")
    assert m.is_not_applicable and m.note == "未设定年度目标"


def test_declaration_rate_counts_declared_by_the_period_end():
    dc = pd.DataFrame(
        {
            "enterprise_id": [1, 2, 3],
            "year": [2026] * 3,
            "status": ["declared", "declared", "missing"],
            "declared_on": [D(2026, 3, 1), D(2026, 12, 1), None],
        }
    )
    rec = _records(declarations=dc)
    assert tally(rec, "declaration_rate", Period(P.start, D(2026, 6, 30))).parts() == (
        1.0,
        3.0,
    )


# --- accidents ------------------------------------------------------------------------


def test_accidents_use_the_worse_grade():
    ac = pd.DataFrame(
        {
            "accident_id": [1, 2],
            "ref": ["a", "b"],
            "occurred_on": [D(2026, 5, 24)] * 2,
            "town_code": ["T1", "T2"],
            "place": ["x", "y"],
            "grade": ["ordinary", "ordinary"],
            "deaths": [9, 0],
            "serious_injuries": [0, 1],
            "direct_loss_yuan": [0.0, 1000.0],
        }
    )
    rec = _records(accidents=ac)
    t = tally(rec, "accidents", P)
    assert tally(rec, "accidents_serious", P).value() == 1
    assert tally(rec, "ordinary_accidents", P).by("town_code")["value"].to_dict() == {
        "T2": 1.0
    }
    assert grade_table(t)[1][:3] == ["较大事故", 1, 9]


def test_validate_accident_flags_a_grade_recorded_too_low():
    a = validate_accident(
        occurred_on="2026-05-24",
        place="某厂",
        today=TODAY,
        grade="一般",
        direct_loss_yuan="12,000,000",
        uscc="91350100M000100Y43",
    )
    assert a.is_grade_too_low and "应为较大事故" in a.warning
    with pytest.raises(InvalidInputError, match="credit code or the point"):
        validate_accident(occurred_on="2026-05-24", place="某厂", today=TODAY)
    with pytest.raises(InvalidInputError, match="in the future"):
        validate_accident(
            occurred_on="2026-12-24", place="某厂", today=TODAY, lng=113, lat=23
        )
    with pytest.raises(InvalidInputError, match="whole number"):
        validate_accident(
            occurred_on="2026-05-24",
            place="某厂",
            today=TODAY,
            deaths="1.5",
            lng=113,
            lat=23,
        )


def test_tables_keep_items_without_a_town_and_add_up():
    from gridwatch.services.bureau import tables as T
    from gridwatch.services.bureau.figures import FigureSet

    ins = pd.DataFrame(
        {
            "enterprise_id": [4, 1],
            "uscc": ["91X4", "91X1"],
            "inspected_on": [D(2026, 3, 1)] * 2,
            "kind": ["patrol"] * 2,
        }
    )
    towns = pd.DataFrame({"code": ["T1", "T2"], "name": ["张槎街道", "祖庙街道"]})
    fs = FigureSet(P, _records(inspections=ins, towns=towns))
    for key in T.DASHBOARD_TABLES:
        T.build_table(fs, key)
    rows = T.build_table(fs, "inspections_by_town").rows
    assert [r[0] for r in rows] == ["张槎街道", "祖庙街道", "未落图", "合计"]
    assert [r[1] for r in rows] == [1.0, 0.0, 1.0, 2.0]
