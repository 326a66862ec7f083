"""Read stored patrol plans: list, overview with plan vs done, one warden-day's
route, a warden's route of today.

Who sees what (scope in SQL): a street office its street's plans; the bureau,
admins and the command line every plan; a warden only their own warden-days of
their street's plans. A plan or day outside that is "not found" (404).
Plan vs done is matched on every read (:mod:`gridwatch.patrol.progress`), so it
always reflects the inspections recorded so far.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, Inspection, User, Warden
from gridwatch.db.models_street import (
    PatrolDay,
    PatrolPlan,
    PatrolStop,
    PatrolUnplanned,
)
from gridwatch.db.queries import read_frame, wkb
from gridwatch.errors import NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.timeutil import today as _today


def _plan_where(actor: Actor):
    if actor.sees_district:
        return sa.true()
    return PatrolPlan.street_code == actor.scope_code


def _day_where(actor: Actor):
    """Warden-days an actor may read."""
    if actor.role == "warden":
        return PatrolDay.warden_id == actor.warden_id
    return sa.true()


def _plan(conn, actor: Actor, plan_id: int) -> dict:
    row = conn.execute(
        sa.select(PatrolPlan).where(PatrolPlan.id == plan_id, _plan_where(actor))
    ).first()
    if row is None:
        raise NotFoundError(f"There is no patrol plan {plan_id} in your area.")
    p = row._mapping
    return {
        "plan": p["id"],
        "street": p["street_code"],
        "starts_on": p["starts_on"],
        "ends_on": p["ends_on"],
        "days": p["days"],
        "visits_per_day": p["visits_per_day"],
        "revision": p["revision"],
        "made_on": p["made_on"],
        "updated_at": p["updated_at"],
        "updated_by": p["updated_by"],
        "summary": p["summary"] or {},
    }


def list_plans(ctx: Context, actor: Actor, limit: int = 50) -> list[dict]:
    """Plans in the actor's area, newest window first (a warden: their street's)."""
    with ctx.engine.connect() as conn:
        ids = conn.execute(
            sa.select(PatrolPlan.id)
            .where(_plan_where(actor))
            .order_by(PatrolPlan.starts_on.desc(), PatrolPlan.id.desc())
            .limit(limit)
        ).scalars()
        return [_plan(conn, actor, i) for i in ids]


def _stops(conn, plan_id: int, where) -> pd.DataFrame:
    """Stops of a plan with their day, warden and enterprise."""
    stmt = (
        sa.select(
            PatrolStop.id.label("stop_id"),
            PatrolStop.seq,
            PatrolStop.enterprise_id,
            PatrolStop.visit_no,
            PatrolStop.risk_level,
            PatrolStop.due_on,
            PatrolStop.days_late,
            PatrolStop.days_overdue,
            PatrolStop.reasons,
            PatrolStop.reason_text,
            PatrolStop.leg_m,
            PatrolStop.cum_m,
            PatrolStop.is_dropped,
            PatrolDay.id.label("day_id"),
            PatrolDay.day,
            PatrolDay.warden_id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.address,
            wkb(Enterprise.geom),
        )
        .join(PatrolDay, PatrolDay.id == PatrolStop.day_id)
        .join(Enterprise, Enterprise.id == PatrolStop.enterprise_id)
        .where(PatrolStop.plan_id == plan_id, where)
        .order_by(PatrolDay.warden_id, PatrolDay.day, PatrolStop.seq)
    )
    return read_frame(conn, stmt)


def _inspections(conn, plan: dict, enterprise_ids) -> pd.DataFrame:
    if not len(enterprise_ids):
        return pd.DataFrame(
            columns=["inspection_id", "enterprise_id", "inspected_on", "inspector"]
        )
    rows = conn.execute(
        sa.select(
            Inspection.id,
            Inspection.enterprise_id,
            Inspection.inspected_on,
            User.username,
        )
        .outerjoin(User, User.id == Inspection.inspector_id)
        .where(
            Inspection.enterprise_id.in_(
                sa.select(PatrolStop.enterprise_id).where(
                    PatrolStop.plan_id == plan["plan"]
                )
            ),
            Inspection.inspected_on >= plan["starts_on"],
            Inspection.inspected_on <= plan["ends_on"],
        )
    ).all()
    return pd.DataFrame(
        rows, columns=["inspection_id", "enterprise_id", "inspected_on", "inspector"]
    )


def _with_progress(conn, plan: dict, stops: pd.DataFrame, today) -> pd.DataFrame:
    """Stops with ``status``, ``inspection_id``, ``inspected_on``, ``inspector``.

    Matching runs over all of the plan's stops of the enterprises concerned, so a
    filtered view (one warden-day) agrees with the whole plan's."""
    from gridwatch.patrol.progress import match_visits

    if stops.empty:
        for c in ("status", "inspection_id", "inspected_on", "inspector"):
            stops[c] = pd.Series(dtype=object)
        return stops
    every = conn.execute(
        sa.select(PatrolStop.id, PatrolStop.enterprise_id, PatrolDay.day)
        .join(PatrolDay, PatrolDay.id == PatrolStop.day_id)
        .where(
            PatrolStop.plan_id == plan["plan"],
            PatrolStop.enterprise_id.in_(sorted(set(stops["enterprise_id"]))),
        )
    ).all()
    every = pd.DataFrame(every, columns=["stop_id", "enterprise_id", "day"])
    done = _inspections(conn, plan, every["enterprise_id"])
    matched = match_visits(every, done, today).set_index("stop_id")
    out = stops.copy()
    for c in ("status", "inspection_id", "inspected_on", "inspector"):
        out[c] = out["stop_id"].map(matched[c])
    return out


def _wardens(conn, ids) -> dict:
    rows = conn.execute(
        sa.select(Warden.id, User.username, User.full_name, Warden.phone)
        .join(User, User.id == Warden.user_id)
        .where(Warden.id.in_([int(i) for i in ids] or [-1]))
    ).all()
    return {
        r.id: {"username": r.username, "name": r.full_name, "phone": r.phone}
        for r in rows
    }


def plan_overview(
    ctx: Context, actor: Actor, plan_id: int, today: dt.date | None = None
) -> dict:
    """A plan with plan vs done per warden-day and its unplanned visits.

    Returns
    -------
    dict
        The plan's header (``plan, street, starts_on, ends_on, days,
        visits_per_day, revision, made_on, updated_at, updated_by, summary``),
        ``days`` (per warden-day: ``warden`` (username), ``name``, ``day``,
        ``day_name``, ``capacity``, ``planned`` and the counts ``done``,
        ``done_other_day``, ``pending``, ``missed``, ``route_km``), ``totals``
        (the same counts over the plan) and ``unplanned`` (enterprise, warden,
        due date, reasons, why it did not fit).
    """
    today = today or _today()
    with ctx.engine.connect() as conn:
        plan = _plan(conn, actor, plan_id)
        days = pd.DataFrame(
            conn.execute(
                sa.select(
                    PatrolDay.id,
                    PatrolDay.warden_id,
                    PatrolDay.day,
                    PatrolDay.day_name,
                    PatrolDay.capacity,
                    PatrolDay.n_planned,
                    PatrolDay.total_m,
                )
                .where(PatrolDay.plan_id == plan_id, _day_where(actor))
                .order_by(PatrolDay.warden_id, PatrolDay.day)
            ).all(),
            columns=[
                "day_id",
                "warden_id",
                "day",
                "day_name",
                "capacity",
                "planned",
                "total_m",
            ],
        )
        stops = _with_progress(
            conn, plan, _stops(conn, plan_id, _day_where(actor)), today
        )
        people = _wardens(conn, days["warden_id"].unique())
        unplanned = _unplanned(conn, plan_id, actor)
    plan["days_detail"] = _day_rows(days, stops, people)
    keys = ("planned", "done", "done_other_day", "pending", "missed")
    plan["totals"] = {k: int(sum(d[k] for d in plan["days_detail"])) for k in keys}
    plan["unplanned"] = unplanned
    return plan


def _day_rows(days, stops, people) -> list[dict]:
    counts = (
        stops.groupby(["day_id", "status"]).size().unstack(fill_value=0)
        if len(stops)
        else pd.DataFrame()
    )
    rows = []
    for d in days.itertuples():
        c = counts.loc[d.day_id] if d.day_id in counts.index else {}
        who = people.get(d.warden_id, {})
        rows.append(
            {
                "warden": who.get("username"),
                "name": who.get("name"),
                "warden_id": int(d.warden_id),
                "day": d.day,
                "day_name": d.day_name,
                "capacity": int(d.capacity),
                "planned": int(d.planned),
                **{
                    k: int(c.get(k, 0))
                    for k in ("done", "done_other_day", "pending", "missed")
                },
                "route_km": None if pd.isna(d.total_m) else round(d.total_m / 1000, 1),
            }
        )
    return rows


def _unplanned(conn, plan_id: int, actor: Actor) -> list[dict]:
    from gridwatch.patrol import NOT_PLANNED

    u = PatrolUnplanned
    where = u.warden_id == actor.warden_id if actor.role == "warden" else sa.true()
    rows = conn.execute(
        sa.select(
            u.enterprise_id,
            u.warden_id,
            u.visit_no,
            u.risk_level,
            u.due_on,
            u.days_overdue,
            u.reason_text,
            u.not_planned,
            Enterprise.uscc,
            Enterprise.name,
            User.username,
        )
        .join(Enterprise, Enterprise.id == u.enterprise_id)
        .outerjoin(Warden, Warden.id == u.warden_id)
        .outerjoin(User, User.id == Warden.user_id)
        .where(u.plan_id == plan_id, where)
        .order_by(u.due_on, u.enterprise_id)
    ).all()
    return [
        {
            "enterprise_id": r.enterprise_id,
            "uscc": r.uscc,
            "name": r.name,
            "warden": r.username,
            "visit_no": r.visit_no,
            "risk_level": r.risk_level,
            "due_on": r.due_on,
            "days_overdue": r.days_overdue,
            "reason_text": r.reason_text,
            "not_planned": r.not_planned,
            "not_planned_text": NOT_PLANNED.get(r.not_planned, r.not_planned),
        }
        for r in rows
    ]


def plan_progress(
    ctx: Context,
    actor: Actor,
    plan_id: int,
    *,
    warden: str | None = None,
    day: dt.date | None = None,
    today: dt.date | None = None,
) -> list[dict]:
    """Every stop of a plan (optionally one warden's, one day's) with its status:
    ``warden, day, seq, enterprise_id, uscc, name, risk_level, due_on,
    reason_text, status, inspected_on, inspector``."""
    today = today or _today()
    with ctx.engine.connect() as conn:
        plan = _plan(conn, actor, plan_id)
        where = [_day_where(actor)]
        if warden is not None:
            wid = _warden_id(conn, warden)
            where.append(PatrolDay.warden_id == wid)
        if day is not None:
            where.append(PatrolDay.day == day)
        stops = _with_progress(
            conn, plan, _stops(conn, plan_id, sa.and_(*where)), today
        )
        people = _wardens(conn, stops["warden_id"].unique())
    return [
        {
            "warden": people.get(r.warden_id, {}).get("username"),
            "day": r.day,
            "seq": int(r.seq),
            "enterprise_id": int(r.enterprise_id),
            "uscc": r.uscc,
            "name": r.name,
            "risk_level": r.risk_level,
            "due_on": r.due_on,
            "days_late": int(r.days_late),
            "reason_text": r.reason_text,
            "status": r.status,
            "inspected_on": r.inspected_on,
            "inspector": r.inspector,
        }
        for r in stops.itertuples()
    ]


def _warden_id(conn, username: str) -> int:
    wid = conn.execute(
        sa.select(Warden.id)
        .join(User, User.id == Warden.user_id)
        .where(User.username == username)
    ).scalar()
    if wid is None:
        raise NotFoundError(f"There is no warden called {username}.")
    return int(wid)
