"""Import administrative boundaries from files (GeoJSON, Shapefile, GeoPackage)."""

from __future__ import annotations

from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor
from gridwatch.services.admin import read_admin_units, upsert_admin_units
from gridwatch.services.context import Context

_PARENT_LEVEL = {"town": "district", "community": "town"}


def import_boundaries(
    ctx: Context,
    actor: Actor,
    path: str,
    level: str,
    *,
    crs: str | None = None,
    name_field: str | None = None,
    code_field: str | None = None,
    parent_code: str | None = None,
    layer: str | None = None,
) -> dict:
    """Read, repair, check against parents, and upsert (idempotent on code)."""
    from gridwatch.grids import check_children_within, read_boundaries

    units, notes = read_boundaries(
        path,
        level,
        crs=crs,
        name_field=name_field,
        code_field=code_field,
        parent_code=parent_code,
        layer=layer,
    )
    parent_level = _PARENT_LEVEL.get(level)
    if (
        parent_level
        and "parent_code" in units.columns
        and units["parent_code"].notna().any()
    ):
        parents = read_admin_units(ctx, parent_level)
        parents = parents[parents.geometry.notna()]
        if len(parents):
            known = set(parents["code"])
            unknown = sorted(set(units["parent_code"].dropna()) - known)
            if unknown:
                raise InvalidInputError(
                    f"Parent {parent_level} {unknown[0]} is not loaded; import the "
                    f"{parent_level} boundaries first or fix --parent-code."
                )
            outside = check_children_within(units, parents)
            if outside:
                o = outside[0]
                raise InvalidInputError(
                    f"{level.capitalize()} {o.get('code')} lies mostly outside its parent "
                    f"{o.get('parent_code')} (only {o.get('share_inside', 0):.0%} inside); "
                    "check the CRS (--crs) and the parent codes."
                )
    counts = upsert_admin_units(ctx, actor, units, level, source=str(path))
    return {
        "file": str(path),
        "level": level,
        "units": len(units),
        **counts,
        "notes": notes,
    }
