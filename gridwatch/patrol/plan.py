"""Spread the due visits over each warden's working days, within a daily capacity.

Rules (decided here; the issue leaves them to the planner):

* Visits are taken most urgent first: earliest due date (so the most overdue
  first), then highest risk (red before blue), then enterprise id.
* A visit due within the window is first placed on the **latest** working day
  with free capacity on or before its due date (and not before its ``earliest_on``,
  e.g. a campaign's first day): as late as allowed, so the earlier days stay free
  for what is more urgent and a visit is not made so early that it shortens the
  risk interval. When no such day is free, it goes on the earliest free day
  after its due date and is flagged late (``is_late``, ``days_late``).
* A visit already overdue on the window's first day goes on the earliest free
  working day (it is late whatever happens).
* The second visit of one enterprise in a window is never planned on or before
  its first visit's day.
* A visit due after the window is not due (:func:`due_visits` does not list it).
* Anything that cannot be planned is listed in ``unplanned`` with its reason
  (no location, no warden, the warden has no working day, no capacity left in
  the window). Nothing is dropped: ``planned + unplanned == due`` is checked.

Capacity: ``visits_per_day`` for every warden, a ``visits_per_day`` column in
``wardens`` for one warden, and per-day overrides (``capacity``) for a date,
optionally for one warden. An override of 0 is a day off (leave, training); an
override above 0 on a weekend or holiday makes that day a working day for the
warden (overtime). Overrides outside the window are ignored.

Then (``group_days``, on by default) each warden's visits are regrouped so a
day's stops lie close together, moving or swapping visits only within the days
each may take (:mod:`gridwatch.patrol.grouping`); a visit planned on time stays
on time and a late one never gets later. ``bench/patrol.py`` reports the route
lengths with and without it. :mod:`gridwatch.patrol.routes` then orders each
day's stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns, require_geoframe
from gridwatch.patrol.calendar import WorkCalendar
from gridwatch.patrol.grouping import regroup_days
from gridwatch.patrol.schedule import DUE_COLUMNS, risk_rank
from gridwatch.patrol.window import PlanWindow
from gridwatch.vocab import PATROL_NOT_PLANNED

__all__ = ["NOT_PLANNED", "Plan", "has_location", "plan_visits"]

#: Why a due visit is not planned: code → Chinese text shown to the street office
#: (the labels live in :mod:`gridwatch.vocab`, where the web app translates them).
NOT_PLANNED = PATROL_NOT_PLANNED


@dataclass(frozen=True)
class Plan:
    """The result of :func:`plan_visits`.

    Attributes
    ----------
    planned : pandas.DataFrame
        One row per planned visit: the due visit's columns
        (:data:`~gridwatch.patrol.schedule.DUE_COLUMNS`) plus ``warden``,
        ``planned_on`` (date), ``is_late`` (planned after its due date) and
        ``days_late`` (>= 0). Sorted by warden, day, then urgency.
    unplanned : pandas.DataFrame
        One row per due visit not planned: the due visit's columns plus
        ``warden`` (None when there is none), ``not_planned_reason`` (a key of
        :data:`NOT_PLANNED`) and ``not_planned_text`` (Chinese).
    days : pandas.DataFrame
        One row per warden working day: ``warden``, ``date``, ``capacity``,
        ``n_planned``, ``day_name`` (e.g. "春节调休上班", else None).
    warnings : list of str
        Sentences to show (e.g. a year planned on weekends only).
    """

    planned: pd.DataFrame
    unplanned: pd.DataFrame
    days: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _check_capacity(visits_per_day, wardens, capacity, known) -> None:
    if isinstance(visits_per_day, bool) or not isinstance(
        visits_per_day, (int, np.integer)
    ):
        raise InvalidInputError(
            f"Visits per day must be a whole number, not {visits_per_day!r}."
        )
    if visits_per_day < 1:
        raise InvalidInputError(
            f"Visits per day must be at least 1, not {visits_per_day}; a day with "
            "no capacity plans nothing (give days off as per-day overrides)."
        )
    if "visits_per_day" in wardens:
        per = pd.to_numeric(wardens["visits_per_day"], errors="coerce")
        bad = per.notna() & (per < 1)
        if bad.any():
            w = wardens.loc[bad, "warden"].iloc[0]
            raise InvalidInputError(
                f"Warden {w!r} has visits_per_day below 1; give at least 1, or "
                "per-day overrides of 0 for days off."
            )
    if capacity is not None and len(capacity):
        require_columns(capacity, ["date", "visits"], "capacity")
        v = pd.to_numeric(capacity["visits"], errors="coerce")
        if v.isna().any() or (v < 0).any() or (v != v.round()).any():
            raise InvalidInputError(
                "A per-day capacity is not a whole number of visits >= 0; use 0 "
                "for a day off."
            )
        if "warden" in capacity:
            who = capacity["warden"].dropna()
            unknown = who[~who.isin(known)]
            if len(unknown):
                raise InvalidInputError(
                    f"A per-day capacity names warden {unknown.iloc[0]!r}, who is "
                    "not in this plan."
                )


def _day_capacity(wardens, visits_per_day, capacity, window, calendar):
    """(warden → list of (date, capacity)) for every warden's working days."""
    base = dict.fromkeys(wardens["warden"], int(visits_per_day))
    if "visits_per_day" in wardens:
        for w, v in zip(wardens["warden"], wardens["visits_per_day"]):
            if pd.notna(v):
                base[w] = int(v)
    every: dict[dt.date, int] = {}
    own: dict[tuple, int] = {}
    if capacity is not None and len(capacity):
        who = capacity["warden"] if "warden" in capacity else [None] * len(capacity)
        for w, d, v in zip(who, capacity["date"], capacity["visits"]):
            day = pd.Timestamp(d).date()
            if w is None or pd.isna(w):
                every[day] = int(v)
            else:
                own[(w, day)] = int(v)
    workday = {d: calendar.is_workday(d) for d in window.dates()}
    out = {}
    for w in wardens["warden"]:
        days = []
        for d in window.dates():
            cap = own.get((w, d), every.get(d, base[w] if workday[d] else 0))
            if cap > 0:
                days.append((d, cap))
        out[w] = days
    return out


def _check_inputs(due, enterprises, wardens):
    require_columns(due, DUE_COLUMNS, "due")
    require_geoframe(enterprises, ["enterprise_id", "warden"], "enterprises")
    require_columns(wardens, ["warden"], "wardens")
    if wardens["warden"].duplicated().any():
        w = wardens["warden"][wardens["warden"].duplicated()].iloc[0]
        raise InvalidInputError(f"Warden {w!r} is listed twice; list each once.")
    held = set(enterprises["warden"].dropna())
    idle = [w for w in wardens["warden"] if w not in held]
    if idle:
        raise InvalidInputError(
            f"Warden {idle[0]!r} has no grids or enterprises to visit; assign "
            "grids to them first, or leave them out of the plan.",
            details={"wardens": idle},
        )
    missing = set(due["enterprise_id"]) - set(enterprises["enterprise_id"])
    if missing:
        raise InvalidInputError(
            f"Due visit of enterprise {min(map(str, missing))!r}, which is not "
            "in the enterprises given; pass the same enterprises to both steps."
        )


def _place(visits: pd.DataFrame, days: list, start: dt.date):
    """Day index of each visit of one warden (None: nothing free), with the range
    of day indices it may take without breaking a rule (see module doc)."""
    from bisect import bisect_left, bisect_right

    dates = [d for d, _ in days]
    free = [c for _, c in days]
    last_of: dict = {}
    picks, lows, highs = [], [], []
    for eid, due, earliest in zip(
        visits["enterprise_id"], visits["due_on"], visits["earliest_on"]
    ):
        rel = max(earliest or start, start)
        if eid in last_of:
            rel = max(rel, last_of[eid] + dt.timedelta(days=1))
        lo, hi = bisect_left(dates, rel), bisect_right(dates, due) - 1
        pick = next((j for j in range(hi, lo - 1, -1) if free[j] > 0), None)
        if pick is None:
            pick = next(
                (j for j in range(max(lo, hi + 1), len(dates)) if free[j] > 0), None
            )
        picks.append(pick)
        lows.append(lo)
        highs.append(pick if pick is not None and pick > hi else hi)
        if pick is not None:
            free[pick] -= 1
            last_of[eid] = dates[pick]
    return picks, lows, highs


def _regroup(visits, picks, lows, highs, days, xy_of) -> list:
    """Day indices after :func:`~gridwatch.patrol.grouping.regroup_days`."""
    placed = np.array([p is not None for p in picks])
    if placed.sum() < 2:
        return picks
    sub = visits[placed]
    eids = sub["enterprise_id"].to_numpy()
    ids, counts = np.unique(eids.astype(str), return_counts=True)
    once = dict(zip(ids, counts == 1))
    movable = np.array([once[str(e)] for e in eids])
    new = regroup_days(
        np.array([xy_of[e] for e in eids]),
        np.array([p for p in picks if p is not None]),
        np.asarray(lows)[placed],
        np.asarray(highs)[placed],
        movable,
        np.array([c for _, c in days]),
    )
    out, it = list(picks), iter(new.tolist())
    for k, p in enumerate(picks):
        if p is not None:
            out[k] = next(it)
    return out


def has_location(geoms) -> np.ndarray:
    """True for a non-empty Point with finite coordinates (None, empty or NaN: False).

    >>> import geopandas as gpd
    >>> has_location(gpd.points_from_xy([113.1, None], [23.0, None])).tolist()
    [True, False]
    """
    geom = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    ok[ok] = shapely.get_type_id(geom[ok]) == 0
    ok[ok] = np.isfinite(shapely.get_x(geom[ok])) & np.isfinite(shapely.get_y(geom[ok]))
    return ok


def plan_visits(
    due: pd.DataFrame,
    enterprises,
    wardens: pd.DataFrame,
    window: PlanWindow,
    calendar: WorkCalendar,
    *,
    visits_per_day: int,
    capacity: pd.DataFrame | None = None,
    group_days: bool = True,
) -> Plan:
    """Plan the due visits on the wardens' working days (rules: module docstring).

    Parameters
    ----------
    due : pandas.DataFrame
        :func:`~gridwatch.patrol.schedule.due_visits`' result for ``window``.
    enterprises : geopandas.GeoDataFrame
        Every enterprise of the wardens' grids (not only the due ones):
        ``enterprise_id``, ``warden`` (the responsible warden's id, None when
        the grid has none), Point geometry (any CRS; None or empty = no
        location).
    wardens : pandas.DataFrame
        The wardens to plan for: ``warden`` (id, as in ``enterprises``);
        optional ``visits_per_day`` (their own daily capacity, >= 1).
    window : PlanWindow
    calendar : WorkCalendar
        Decides the working days (weekends, public holidays, 调休).
    visits_per_day : int
        Daily capacity of every warden (>= 1), visits per working day.
    capacity : pandas.DataFrame, optional
        Per-day overrides: ``date``, ``visits`` (>= 0; 0 = day off) and
        optionally ``warden`` (None = every warden; a warden's own row wins).
    group_days : bool
        Regroup each warden's visits so a day's stops lie close together,
        within every visit's allowed days (:mod:`gridwatch.patrol.grouping`).

    Returns
    -------
    Plan

    Raises
    ------
    InvalidInputError
        One sentence for: visits_per_day < 1, a negative or fractional per-day
        capacity, a warden with no enterprises, a warden listed twice, an
        override for a warden not planned, a due visit of an enterprise not
        given, a missing column, a year with unknown holidays (see
        :class:`~gridwatch.patrol.calendar.WorkCalendar`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from gridwatch.patrol.calendar import make_calendar
    >>> from gridwatch.patrol.window import make_window
    >>> from gridwatch.patrol.schedule import due_visits
    >>> w = make_window("2026-12-07", 5, today="2026-12-07")      # Mon-Fri
    >>> ents = gpd.GeoDataFrame({"enterprise_id": ["A", "B", "C"],
    ...     "warden": ["w1", "w1", "w1"], "risk_level": ["red"] * 3,
    ...     "last_inspected_on": [None] * 3},
    ...     geometry=gpd.points_from_xy([113.1, 113.11, None], [23.0, 23.01, None]),
    ...     crs="EPSG:4326")
    >>> days = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
    >>> due = due_visits(ents, w, days)
    >>> plan = plan_visits(due, ents, pd.DataFrame({"warden": ["w1"]}), w,
    ...                    make_calendar(), visits_per_day=1)
    >>> [str(d) for d in plan.planned["planned_on"]]
    ['2026-12-07', '2026-12-08']
    >>> plan.unplanned["not_planned_reason"].tolist()
    ['no_location']
    """
    _check_inputs(due, enterprises, wardens)
    _check_capacity(visits_per_day, wardens, capacity, set(wardens["warden"]))
    per_day = _day_capacity(wardens, visits_per_day, capacity, window, calendar)
    owner = dict(zip(enterprises["enterprise_id"], enterprises["warden"]))
    ok = has_location(enterprises.geometry)
    located = dict(zip(enterprises["enterprise_id"], ok))
    metric = enterprises.geometry[ok].to_crs(METRIC_CRS)
    xy_of = dict(
        zip(
            enterprises["enterprise_id"][ok],
            zip(metric.x.to_numpy(), metric.y.to_numpy()),
        )
    )
    d = due.copy()
    who = [owner.get(e) for e in d["enterprise_id"]]
    # the wardens frame's own ids (an int column with None reads back as 5.0)
    canon = {w: w for w in per_day}
    d["warden"] = pd.Series([canon.get(w) for w in who], index=d.index, dtype=object)
    d["_rank"] = d["risk_level"].map(risk_rank)
    d = d.sort_values(["due_on", "_rank", "enterprise_id", "visit_no"], kind="stable")
    reason = pd.Series(None, index=d.index, dtype=object)
    reason[~d["enterprise_id"].map(located).astype(bool)] = "no_location"
    reason[reason.isna() & d["warden"].isna()] = "no_warden"
    planned_on = pd.Series(None, index=d.index, dtype=object)
    for w, idx in d[reason.isna()].groupby("warden", sort=True).groups.items():
        if not per_day[w]:
            reason[idx] = "no_working_day"
            continue
        picks, lows, highs = _place(d.loc[idx], per_day[w], window.start)
        if group_days:
            picks = _regroup(d.loc[idx], picks, lows, highs, per_day[w], xy_of)
        dates = [day for day, _ in per_day[w]]
        planned_on[idx] = [None if p is None else dates[p] for p in picks]
        reason[idx[[p is None for p in picks]]] = "no_capacity"
    return _assemble(d.drop(columns="_rank"), planned_on, reason, per_day, calendar)


def _assemble(d, planned_on, reason, per_day, calendar) -> Plan:
    """Split into planned / unplanned frames and check that nothing is lost."""
    is_planned = reason.isna()
    planned = d[is_planned].copy()
    planned["planned_on"] = planned_on[is_planned]
    late = [(p - q).days for p, q in zip(planned["planned_on"], planned["due_on"])]
    planned["days_late"] = np.maximum(np.asarray(late, dtype=np.int64), 0)
    planned["is_late"] = planned["days_late"] > 0
    planned = planned.sort_values(["warden", "planned_on"], kind="stable")
    unplanned = d[~is_planned].copy()
    unplanned["not_planned_reason"] = reason[~is_planned]
    unplanned["not_planned_text"] = unplanned["not_planned_reason"].map(NOT_PLANNED)
    if len(planned) + len(unplanned) != len(d) or set(planned["visit_id"]) | set(
        unplanned["visit_id"]
    ) != set(d["visit_id"]):
        raise AssertionError("plan_visits lost or duplicated a due visit")
    count = planned.groupby(["warden", "planned_on"]).size().to_dict()
    rows = [
        (w, day, cap, int(count.get((w, day), 0)), calendar.day_name(day))
        for w in sorted(per_day, key=str)
        for day, cap in per_day[w]
    ]
    days = pd.DataFrame(
        rows, columns=["warden", "date", "capacity", "n_planned", "day_name"]
    )
    return Plan(
        planned=planned.reset_index(drop=True),
        unplanned=unplanned.reset_index(drop=True),
        days=days,
        warnings=list(calendar.warnings),
    )
