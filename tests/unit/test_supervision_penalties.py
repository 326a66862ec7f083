"""Penalty records: one check per field; totals by town and month as one rule."""

import datetime as dt

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.supervision import penalty_totals, validate_penalty
from tests.unit.test_supervision_lifecycle import assert_one_sentence

OK = {
    "decision_no": "禅安监罚〔2024〕12号",
    "decided_on": dt.date(2024, 5, 6),
    "kind": "fine",
    "amount_yuan": 5000,
    "uscc": "91350100M000100Y43",
}


@pytest.mark.parametrize(
    ("kind", "amount", "want_kind", "want_amount"),
    [
        ("fine", 5000, "fine", 5000.0),
        ("罚款", "12,000.50元", "fine", 12000.5),
        ("warning", 0, "warning", 0.0),
        ("警告", "", "warning", 0.0),
        ("责令停产停业整顿", 0, "suspension", 0.0),
        ("confiscation", "3000", "confiscation", 3000.0),
        ("confiscation", 0, "confiscation", 0.0),
    ],
)
def test_valid_penalties(kind, amount, want_kind, want_amount):
    p = validate_penalty(**{**OK, "kind": kind, "amount_yuan": amount})
    assert (p.kind, p.amount_yuan) == (want_kind, want_amount)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision_no": "  "}, "decision_no"),
        ({"decision_no": "号" * 65}, "decision_no"),
        ({"kind": "caution"}, "kind"),
        ({"amount_yuan": -1}, "amount_yuan"),
        ({"amount_yuan": 0}, "amount_yuan"),  # a fine needs an amount
        ({"amount_yuan": "12.345"}, "amount_yuan"),
        ({"amount_yuan": "abc"}, "amount_yuan"),
        ({"amount_yuan": float("nan")}, "amount_yuan"),
        ({"kind": "warning", "amount_yuan": 200}, "amount_yuan"),
        ({"uscc": "91350100M000100Y44"}, "uscc"),
        ({"inspection_id": 0}, "inspection_id"),
        ({"hazard_id": "x"}, "hazard_id"),
        ({"decided_on": dt.date(2024, 5, 8)}, "decided_on"),  # after today
    ],
)
def test_invalid_penalties_name_the_field(change, field):
    with pytest.raises(InvalidInputError) as info:
        validate_penalty(**{**OK, **change}, today=dt.date(2024, 5, 7))
    assert info.value.details["field"] == field
    assert_one_sentence(info.value.user_msg)


def test_links_are_optional_and_kept():
    p = validate_penalty(**OK, inspection_id=3, hazard_id=None)
    assert (p.inspection_id, p.hazard_id) == (3, None)


PENS = pd.DataFrame(
    {
        "town_code": ["T1", "T1", "T1", "T2", "T2", None],
        "decided_on": [
            dt.date(2024, 1, 31),
            dt.date(2024, 2, 1),
            dt.date(2024, 2, 9),
            dt.date(2024, 2, 29),
            dt.date(2024, 3, 1),
            dt.date(2024, 2, 2),
        ],
        "kind": ["fine", "fine", "warning", "confiscation", "fine", "fine"],
        "amount_yuan": [0.1, 0.2, 0.0, 300.0, 1000.0, 50.0],
    }
)


def test_totals_by_town_and_month():
    out = penalty_totals(PENS)
    rows = {(r.town_code, r.month): r for r in out.itertuples()}
    t1_feb = rows[("T1", "2024-02")]
    assert (t1_feb.penalties, t1_feb.fines, t1_feb.fines_yuan) == (2, 1, 0.2)
    t2_feb = rows[("T2", "2024-02")]
    assert (t2_feb.fines, t2_feb.fines_yuan, t2_feb.confiscated_yuan) == (0, 0, 300.0)
    assert out["town_code"].isna().sum() == 1  # no town: kept, not dropped


def test_totals_add_up_the_same_whichever_way_they_are_cut():
    whole = penalty_totals(PENS, by=()).iloc[0]
    assert (whole["penalties"], whole["fines"]) == (6, 4)
    assert whole["fines_yuan"] == 1050.3  # exact: summed in fen
    for by in [("town_code",), ("month",), ("town_code", "month"), ("year",)]:
        parts = penalty_totals(PENS, by=by)
        assert parts["penalties"].sum() == 6 and parts["fines"].sum() == 4
        assert round(parts["fines_yuan"].sum(), 2) == 1050.3


def test_totals_window_is_inclusive():
    out = penalty_totals(
        PENS, by=(), start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 29)
    ).iloc[0]
    assert (out["penalties"], out["fines"], out["fines_yuan"]) == (4, 2, 50.2)


def test_totals_name_missing_columns():
    with pytest.raises(InvalidInputError, match="town_code"):
        penalty_totals(PENS.drop(columns="town_code"))
