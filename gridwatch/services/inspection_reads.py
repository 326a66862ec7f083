"""Reads of recorded inspections: one enterprise's history (paged) and one
inspection with its check-in and the hazards reported on it.

Every read goes through the actor's scope (``enterprise_ids_clause``), so an
inspection of an enterprise outside it is :class:`~gridwatch.errors.NotFoundError`
(404), exactly like an id that does not exist.
"""

from __future__ import annotations

import datetime as dt

import shapely
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.db.models import Enterprise, Hazard, Inspection, User
from gridwatch.db.queries import wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.fieldwork.checkin import IMPRECISE_PRECISIONS, location_note
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.hazards_in_scope import hazard_rows
from gridwatch.services.inspections import credit_rows, default_deadline
from gridwatch.services.photos import MAX_PHOTOS, photos_of
from gridwatch.services.scope import check_enterprise, enterprise_ids_clause
from gridwatch.services.supervision.hazard_acts import may_set_deadline
from gridwatch.timeutil import today

#: Roles that read inspections (the recorders plus the district's readers).
READERS = ("warden", "street_office", "bureau", "admin")
#: Roles that record inspections and report hazards
#: (:func:`gridwatch.services.inspections.record_inspection`).
RECORDERS = ("warden", "street_office")
#: Largest page of an inspection history.
MAX_LIMIT = 500


def inspection_rows(
    conn, where: sa.ColumnElement[bool], *, limit: int, offset: int = 0
) -> tuple[list[dict], int]:
    """Inspections matching ``where`` (the caller's scope), newest first.

    Returns
    -------
    (rows, total)
        ``rows``: at most ``limit`` dicts: ``id``, ``enterprise_id``,
        ``inspected_on``, ``kind``/``kind_label``, ``result``/``result_label``,
        ``notes`` (user text), ``created_at`` (naive UTC), ``inspector``/
        ``inspector_name``, ``checkin_status``/``checkin_label``/
        ``checkin_flagged``, ``checkin_lng``/``checkin_lat`` (WGS-84),
        ``checkin_accuracy_m``, ``checkin_distance_m`` (metres),
        ``credited_grid``/``credited_warden``/``credited_warden_name`` (on the
        inspection's date), ``photos`` (summaries). ``total``: all matches.
    """
    total = conn.execute(sa.select(sa.func.count()).where(where)).scalar()
    rows = conn.execute(
        sa.select(
            Inspection.id,
            Inspection.enterprise_id,
            Inspection.inspected_on,
            Inspection.kind,
            Inspection.result,
            Inspection.notes,
            Inspection.created_at,
            User.username.label("inspector"),
            User.full_name.label("inspector_name"),
            Inspection.checkin_status,
            Inspection.checkin_lng,
            Inspection.checkin_lat,
            Inspection.checkin_accuracy_m,
            Inspection.checkin_distance_m,
        )
        .outerjoin(User, User.id == Inspection.inspector_id)
        .where(where)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [r.id for r in rows]
    credit = credit_rows(conn, Inspection.id.in_(ids)).set_index("inspection_id")
    photos = photos_of(conn, inspection_ids=ids)
    out = []
    for r in rows:
        rec = dict(r._mapping)
        rec["kind_label"] = vocab.INSPECTION_KINDS.get(r.kind, r.kind)
        rec["result_label"] = vocab.INSPECTION_RESULTS.get(r.result, r.result)
        rec["checkin_label"] = vocab.CHECKIN_STATUSES.get(r.checkin_status)
        rec["checkin_flagged"] = r.checkin_status == "far"
        c = credit.loc[r.id] if r.id in credit.index else None
        rec["credited_grid"] = None if c is None else c["grid_code"]
        rec["credited_warden"] = None if c is None else c["warden"]
        rec["credited_warden_name"] = None if c is None else c["warden_name"]
        rec["photos"] = photos.get(("inspection", r.id), [])
        out.append(rec)
    return out, int(total or 0)


def _paging(limit, offset) -> tuple[int, int]:
    if not (1 <= int(limit) <= MAX_LIMIT) or int(offset) < 0:
        raise InvalidInputError(
            f"limit must be between 1 and {MAX_LIMIT} and offset 0 or more."
        )
    return int(limit), int(offset)


def list_inspections(
    ctx: Context, actor: Actor, enterprise_id: int, *, limit: int = 50, offset: int = 0
) -> dict:
    """One enterprise's inspections, newest first, a page at a time.

    Returns
    -------
    dict
        ``enterprise_id``, ``items`` (:func:`inspection_rows` dicts), ``total``,
        ``limit``, ``offset``.

    Raises
    ------
    NotFoundError
        The enterprise is not in the actor's scope.
    InvalidInputError
        Bad paging.
    """
    require_role(actor, *READERS, action="Reading inspections")
    limit, offset = _paging(limit, offset)
    with ctx.engine.connect() as conn:
        check_enterprise(conn, actor, enterprise_id)
        items, total = inspection_rows(
            conn,
            Inspection.enterprise_id == enterprise_id,
            limit=limit,
            offset=offset,
        )
    return {
        "enterprise_id": enterprise_id,
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
    }


def _enterprise_summary(conn, enterprise_id: int) -> dict:
    ent = conn.execute(
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.address,
            Enterprise.precision,
            wkb(Enterprise.geom),
        ).where(Enterprise.id == enterprise_id)
    ).one()
    precision = ent.precision or "none"
    return {
        "id": ent.id,
        "uscc": ent.uscc,
        "name": ent.name,
        "address": ent.address,
        "precision": precision,
        "precision_label": vocab.PRECISIONS.get(precision, precision),
        "is_imprecise": ent.geom is None or precision in IMPRECISE_PRECISIONS,
        "has_point": ent.geom is not None
        and not shapely.from_wkb(bytes(ent.geom)).is_empty,
        "location_note": location_note(precision),
    }


def enterprise_summary(ctx: Context, actor: Actor, enterprise_id: int) -> dict:
    """The few facts a recording page heads with (see :func:`read_inspection`'s
    ``enterprise``) for an enterprise in the actor's scope, plus ``can_record``.

    Raises
    ------
    NotFoundError
        The enterprise is not in the actor's scope.
    """
    require_role(actor, *READERS, action="Reading an enterprise")
    with ctx.engine.connect() as conn:
        check_enterprise(conn, actor, enterprise_id)
        out = _enterprise_summary(conn, enterprise_id)
    out["can_record"] = actor.role in RECORDERS
    out["max_photos"] = MAX_PHOTOS
    return out


def read_inspection(
    ctx: Context, actor: Actor, inspection_id: int, *, on: dt.date | None = None
) -> dict:
    """One inspection in the actor's scope, its check-in and its hazards.

    Returns
    -------
    dict
        - ``inspection``: an :func:`inspection_rows` dict.
        - ``enterprise``: ``id``, ``uscc``, ``name``, ``address``, ``precision``/
          ``precision_label``, ``is_imprecise``, ``has_point``,
          ``location_note``.
        - ``hazards``: hazards reported on this inspection
          (:func:`~gridwatch.services.hazards_in_scope.hazard_rows`).
        - ``checkin_max_m``: setting ``checkin_max_m`` (metres), to explain a
          far check-in.
        - ``default_deadlines``: level → the default rectification deadline
          (:func:`~gridwatch.services.inspections.default_deadline` from the
          inspection's date), for the levels whose deadline this actor may set;
          ``deadline_by_office``: the levels whose deadline the street office or
          bureau sets instead (a warden's major hazard waits, found, for it).
        - ``can_report``: the actor may report hazards on it;
          ``max_photos``: photos allowed per hazard.

    Raises
    ------
    NotFoundError
        No such inspection in the actor's scope.
    """
    require_role(actor, *READERS, action="Reading an inspection")
    on = on or today()
    where = sa.and_(
        Inspection.id == inspection_id,
        enterprise_ids_clause(actor, Inspection.enterprise_id),
    )
    with ctx.engine.connect() as conn:
        rows, _ = inspection_rows(conn, where, limit=1)
        if not rows:
            raise NotFoundError(f"There is no inspection {inspection_id} in your area.")
        row = rows[0]
        enterprise = _enterprise_summary(conn, row["enterprise_id"])
        hazards = hazard_rows(conn, Hazard.inspection_id == inspection_id, on)
    found = row["inspected_on"]
    return {
        "inspection": row,
        "enterprise": enterprise,
        "hazards": hazards,
        "checkin_max_m": float(ctx.settings.checkin_max_m),
        "default_deadlines": {
            level: default_deadline(ctx.settings, level, found)
            for level in vocab.HAZARD_LEVELS
            if may_set_deadline(actor.role, level)
        },
        "deadline_by_office": [
            level
            for level in vocab.HAZARD_LEVELS
            if not may_set_deadline(actor.role, level)
        ],
        "can_report": actor.role in RECORDERS,
        "max_photos": MAX_PHOTOS,
    }
