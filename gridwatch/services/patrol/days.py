"""One warden-day of a stored plan: the route's stops with status and navigation
links (the street office's day view and sheet), and a warden's route of today.
Scope as in :mod:`gridwatch.services.patrol.reads`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models_street import PatrolDay, PatrolPlan
from gridwatch.db.queries import read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.patrol.reads import (
    _day_where,
    _plan,
    _stops,
    _warden_id,
    _wardens,
    _with_progress,
)
from gridwatch.timeutil import today as _today


def day_route(
    ctx: Context,
    actor: Actor,
    plan_id: int,
    warden: str | int,
    day,
    today: dt.date | None = None,
) -> dict:
    """One warden-day of a plan: the route's stops in order with their status and
    navigation links, the base, and the route as GeoJSON.

    Parameters
    ----------
    warden : str or int
        Username, or wardens.id.
    day : date or ISO text

    Returns
    -------
    dict
        The plan's header as ``plan``; ``warden`` (username, name, phone),
        ``day``, ``day_name``, ``capacity``, ``base`` ({lng, lat, source}),
        ``total_m``, ``return_m``, ``stops`` (``seq, stop_id, enterprise_id,
        uscc, name, address, risk_level, due_on, days_late, reason_text, leg_m,
        cum_m, lng, lat, status, inspected_on, inspector, nav``),
        ``counts`` per status, ``geojson`` (base, numbered stops, the line).
    """
    from gridwatch.patrol.navigation import navigation_links
    from gridwatch.services.patrol.geo import route_geojson

    today = today or _today()
    day = _as_day(day)
    with ctx.engine.connect() as conn:
        plan = _plan(conn, actor, plan_id)
        wid = warden if isinstance(warden, int) else _warden_id(conn, warden)
        head = read_frame(
            conn,
            sa.select(
                PatrolDay.id,
                PatrolDay.day_name,
                PatrolDay.capacity,
                PatrolDay.total_m,
                PatrolDay.return_m,
                PatrolDay.base_source,
                wkb(PatrolDay.base),
            ).where(
                PatrolDay.plan_id == plan_id,
                PatrolDay.warden_id == wid,
                PatrolDay.day == day,
                _day_where(actor),
            ),
        )
        if head.empty:
            raise NotFoundError(
                f"Plan {plan_id} has no working day {day} for that warden."
            )
        stops = _with_progress(
            conn,
            plan,
            _stops(conn, plan_id, PatrolDay.id == int(head["id"].iloc[0])),
            today,
        )
        who = _wardens(conn, [wid]).get(wid, {})
    h = head.iloc[0]
    base = h.geometry
    out_stops = []
    for r in stops.itertuples():
        g = r.geometry
        lng, lat = (g.x, g.y) if g is not None and not g.is_empty else (None, None)
        out_stops.append(
            {
                "seq": int(r.seq),
                "stop_id": int(r.stop_id),
                "enterprise_id": int(r.enterprise_id),
                "uscc": r.uscc,
                "name": r.name,
                "address": r.address,
                "risk_level": r.risk_level,
                "due_on": r.due_on,
                "days_late": int(r.days_late),
                "reason_text": r.reason_text,
                "leg_m": None if pd.isna(r.leg_m) else round(float(r.leg_m)),
                "cum_m": None if pd.isna(r.cum_m) else round(float(r.cum_m)),
                "lng": lng,
                "lat": lat,
                "status": r.status,
                "inspected_on": r.inspected_on,
                "inspector": r.inspector,
                "nav": navigation_links(lng, lat, r.name) if lng is not None else None,
            }
        )
    counts = pd.Series([s["status"] for s in out_stops]).value_counts().to_dict()
    result = {
        "plan": plan,
        "warden": {"id": wid, **who},
        "day": day,
        "day_name": h["day_name"],
        "capacity": int(h["capacity"]),
        "base": None
        if base is None
        else {"lng": base.x, "lat": base.y, "source": h["base_source"]},
        "total_m": None if pd.isna(h["total_m"]) else round(float(h["total_m"])),
        "return_m": None if pd.isna(h["return_m"]) else round(float(h["return_m"])),
        "stops": out_stops,
        "counts": {str(k): int(v) for k, v in counts.items()},
    }
    result["geojson"] = route_geojson(result)
    return result


def _as_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(
            f"{value!r} is not a date; write it as 2026-12-01."
        ) from None


def warden_today(ctx: Context, actor: Actor, day=None, today=None) -> dict:
    """The signed-in warden's route of ``day`` (default today) from the plan
    regenerated last among those of their street that plan that day; with
    ``plan`` None and no stops when no plan covers it."""
    if actor.role != "warden":
        raise InvalidInputError("Only a warden has a route of the day.")
    today = today or _today()
    day = _as_day(day) if day is not None else today
    with ctx.engine.connect() as conn:
        plan_id = conn.execute(
            sa.select(PatrolPlan.id)
            .join(PatrolDay, PatrolDay.plan_id == PatrolPlan.id)
            .where(
                PatrolPlan.street_code == actor.scope_code,
                PatrolDay.warden_id == actor.warden_id,
                PatrolDay.day == day,
            )
            .order_by(PatrolPlan.updated_at.desc(), PatrolPlan.id.desc())
            .limit(1)
        ).scalar()
    if plan_id is None:
        return {"plan": None, "day": day, "stops": [], "counts": {}, "geojson": None}
    return day_route(ctx, actor, plan_id, actor.warden_id, day, today=today)
