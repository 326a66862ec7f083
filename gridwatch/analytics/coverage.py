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
    """Dates/strings/Timestamps → float day numbers since 1970 (NaN for missing)."""
    ts = pd.to_datetime(pd.Series(values), errors="coerce")
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
    _check_columns(enterprises, ["uscc", "risk_level"], "enterprises")
    _check_columns(inspections, ["uscc", "inspected_on"], "inspections")
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
    pos = pd.Series(np.arange(len(ents)), index=pd.Index(ents["uscc"]))
    if pos.index.has_duplicates:
        dup = pos.index[pos.index.duplicated()][0]
        raise InvalidInputError(f"enterprises lists credit code {dup} twice.")

    insp = pd.DataFrame({"i": inspections["uscc"].map(pos),
                         "d": _days(inspections["inspected_on"])})
    insp = insp.dropna()
    insp = insp[insp["d"] <= end].astype({"i": "int64"})
    n = len(ents)
    last = _group_max(insp, n)
    anchor = _group_max(insp[insp["d"] <= start], n)
    anchor = np.where(np.isnan(anchor), reg, anchor)
    # clock start unknown (no inspection, no registration date): due since start
    clock = np.where(np.isnan(anchor), float(start), anchor)

    within = insp[insp["d"] > start].sort_values(["i", "d"])
    prev = within.groupby("i")["d"].shift(1)
    prev = prev.fillna(pd.Series(clock[within["i"].to_numpy()], index=within.index))
    max_gap = np.zeros(n)
    if len(within):
        gaps = (within["d"] - prev).groupby(within["i"]).max()
        max_gap[gaps.index.to_numpy()] = gaps.to_numpy()
    end_gap = end - np.where(np.isnan(last), clock, last)
    has_start = ~(np.isnan(anchor) & np.isnan(last))
    is_on_time = has_start & (np.maximum(max_gap, end_gap) <= due)

    in_period = insp[insp["d"] >= start]
    n_insp = np.bincount(in_period["i"].to_numpy(), minlength=n)
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


def _group_max(insp: pd.DataFrame, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    if len(insp):
        m = insp.groupby("i")["d"].max()
        out[m.index.to_numpy()] = m.to_numpy()
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
