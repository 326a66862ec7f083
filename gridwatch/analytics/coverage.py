"""Inspection coverage: is each enterprise inspected within its risk-based interval?

The arithmetic, once, for every level (grid, community, town, district):

* **Days.** Dates are calendar days. A period ``[period_start, period_end]`` includes
  both ends. Inspections dated after ``period_end`` are ignored, so a past period
  gives the same numbers when it is recomputed later.
* **Due interval.** ``D = due_days[risk_level]`` days (settings: red 30, orange 90,
  yellow 182, blue 365). After an inspection on day ``d`` the next one is due on
  ``d + D``; an inspection on the due day itself is on time.
* **Clock start.** The clock of an enterprise starts at its latest inspection on or
  before ``period_start``; if it has none, at its ``registered_on`` date (optional
  column); if that is unknown too, at ``period_start``. An enterprise registered
  after ``period_end`` is left out.
* **On time over the period** (``is_on_time``, the coverage figure): at no day of
  the period had more than ``D`` days passed since the clock start or the latest
  inspection. Equivalently, every gap between consecutive dates in
  (clock start, inspections within the period, ``period_end``) is at most ``D``
  days. An enterprise with no inspection up to ``period_end`` and no
  ``registered_on`` has an unknown history: it is ``never``, not on time, and
  counted overdue since ``period_start`` (``days_overdue``).
* **Status at the end of the period** (``status``, the map colour): ``due_on`` is
  the latest inspection on or before ``period_end`` plus ``D`` (or ``registered_on
  + D`` if never inspected). ``never``: no inspection up to ``period_end`` and the
  first one is already due (or ``registered_on`` is unknown); ``overdue``:
  ``due_on < period_end``; ``due_soon``: ``due_on`` within ``due_soon_days`` days
  after ``period_end`` (inclusive); ``on_time``: later than that.
* **Inspected in the period** (``inspected_in_period``): at least one inspection
  dated ``period_start`` to ``period_end`` inclusive. "Never inspected in the period"
  is its negation.

So ``is_on_time`` implies ``status`` is ``on_time`` or ``due_soon``, but not the
reverse: an enterprise that was overdue in March and inspected in April ends the
year ``on_time`` yet did not keep its interval over the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns

STATUSES: tuple[str, ...] = ("on_time", "due_soon", "overdue", "never")
#: Chinese labels for :data:`STATUSES` (map legends, exports).
STATUS_LABELS: dict[str, str] = {
    "on_time": "按期", "due_soon": "即将到期", "overdue": "逾期", "never": "从未检查",
}
COVERAGE_LEVELS: tuple[str, ...] = ("grid_code", "community_code", "town_code")
_GROUP_COLS = COVERAGE_LEVELS
_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()


_check_columns = require_columns


def _days(values) -> np.ndarray:
    """Dates/strings/Timestamps → float day numbers since 1970 (NaN for missing);
    numbers are taken as day numbers already."""
    values = pd.Series(values)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)
    ts = pd.to_datetime(values, errors="coerce")
    out = (ts.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days
    return out.to_numpy(dtype=float, na_value=np.nan)


def _day(value, name) -> int:
    ts = pd.to_datetime(value, errors="coerce")
    if pd.isna(ts):
        raise InvalidInputError(f"{name} {value!r} is not a date (use YYYY-MM-DD).")
    return int((ts.normalize() - pd.Timestamp("1970-01-01")).days)


def _to_dates(days: np.ndarray) -> np.ndarray:
    """Float day numbers → object array of ``datetime.date`` (None where NaN)."""
    out = np.full(len(days), None, dtype=object)
    ok = ~np.isnan(days)
    out[ok] = [dt.date.fromordinal(int(d) + _ORDINAL_1970) for d in days[ok]]
    return out


def enterprise_status(
    enterprises: pd.DataFrame,
    inspections: pd.DataFrame,
    period_start,
    period_end,
    due_days: Mapping[str, float],
    due_soon_days: int = 14,
) -> pd.DataFrame:
    """Inspection status of every enterprise over a period (rules in the module doc).

    Parameters
    ----------
    enterprises : DataFrame or GeoDataFrame
        Columns ``uscc``, ``risk_level`` (red/orange/yellow/blue); optional
        ``registered_on`` and the grouping columns ``grid_code``,
        ``community_code``, ``town_code``, which are carried through.
    inspections : DataFrame
        Columns ``uscc``, ``inspected_on`` (date). Every kind (inspection, spot
        check, patrol) counts; rows for unknown ``uscc`` are ignored.
    period_start, period_end : date or str
        The period, both ends included.
    due_days : mapping
        Risk level → due interval in days (settings ``due_days``).
    due_soon_days : int, default 14
        ``due_soon`` window after ``period_end``.

    Returns
    -------
    DataFrame
        One row per enterprise, in input order: ``uscc``, ``risk_level``, the
        grouping columns present, ``last_inspected_on`` (date or None),
        ``due_on`` (date or None), ``days_overdue`` (int, 0 unless past due),
        ``status``, ``inspected_in_period``, ``n_inspections`` (in the period),
        ``is_on_time``.

    Raises
    ------
    InvalidInputError
        Missing column, a risk level without a due interval, or an empty or
        reversed period.

    Examples
    --------
    >>> ents = pd.DataFrame({"uscc": ["A", "B"], "risk_level": ["red", "blue"]})
    >>> insp = pd.DataFrame({"uscc": ["A"], "inspected_on": ["2024-01-20"]})
    >>> st = enterprise_status(ents, insp, "2024-01-01", "2024-01-31",
    ...                        {"red": 30, "blue": 365})
    >>> st[["uscc", "status", "is_on_time"]].values.tolist()
    [['A', 'on_time', True], ['B', 'never', False]]
    """
    _check_columns(inspections, ["uscc", "inspected_on"], "inspections")
    summary = inspection_summary(inspections, period_start, period_end)
    return enterprise_status_from_summary(
        enterprises, summary, period_start, period_end, due_days, due_soon_days
    )


#: Columns of :func:`inspection_summary`: all :func:`enterprise_status` needs to
#: know of an enterprise's inspections dated up to the period's end.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "uscc", "last_on", "anchor_on", "first_after", "max_gap_after", "n_in_period")


def inspection_summary(inspections: pd.DataFrame, period_start,
                       period_end) -> pd.DataFrame:
    """Per enterprise, the few facts of its inspections the status rules use.

    The arithmetic of :func:`enterprise_status` needs, per enterprise and for the
    inspections dated up to ``period_end``: the latest one (``last_on``), the
    latest on or before ``period_start`` (``anchor_on``, the clock start), the
    first after ``period_start`` (``first_after``), the longest gap in days
    between consecutive inspections after ``period_start`` (``max_gap_after``,
    NaN with fewer than two) and how many fall in the period, both ends included
    (``n_in_period``). A database computes the same columns in SQL
    (:func:`gridwatch.db.queries.inspection_summary`) instead of shipping every
    inspection row; the two give the same statuses (tests/db compare them).

    Parameters
    ----------
    inspections : DataFrame
        ``uscc``, ``inspected_on`` (date or ``YYYY-MM-DD``); rows with a missing
        value are ignored.

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`, one row per credit code with an inspection up
        to ``period_end`` (dates as ``datetime.date``).

    Examples
    --------
    >>> insp = pd.DataFrame({"uscc": ["A", "A", "A"],
    ...     "inspected_on": ["2023-12-20", "2024-01-10", "2024-03-01"]})
    >>> row = inspection_summary(insp, "2024-01-01", "2024-03-31").iloc[0]
    >>> row["first_after"], float(row["max_gap_after"]), int(row["n_in_period"])
    (datetime.date(2024, 1, 10), 51.0, 2)
    """
    _check_columns(inspections, ["uscc", "inspected_on"], "inspections")
    start, end = _day(period_start, "period_start"), _day(period_end, "period_end")
    d = pd.DataFrame({"uscc": inspections["uscc"].to_numpy(),
                      "d": _days(inspections["inspected_on"])}).dropna()
    d = d[d["d"] <= end]
    g = d.groupby("uscc", sort=False)["d"]
    after = d[d["d"] > start].sort_values(["uscc", "d"])
    gaps = after.groupby("uscc", sort=False)["d"].diff()
    out = pd.DataFrame({
        "last_on": g.max(),
        "anchor_on": d[d["d"] <= start].groupby("uscc")["d"].max(),
        "first_after": after.groupby("uscc")["d"].min(),
        "max_gap_after": gaps.groupby(after["uscc"]).max(),
        "n_in_period": d[d["d"] >= start].groupby("uscc").size(),
    })
    out.index.name = "uscc"
    out = out.reset_index()
    for c in ("last_on", "anchor_on", "first_after"):
        out[c] = _to_dates(out[c].to_numpy(dtype=float))
    out["n_in_period"] = out["n_in_period"].fillna(0).astype(int)
    return out[list(SUMMARY_COLUMNS)]


def enterprise_status_from_summary(
    enterprises: pd.DataFrame,
    summary: pd.DataFrame,
    period_start,
    period_end,
    due_days: Mapping[str, float],
    due_soon_days: int = 14,
) -> pd.DataFrame:
    """:func:`enterprise_status` from an :func:`inspection_summary` (same rules,
    same output); ``summary`` rows of unknown credit codes are ignored. Its date
    columns may be dates or day numbers since 1970-01-01 (as the database's
    summary, :func:`gridwatch.db.queries.inspection_summary`, gives them)."""
    _check_columns(enterprises, ["uscc", "risk_level"], "enterprises")
    _check_columns(summary, list(SUMMARY_COLUMNS), "inspection summary")
    start, end = _day(period_start, "period_start"), _day(period_end, "period_end")
    if end < start:
        raise InvalidInputError(
            f"The period ends ({period_end}) before it starts ({period_start}).")
    unknown = sorted(set(enterprises["risk_level"].dropna()) - set(due_days))
    if unknown or enterprises["risk_level"].isna().any():
        raise InvalidInputError(
            f"No due interval for risk level(s) {unknown or ['(missing)']}; "
            f"due_days covers {sorted(due_days)}.")

    ents = pd.DataFrame(enterprises.drop(columns="geometry", errors="ignore"))
    reg = (_days(ents["registered_on"]) if "registered_on" in ents
           else np.full(len(ents), np.nan))
    keep = ~(reg > end)
    ents, reg = ents.loc[keep].reset_index(drop=True), reg[keep]
    due = ents["risk_level"].map(due_days).to_numpy(float)
    if ents["uscc"].duplicated().any():
        dup = ents["uscc"][ents["uscc"].duplicated()].iloc[0]
        raise InvalidInputError(f"enterprises lists credit code {dup} twice.")

    summ = summary.drop_duplicates("uscc").set_index("uscc").reindex(ents["uscc"])
    last = _days(summ["last_on"])
    anchor = _days(summ["anchor_on"])
    anchor = np.where(np.isnan(anchor), reg, anchor)
    # clock start unknown (no inspection, no registration date): due since start
    clock = np.where(np.isnan(anchor), float(start), anchor)
    first_gap = _days(summ["first_after"]) - clock
    gaps = np.vstack([first_gap, summ["max_gap_after"].to_numpy(dtype=float)])
    max_gap = np.where(np.isnan(gaps).all(axis=0), 0.0,
                       np.nan_to_num(gaps, nan=-np.inf).max(axis=0))
    end_gap = end - np.where(np.isnan(last), clock, last)
    has_start = ~(np.isnan(anchor) & np.isnan(last))
    is_on_time = has_start & (np.maximum(max_gap, end_gap) <= due)

    n_insp = summ["n_in_period"].fillna(0).to_numpy(dtype=np.int64)
    due_on = np.where(np.isnan(last), reg, last) + due
    status = np.where(due_on < end, "overdue",
                      np.where(due_on <= end + due_soon_days, "due_soon", "on_time"))
    status = np.where(np.isnan(last) & ~(due_on >= end), "never", status)
    days_overdue = np.where(np.isnan(due_on), end - start,
                            np.maximum(end - np.nan_to_num(due_on, nan=end), 0))

    out = ents[["uscc", "risk_level", *[c for c in _GROUP_COLS if c in ents]]].copy()
    out["last_inspected_on"] = _to_dates(last)
    out["due_on"] = _to_dates(due_on)
    out["days_overdue"] = np.where(np.isin(status, ["overdue", "never"]),
                                   days_overdue, 0).astype(int)
    out["status"] = status
    out["inspected_in_period"] = n_insp > 0
    out["n_inspections"] = n_insp
    out["is_on_time"] = is_on_time
    out.attrs.update(period_start=dt.date.fromordinal(start + _ORDINAL_1970),
                     period_end=dt.date.fromordinal(end + _ORDINAL_1970))
    return out


def coverage_by(status: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Coverage counts and shares, for the district or per grid/community/town.

    The single aggregation used everywhere a coverage number is shown, so the grid,
    community, town and district figures always add up.

    Parameters
    ----------
    status : DataFrame
        Output of :func:`enterprise_status`.
    by : {None, "grid_code", "community_code", "town_code"}
        ``None`` gives one row for the whole frame (index ``"district"``).
        Enterprises with no value in ``by`` are grouped under ``""`` (unassigned)
        rather than dropped, so the level totals still equal the district's.

    Returns
    -------
    DataFrame
        Indexed by ``by``: ``n`` (enterprises), ``on_time`` (``is_on_time``),
        ``share_on_time`` (``on_time / n``), ``never`` (not inspected in the
        period), ``share_never``, ``overdue`` (past due at the period's end:
        status ``overdue`` or ``never``), ``due_soon``.

    Examples
    --------
    >>> st = pd.DataFrame({"grid_code": ["g1", "g1", "g2"],
    ...     "is_on_time": [True, False, True], "inspected_in_period": [True, False, True],
    ...     "status": ["on_time", "never", "due_soon"]})
    >>> coverage_by(st)[["n", "on_time", "never", "overdue"]].values.tolist()
    [[3, 2, 1, 1]]
    """
    _check_columns(status, ["is_on_time", "inspected_in_period", "status"], "status")
    if by is not None and by not in COVERAGE_LEVELS:
        raise ValueError(f"by must be None or one of {COVERAGE_LEVELS}, got {by!r}")
    if by is not None:
        _check_columns(status, [by], "status")
    flags = pd.DataFrame({
        "n": 1,
        "on_time": status["is_on_time"].astype(bool).astype(int),
        "never": (~status["inspected_in_period"].astype(bool)).astype(int),
        "overdue": status["status"].isin(["overdue", "never"]).astype(int),
        "due_soon": (status["status"] == "due_soon").astype(int),
    }, index=status.index)
    if by is None:
        out = flags.sum().to_frame("district").T.astype(int)
        out.index.name = "level"
    else:
        keys = status[by].fillna("").astype(str)
        out = flags.groupby(keys.rename(by)).sum().astype(int)
    n = out["n"].where(out["n"] > 0)
    out.insert(2, "share_on_time", out["on_time"] / n)
    out.insert(4, "share_never", out["never"] / n)
    return out[["n", "on_time", "share_on_time", "never", "share_never",
                "overdue", "due_soon"]]


def overdue_list(status: pd.DataFrame, enterprises: pd.DataFrame) -> pd.DataFrame:
    """Enterprises past due at the end of the period, most overdue first.

    Parameters
    ----------
    status : DataFrame
        Output of :func:`enterprise_status`.
    enterprises : DataFrame
        Columns ``uscc``, ``name``; optional ``sector``, ``address``.

    Returns
    -------
    DataFrame
        Status rows with ``status`` in (``overdue``, ``never``) joined to the
        enterprise ``name`` (and ``sector``/``address`` when present), sorted by
        ``days_overdue`` descending, then risk (red first), then ``uscc``.
    """
    _check_columns(status, ["uscc", "status", "days_overdue", "risk_level"], "status")
    _check_columns(enterprises, ["uscc", "name"], "enterprises")
    extra = [c for c in ("name", "sector", "address") if c in enterprises.columns]
    info = pd.DataFrame(enterprises[["uscc", *extra]])
    late = status[status["status"].isin(["overdue", "never"])]
    out = late.merge(info, on="uscc", how="left")
    rank = out["risk_level"].map({"red": 0, "orange": 1, "yellow": 2, "blue": 3})
    out = out.assign(_r=rank.fillna(9)).sort_values(
        ["days_overdue", "_r", "uscc"], ascending=[False, True, True])
    return out.drop(columns="_r").reset_index(drop=True)


def count_open_hazards(hazards: pd.DataFrame) -> pd.Series:
    """Number of unrectified hazards per enterprise (the map's 未整改隐患).

    Counted: the states in which the enterprise still has to act,
    :data:`gridwatch.supervision.UNRECTIFIED_STATES` (``found``, ``rectifying``;
    overdue or not). Rectified-but-not-yet-closed hazards are not counted: they
    wait for the re-inspection, not for the enterprise. The pre-machine codes
    ``open``/``overdue`` (``vocab.LEGACY_HAZARD_STATUSES``) read as
    ``rectifying``. Returns an int Series indexed by uscc.
    """
    from gridwatch.supervision import UNRECTIFIED_STATES
    from gridwatch.vocab import LEGACY_HAZARD_STATUSES

    _check_columns(hazards, ["uscc", "status"], "hazards")
    state = hazards["status"].map(lambda s: LEGACY_HAZARD_STATUSES.get(s, s))
    is_open = state.isin(UNRECTIFIED_STATES)
    return hazards.loc[is_open, "uscc"].value_counts().rename("open_hazards")


def enterprise_points(enterprises, status: pd.DataFrame,
                      open_hazards: pd.Series | None = None):
    """Enterprises joined to their coverage status, for the coverage map's points.

    Parameters
    ----------
    enterprises : GeoDataFrame
        Columns ``uscc``, ``name``, ``sector``, ``risk_level``, ``geometry``
        (Points or None, any CRS).
    status : DataFrame
        Output of :func:`enterprise_status`.
    open_hazards : Series, optional
        Output of :func:`count_open_hazards` (missing enterprises get 0).

    Returns
    -------
    GeoDataFrame
        The enterprises that have a status, with ``status``,
        ``last_inspected_on``, ``due_on``, ``is_on_time`` and ``open_hazards``.
    """
    _check_columns(enterprises, ["uscc", "name", "sector", "risk_level", "geometry"],
                   "enterprises")
    _check_columns(status, ["uscc", "status", "last_inspected_on"], "status")
    cols = ["uscc", "status", "last_inspected_on", "due_on", "is_on_time"]
    out = enterprises.merge(status[[c for c in cols if c in status]], on="uscc")
    counts = open_hazards if open_hazards is not None else pd.Series(dtype=int)
    out["open_hazards"] = out["uscc"].map(counts).fillna(0).astype(int)
    return out


def grid_coverage(grids, status: pd.DataFrame,
                  open_hazards: pd.Series | None = None):
    """Grids with their coverage figures and open hazards, for the choropleth.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code``, ``geometry``; ``warden`` optional.
    status : DataFrame
        Output of :func:`enterprise_status` (with ``grid_code``).
    open_hazards : Series, optional
        Output of :func:`count_open_hazards`.

    Returns
    -------
    GeoDataFrame
        ``grids`` plus the :func:`coverage_by` columns (0 counts and NaN shares
        for grids without enterprises) and ``open_hazards``.
    """
    _check_columns(grids, ["code", "geometry"], "grids")
    cov = coverage_by(status, "grid_code")
    out = grids.merge(cov, left_on="code", right_index=True, how="left")
    for c in ("n", "on_time", "never", "overdue", "due_soon"):
        out[c] = out[c].fillna(0).astype(int)
    counts = open_hazards if open_hazards is not None else pd.Series(dtype=int)
    per_grid = status["uscc"].map(counts).fillna(0).groupby(status["grid_code"]).sum()
    out["open_hazards"] = out["code"].map(per_grid).fillna(0).astype(int)
    return out
