"""Supervision work lists: the to-do's supervision parts, the overdue and listed
lists, non-reporting enterprises.

The warden's (and street office's) to-do is one: :func:`gridwatch.services.todo.todo`
lists the enterprises that need something (an inspection due, a hazard due, a
running campaign's target still short — :func:`enterprise_flags` —, a missing
monthly self-report); :func:`supervision_todo` adds the sections that are not
enterprises: hazards by deadline, rectifications awaiting re-inspection, new
tip-offs.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch.db.models import (
    Campaign,
    Enterprise,
    EnterpriseGrid,
    GridWarden,
    SelfReport,
    User,
    Warden,
)
from gridwatch.db.queries import effective_on
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.supervision.campaigns import campaign_state
from gridwatch.services.supervision.common import Page, plain, the_day
from gridwatch.services.supervision.hazard_list import list_hazards
from gridwatch.services.supervision.tipoffs import list_tipoffs
from gridwatch.supervision import due_date, non_reporters, outstanding, report_rates_by
from gridwatch.supervision.selfreports import parse_month

TODO_LIMIT = 200


def overdue_hazards(
    ctx: Context, actor: Actor, *, level=None, grid=None, town=None, page=1,
    per_page=50, on=None,
) -> Page:  # fmt: skip
    """Overdue hazards in the scope, most overdue first (the street office's
    overdue list; with ``level="major"`` the bureau's district-wide overdue majors).
    Items as :func:`~gridwatch.services.supervision.hazard_list.list_hazards`."""
    return list_hazards(
        ctx,
        actor,
        overdue=True,
        level=level,
        grid=grid,
        town=town,
        sort="deadline",
        page=page,
        per_page=per_page,
        on=on,
    )


def listed_hazards(
    ctx: Context, actor: Actor, *, include_delisted=False, page=1, per_page=50,
    on=None,
) -> Page:  # fmt: skip
    """Major hazards under listed supervision (挂牌督办); with ``include_delisted``
    also the delisted ones. Items as ``list_hazards``."""
    if include_delisted:
        return list_hazards(ctx, actor, ever_listed=True, page=page,
                            per_page=per_page, on=on)  # fmt: skip
    return list_hazards(ctx, actor, listed=True, page=page, per_page=per_page, on=on)


def last_due_month(on: dt.date, due_day: int) -> str:
    """The latest month whose report was due before ``on`` (``YYYY-MM``)."""
    month = pd.Period(on, freq="M") - 1
    if due_date(month, due_day) >= on:
        month -= 1
    return str(month)


def _scope_enterprises(conn, actor: Actor, day: dt.date, grid) -> pd.DataFrame:
    eg = aliased(EnterpriseGrid)
    gw = aliased(GridWarden)
    stmt = (
        sa.select(Enterprise.id, Enterprise.uscc, Enterprise.name,
                  Enterprise.registered_on, Enterprise.town_code, eg.grid_code,
                  User.username.label("warden_username"))
        .outerjoin(eg, sa.and_(eg.enterprise_id == Enterprise.id,
                               effective_on(eg, day)))
        .outerjoin(gw, sa.and_(gw.grid_code == eg.grid_code, gw.role == "responsible",
                               effective_on(gw, day)))
        .outerjoin(Warden, Warden.id == gw.warden_id)
        .outerjoin(User, User.id == Warden.user_id)
        .where(enterprise_clause(actor, day))
    )  # fmt: skip
    if grid:
        stmt = stmt.where(eg.grid_code == grid)
    rows = conn.execute(stmt).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=list(stmt.selected_columns.keys())
    )


def missing_reports(
    ctx: Context,
    actor: Actor,
    *,
    month: str | None = None,
    grid: str | None = None,
    on: dt.date | None = None,
) -> dict:
    """Enterprises in the scope with no self-report for ``month`` (default the
    latest month already due), per :func:`gridwatch.supervision.non_reporters`.

    Returns
    -------
    dict
        ``month``, ``due_on``, ``on``, ``expected``, ``submitted``, ``missing``,
        ``pending`` (counts); ``imported``: whether any report of the month is
        stored in the district (False: the month's export was not imported yet,
        so the list says who has no report stored, not who failed to report); ``items``: the non-reporters (``id``, ``uscc``,
        ``name``, ``grid_code``, ``town_code``, ``warden_username``, ``status``
        ``missing``/``pending``, ``is_past_due``); ``by_grid``: per grid
        ``grid_code``, ``expected``, ``reported``, ``late``, ``missing``,
        ``pending``, ``submitted``, ``share``.
    """
    require_role(actor, "warden", "street_office", "bureau",
                 action="Reading self-report returns")  # fmt: skip
    on = the_day(on)
    due_day = int(ctx.settings.self_report_due_day)
    month, ents, reports, imported = _month_returns(ctx, actor, month, grid, on)
    missing = non_reporters(ents, reports, month, on, due_day=due_day)
    rates = report_rates_by(ents, reports, month, on, "grid_code", due_day=due_day)
    missing = missing.sort_values(["grid_code", "uscc"], na_position="last")
    cols = ["id", "uscc", "name", "grid_code", "town_code", "warden_username",
            "status", "is_past_due"]  # fmt: skip
    totals = rates[["expected", "reported", "late", "missing", "pending"]].sum()
    return {
        "month": month,
        "due_on": due_date(month, due_day).isoformat(),
        "on": on.isoformat(),
        "expected": int(totals["expected"]),
        "submitted": int(totals["reported"] + totals["late"]),
        "missing": int(totals["missing"]),
        "pending": int(totals["pending"]),
        "imported": imported,
        "items": [plain(r) for r in missing[cols].to_dict("records")],
        "by_grid": [plain(r) for r in rates.to_dict("records")],
    }


def _month_returns(ctx: Context, actor: Actor, month, grid, on: dt.date):
    """(month ``YYYY-MM``, scope enterprises, their reports of the month as
    ``uscc``/``month``/``submitted_on``, whether any report of the month is
    stored in the district) for :func:`missing_reports` and the to-do flags."""
    due_day = int(ctx.settings.self_report_due_day)
    month = str(parse_month(month)) if month else last_due_month(on, due_day)
    day = min(on, parse_month(month).end_time.date())
    with ctx.engine.connect() as conn:
        ents = _scope_enterprises(conn, actor, day, grid)
        reps = conn.execute(
            sa.select(Enterprise.uscc, SelfReport.month, SelfReport.submitted_on)
            .join(Enterprise, Enterprise.id == SelfReport.enterprise_id)
            .where(SelfReport.month == month, enterprise_clause(actor, day))
        ).all()  # fmt: skip
        imported = (
            conn.execute(
                sa.select(SelfReport.id).where(SelfReport.month == month).limit(1)
            ).first()
            is not None
        )
    reports = pd.DataFrame([tuple(r) for r in reps],
                           columns=["uscc", "month", "submitted_on"])  # fmt: skip
    return month, ents, reports, imported


def _campaign_todo(ctx, actor: Actor, on: dt.date, grid, limit=TODO_LIMIT):
    with ctx.engine.connect() as conn:
        ids = list(conn.execute(
            sa.select(Campaign.id).where(Campaign.starts_on <= on,
                                         Campaign.ends_on >= on)
            .order_by(Campaign.ends_on, Campaign.id)).scalars())  # fmt: skip
    out = []
    for cid in ids:
        row, spec, targets, ins, _ = campaign_state(ctx, actor, cid, on)
        if grid:
            targets = targets[targets["grid_code"] == grid]
        left = outstanding(targets, ins, spec, on)
        if left.empty:
            continue
        left = left.sort_values(["grid_code", "uscc"], na_position="last")
        cols = ["id", "uscc", "name", "grid_code", "inspections", "still_needed"]
        out.append({
            "campaign_id": cid, "name": row.name, "ends_on": spec.end.isoformat(),
            "outstanding": len(left),
            "items": [plain(r) for r in (left[cols] if limit is None
                                         else left[cols].head(limit)).to_dict("records")],
        })  # fmt: skip
    return out


def enterprise_flags(
    ctx: Context, actor: Actor, *, on: dt.date, grid: str | None = None
) -> pd.DataFrame:
    """Per enterprise of the scope: the running campaigns it still falls short
    in, and the month of a missing self-report (the to-do's reasons).

    Returns
    -------
    DataFrame
        Indexed by enterprise id: ``campaigns`` (list of ``campaign_id``,
        ``name``, ``ends_on``, ``still_needed``; empty when none) and
        ``missing_report_month`` (``YYYY-MM`` or None): the latest month already
        due that has no report (``missing``, not ``pending``).
    """
    campaigns: dict[int, list] = {}
    for c in _campaign_todo(ctx, actor, on, grid, limit=None):
        for i in c["items"]:
            campaigns.setdefault(int(i["id"]), []).append({
                "campaign_id": c["campaign_id"], "name": c["name"],
                "ends_on": c["ends_on"], "still_needed": i["still_needed"]})  # fmt: skip
    # the non-reporters of missing_reports() without its per-grid rates and
    # item dicts (only who is "missing" matters here)
    on = the_day(on)
    month, ents, reports, imported = _month_returns(ctx, actor, None, grid, on)
    # no report of the month stored anywhere: its export was not imported, so
    # nobody can be said to have missed it
    months = {}
    if imported:
        late = non_reporters(ents, reports, month, on,
                             due_day=int(ctx.settings.self_report_due_day))  # fmt: skip
        months = {int(i): month for i in late.loc[late["status"] == "missing", "id"]}
    ids = sorted(set(campaigns) | set(months))
    return pd.DataFrame(
        {"campaigns": [campaigns.get(i, []) for i in ids],
         "missing_report_month": [months.get(i) for i in ids]},
        index=pd.Index(ids, name="id"), dtype=object,
    )  # fmt: skip


def supervision_todo(
    ctx: Context, actor: Actor, *, grid: str | None = None, on: dt.date | None = None
) -> dict:
    """The hazard and tip-off sections of a warden's (or street office's) to-do,
    judged on ``on`` (default today). The enterprise list of the to-do —
    inspections due, hazards due, campaign targets, missing self-reports — is
    :func:`gridwatch.services.todo.todo`; the page shows both.

    Returns
    -------
    dict
        ``on``; ``hazards``: unrectified hazards overdue or due within setting
        ``hazard_due_soon_days`` days, earliest deadline first (items as
        ``list_hazards``, at most 200); ``awaiting_reinspection``: rectified
        hazards waiting for their re-inspection; ``tipoffs``: new tip-offs in the
        scope, oldest first (items as ``list_tipoffs``); ``counts``: ``hazards``,
        ``overdue``, ``awaiting_reinspection``, ``tipoffs``,
        ``escalated_tipoffs``, ``campaign_targets`` (targets still short, over
        the running campaigns), ``non_reporters`` (latest month already due).
    """
    require_role(actor, "warden", "street_office", action="The to-do list")
    on = the_day(on)
    soon = int(ctx.settings.hazard_due_soon_days)
    hazards = list_hazards(ctx, actor, due_within=soon, grid=grid, sort="deadline",
                           per_page=TODO_LIMIT, on=on)  # fmt: skip
    waiting = list_hazards(ctx, actor, status="rectified", grid=grid, sort="found",
                           per_page=TODO_LIMIT, on=on)  # fmt: skip
    tips = list_tipoffs(ctx, actor, status="new", grid=grid, per_page=TODO_LIMIT,
                        on=on)  # fmt: skip
    flags = enterprise_flags(ctx, actor, on=on, grid=grid)
    return {
        "on": on.isoformat(),
        "hazards": hazards.items,
        "awaiting_reinspection": waiting.items,
        "tipoffs": tips.items,
        "counts": {
            "hazards": hazards.total,
            "overdue": list_hazards(ctx, actor, overdue=True, grid=grid, per_page=1,
                                    on=on).total,
            "awaiting_reinspection": waiting.total,
            "tipoffs": tips.total,
            "escalated_tipoffs": list_tipoffs(ctx, actor, status="new", grid=grid,
                                              escalated=True, per_page=1,
                                              on=on).total,
            "campaign_targets": int(flags["campaigns"].map(len).sum()),
            "non_reporters": int(flags["missing_report_month"].notna().sum()),
        },
    }  # fmt: skip
