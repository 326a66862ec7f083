"""Monthly self-inspection reports (自查自报): who is expected, who has not reported.

Rules, for a month ``M`` judged on day ``on``:

* **Expected.** The bureau's report requires every legal-person enterprise to
  inspect itself and report monthly. An enterprise is expected when it is an
  enterprise by its credit code (GB 32100-2015: registration authority ``9``
  market regulation, category ``1`` enterprise, i.e. the code starts ``91``;
  ``92`` individual businesses 个体工商户 are not expected), unless the optional
  column ``expects_report`` says otherwise, and it was registered on or before the
  last day of ``M`` (an enterprise registered after the month is not expected; one
  registered during it is). Unknown ``registered_on`` counts as registered.
* **Due date.** The ``due_day``-th of the month after ``M`` (default 10, the city
  system's rule as the demo models it; a setting).
* **Status** (``vocab.SELF_REPORT_STATUSES``), counting only submissions dated on
  or before ``on`` (so a past month gives the same answer later): ``reported`` by
  the due date, ``late`` after it, ``missing`` (no submission and ``on`` is after
  the due date), ``pending`` (no submission yet, not yet due).
* **Report rate.** Enterprises that submitted (on time or late) over expected
  enterprises, as a :class:`~gridwatch.supervision.figures.Rate`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns
from gridwatch.supervision._common import check_date
from gridwatch.supervision.figures import Rate

DEFAULT_DUE_DAY = 10
STATUSES: tuple[str, ...] = ("reported", "late", "missing", "pending")


def parse_month(month: object) -> pd.Period:
    """A month as a pandas monthly Period, from ``"YYYY-MM"`` or a Period.

    >>> str(parse_month("2024-03"))
    '2024-03'
    """
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    text = str(month).strip()
    try:
        year, num = int(text[:4]), int(text[5:])
        if len(text) != 7 or text[4] != "-" or not 1 <= num <= 12:
            raise ValueError(text)
        return pd.Period(year=year, month=num, freq="M")
    except ValueError:
        raise InvalidInputError(
            f"Month {text!r} is not a month; write it as YYYY-MM, e.g. 2024-03.",
            details={"field": "month"},
        ) from None


def due_date(month: object, due_day: int = DEFAULT_DUE_DAY) -> dt.date:
    """The report of ``month`` is due on this day (the ``due_day``-th of the next).

    >>> due_date("2024-12")
    datetime.date(2025, 1, 10)
    """
    if not 1 <= due_day <= 28:  # every month has day 28
        raise ValueError(f"due_day must be 1..28, got {due_day!r}")
    nxt = parse_month(month) + 1
    return dt.date(nxt.year, nxt.month, due_day)


def _expected(enterprises: pd.DataFrame, month: pd.Period) -> pd.Series:
    """Boolean: which enterprises are expected to report for ``month``."""
    if "expects_report" in enterprises.columns:
        is_kind = enterprises["expects_report"].fillna(False).astype(bool)
    else:
        is_kind = enterprises["uscc"].astype(str).str.startswith("91")
    if "registered_on" in enterprises.columns:
        reg = pd.to_datetime(enterprises["registered_on"])
        in_time = reg.isna() | (reg <= month.end_time.normalize())
    else:
        in_time = pd.Series(True, index=enterprises.index)
    return is_kind & in_time


def report_status(
    enterprises: pd.DataFrame,
    reports: pd.DataFrame,
    month: object,
    on: dt.date,
    *,
    due_day: int = DEFAULT_DUE_DAY,
) -> pd.DataFrame:
    """Every expected enterprise with its report status for ``month`` on ``on``.

    Parameters
    ----------
    enterprises : DataFrame
        Column ``uscc``; optional ``registered_on`` (dates) and ``expects_report``
        (bool). Other columns (``grid_code``, ``warden_username``, ...) are kept.
    reports : DataFrame
        Columns ``uscc``, ``month`` (``YYYY-MM``) and ``submitted_on`` (date; null
        for a row that records no submission). Several rows for one enterprise and
        month: the earliest submission counts. Reports of enterprises not in
        ``enterprises`` are ignored.
    month : str or Period
        ``YYYY-MM``.
    on : date
        Judge as of this day.
    due_day : int
        Day of the next month the report is due (setting; default 10).

    Returns
    -------
    DataFrame
        The expected enterprises' rows plus ``submitted_on`` (NaT if none by
        ``on``), ``due_on`` and ``status`` (:data:`STATUSES`).
    """
    require_columns(enterprises, ["uscc"], "enterprises")
    require_columns(reports, ["uscc", "month", "submitted_on"], "reports")
    check_date(on, "on")
    period = parse_month(month)
    due = due_date(period, due_day)
    sub = pd.to_datetime(reports["submitted_on"])
    ok = (reports["month"].astype(str) == str(period)) & sub.notna()
    ok &= sub <= pd.Timestamp(on)
    first = sub[ok].groupby(reports.loc[ok, "uscc"]).min()
    out = enterprises.loc[_expected(enterprises, period)].copy()
    # reindex, not Series.map: map fails on an empty datetime mapper (no report)
    submitted = first.reindex(out["uscc"].to_numpy()).to_numpy()
    out["submitted_on"] = pd.to_datetime(submitted)
    out["due_on"] = due
    has = out["submitted_on"].notna()
    due_ts = pd.Timestamp(due)
    out["status"] = np.select(
        [has & (out["submitted_on"] <= due_ts), has, pd.Timestamp(on) > due_ts],
        ["reported", "late", "missing"],
        "pending",
    )
    return out


def non_reporters(
    enterprises: pd.DataFrame,
    reports: pd.DataFrame,
    month: object,
    on: dt.date,
    *,
    due_day: int = DEFAULT_DUE_DAY,
) -> pd.DataFrame:
    """Expected enterprises with no report for ``month`` by ``on`` (a to-do list).

    Same arguments as :func:`report_status`. Returns those rows (status
    ``missing`` or ``pending``) plus ``is_past_due`` (status ``missing``).

    >>> ents = pd.DataFrame({"uscc": ["91A", "91B", "92C"]})
    >>> reps = pd.DataFrame({"uscc": ["91A"], "month": ["2024-03"],
    ...                      "submitted_on": [dt.date(2024, 4, 2)]})
    >>> non_reporters(ents, reps, "2024-03", dt.date(2024, 4, 15))[
    ...     ["uscc", "status"]].values.tolist()
    [['91B', 'missing']]
    """
    status = report_status(enterprises, reports, month, on, due_day=due_day)
    out = status.loc[status["status"].isin(["missing", "pending"])].copy()
    out["is_past_due"] = out["status"] == "missing"
    return out


def report_rate(
    enterprises: pd.DataFrame,
    reports: pd.DataFrame,
    month: object,
    on: dt.date,
    *,
    due_day: int = DEFAULT_DUE_DAY,
) -> Rate:
    """Enterprises that reported (on time or late) of those expected, by ``on``."""
    status = report_status(enterprises, reports, month, on, due_day=due_day)
    done = int(status["status"].isin(["reported", "late"]).sum())
    return Rate(done, len(status))


def report_rates_by(
    enterprises: pd.DataFrame,
    reports: pd.DataFrame,
    month: object,
    on: dt.date,
    by: str,
    *,
    due_day: int = DEFAULT_DUE_DAY,
) -> pd.DataFrame:
    """Report counts per ``by`` (e.g. ``grid_code``, ``town_code``) for one month.

    Returns
    -------
    DataFrame
        One row per value of ``by`` among expected enterprises: ``expected``, each
        of :data:`STATUSES` as a count, ``submitted`` (reported + late) and
        ``share`` (submitted / expected).
    """
    require_columns(enterprises, ["uscc", by], "enterprises")
    status = report_status(enterprises, reports, month, on, due_day=due_day)
    # groupby, not crosstab: enterprises with no grid/town are counted as NaN
    counts = status.groupby([by, "status"], dropna=False).size().unstack("status")
    counts = counts.reindex(columns=list(STATUSES)).fillna(0).astype(int)
    counts.columns.name = None
    counts.insert(0, "expected", counts.sum(axis=1))
    counts["submitted"] = counts["reported"] + counts["late"]
    counts["share"] = counts["submitted"] / counts["expected"]
    return counts.reset_index()
