"""Monthly self-inspection reports: who is expected, statuses, non-reporters, rate."""

import datetime as dt

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.supervision import (
    Rate,
    due_date,
    non_reporters,
    report_rate,
    report_rates_by,
    report_status,
)

MONTH = "2024-03"
ENTS = pd.DataFrame(
    {
        "uscc": ["91A", "91B", "91C", "91D", "92E", "91F", "91G"],
        "registered_on": [
            dt.date(2020, 1, 1),
            None,
            dt.date(2024, 3, 31),  # registered in the month: expected
            dt.date(2024, 4, 1),  # registered after the month: not expected
            dt.date(2020, 1, 1),  # individual business (92): not expected
            dt.date(2020, 1, 1),
            dt.date(2020, 1, 1),
        ],
        "grid_code": ["g1", "g1", "g2", "g2", "g2", "g2", None],
    }
)
REPORTS = pd.DataFrame(
    {
        "uscc": ["91A", "91A", "91B", "91C", "91F", "91G", "91X"],
        "month": [
            "2024-03",
            "2024-03",
            "2024-03",
            "2024-02",
            "2024-03",
            "2024-03",
            "2024-03",
        ],
        "submitted_on": [
            dt.date(2024, 4, 12),  # late copy...
            dt.date(2024, 3, 30),  # ...the earliest counts: on time
            dt.date(2024, 4, 11),  # late
            dt.date(2024, 3, 5),  # another month
            None,  # a row with no submission
            dt.date(2024, 4, 10),  # on the due day: on time
            dt.date(2024, 3, 9),  # not an enterprise we know
        ],
    }
)


def _status(on):
    out = report_status(ENTS, REPORTS, MONTH, on)
    return dict(zip(out["uscc"], out["status"], strict=True))


def test_report_status_after_the_due_date():
    assert _status(dt.date(2024, 4, 30)) == {
        "91A": "reported",
        "91B": "late",
        "91C": "missing",
        "91F": "missing",
        "91G": "reported",
    }


def test_submissions_after_on_do_not_count_yet():
    st = _status(dt.date(2024, 4, 10))
    assert st["91B"] == "pending"  # submits on the 11th
    assert st["91C"] == "pending"  # due day itself: not missing yet
    assert _status(dt.date(2024, 4, 11))["91C"] == "missing"


def test_non_reporters_and_past_due_flag():
    out = non_reporters(ENTS, REPORTS, MONTH, dt.date(2024, 4, 30))
    assert sorted(out["uscc"]) == ["91C", "91F"]
    assert out["is_past_due"].all()
    assert set(out.columns) >= {"grid_code", "due_on", "submitted_on", "status"}
    early = non_reporters(ENTS, REPORTS, MONTH, dt.date(2024, 4, 5))
    assert not early["is_past_due"].any() and "91A" not in set(early["uscc"])


def test_report_rate_has_numerator_and_denominator():
    assert report_rate(ENTS, REPORTS, MONTH, dt.date(2024, 4, 30)) == Rate(3, 5)
    assert report_rate(ENTS.iloc[4:5], REPORTS, MONTH, dt.date(2024, 4, 30)) == Rate(
        0, 0
    )


def test_report_rates_by_grid_add_up_and_keep_unassigned():
    out = report_rates_by(ENTS, REPORTS, MONTH, dt.date(2024, 4, 30), "grid_code")
    assert out["expected"].sum() == 5
    g1 = out.loc[out["grid_code"] == "g1"].iloc[0]
    assert (g1["expected"], g1["reported"], g1["late"], g1["share"]) == (2, 1, 1, 1.0)
    assert out["grid_code"].isna().sum() == 1  # 91G has no grid but is counted


def test_expects_report_column_overrides_the_code_rule():
    ents = ENTS.assign(expects_report=[True, False, False, False, True, False, False])
    st = report_status(ents, REPORTS, MONTH, dt.date(2024, 4, 30))
    assert sorted(st["uscc"]) == ["91A", "92E"]


@pytest.mark.parametrize("month", ["2024-13", "2024/03", "March", "2024-3"])
def test_bad_month_is_refused_in_one_sentence(month):
    with pytest.raises(InvalidInputError, match="YYYY-MM"):
        report_status(ENTS, REPORTS, month, dt.date(2024, 4, 30))


def test_due_date_is_the_tenth_of_next_month():
    assert due_date("2024-02") == dt.date(2024, 3, 10)
    assert due_date("2024-12", due_day=5) == dt.date(2025, 1, 5)


def test_missing_column_is_named():
    with pytest.raises(InvalidInputError, match="submitted_on"):
        report_status(
            ENTS, REPORTS.drop(columns="submitted_on"), MONTH, dt.date(2024, 4, 30)
        )


def test_non_reporters_when_nobody_reported_lists_everyone():
    ents = pd.DataFrame({"uscc": ["91A", "91B"]})
    reps = pd.DataFrame(
        {
            "uscc": pd.Series([], dtype=object),
            "month": pd.Series([], dtype=object),
            "submitted_on": pd.Series([], dtype=object),
        }
    )
    out = non_reporters(ents, reps, "2024-03", dt.date(2024, 4, 15))
    assert out["uscc"].tolist() == ["91A", "91B"]
    assert out["status"].tolist() == ["missing", "missing"]
