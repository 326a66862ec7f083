"""Load the records the bureau's figures are counted from, in the actor's scope.

:func:`load_records` reads every frame of
:class:`gridwatch.analytics.bureau.Records` with the scope's ``WHERE`` in SQL
(:mod:`gridwatch.services.scope`): the bureau reads the district, a street office
its own street. The dashboard, the assessment and the report all go through it,
so they count the same rows.

Supervision records (hazard listing dates, campaigns) are read through one
function each (:func:`_hazards`, :func:`_campaigns`): while the supervision
loop's tables are not in this database, the listing date falls back to the day
found and campaigns are "no records" (shown as —), never an invented zero.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.analytics.bureau import Records, empty_frame
from gridwatch.db import models as m
from gridwatch.db.models_bureau import (
    Accident,
    AnnualTarget,
    HazardDeclaration,
    SafetyOfficer,
    StandardisationRecord,
)
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import code_within, enterprise_clause, grid_clause
from gridwatch.timeutil import today as local_today

__all__ = ["DASHBOARD_ROLES", "district_code", "load_records", "read_towns"]

#: Who may read the bureau's figures: the bureau (district) and street offices
#: (their own street); the command line as system.
DASHBOARD_ROLES = ("bureau", "street_office")


def _frame(conn, stmt, name: str) -> pd.DataFrame:
    result = conn.execute(stmt)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if frame.empty:
        return empty_frame(name).assign(
            **{c: pd.Series(dtype=object) for c in frame.columns}
        )
    return frame


def _scope_ids(actor: Actor):
    return sa.select(m.Enterprise.id).where(enterprise_clause(actor))


def district_code(conn) -> str:
    """The district's code (the one ``district`` admin unit; ``""`` if none)."""
    code = conn.execute(
        sa.select(m.AdminUnit.code).where(m.AdminUnit.level == "district")
    ).scalar()
    return code or ""


def read_towns(ctx: Context, actor: Actor) -> pd.DataFrame:
    """Towns/streets in the actor's scope: ``code``, ``name`` (by code)."""
    with ctx.engine.connect() as conn:
        return _towns(conn, actor)


def _towns(conn, actor: Actor) -> pd.DataFrame:
    stmt = sa.select(m.AdminUnit.code, m.AdminUnit.name).where(
        m.AdminUnit.level == "town"
    )
    if not actor.sees_district:
        stmt = stmt.where(m.AdminUnit.code == actor.scope_code)
    return _frame(conn, stmt.order_by(m.AdminUnit.code), "towns")


def _enterprises(conn, actor: Actor) -> pd.DataFrame:
    e = m.Enterprise
    stmt = sa.select(
        e.id.label("enterprise_id"),
        e.uscc,
        e.name,
        e.town_code,
        e.risk_level,
        e.registered_on,
        e.created_at.label("entered_at"),
        e.address,
        e.sector,
    ).where(enterprise_clause(actor))
    frame = _frame(conn, stmt, "enterprises")
    stamps = pd.to_datetime(frame.pop("entered_at"), errors="coerce")
    # created_at is naive UTC: the day it entered is Beijing's day
    local = stamps.dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai")
    frame["entered_on"] = [None if pd.isna(t) else t.date() for t in local]
    return frame


def _inspections(conn, actor: Actor, end: dt.date) -> pd.DataFrame:
    i, e = m.Inspection, m.Enterprise
    stmt = (
        sa.select(i.enterprise_id, e.uscc, i.inspected_on, i.kind)
        .join(e, e.id == i.enterprise_id)
        .where(i.inspected_on <= end, i.enterprise_id.in_(_scope_ids(actor)))
    )
    return _frame(conn, stmt, "inspections")


def _optional(model, name: str, label: str | None = None):
    """A column the supervision loop adds, or NULL while it is not there."""
    col = getattr(model, name, None)
    return (col if col is not None else sa.null()).label(label or name)


def _hazards(conn, actor: Actor, end: dt.date) -> pd.DataFrame:
    h = m.Hazard
    stmt = sa.select(
        h.id.label("hazard_id"),
        h.enterprise_id,
        h.level,
        h.category,
        h.found_on,
        h.deadline,
        h.rectified_on,
        h.closed_on,
        h.status,
        h.is_listed,
        _optional(h, "listed_on"),
        _optional(h, "listing_deadline"),
        h.description,
    ).where(h.found_on <= end, h.enterprise_id.in_(_scope_ids(actor)))
    frame = _frame(conn, stmt, "hazards")
    frame["is_listed"] = frame["is_listed"].fillna(False).astype(bool)
    return frame


def _penalties(conn, actor: Actor, start: dt.date, end: dt.date) -> pd.DataFrame:
    p = m.Penalty
    stmt = sa.select(
        p.id.label("penalty_id"),
        p.enterprise_id,
        p.decided_on,
        p.kind,
        p.amount_yuan,
        p.decision_no,
    ).where(
        p.decided_on >= start,
        p.decided_on <= end,
        p.enterprise_id.in_(_scope_ids(actor)),
    )
    frame = _frame(conn, stmt, "penalties")
    frame["amount_yuan"] = pd.to_numeric(frame["amount_yuan"]).fillna(0.0)
    return frame


def _self_reports(conn, actor: Actor, start: dt.date, end: dt.date) -> pd.DataFrame:
    s, e = m.SelfReport, m.Enterprise
    stmt = (
        sa.select(e.uscc, s.month, s.submitted_on)
        .join(e, e.id == s.enterprise_id)
        .where(
            s.month >= f"{start:%Y-%m}",
            s.month <= f"{end:%Y-%m}",
            s.enterprise_id.in_(_scope_ids(actor)),
        )
    )
    return _frame(conn, stmt, "self_reports")


def _accidents(conn, actor: Actor, start: dt.date, end: dt.date) -> pd.DataFrame:
    a = Accident
    stmt = sa.select(
        a.id.label("accident_id"),
        a.ref,
        a.occurred_on,
        a.town_code,
        a.place,
        a.grade,
        a.deaths,
        a.serious_injuries,
        a.direct_loss_yuan,
        a.enterprise_id,
        a.description,
    ).where(a.occurred_on >= start, a.occurred_on <= end)
    if not actor.sees_district:
        stmt = stmt.where(a.town_code == actor.scope_code)
    return _frame(conn, stmt.order_by(a.occurred_on, a.id), "accidents")


def _foundations(conn, actor: Actor) -> dict[str, pd.DataFrame]:
    ids = _scope_ids(actor)
    s, d, o = StandardisationRecord, HazardDeclaration, SafetyOfficer
    return {
        "standardisation": _frame(
            conn,
            sa.select(s.enterprise_id, s.status, s.level, s.done_on).where(
                s.enterprise_id.in_(ids)
            ),
            "standardisation",
        ),
        "declarations": _frame(
            conn,
            sa.select(d.enterprise_id, d.year, d.status, d.declared_on).where(
                d.enterprise_id.in_(ids)
            ),
            "declarations",
        ),
        "officers": _frame(
            conn,
            sa.select(
                o.id.label("officer_id"), o.enterprise_id, o.name, o.trained_on
            ).where(o.enterprise_id.in_(ids)),
            "officers",
        ),
    }


def _targets(conn, start: dt.date, end: dt.date) -> pd.DataFrame:
    t = AnnualTarget
    stmt = sa.select(t.year, t.indicator, t.unit_code, t.value).where(
        t.year >= start.year, t.year <= end.year
    )
    return _frame(conn, stmt, "targets")


def _grids(conn, actor: Actor) -> pd.DataFrame:
    v, g = m.GridVersion, m.Grid
    versions = pd.DataFrame(
        conn.execute(
            sa.select(v.id, v.activated_at).where(v.activated_at.isnot(None))
        ).all(),
        columns=["version_id", "activated_at"],
    ).sort_values("activated_at")
    # exactly one version is active at a time: each is retired when the next is
    # activated
    versions["retired_at"] = versions["activated_at"].shift(-1)
    frame = _frame(
        conn,
        sa.select(g.version_id, g.code).where(
            g.version_id.in_(versions["version_id"].tolist() or [-1]),
            grid_clause(actor),
        ),
        "grids",
    )
    info = versions.set_index("version_id")
    for col, out in (("activated_at", "activated_on"), ("retired_at", "retired_on")):
        stamps = pd.to_datetime(frame["version_id"].map(info[col]), errors="coerce")
        frame[out] = [None if pd.isna(t) else t.date() for t in stamps]
    return frame


def _grid_wardens(conn, actor: Actor, end: dt.date) -> pd.DataFrame:
    gw = m.GridWarden
    stmt = sa.select(gw.grid_code, gw.warden_id, gw.valid_from, gw.valid_to).where(
        gw.role == "responsible", gw.valid_from <= end
    )
    if actor.role == "street_office":
        stmt = stmt.where(code_within(gw.grid_code, actor.scope_code))
    return _frame(conn, stmt, "grid_wardens")


def _campaigns(conn, actor: Actor):
    """(campaigns, targets) of the supervision loop's tables, or (None, None)
    while this database has none (wire to the supervision service when it lands)."""
    campaign = getattr(m, "Campaign", None)
    target = getattr(m, "CampaignTarget", None)
    if campaign is None or target is None:
        return None, None
    camps = _frame(
        conn,
        sa.select(campaign.id.label("campaign_id"), campaign.name, campaign.spec),
        "campaigns",
    )
    targets = _frame(
        conn,
        sa.select(target.campaign_id, target.enterprise_id).where(
            target.enterprise_id.in_(_scope_ids(actor))
        ),
        "campaign_targets",
    )
    return camps, targets


def load_records(
    ctx: Context,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
) -> Records:
    """Every record the figures of ``start``..``end`` need, in the actor's scope.

    Pass the start of the earliest period wanted (the previous year's, for a
    comparison). Inspections and hazards are read up to ``end`` from the
    beginning (coverage needs each enterprise's last inspection before the
    period; overdue hazards may have been found years ago).

    Raises
    ------
    PermissionDeniedError
        A warden or an admin (the figures are the bureau's and the street
        offices').
    """
    require_role(actor, *DASHBOARD_ROLES, action="Reading the bureau's figures")
    with ctx.engine.connect() as conn:
        campaigns, campaign_targets = _campaigns(conn, actor)
        return Records(
            district_code=district_code(conn),
            due_days=dict(ctx.settings.due_days),
            today=today or local_today(),
            towns=_towns(conn, actor),
            enterprises=_enterprises(conn, actor),
            inspections=_inspections(conn, actor, end),
            hazards=_hazards(conn, actor, end),
            penalties=_penalties(conn, actor, start, end),
            self_reports=_self_reports(conn, actor, start, end),
            accidents=_accidents(conn, actor, start, end),
            targets=_targets(conn, start, end),
            grids=_grids(conn, actor),
            grid_wardens=_grid_wardens(conn, actor, end),
            campaigns=campaigns,
            campaign_targets=campaign_targets,
            scope_town=None if actor.sees_district else actor.scope_code,
            # the supervision loop's setting (day of the next month a report is
            # due); 10, the city system's rule, where this build has no setting
            self_report_due_day=int(getattr(ctx.settings, "self_report_due_day", 10)),
            **_foundations(conn, actor),
        )
