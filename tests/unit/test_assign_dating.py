"""Effective-dated assignment rows (gridwatch.assign.dating)."""

from datetime import date

import pandas as pd
import pytest

from gridwatch.assign.dating import diff_assignments, value_on, values_on
from gridwatch.errors import ConflictError, InvalidInputError

JAN, JUN, SEP = date(2024, 1, 1), date(2024, 6, 1), date(2024, 9, 1)


def _history():
    return pd.DataFrame({
        "key": ["e1", "e1", "e2"],
        "value": ["g1", "g2", "g1"],
        "valid_from": [JAN, JUN, JAN],
        "valid_to": [JUN, None, None]})


def _apply(rows, to_close, to_open, today):
    rows = rows.copy()
    mask = rows["key"].isin(to_close) & rows["valid_to"].isna()
    rows.loc[mask, "valid_to"] = today
    return pd.concat([rows, to_open], ignore_index=True)


def test_diff_assignments_unchanged_writes_nothing():
    new = pd.Series({"e1": "g2", "e2": "g1"})
    to_close, to_open = diff_assignments(_history(), new, SEP)
    assert to_close == [] and to_open.empty


def test_diff_assignments_rerun_after_change_writes_nothing():
    new = pd.Series({"e1": "g3", "e2": "g1"})
    rows = _apply(_history(), *diff_assignments(_history(), new, SEP), SEP)
    to_close, to_open = diff_assignments(rows, new, date(2024, 9, 2))
    assert to_close == [] and to_open.empty


def test_diff_assignments_change_closes_and_opens():
    new = pd.Series({"e1": "g3", "e2": "g1"})
    to_close, to_open = diff_assignments(_history(), new, SEP)
    assert to_close == ["e1"]
    assert to_open.to_dict("records") == [
        {"key": "e1", "value": "g3", "valid_from": SEP, "valid_to": None}]


def test_diff_assignments_missing_key_is_closed_and_new_key_opened():
    new = pd.Series({"e1": "g2", "e3": "g4"})
    to_close, to_open = diff_assignments(_history(), new, SEP)
    assert to_close == ["e2"]
    assert list(to_open["key"]) == ["e3"]


def test_diff_assignments_none_value_closes():
    new = pd.Series({"e1": None, "e2": "g1"})
    to_close, to_open = diff_assignments(_history(), new, SEP)
    assert to_close == ["e1"] and to_open.empty


def test_diff_assignments_rejects_two_open_rows():
    rows = pd.concat([_history(), pd.DataFrame(
        {"key": ["e2"], "value": ["g9"], "valid_from": [JUN], "valid_to": [None]})])
    with pytest.raises(ConflictError, match="more than one open"):
        diff_assignments(rows, pd.Series({"e2": "g1"}), SEP)


def test_diff_assignments_rejects_change_before_open_row_starts():
    with pytest.raises(ConflictError, match="after"):
        diff_assignments(_history(), pd.Series({"e1": "g5"}), date(2024, 3, 1))


def test_value_on_answers_past_dates():
    rows = _history()
    assert value_on(rows, "e1", date(2023, 12, 31)) is None
    assert value_on(rows, "e1", JAN) == "g1"
    assert value_on(rows, "e1", date(2024, 5, 31)) == "g1"
    assert value_on(rows, "e1", JUN) == "g2"  # valid_to is exclusive
    assert value_on(rows, "e1", date(2030, 1, 1)) == "g2"


def test_value_on_after_reassignment_keeps_old_answer():
    new = pd.Series({"e1": "g3", "e2": "g1"})
    rows = _apply(_history(), *diff_assignments(_history(), new, SEP), SEP)
    assert value_on(rows, "e1", date(2024, 8, 31)) == "g2"
    assert value_on(rows, "e1", SEP) == "g3"


def test_value_on_rejects_overlapping_history():
    rows = pd.DataFrame({"key": ["e1", "e1"], "value": ["a", "b"],
                         "valid_from": [JAN, JUN], "valid_to": [None, None]})
    with pytest.raises(ConflictError, match="overlapping"):
        value_on(rows, "e1", SEP)


def test_value_on_accepts_iso_strings_and_timestamps():
    rows = _history().assign(valid_from=["2024-01-01", "2024-06-01", "2024-01-01"],
                             valid_to=[pd.Timestamp(JUN), pd.NaT, None])
    assert value_on(rows, "e1", "2024-06-01") == "g2"


def test_value_on_rejects_bad_date():
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        value_on(_history(), "e1", "June 1st")


def test_values_on_gives_every_key():
    assert values_on(_history(), date(2024, 3, 1)).to_dict() == {"e1": "g1", "e2": "g1"}
