"""What is there: the grids of a version with workload and warden; the check."""

from __future__ import annotations

import shapely
import sqlalchemy as sa

from gridwatch.db.models import GridVersion, GridWarden, User, Warden
from gridwatch.db.queries import effective_on
from gridwatch.errors import NotFoundError
from gridwatch.grids.codes import CODE_LENGTHS, town_of
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.admin import district_outline, read_admin_units
from gridwatch.services.context import Context
from gridwatch.services.grid_workload import gridded_enterprises
from gridwatch.services.grids import (
    resolve_version,
    version_grids,
)
from gridwatch.services.scope import grid_clause
from gridwatch.timeutil import today

#: Level of the units a grid's parent code names, by its length.
LEVEL_OF_LENGTH = {v: k for k, v in CODE_LENGTHS.items()}


def levels_of(parent_codes) -> list[str]:
    """The unit levels (community/town/district) grids of these parents lie in.

    >>> levels_of(["440604011001", "440604011"])
    ['community', 'town']
    """
    found = {LEVEL_OF_LENGTH.get(len(str(c)), "unknown") for c in parent_codes}
    return [lv for lv in ("community", "town", "district", "unknown") if lv in found]


def check_version(ctx: Context, actor: Actor, version_id: int | None = None):
    """Quality report of a version (the actor's part of it): tiling against the
    units it tiles, balance, and the grids' union against the district outline.

    Returns
    -------
    (int, QualityReport)
        The version checked and :func:`gridwatch.grids.check_grids`'s report;
        units at the grids' levels that have no grid (other towns, for a
        street office) are exempt from the outline's "uncovered" area.
    """
    from gridwatch.grids import check_grids

    require_role(actor, "street_office", "bureau", "admin", action="Checking grids")
    vid = resolve_version(ctx, version_id)
    with ctx.engine.connect() as conn:
        grids = version_grids(conn, vid, grid_clause(actor))
        ents = gridded_enterprises(conn)
    parent_codes = sorted(set(grids["parent_code"]))
    parents = read_admin_units(ctx, codes=parent_codes)
    outline = district_outline(ctx)
    exempt = None
    if outline is not None:
        levels = [lv for lv in levels_of(parent_codes) if lv != "unknown"]
        idle = [u for lv in levels for u in _idle_units(ctx, lv, parent_codes)]
        exempt = shapely.union_all(idle) if idle else None
    report = check_grids(
        grids,
        parents,
        ents,
        ctx.settings.risk_weights,
        ctx.settings.metric_crs,
        outline=outline,
        exempt=exempt,
    )
    report.overall["levels"] = levels_of(parent_codes)
    return vid, report


def _idle_units(ctx: Context, level: str, with_grids: list[str]) -> list:
    units = read_admin_units(ctx, level)
    units = units[units.geometry.notna() & ~units["code"].isin(with_grids)]
    return list(units.geometry)


def list_grids(
    ctx: Context,
    actor: Actor,
    version_id: int | None = None,
    town: str | None = None,
) -> dict:
    """The grids of a version (default the active one) in the actor's scope.

    Returns
    -------
    dict
        ``version``, ``status``, ``levels`` (units the grids were built in) and
        ``grids``: one dict per grid, ordered by code, with ``code``,
        ``parent_code``, ``parent_name``, ``is_illustrative`` (the parent's
        boundary is 示意), ``workload``, ``n_enterprises``, ``area_km2`` and the
        responsible ``warden`` and ``warden_username`` today (None if none).
    """
    require_role(
        actor, "warden", "street_office", "bureau", "admin", action="Listing grids"
    )
    vid = resolve_version(ctx, version_id)
    where = grid_clause(actor)
    with ctx.engine.connect() as conn:
        grids = version_grids(conn, vid, where)
        status = conn.execute(
            sa.select(GridVersion.status).where(GridVersion.id == vid)
        ).scalar()
        wardens = {
            r.grid_code: (r.full_name, r.username)
            for r in conn.execute(
                sa.select(GridWarden.grid_code, User.full_name, User.username)
                .join(Warden, Warden.id == GridWarden.warden_id)
                .join(User, User.id == Warden.user_id)
                .where(
                    GridWarden.version_id == vid,
                    GridWarden.role == "responsible",
                    effective_on(GridWarden, today()),
                )
            )
        }
    if town:
        grids = grids[grids["code"].map(town_of) == town]
        if grids.empty:
            raise NotFoundError(
                f"Version {vid} has no grids in town {town} that you can see."
            )
    parents = read_admin_units(ctx, codes=sorted(set(grids["parent_code"])))
    names = dict(zip(parents["code"], parents["name"]))
    sketch = dict(zip(parents["code"], parents["is_illustrative"]))
    rows = [
        {
            "code": g.code,
            "parent_code": g.parent_code,
            "parent_name": names.get(g.parent_code),
            "is_illustrative": bool(sketch.get(g.parent_code, False)),
            "workload": None if g.workload != g.workload else float(g.workload),
            "n_enterprises": None if g.n_enterprises is None else int(g.n_enterprises),
            "area_km2": round(float(g.area_m2 or 0) / 1e6, 4),
            "warden": wardens.get(g.code, (None, None))[0],
            "warden_username": wardens.get(g.code, (None, None))[1],
        }
        for g in grids.itertuples()
    ]
    return {
        "version": vid,
        "status": status,
        "levels": levels_of(grids["parent_code"]),
        "grids": rows,
    }
