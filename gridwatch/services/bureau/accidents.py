"""Production-safety accidents (生产安全事故), recorded by the bureau.

An accident is placed by its enterprise (its town) or by a point (the town whose
boundary contains it, in SQL on either backend). The grade is checked against
Decree No. 493 (:mod:`gridwatch.analytics.bureau.accident_input`): a grade
recorded lower than the casualties give is stored as recorded and flagged, and
every figure and the veto use the worse grade.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from gridwatch.analytics.assessment.accidents import Accident as AccidentFacts
from gridwatch.analytics.bureau.accident_input import validate_accident
from gridwatch.db.models import AdminUnit, Enterprise
from gridwatch.db.models_bureau import Accident
from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today as local_today
from gridwatch.vocab import ACCIDENT_GRADES

__all__ = ["list_accidents", "record_accident"]


def _town_of_point(s, x: float, y: float) -> str | None:
    point = sa.func.ST_GeomFromText(f"POINT({x!r} {y!r})", 4326)
    return s.execute(
        sa.select(AdminUnit.code)
        .where(AdminUnit.level == "town", sa.func.ST_Contains(AdminUnit.geom, point))
        .order_by(AdminUnit.code)
        .limit(1)
    ).scalar()


def record_accident(
    ctx: Context, actor: Actor, *, today: dt.date | None = None, **fields
) -> dict:
    """Store one accident; return it as :func:`list_accidents` shows it.

    ``fields`` are those of
    :func:`gridwatch.analytics.bureau.accident_input.validate_accident`
    (``occurred_on``, ``place``, ``grade``, ``deaths``, ``serious_injuries``,
    ``direct_loss_yuan``, ``uscc`` or ``lng``/``lat``/``datum``, ``ref``,
    ``description``). The result's ``warning`` (Chinese) is set when the grade
    is recorded lower than the casualties give.

    Raises
    ------
    InvalidInputError
        A wrong field; a point outside every town; an enterprise without a town.
    NotFoundError
        No enterprise with that credit code.
    ConflictError
        The accident number is already recorded.
    PermissionDeniedError
        Anyone but the bureau.
    """
    require_role(actor, "bureau", action="Recording an accident")
    acc = validate_accident(today=today or local_today(), **fields)
    with ctx.transaction(actor) as s:
        enterprise_id, town = _place(s, actor, acc)
        if (
            acc.ref
            and s.execute(
                sa.select(Accident.id).where(Accident.ref == acc.ref)
            ).scalar()
        ):
            raise ConflictError(
                f"Accident number {acc.ref} is already recorded.",
                details={"field": "ref"},
            )
        row = Accident(
            ref=acc.ref,
            occurred_on=acc.occurred_on,
            enterprise_id=enterprise_id,
            place=acc.place,
            geom=from_shape(Point(acc.lng, acc.lat), 4326)
            if acc.lng is not None
            else None,
            source_datum=acc.source_datum,
            town_code=town,
            grade=acc.grade,
            deaths=acc.deaths,
            serious_injuries=acc.serious_injuries,
            direct_loss_yuan=acc.direct_loss_yuan,
            description=acc.description,
            recorded_by=actor.audit_name,
        )
        s.add(row)
        s.flush()
        out = _shown(row)
    out["warning"] = acc.warning
    return out


def _place(s, actor: Actor, acc) -> tuple[int | None, str]:
    """(enterprise id, town code): the point's town wins over the enterprise's."""
    enterprise_id, town = None, None
    if acc.uscc:
        ent = s.execute(
            sa.select(Enterprise.id, Enterprise.town_code).where(
                Enterprise.uscc == acc.uscc, enterprise_clause(actor)
            )
        ).first()
        if ent is None:
            raise NotFoundError(
                f"No enterprise with credit code {acc.uscc} is in the registry.",
                details={"field": "uscc"},
            )
        enterprise_id, town = ent.id, ent.town_code
    if acc.lng is not None:
        town = _town_of_point(s, acc.lng, acc.lat) or town
    if not town:
        raise InvalidInputError(
            "The accident cannot be placed in a town or street: the point lies "
            "outside every town, or the enterprise has no location yet.",
            details={"field": "lng" if acc.lng is not None else "uscc"},
        )
    return enterprise_id, town


def _shown(row) -> dict:
    facts = AccidentFacts(
        occurred_on=row.occurred_on,
        deaths=row.deaths,
        serious_injuries=row.serious_injuries,
        direct_loss_yuan=row.direct_loss_yuan,
        grade=row.grade,
        ref=row.ref or str(row.id),
        place=row.place,
    )
    return {
        "id": row.id,
        "ref": row.ref,
        "occurred_on": row.occurred_on,
        "place": row.place,
        "town_code": row.town_code,
        "grade": row.grade,
        "grade_label": ACCIDENT_GRADES[row.grade],
        "computed_grade": facts.computed_grade,
        "effective_grade": facts.effective_grade,
        "is_grade_too_low": facts.effective_grade != row.grade,
        "deaths": row.deaths,
        "serious_injuries": row.serious_injuries,
        "direct_loss_yuan": row.direct_loss_yuan,
        "description": row.description,
        "recorded_by": row.recorded_by,
    }


def list_accidents(
    ctx: Context,
    actor: Actor,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    limit: int = 200,
) -> list[dict]:
    """Accidents in the actor's scope (the bureau: all; a street office: its
    street), newest first, with the computed grade and the flag."""
    require_role(actor, "bureau", "street_office", action="Reading accidents")
    stmt = sa.select(Accident)
    if start:
        stmt = stmt.where(Accident.occurred_on >= start)
    if end:
        stmt = stmt.where(Accident.occurred_on <= end)
    if not actor.sees_district:
        stmt = stmt.where(Accident.town_code == actor.scope_code)
    stmt = stmt.order_by(Accident.occurred_on.desc(), Accident.id.desc()).limit(limit)
    with ctx.transaction(actor) as s:
        return [_shown(r) for r in s.scalars(stmt)]
