"""Special campaigns (专项整治): define (the bureau), targets, progress, export.

Targets follow :func:`gridwatch.supervision.select_targets`. The spec's
conditions are first evaluated in SQL (:func:`target_where`: area, sectors, risk
levels, flags, a hazard of a category in the look-back window, registration), so
only candidate enterprises are read; ``select_targets`` then decides on that frame
(and numbers the selector each matched). The targets are fixed when the campaign
is created (``campaign_targets``), so progress keeps its denominator.

Progress follows :func:`gridwatch.supervision.progress` /
:func:`~gridwatch.supervision.enterprise_progress`: the targets in the actor's
scope, with the grid each is in on the day judged (at most the campaign's last
day), and their inspections in the period read in SQL.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch import vocab
from gridwatch.db.models import (
    Campaign,
    CampaignTarget,
    Enterprise,
    EnterpriseGrid,
    Hazard,
    Inspection,
)
from gridwatch.db.queries import bulk_insert, effective_on
from gridwatch.errors import NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.supervision.common import plain, the_day
from gridwatch.supervision import (
    CampaignSpec,
    enterprise_progress,
    is_running,
    preset_spec,
    progress,
    select_targets,
)

READERS = ("warden", "street_office", "bureau", "admin")
_ENT_COLUMNS = (
    Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.sector,
    Enterprise.risk_level, Enterprise.is_three_in_one, Enterprise.has_hazchem,
    Enterprise.town_code, Enterprise.community_code, Enterprise.registered_on,
)  # fmt: skip


def _selector_sql(sel, spec: CampaignSpec) -> sa.ColumnElement:
    conds = []
    if sel.sectors:
        conds.append(Enterprise.sector.in_(sorted(sel.sectors)))
    if sel.risk_levels:
        conds.append(Enterprise.risk_level.in_(sorted(sel.risk_levels)))
    for flag in ("is_three_in_one", "has_hazchem"):
        want = getattr(sel, flag)
        if want is not None:
            col = getattr(Enterprise, flag)
            conds.append(col.is_(True) if want else sa.not_(col.is_(True)))
    if sel.hazard_categories:
        since = spec.start - dt.timedelta(days=spec.hazard_lookback_days)
        conds.append(
            sa.exists().where(
                Hazard.enterprise_id == Enterprise.id,
                Hazard.category.in_(sorted(sel.hazard_categories)),
                Hazard.found_on >= since,
                Hazard.found_on < spec.start,
            )
        )
    return sa.and_(sa.true(), *conds)


def target_where(spec: CampaignSpec) -> list[sa.ColumnElement]:
    """The spec's conditions on ``Enterprise`` in SQL (the rule of
    :func:`gridwatch.supervision.select_targets`, module docstring)."""
    where = [sa.or_(Enterprise.registered_on.is_(None),
                    Enterprise.registered_on <= spec.end)]  # fmt: skip
    if spec.area_prefixes:
        code = sa.func.coalesce(Enterprise.community_code, Enterprise.town_code, "")
        where.append(sa.or_(*(code.startswith(p, autoescape=True)
                              for p in spec.area_prefixes)))  # fmt: skip
    if spec.selectors:
        where.append(sa.or_(*(_selector_sql(s, spec) for s in spec.selectors)))
    return where


def _frame(conn, where) -> pd.DataFrame:
    rows = conn.execute(sa.select(*_ENT_COLUMNS).where(*where)).all()
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=[c.key for c in _ENT_COLUMNS])  # fmt: skip
    for flag in ("is_three_in_one", "has_hazchem"):
        frame[flag] = frame[flag].astype(bool)
    return frame


def _hazards_for(conn, ids, spec: CampaignSpec) -> pd.DataFrame:
    since = spec.start - dt.timedelta(days=spec.hazard_lookback_days)
    rows = []
    ids = list(ids)
    for i in range(0, len(ids), 500):
        rows += conn.execute(
            sa.select(Enterprise.uscc, Hazard.category, Hazard.found_on)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(Hazard.enterprise_id.in_(ids[i:i + 500]),
                   Hazard.found_on >= since, Hazard.found_on < spec.start)
        ).all()  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["uscc", "category", "found_on"])  # fmt: skip


def campaign_targets(conn, spec: CampaignSpec) -> pd.DataFrame:
    """The enterprises ``spec`` targets: SQL narrows, ``select_targets`` decides."""
    cands = _frame(conn, target_where(spec))
    hazards = _hazards_for(conn, cands["id"], spec)
    return select_targets(cands, spec, hazards)


def _spec(preset, name, start, end, selectors, area_prefixes, min_inspections,
          inspection_kinds, lookback) -> CampaignSpec:  # fmt: skip
    kw = {"area_prefixes": tuple(area_prefixes or ()),
          "min_inspections": min_inspections,
          "inspection_kinds": frozenset(inspection_kinds or ()),
          "hazard_lookback_days": lookback}  # fmt: skip
    if name:
        kw["name"] = name
    if selectors is not None:
        kw["selectors"] = tuple(selectors)
    if preset:
        return preset_spec(preset, start, end, **kw)
    kw.setdefault("name", "")
    return CampaignSpec(start=start, end=end, **kw)


def create_campaign(
    ctx: Context,
    actor: Actor,
    *,
    start: dt.date,
    end: dt.date,
    preset: str | None = None,
    name: str | None = None,
    selectors=None,
    area_prefixes=(),
    min_inspections: int = 1,
    inspection_kinds=(),
    hazard_lookback_days: int = 365,
) -> dict:
    """Define a campaign and fix its targets (the bureau; the CLI as system).

    Parameters
    ----------
    start, end : date
        The period, both days included.
    preset : str, optional
        A ``vocab.CAMPAIGNS`` key (the seed report's campaigns,
        :data:`gridwatch.supervision.PRESETS`); its selectors unless
        ``selectors`` is given.
    name : str
        Required without a preset (default the preset's name).
    selectors : list of dict or Selector, optional
        ``{"sectors": [...], "risk_levels": [...], "is_three_in_one": bool,
        "has_hazchem": bool, "hazard_categories": [...]}`` each; an enterprise
        matching any is a target.
    area_prefixes : sequence of str
        Town (9-digit) or community (12-digit) codes; empty: the district.
    min_inspections : int
        Inspections each target needs in the period (default 1).
    inspection_kinds : sequence of str
        Count only these ``vocab.INSPECTION_KINDS`` (default all).

    Returns
    -------
    dict
        :func:`show_campaign` of the new campaign.
    """
    require_role(actor, "bureau", action="Defining a special campaign")
    spec = _spec(
        preset,
        name,
        start,
        end,
        selectors,
        area_prefixes,
        min_inspections,
        inspection_kinds,
        hazard_lookback_days,
    )
    with ctx.transaction(actor) as s:
        conn = s.connection()
        targets = campaign_targets(conn, spec)
        row = Campaign(
            name=spec.name, preset=spec.preset, starts_on=spec.start,
            ends_on=spec.end, min_inspections=spec.min_inspections,
            spec=spec.to_dict(), targets_fixed_on=the_day(None),
            created_by=actor.username,
        )  # fmt: skip
        s.add(row)
        s.flush()
        bulk_insert(conn, "campaign_targets", pd.DataFrame({
            "campaign_id": row.id, "enterprise_id": targets["id"].astype(int),
            "selector": targets["selector"].astype(int)}))  # fmt: skip
        record(s, "bulk_insert", "campaign_targets", str(row.id), None,
               {"targets": len(targets)})  # fmt: skip
        cid = row.id
    return show_campaign(ctx, actor, cid)


def _load(conn, campaign_id: int):
    row = conn.execute(
        sa.select(Campaign.__table__).where(Campaign.id == campaign_id)
    ).first()
    if row is None:
        raise NotFoundError(f"There is no campaign {campaign_id}.")
    return row, CampaignSpec.from_dict(row.spec)


def _summary(row, spec: CampaignSpec, on: dt.date, n_targets: int) -> dict:
    return {
        "id": row.id, "name": row.name, "preset": row.preset,
        "preset_label": vocab.CAMPAIGNS.get(row.preset),
        "starts_on": plain(row.starts_on), "ends_on": plain(row.ends_on),
        "min_inspections": row.min_inspections,
        "inspection_kinds": sorted(spec.inspection_kinds),
        "area_prefixes": list(spec.area_prefixes),
        "selectors": [s.to_dict() for s in spec.selectors],
        "is_running": is_running(spec, on), "targets": n_targets,
        "targets_fixed_on": plain(row.targets_fixed_on),
        "created_by": row.created_by,
    }  # fmt: skip


def _scoped_targets(conn, actor: Actor, campaign_id: int, day: dt.date):
    """Targets in the actor's scope with their grid on ``day``."""
    eg = aliased(EnterpriseGrid)
    rows = conn.execute(
        sa.select(Enterprise.id, Enterprise.uscc, Enterprise.name,
                  Enterprise.town_code, Enterprise.community_code, eg.grid_code,
                  CampaignTarget.selector)
        .join(CampaignTarget, CampaignTarget.enterprise_id == Enterprise.id)
        .outerjoin(eg, sa.and_(eg.enterprise_id == Enterprise.id,
                               effective_on(eg, day)))
        .where(CampaignTarget.campaign_id == campaign_id,
               enterprise_clause(actor, day))
    ).all()  # fmt: skip
    return pd.DataFrame([tuple(r) for r in rows], columns=[
        "id", "uscc", "name", "town_code", "community_code", "grid_code", "selector",
    ])  # fmt: skip


def _inspections(
    conn, targets: pd.DataFrame, spec: CampaignSpec, until
) -> pd.DataFrame:
    ids = targets["id"].astype(int).tolist()
    rows = []
    for i in range(0, len(ids), 500):
        stmt = (
            sa.select(Enterprise.uscc, Inspection.inspected_on, Inspection.kind)
            .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
            .where(Inspection.enterprise_id.in_(ids[i:i + 500]),
                   Inspection.inspected_on >= spec.start,
                   Inspection.inspected_on <= until)
        )  # fmt: skip
        if spec.inspection_kinds:
            stmt = stmt.where(Inspection.kind.in_(sorted(spec.inspection_kinds)))
        rows += conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["uscc", "inspected_on", "kind"])  # fmt: skip


def campaign_state(ctx, actor, campaign_id, on):
    """(row, spec, targets in scope, their inspections, judging day)."""
    on = the_day(on)
    with ctx.engine.connect() as conn:
        row, spec = _load(conn, campaign_id)
        day = min(on, spec.end)
        targets = _scoped_targets(conn, actor, campaign_id, day)
        ins = _inspections(conn, targets, spec, min(on, spec.end))
    return row, spec, targets, ins, on


def show_campaign(
    ctx: Context, actor: Actor, campaign_id: int, *, on: dt.date | None = None
) -> dict:
    """A campaign's definition and its progress over the actor's scope.

    Returns
    -------
    dict
        ``id``, ``name``, ``preset``/``preset_label``, ``starts_on``, ``ends_on``,
        ``min_inspections``, ``inspection_kinds``, ``area_prefixes``,
        ``selectors``, ``is_running``, ``targets`` (in the actor's scope),
        ``targets_fixed_on``, ``created_by`` and ``total``: the progress row of
        :func:`campaign_progress` over the scope.
    """
    require_role(actor, *READERS, action="Reading campaigns")
    row, spec, targets, ins, on = campaign_state(ctx, actor, campaign_id, on)
    out = _summary(row, spec, on, len(targets))
    out["total"] = _rows(progress(targets, ins, spec, by=None, on=on))[0]
    return out


def _rows(frame: pd.DataFrame) -> list[dict]:
    return [plain(r) for r in frame.to_dict("records")]


def campaign_progress(
    ctx: Context,
    actor: Actor,
    campaign_id: int,
    *,
    by: str = "grid",
    on: dt.date | None = None,
) -> dict:
    """Progress per ``grid``, ``community``, ``street``, ``district`` or
    ``enterprise`` over the actor's scope, judged on ``on`` (default today).

    Returns
    -------
    dict
        ``campaign`` (:func:`show_campaign`'s keys without ``total``), ``by``,
        ``on``, ``rows`` and ``total``. A row: the group column (``grid_code``,
        ``community_code``, ``town_code``; none for the district), ``targets``,
        ``inspected``, ``reached``, ``remaining``, ``inspections``,
        ``share_reached`` (labels ``vocab.CAMPAIGN_PROGRESS_LABELS``); for
        ``enterprise``: ``id``, ``uscc``, ``name``, ``grid_code``, ``town_code``,
        ``selector``, ``inspections``, ``last_inspected_on``, ``is_reached``.
    """
    require_role(actor, *READERS, action="Reading campaigns")
    levels = ("grid", "community", "street", "district", "enterprise")
    if by not in levels:
        from gridwatch.errors import InvalidInputError

        raise InvalidInputError(
            f"Unknown level {by!r}; use one of {', '.join(levels)}."
        )
    row, spec, targets, ins, on = campaign_state(ctx, actor, campaign_id, on)
    if by == "enterprise":
        rows = _rows(enterprise_progress(targets, ins, spec, on).sort_values(
            ["is_reached", "grid_code", "uscc"], na_position="last"))  # fmt: skip
    else:
        rows = _rows(progress(targets, ins, spec, by=by, on=on))
    return {
        "campaign": _summary(row, spec, on, len(targets)),
        "by": by,
        "on": on.isoformat(),
        "rows": rows,
        "total": _rows(progress(targets, ins, spec, by=None, on=on))[0],
    }


def list_campaigns(
    ctx: Context, actor: Actor, *, running_on: dt.date | None = None
) -> list[dict]:
    """Campaigns (newest first) with their target count in the actor's scope;
    with ``running_on``, only those running that day. Items: :func:`show_campaign`'s
    keys without ``total``."""
    require_role(actor, *READERS, action="Reading campaigns")
    on = the_day(None)
    with ctx.engine.connect() as conn:
        stmt = sa.select(Campaign.__table__).order_by(
            Campaign.starts_on.desc(), Campaign.id.desc()
        )
        if running_on is not None:
            stmt = stmt.where(Campaign.starts_on <= running_on,
                              Campaign.ends_on >= running_on)  # fmt: skip
        rows = conn.execute(stmt).all()
        counts = dict(conn.execute(
            sa.select(CampaignTarget.campaign_id, sa.func.count())
            .join(Enterprise, Enterprise.id == CampaignTarget.enterprise_id)
            .where(enterprise_clause(actor, on))
            .group_by(CampaignTarget.campaign_id)).all())  # fmt: skip
    return [
        _summary(r, CampaignSpec.from_dict(r.spec), running_on or on,
                 int(counts.get(r.id, 0)))
        for r in rows
    ]  # fmt: skip
