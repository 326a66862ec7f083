"""一企一档: one enterprise's file, as one dict for the page and the API.

Everything is read for one enterprise id after the scope check, so a warden can
open only the files of their grids' enterprises (others: NotFoundError, 404).
"""

from __future__ import annotations

import datetime as dt

import shapely
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.analytics.coverage import STATUS_LABELS
from gridwatch.db.models import (
    AdminUnit,
    Enterprise,
    Hazard,
    Inspection,
    Penalty,
    SelfReport,
)
from gridwatch.db.queries import wkb
from gridwatch.errors import NotFoundError
from gridwatch.fieldwork.checkin import IMPRECISE_PRECISIONS, location_note
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import records
from gridwatch.services.hazards_in_scope import hazard_rows
from gridwatch.services.inspection_reads import inspection_rows
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today

#: Roles that may move an enterprise's pin (as ``geocoding.place_manually``).
_MOVERS = ("warden", "street_office", "admin", "system")
_DETAIL_COLUMNS = (
    "id",
    "uscc",
    "name",
    "address",
    "sector",
    "risk_level",
    "is_three_in_one",
    "has_hazchem",
    "employees",
    "registered_on",
    "town_code",
    "community_code",
    "precision",
    "reliability",
    "source_datum",
    "source_lng",
    "source_lat",
    "geocode_matched",
    "geocode_flags",
)


def _enterprise(conn, actor: Actor, enterprise_id: int, on: dt.date):
    cols = [getattr(Enterprise, c) for c in _DETAIL_COLUMNS]
    row = conn.execute(
        sa.select(*cols, wkb(Enterprise.geom)).where(
            Enterprise.id == enterprise_id, enterprise_clause(actor, on)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"There is no enterprise {enterprise_id} in your area.")
    return row


def _unit_names(conn, codes) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(
        conn.execute(
            sa.select(AdminUnit.code, AdminUnit.name).where(AdminUnit.code.in_(codes))
        ).all()
    )


def _details(ent, names: dict[str, str]) -> dict:
    return {
        "id": ent.id,
        "uscc": ent.uscc,
        "name": ent.name,
        "address": ent.address,
        "sector": ent.sector,
        "sector_label": vocab.SECTORS.get(ent.sector, ent.sector),
        "risk_level": ent.risk_level,
        "risk_label": vocab.RISK_LEVELS.get(ent.risk_level, ent.risk_level),
        "is_three_in_one": bool(ent.is_three_in_one),
        "has_hazchem": bool(ent.has_hazchem),
        "employees": ent.employees,
        "registered_on": ent.registered_on,
        "town_code": ent.town_code,
        "town_name": names.get(ent.town_code),
        "community_code": ent.community_code,
        "community_name": names.get(ent.community_code),
    }


def _location(ent, actor: Actor) -> dict:
    point = shapely.from_wkb(bytes(ent.geom)) if ent.geom is not None else None
    precision = ent.precision or "none"
    return {
        "lng": point.x if point is not None else None,
        "lat": point.y if point is not None else None,
        "datum": "wgs84",
        "precision": precision,
        "precision_label": vocab.PRECISIONS.get(precision, precision),
        "is_imprecise": point is None or precision in IMPRECISE_PRECISIONS,
        "note": location_note(precision),
        "reliability": ent.reliability,
        "source_datum": ent.source_datum,
        "source_lng": ent.source_lng,
        "source_lat": ent.source_lat,
        "geocode_matched": ent.geocode_matched,
        "geocode_flags": ent.geocode_flags,
        "can_move": actor.role in _MOVERS,
    }


def _status(ctx: Context, conn, actor: Actor, enterprise_id: int, on) -> dict | None:
    from gridwatch.services.warden import enterprise_statuses

    frame = enterprise_statuses(
        conn, ctx.settings, actor, on, lambda eg: Enterprise.id == enterprise_id
    )
    if frame.empty:  # registered after ``on``: no status yet
        return None
    rec = records(frame)[0]
    keep = (
        "status",
        "last_inspected_on",
        "due_on",
        "days_overdue",
        "is_on_time",
        "grid_code",
        "open_hazards",
        "next_hazard_deadline",
    )
    out = {k: rec[k] for k in keep}
    out["status_label"] = STATUS_LABELS[out["status"]]
    out["due_days"] = int(ctx.settings.due_days[rec["risk_level"]])
    out["period_start"] = frame.attrs["period_start"]
    out["period_end"] = frame.attrs["period_end"]
    return out


def _penalties(conn, enterprise_id: int) -> list[dict]:
    rows = conn.execute(
        sa.select(
            Penalty.id,
            Penalty.decided_on,
            Penalty.kind,
            Penalty.amount_yuan,
            Penalty.decision_no,
        )
        .where(Penalty.enterprise_id == enterprise_id)
        .order_by(Penalty.decided_on.desc(), Penalty.id.desc())
    ).all()
    return [
        {**dict(r._mapping), "kind_label": vocab.PENALTY_KINDS.get(r.kind, r.kind)}
        for r in rows
    ]


def _self_reports(conn, enterprise_id: int, limit: int) -> tuple[list[dict], int]:
    where = SelfReport.enterprise_id == enterprise_id
    total = conn.execute(sa.select(sa.func.count()).where(where)).scalar()
    rows = conn.execute(
        sa.select(SelfReport.month, SelfReport.submitted_on, SelfReport.n_hazards)
        .where(where)
        .order_by(SelfReport.month.desc())
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows], int(total or 0)


def enterprise_file(
    ctx: Context,
    actor: Actor,
    enterprise_id: int,
    *,
    on: dt.date | None = None,
    history_limit: int = 100,
    months: int = 24,
) -> dict:
    """Everything about one enterprise in the actor's scope (一企一档).

    Returns
    -------
    dict
        - ``enterprise``: ``id``, ``uscc``, ``name``, ``address``, ``sector`` and
          ``sector_label``, ``risk_level`` and ``risk_label``,
          ``is_three_in_one``, ``has_hazchem``, ``employees``, ``registered_on``,
          ``town_code``/``town_name``, ``community_code``/``community_name``.
        - ``location``: ``lng``, ``lat`` (WGS-84, None when unplaced),
          ``precision`` and ``precision_label``, ``is_imprecise`` (True when the
          point is only a town's or community's, or missing), ``note`` (one
          Chinese sentence saying so plainly), ``reliability`` (0-10),
          ``source_datum``/``source_lng``/``source_lat`` (as supplied),
          ``geocode_matched``, ``geocode_flags``, ``can_move`` (the actor may
          correct it).
        - ``status``: inspection status as on the coverage map (``status`` and
          ``status_label``, ``last_inspected_on``, ``due_on``, ``days_overdue``,
          ``is_on_time``, ``due_days``, ``grid_code``, ``open_hazards``,
          ``next_hazard_deadline``, ``period_start``, ``period_end``), or None
          when it was registered after ``on``.
        - ``responsible``: :func:`gridwatch.services.assignment.responsible_on`
          on ``on`` (``placement`` definite/imprecise/unplaced, ``grid_code``,
          ``version``, ``warden``, ``warden_name``, ``deputies``; ``grid_code``
          None when it is in no grid).
        - ``inspections`` (newest first, at most ``history_limit``) and
          ``n_inspections`` (all): ``id``, ``inspected_on``, ``kind``/
          ``kind_label``, ``result``/``result_label``, ``notes`` (user text),
          ``inspector``/``inspector_name``, ``checkin_status``/
          ``checkin_label``/``checkin_flagged``, ``checkin_lng``/``checkin_lat``,
          ``checkin_accuracy_m``, ``checkin_distance_m`` (metres),
          ``credited_grid``/``credited_warden``/``credited_warden_name`` (on the
          inspection's date), ``photos`` (list of photo summaries).
        - ``hazards`` (newest first):
          :func:`~gridwatch.services.hazards_in_scope.hazard_rows` (the
          ``read_hazards`` columns with ``state``/``state_label``,
          ``level_label``, ``category_label``, ``flags``, ``photos``).
        - ``penalties`` (newest first): ``decided_on``, ``kind``/``kind_label``,
          ``amount_yuan``, ``decision_no``.
        - ``self_reports`` (newest ``months`` months) and ``n_self_reports``:
          ``month`` (YYYY-MM), ``submitted_on``, ``n_hazards``.
        - ``on``: the day the file is read for.

    Raises
    ------
    NotFoundError
        The enterprise is not in the actor's scope (or does not exist).
    """
    require_role(
        actor,
        "warden",
        "street_office",
        "bureau",
        "admin",
        action="Reading an enterprise's file",
    )
    from gridwatch.services.assignment import responsible_on

    on = on or today()
    with ctx.engine.connect() as conn:
        ent = _enterprise(conn, actor, enterprise_id, on)
        names = _unit_names(conn, [ent.town_code, ent.community_code])
        status = _status(ctx, conn, actor, enterprise_id, on)
        inspections, n_inspections = inspection_rows(
            conn, Inspection.enterprise_id == enterprise_id, limit=history_limit
        )
        hazards = hazard_rows(conn, Hazard.enterprise_id == enterprise_id, on)
        penalties = _penalties(conn, enterprise_id)
        reports, n_reports = _self_reports(conn, enterprise_id, months)
    return {
        "enterprise": _details(ent, names),
        "location": _location(ent, actor),
        "status": status,
        "responsible": responsible_on(ctx, actor, ent.uscc, on),
        "inspections": inspections,
        "n_inspections": n_inspections,
        "hazards": hazards,
        "penalties": penalties,
        "self_reports": reports,
        "n_self_reports": n_reports,
        "on": on,
    }
