"""What an actor may see, as SQL ``WHERE`` clauses (one helper per kind of row).

Pages, the API, exports and counts all filter through these, so a warden's count of
"my enterprises" and the list behind it are the same query. Nothing here loads the
district and filters in pandas: a warden's request touches a warden's rows.

- district roles (bureau, admin, system): everything;
- ``street_office``: rows in its town/street (enterprises by ``town_code`` or by a
  grid of the street on the day; grids by code prefix: grid codes extend the town
  code, ``gridwatch.grids.codes``);
- ``warden``: enterprises in the grids they are responsible for or deputy of on
  ``day`` (grid→warden and enterprise→grid rows both valid on that day), and those
  grids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, Grid, GridWarden
from gridwatch.db.queries import code_under, effective_on
from gridwatch.errors import NotFoundError
from gridwatch.services.actor import Actor


def _today() -> dt.date:
    from gridwatch.timeutil import today

    return today()


def code_within(column, unit_code: str | Iterable[str]) -> sa.ColumnElement[bool]:
    """``column`` (a code column or expression) lies in ``unit_code`` (or any of
    several): :func:`gridwatch.grids.codes.is_within` in SQL (codes extend the
    code of every unit above them), as an index range search
    (:func:`gridwatch.db.queries.code_under`). No unit code: false."""
    units = [unit_code] if isinstance(unit_code, str) else list(unit_code)
    return sa.or_(
        sa.false(),
        *(code_under(column, str(u)) for u in units if u),
    )


def warden_grid_codes(actor: Actor, day: dt.date | None = None) -> sa.Select:
    """``SELECT grid_code`` of the grids a warden holds on ``day`` (any version)."""
    day = day or _today()
    return sa.select(GridWarden.grid_code).where(
        GridWarden.warden_id == actor.warden_id, effective_on(GridWarden, day)
    )


def enterprise_clause(
    actor: Actor, day: dt.date | None = None, model=Enterprise
) -> sa.ColumnElement[bool]:
    """``WHERE`` clause limiting ``model`` (Enterprise or an alias) to the scope."""
    if actor.sees_district:
        return sa.true()
    day = day or _today()
    eg = sa.orm.aliased(EnterpriseGrid)
    if actor.role == "street_office":
        # its town by the enterprise's own town code (placed, even if in no grid
        # yet) or by the grid it is assigned to on the day
        in_street_grids = sa.select(eg.enterprise_id).where(
            effective_on(eg, day),
            code_within(eg.grid_code, actor.scope_code),
        )
        return sa.or_(
            model.town_code == actor.scope_code, model.id.in_(in_street_grids)
        )
    in_grids = sa.select(eg.enterprise_id).where(
        effective_on(eg, day), eg.grid_code.in_(warden_grid_codes(actor, day))
    )
    return model.id.in_(in_grids)


def grid_clause(
    actor: Actor, day: dt.date | None = None, model=Grid
) -> sa.ColumnElement[bool]:
    """``WHERE`` clause limiting grid rows to the scope."""
    if actor.sees_district:
        return sa.true()
    if actor.role == "street_office":
        return code_within(model.code, actor.scope_code)
    return model.code.in_(warden_grid_codes(actor, day))


def enterprise_ids_clause(
    actor: Actor, column: sa.ColumnElement, day: dt.date | None = None
) -> sa.ColumnElement[bool]:
    """Limit rows that reference an enterprise through ``column`` (e.g.
    ``Inspection.enterprise_id``) to enterprises in the scope."""
    if actor.sees_district:
        return sa.true()
    return column.in_(sa.select(Enterprise.id).where(enterprise_clause(actor, day)))


def check_enterprise(conn, actor: Actor, enterprise_id: int, day=None) -> None:
    """Raise :class:`NotFoundError` unless the enterprise exists in the scope.

    Out of scope and absent look the same (404), so ids outside one's area do not
    leak their existence.
    """
    found = conn.execute(
        sa.select(Enterprise.id).where(
            Enterprise.id == enterprise_id, enterprise_clause(actor, day)
        )
    ).scalar()
    if found is None:
        raise NotFoundError(f"There is no enterprise {enterprise_id} in your area.")
