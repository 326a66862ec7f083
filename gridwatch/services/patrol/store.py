"""Store a computed patrol plan: insert it, or replace the plan of the same window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models_street import (
    PatrolDay,
    PatrolPlan,
    PatrolStop,
    PatrolUnplanned,
)
from gridwatch.db.queries import bulk_insert
from gridwatch.services.actor import Actor
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.timeutil import utcnow


def _num(v):
    """A stored number: None for NaN, plain Python otherwise."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _summary(window, k, due, plan, itin, staff, facts) -> dict:
    unplanned = plan.unplanned
    per = []
    names = dict(zip(staff["warden"], staff["username"]))
    for w in staff["warden"]:
        mine = plan.planned[plan.planned["warden"] == w]
        days = plan.days[plan.days["warden"] == w]
        routes = itin.days[itin.days["warden"] == w]
        per.append(
            {
                "warden": names[w],
                "working_days": len(days),
                "capacity": int(days["capacity"].sum()),
                "planned": len(mine),
                "late": int(mine["is_late"].sum()),
                "unplanned": int((unplanned["warden"] == w).sum()),
                "route_km": round(float(routes["total_m"].sum()) / 1000, 1),
            }
        )
    reasons = unplanned["not_planned_reason"].value_counts()
    return {
        "window": [window.start.isoformat(), window.end.isoformat()],
        "days": window.days,
        "visits_per_day": k,
        "counts": {
            "due": len(due),
            "planned": len(plan.planned),
            "late": int(plan.planned["is_late"].sum()) if len(plan.planned) else 0,
            "unplanned": len(unplanned),
            "unplanned_reasons": {str(a): int(b) for a, b in reasons.items()},
            "wardens": len(staff),
            "routes": len(itin.days),
            "route_km": round(float(itin.days["total_m"].sum()) / 1000, 1),
            "routes_hit_time_limit": int(itin.days["hit_time_limit"].sum())
            if len(itin.days)
            else 0,
        },
        "due_reasons": facts["due_reasons"],
        "wardens": per,
        "holidays": facts["holidays"],
        "warnings": facts["warnings"],
        "left_out": facts["left_out"],
        "notes": facts["notes"],
        "seconds": facts["seconds"],
    }


def _plan_row(s, street, window, k, summary, actor, version) -> tuple[PatrolPlan, bool]:
    plan = s.scalar(
        sa.select(PatrolPlan).where(
            PatrolPlan.street_code == street,
            PatrolPlan.starts_on == window.start,
            PatrolPlan.days == window.days,
        )
    )
    now = utcnow()
    if plan is None:
        plan = PatrolPlan(
            street_code=street,
            starts_on=window.start,
            ends_on=window.end,
            days=window.days,
            revision=1,
            created_by=actor.audit_name,
            created_at=now,
        )
        s.add(plan)
        replaced = False
    else:
        record(
            s,
            "replace",
            "patrol_plans",
            str(plan.id),
            {"revision": plan.revision, **(plan.summary or {}).get("counts", {})},
            {"revision": plan.revision + 1, **summary["counts"]},
        )
        conn = s.connection()
        for model in (PatrolStop, PatrolUnplanned, PatrolDay):
            conn.execute(sa.delete(model).where(model.plan_id == plan.id))
        plan.revision += 1
        replaced = True
    plan.visits_per_day = k
    plan.made_on = window.today
    plan.grid_version_id = version
    plan.summary = summary
    plan.params = {"holidays": summary["holidays"], "visits_per_day": k}
    plan.updated_at, plan.updated_by = now, actor.audit_name
    s.flush()
    return plan, replaced


def _days_rows(plan_id, plan, itin, bases) -> pd.DataFrame:
    routes = itin.days.set_index(["warden", "date"])
    base = dict(zip(bases["warden"], bases.geometry))
    source = dict(zip(bases["warden"], bases["base_source"]))
    rows = []
    for d in plan.days.itertuples():
        r = (
            routes.loc[(d.warden, d.date)]
            if (d.warden, d.date) in routes.index
            else None
        )
        rows.append(
            {
                "plan_id": plan_id,
                "warden_id": int(d.warden),
                "day": d.date,
                "capacity": int(d.capacity),
                "n_planned": int(d.n_planned),
                "day_name": d.day_name,
                "base": base.get(d.warden),
                "base_source": source.get(d.warden),
                "total_m": None if r is None else _num(r["total_m"]),
                "return_m": None if r is None else _num(r["return_m"]),
                "solve_s": None if r is None else _num(r["solve_s"]),
                "route_status": None if r is None else r["status"],
                "hit_time_limit": bool(False if r is None else r["hit_time_limit"]),
            }
        )
    return pd.DataFrame(rows)


def _stop_rows(plan_id, planned, itin, day_ids) -> pd.DataFrame:
    stops = itin.stops.merge(
        planned.drop(columns=["enterprise_id"]), on=["visit_id", "warden"], how="left"
    )
    return pd.DataFrame(
        {
            "plan_id": plan_id,
            "day_id": [
                day_ids[(int(w), d)] for w, d in zip(stops["warden"], stops["date"])
            ],
            "seq": stops["seq"].astype(int).to_numpy(),
            "enterprise_id": stops["enterprise_id"].astype(int).to_numpy(),
            "visit_no": stops["visit_no"].astype(int).to_numpy(),
            "risk_level": stops["risk_level"].to_numpy(),
            "due_on": list(stops["due_on"]),
            "earliest_on": [None if pd.isna(x) else x for x in stops["earliest_on"]],
            "days_overdue": stops["days_overdue"].astype(int).to_numpy(),
            "days_late": stops["days_late"].astype(int).to_numpy(),
            "reasons": [list(r) for r in stops["reasons"]],
            "reason_text": stops["reason_text"].to_numpy(),
            "leg_m": [_num(x) for x in stops["leg_m"]],
            "cum_m": [_num(x) for x in stops["cum_m"]],
            "is_dropped": stops["is_dropped"].astype(bool).to_numpy(),
        }
    )


def _unplanned_rows(plan_id, unplanned) -> pd.DataFrame:
    u = unplanned
    return pd.DataFrame(
        {
            "plan_id": plan_id,
            "enterprise_id": u["enterprise_id"].astype(int).to_numpy(),
            "warden_id": [None if pd.isna(w) else int(w) for w in u["warden"]],
            "visit_no": u["visit_no"].astype(int).to_numpy(),
            "risk_level": u["risk_level"].to_numpy(),
            "due_on": list(u["due_on"]),
            "days_overdue": u["days_overdue"].astype(int).to_numpy(),
            "reasons": [list(r) for r in u["reasons"]],
            "reason_text": u["reason_text"].to_numpy(),
            "not_planned": u["not_planned_reason"].to_numpy(),
        }
    )


def store_plan(ctx: Context, actor: Actor, street, window, k, frames) -> dict:
    """Insert the plan, or replace the stored plan of the same street and window,
    in one transaction; return its summary with ``plan``, ``revision`` and
    ``replaced``."""
    from gridwatch.services.grids import active_version_id

    _ents, staff, bases, due, plan, itin, facts = frames
    summary = _summary(window, k, due, plan, itin, staff, facts)
    with ctx.transaction(actor) as s:
        conn = s.connection()
        version = active_version_id(conn)
        row, replaced = _plan_row(s, street, window, k, summary, actor, version)
        bulk_insert(conn, "patrol_days", _days_rows(row.id, plan, itin, bases))
        day_ids = {
            (r.warden_id, r.day): r.id
            for r in conn.execute(
                sa.select(PatrolDay.id, PatrolDay.warden_id, PatrolDay.day).where(
                    PatrolDay.plan_id == row.id
                )
            )
        }
        if len(itin.stops):
            bulk_insert(
                conn, "patrol_stops", _stop_rows(row.id, plan.planned, itin, day_ids)
            )
        if len(plan.unplanned):
            bulk_insert(
                conn, "patrol_unplanned", _unplanned_rows(row.id, plan.unplanned)
            )
        return {
            "plan": row.id,
            "revision": row.revision,
            "replaced": replaced,
            "street": street,
            **summary,
        }
