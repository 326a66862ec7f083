"""Annual targets (年度目标任务) the bureau sets per indicator, year and unit.

The unit is the district (its code) or one town/street. Percent of target is
always computed from the target stored here and the counted figure
(:func:`gridwatch.analytics.figures.pct_of_target`), never typed. Indicators:
:data:`gridwatch.vocab.TARGET_INDICATORS`.
"""

from __future__ import annotations

import math

import sqlalchemy as sa

from gridwatch.db.models import AdminUnit
from gridwatch.db.models_bureau import AnnualTarget
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.vocab import TARGET_INDICATORS

__all__ = ["clear_target", "list_targets", "set_target", "targets_page"]


def _check(year, indicator, value) -> tuple[int, float]:
    if indicator not in TARGET_INDICATORS:
        names = "、".join(f"{k} ({v})" for k, v in TARGET_INDICATORS.items())
        raise InvalidInputError(
            f"{indicator!r} takes no target; set one for {names}.",
            details={"field": "indicator"},
        )
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{year!r} is not a year; give four digits.", details={"field": "year"}
        ) from None
    if not 1990 <= year <= 2100:
        raise InvalidInputError(
            f"{year} is not a plausible year.", details={"field": "year"}
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        raise InvalidInputError(
            f"A target is a whole number of 0 or more (enterprises, people), got "
            f"{value!r}.",
            details={"field": "value"},
        )
    return year, number


def _unit(s, unit_code: str | None) -> str:
    """The district's code for None, else a loaded district or town code."""
    if unit_code in (None, ""):
        code = s.execute(
            sa.select(AdminUnit.code).where(AdminUnit.level == "district")
        ).scalar()
        if code is None:
            raise NotFoundError("No district is loaded; load the boundaries first.")
        return code
    found = s.execute(
        sa.select(AdminUnit.code).where(
            AdminUnit.code == unit_code, AdminUnit.level.in_(["district", "town"])
        )
    ).scalar()
    if found is None:
        raise NotFoundError(
            f"{unit_code} is neither the district nor a loaded town/street.",
            details={"field": "unit_code"},
        )
    return found


def set_target(
    ctx: Context,
    actor: Actor,
    year,
    indicator: str,
    value,
    unit_code: str | None = None,
    note: str | None = None,
) -> dict:
    """Set (or change) the target of ``indicator`` for ``year`` and a unit.

    ``unit_code`` None is the district. Returns the stored target.

    Raises
    ------
    InvalidInputError
        An indicator without targets, a bad year or a value that is not a whole
        number ≥ 0.
    NotFoundError
        An unknown unit.
    """
    require_role(actor, "bureau", action="Setting annual targets")
    year, number = _check(year, indicator, value)
    with ctx.transaction(actor) as s:
        unit = _unit(s, unit_code)
        row = s.scalars(
            sa.select(AnnualTarget).where(
                AnnualTarget.year == year,
                AnnualTarget.indicator == indicator,
                AnnualTarget.unit_code == unit,
            )
        ).first()
        if row is None:
            row = AnnualTarget(
                year=year, indicator=indicator, unit_code=unit, value=number
            )
            s.add(row)
        row.value, row.note, row.set_by = number, note or None, actor.audit_name
        return {
            "year": year,
            "indicator": indicator,
            "unit_code": unit,
            "value": number,
            "note": row.note,
        }


def clear_target(
    ctx: Context, actor: Actor, year, indicator: str, unit_code: str | None = None
) -> bool:
    """Remove a target (audited); False when there was none."""
    require_role(actor, "bureau", action="Setting annual targets")
    year, _ = _check(year, indicator, 0)
    with ctx.transaction(actor) as s:
        unit = _unit(s, unit_code)
        row = s.scalars(
            sa.select(AnnualTarget).where(
                AnnualTarget.year == year,
                AnnualTarget.indicator == indicator,
                AnnualTarget.unit_code == unit,
            )
        ).first()
        if row is None:
            return False
        s.delete(row)
        return True


def list_targets(ctx: Context, actor: Actor, year: int) -> list[dict]:
    """The targets of ``year``: indicator, unit code and name, value, note."""
    require_role(actor, "bureau", "street_office", action="Reading annual targets")
    stmt = (
        sa.select(
            AnnualTarget.indicator,
            AnnualTarget.unit_code,
            AdminUnit.name.label("unit_name"),
            AnnualTarget.value,
            AnnualTarget.note,
        )
        .outerjoin(AdminUnit, AdminUnit.code == AnnualTarget.unit_code)
        .where(AnnualTarget.year == int(year))
        .order_by(AnnualTarget.indicator, AnnualTarget.unit_code)
    )
    if not actor.sees_district:
        stmt = stmt.where(AnnualTarget.unit_code == actor.scope_code)
    with ctx.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def targets_page(ctx: Context, actor: Actor, year: int | None = None) -> dict:
    """The targets page: the year (default this year), its targets, the towns."""
    from gridwatch.services.bureau.records import read_towns
    from gridwatch.timeutil import today

    require_role(actor, "bureau", action="Setting annual targets")
    year = int(year) if year else today().year
    if not 1990 <= year <= 2100:
        raise InvalidInputError(f"{year} is not a plausible year.")
    towns = read_towns(ctx, actor)
    return {
        "year": year,
        "targets": list_targets(ctx, actor, year),
        "towns": list(zip(towns["code"].astype(str), towns["name"])),
        "indicators": TARGET_INDICATORS,
    }
