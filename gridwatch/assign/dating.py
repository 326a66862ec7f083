"""Effective dating of assignments (enterprise → grid, grid → warden).

An assignment history is a frame of rows ``key, value, valid_from, valid_to``. A row
holds on the days ``valid_from <= day < valid_to``: ``valid_from`` is inclusive,
``valid_to`` is exclusive, and a missing ``valid_to`` (None/NaT) means "still in force".
So the row closed on day D and the row opened on day D never both hold: on D the new
value is in force, on D-1 the old one. Rows of one key must not overlap.

Rows are never edited except to close them, so "who was responsible for enterprise X
on date D" has one answer for any past D, and re-running an unchanged assignment writes
nothing (:func:`diff_assignments` returns no work).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from gridwatch.errors import ConflictError, InvalidInputError
from gridwatch.frames import require_columns

HISTORY_COLUMNS = ("key", "value", "valid_from", "valid_to")


def _check_history(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with dates as ``datetime.date`` / None, after checking the columns."""
    require_columns(rows, HISTORY_COLUMNS, "The assignment history")
    out = rows.loc[:, list(HISTORY_COLUMNS)].copy()
    out["valid_from"] = [_as_date(v, "valid_from") for v in out["valid_from"]]
    out["valid_to"] = [_as_date(v, "valid_to", allow_none=True)
                       for v in out["valid_to"]]
    if out["valid_from"].isna().any():
        raise InvalidInputError("Every assignment row needs a valid_from date.")
    return out


def _as_date(value, what: str, allow_none: bool = False) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        if allow_none:
            return None
        raise InvalidInputError(f"An assignment row has no {what}; set a date.")
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(
            f"{what} {value!r} is not a date; use YYYY-MM-DD.") from None


def open_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows still in force (no ``valid_to``), one per key or ConflictError."""
    hist = _check_history(rows)
    live = hist[hist["valid_to"].isna()]
    dup = live["key"][live["key"].duplicated()]
    if len(dup):
        raise ConflictError(
            f"Key {dup.iloc[0]!r} has more than one open assignment; close all but "
            "one before assigning again.")
    return live


def diff_assignments(current: pd.DataFrame, new: pd.Series,
                     today: date) -> tuple[list, pd.DataFrame]:
    """The rows to close and to open so that ``new`` holds from ``today``.

    Parameters
    ----------
    current : DataFrame
        The history: ``key, value, valid_from, valid_to`` (see module docstring).
    new : Series
        The complete new assignment, key → value. A key missing from ``new`` (or mapped
        to None/NaN) loses its assignment: its open row is closed.
    today : date
        The day the new assignment takes effect.

    Returns
    -------
    to_close : list
        Keys whose open row gets ``valid_to = today``.
    to_open : DataFrame
        New rows ``key, value, valid_from (= today), valid_to (None)``. Both are empty
        when nothing changed, so re-running writes nothing.

    Raises
    ------
    ConflictError
        A key has two open rows, or an open row starts after ``today`` (a change
        cannot take effect before the assignment it replaces).

    Examples
    --------
    >>> cur = pd.DataFrame({"key": ["e1"], "value": ["g1"],
    ...                     "valid_from": [date(2024, 1, 1)], "valid_to": [None]})
    >>> diff_assignments(cur, pd.Series({"e1": "g1"}), date(2024, 6, 1))[0]
    []
    >>> close, opened = diff_assignments(cur, pd.Series({"e1": "g2"}), date(2024, 6, 1))
    >>> close, opened["value"].tolist()
    (['e1'], ['g2'])
    """
    if not isinstance(new, pd.Series):
        raise TypeError(
            f"new must be a Series (key -> value), not {type(new).__name__}")
    today = _as_date(today, "today")
    if new.index.duplicated().any():
        raise InvalidInputError(
            f"Key {new.index[new.index.duplicated()][0]!r} appears twice in the new "
            "assignment; give each key one value.")
    live = open_rows(current)
    late = live[live["valid_from"] > today]
    if len(late):
        raise ConflictError(
            f"The open assignment of {late['key'].iloc[0]!r} starts on "
            f"{late['valid_from'].iloc[0]}, after {today}; assign on or after that "
            "day.")
    wanted = new[new.notna()]
    was = pd.Series(live["value"].to_numpy(), index=live["key"].to_numpy(),
                    dtype=object)
    common = was.index.intersection(wanted.index)
    changed = common[was[common].to_numpy() != wanted[common].to_numpy()]
    gone = was.index.difference(wanted.index)
    fresh = wanted.index.difference(was.index)
    to_close = [*changed, *gone]
    opened = list(changed) + list(fresh)
    to_open = pd.DataFrame({
        "key": pd.Series(opened, dtype=object),
        "value": pd.Series([wanted[k] for k in opened], dtype=object),
        "valid_from": pd.Series([today] * len(opened), dtype=object),
        "valid_to": pd.Series([None] * len(opened), dtype=object)})
    return to_close, to_open


def value_on(rows: pd.DataFrame, key, on_date: date):
    """The value in force for ``key`` on ``on_date``, or None if none was.

    ``valid_from`` inclusive, ``valid_to`` exclusive (see module docstring).

    Examples
    --------
    >>> rows = pd.DataFrame({"key": ["e1", "e1"], "value": ["g1", "g2"],
    ...     "valid_from": [date(2024, 1, 1), date(2024, 6, 1)],
    ...     "valid_to": [date(2024, 6, 1), None]})
    >>> value_on(rows, "e1", date(2024, 5, 31)), value_on(rows, "e1", date(2024, 6, 1))
    ('g1', 'g2')
    """
    hist = _check_history(rows)
    day = _as_date(on_date, "on_date")
    hit = hist[(hist["key"] == key) & (hist["valid_from"] <= day)
               & hist["valid_to"].map(lambda t: t is None or day < t)]
    if len(hit) > 1:
        raise ConflictError(
            f"The history of {key!r} has overlapping rows on {day}; repair the "
            "history.")
    return None if hit.empty else hit["value"].iloc[0]


def values_on(rows: pd.DataFrame, on_date: date) -> pd.Series:
    """Every key's value in force on ``on_date`` (key → value)."""
    hist = _check_history(rows)
    day = _as_date(on_date, "on_date")
    hit = hist[(hist["valid_from"] <= day)
               & hist["valid_to"].map(lambda t: t is None or day < t)]
    if hit["key"].duplicated().any():
        raise ConflictError(
            f"The history of {hit['key'][hit['key'].duplicated()].iloc[0]!r} has "
            f"overlapping rows on {day}; repair the history.")
    return pd.Series(hit["value"].to_numpy(), index=hit["key"].to_numpy(), dtype=object)
