"""Routes for every warden-day of a plan: the plan's stops, ordered from the base."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import reproject_to_wgs84, require_columns, require_geoframe
from gridwatch.patrol.distances import DistanceFn, straight_line_m
from gridwatch.patrol.plan import has_location
from gridwatch.patrol.routes import DEFAULT_OPTIONS, SolverOptions, route_day
from gridwatch.patrol.schedule import risk_rank

__all__ = ["Itineraries", "route_plan"]


@dataclass(frozen=True)
class Itineraries:
    """Every warden-day's route.

    Attributes
    ----------
    stops : pandas.DataFrame
        One row per planned visit: ``warden``, ``date``, ``seq`` (1… in route
        order; dropped stops after the routed ones), ``visit_id``,
        ``enterprise_id``, ``lng``, ``lat`` (WGS-84), ``leg_m`` (metres from the
        previous point, the base for ``seq`` 1; NaN if dropped), ``cum_m``,
        ``is_dropped`` (left out by the day's length budget).
    days : pandas.DataFrame
        One row per warden-day with stops: ``warden``, ``date``, ``n_stops``,
        ``n_dropped``, ``total_m`` (base → stops → base), ``return_m`` (the last
        leg), ``solve_s``, ``status``, ``hit_time_limit``.
    """

    stops: pd.DataFrame
    days: pd.DataFrame


def _lnglat(frame) -> np.ndarray:
    g = reproject_to_wgs84(frame.geometry, "geometry")
    arr = g.to_numpy()
    out = np.full((len(arr), 2), np.nan)
    ok = has_location(arr)
    out[ok, 0], out[ok, 1] = g[ok].x.to_numpy(), g[ok].y.to_numpy()
    return out


def _penalties(day: pd.DataFrame, budget: float | None):
    """Drop cost per stop when a budget is set: red and late stops are dropped last."""
    if budget is None:
        return None
    rank = day["risk_level"].map(risk_rank).to_numpy()
    late = day["is_late"].to_numpy(bool) if "is_late" in day else 0
    return budget * (2.0 + (3 - rank)) * (1.0 + late)


def route_plan(
    planned: pd.DataFrame,
    enterprises,
    bases,
    *,
    distance: DistanceFn = straight_line_m,
    options: SolverOptions = DEFAULT_OPTIONS,
    max_length_m: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Itineraries:
    """Route each warden-day of a plan.

    Parameters
    ----------
    planned : pandas.DataFrame
        ``Plan.planned``: ``visit_id``, ``enterprise_id``, ``warden``,
        ``planned_on``, ``risk_level``, ``is_late``.
    enterprises : geopandas.GeoDataFrame
        ``enterprise_id`` and Point geometry (any CRS) of every planned stop.
    bases : geopandas.GeoDataFrame
        ``warden`` and the base Point (any CRS) of every warden with stops: the
        recorded base, else the centroid of the warden's grids (the caller
        computes it).
    distance : callable
        See :mod:`gridwatch.patrol.distances`; ids are ``"base:<warden>"`` and
        the enterprise ids.
    options : SolverOptions
    max_length_m : float, optional
        Length budget of one day; stops beyond it are dropped (red and late
        ones last) and listed with ``is_dropped``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each warden-day.

    Returns
    -------
    Itineraries

    Raises
    ------
    InvalidInputError
        A missing column, a warden with stops but no base, a planned stop
        without a location (the plan lists those as unplanned), or a problem
        of the distance table.
    """
    require_columns(
        planned,
        ["visit_id", "enterprise_id", "warden", "planned_on", "risk_level"],
        "planned",
    )
    require_geoframe(enterprises, ["enterprise_id"], "enterprises")
    require_geoframe(bases, ["warden"], "bases")
    where = dict(zip(enterprises["enterprise_id"], map(tuple, _lnglat(enterprises))))
    base_of = dict(zip(bases["warden"], map(tuple, _lnglat(bases))))
    need = sorted(set(planned["warden"]), key=str)
    for w in need:
        if w not in base_of or not np.isfinite(base_of[w]).all():
            raise InvalidInputError(
                f"Warden {w!r} has no base; record one, or pass the centroid of "
                "their grids as the base."
            )
    groups = planned.groupby(["warden", "planned_on"], sort=True)
    stops, days = [], []
    for k, ((w, day), part) in enumerate(groups, start=1):
        part = part.sort_values("visit_id", kind="stable")
        pts = np.array([where.get(e, (np.nan, np.nan)) for e in part["enterprise_id"]])
        if not np.isfinite(pts).all():
            raise InvalidInputError(
                f"A stop of warden {w!r} on {day} has no location; plan it again "
                "(visits without a location are listed as unplanned)."
            )
        route = route_day(
            base_of[w],
            list(part["enterprise_id"]),
            pts,
            distance=distance,
            base_id=f"base:{w}",
            options=options,
            max_length_m=max_length_m,
            penalties=_penalties(part, max_length_m),
        )
        stops.append(_day_stops(w, day, part, pts, route))
        days.append(
            {
                "warden": w,
                "date": day,
                "n_stops": len(route.stops),
                "n_dropped": len(route.dropped),
                "total_m": route.total_m,
                "return_m": route.legs_m[-1],
                "solve_s": route.solve_s,
                "status": route.status,
                "hit_time_limit": route.hit_time_limit,
            }
        )
        if progress is not None:
            progress(k, groups.ngroups)
    return _frames(stops, days)


def _day_stops(w, day, part, pts, route) -> pd.DataFrame:
    """The stops frame of one warden-day: routed stops in order, then dropped ones."""
    pos = {e: i for i, e in enumerate(part["enterprise_id"])}
    order = [pos[e] for e in route.stops] + [pos[e] for e in route.dropped]
    legs = np.r_[
        np.asarray(route.legs_m[:-1], float), np.full(len(route.dropped), np.nan)
    ]
    return pd.DataFrame(
        {
            "warden": w,
            "date": day,
            "seq": np.arange(1, len(order) + 1),
            "visit_id": part["visit_id"].to_numpy()[order],
            "enterprise_id": part["enterprise_id"].to_numpy()[order],
            "lng": pts[order, 0],
            "lat": pts[order, 1],
            "leg_m": legs,
            "cum_m": np.where(np.isnan(legs), np.nan, np.cumsum(np.nan_to_num(legs))),
            "is_dropped": np.r_[
                np.zeros(len(route.stops), bool), np.ones(len(route.dropped), bool)
            ],
        }
    )


def _frames(stops, days) -> Itineraries:
    cols = [
        "warden",
        "date",
        "seq",
        "visit_id",
        "enterprise_id",
        "lng",
        "lat",
        "leg_m",
        "cum_m",
        "is_dropped",
    ]
    day_cols = [
        "warden",
        "date",
        "n_stops",
        "n_dropped",
        "total_m",
        "return_m",
        "solve_s",
        "status",
        "hit_time_limit",
    ]
    return Itineraries(
        stops=pd.concat(stops, ignore_index=True)
        if stops
        else pd.DataFrame(columns=cols),
        days=pd.DataFrame(days, columns=day_cols),
    )
