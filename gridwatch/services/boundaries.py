"""Import administrative boundaries from files (GeoJSON, Shapefile, GeoPackage)."""

from __future__ import annotations

from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor
from gridwatch.services.admin import (
    district_outline,
    read_admin_units,
    upsert_admin_units,
)
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
    where: list[tuple[str, str]] | None = None,
    illustrative: bool = False,
    dry_run: bool = False,
) -> dict:
    """Read, repair, check against parents and the district, and upsert by code.

    Parameters
    ----------
    path, level, crs, name_field, code_field, parent_code, layer, where, illustrative
        As in :func:`gridwatch.grids.read_boundaries`.
    dry_run : bool
        Work out what would be stored (new / updated / unchanged) and write
        nothing.

    Returns
    -------
    dict
        ``file``, ``level``, ``units``, ``illustrative`` (count), ``inserted``,
        ``updated``, ``unchanged``, ``codes`` (per count), ``dry_run``, ``notes``.

    Raises
    ------
    InvalidInputError
        Everything :func:`~gridwatch.grids.read_boundaries` refuses; a parent
        that is not loaded; a unit mostly outside its parent.
    """
    from gridwatch.grids import read_boundaries

    outline = district_outline(ctx)
    units, notes = read_boundaries(
        path,
        level,
        crs=crs,
        name_field=name_field,
        code_field=code_field,
        parent_code=parent_code,
        layer=layer,
        where=where,
        illustrative=illustrative,
        near=outline,
        metric_crs=ctx.settings.metric_crs,
    )
    notes += _check_parents(ctx, units, level)
    if level != "district" and outline is not None:
        notes += _outline_notes(ctx, units, outline, crs)
    counts = upsert_admin_units(
        ctx, actor, units, level, source=str(path), dry_run=dry_run
    )
    return {
        "file": str(path),
        "level": level,
        "units": len(units),
        "illustrative": int(units["is_illustrative"].sum()),
        **counts,
        "dry_run": dry_run,
        "notes": notes,
    }


def _check_parents(ctx: Context, units, level: str) -> list[str]:
    """Refuse units whose parent is not loaded or that lie mostly outside an
    official parent; against an illustrative parent (a sketch) only say so."""
    from gridwatch.grids import check_children_within

    parent_level = _PARENT_LEVEL.get(level)
    if not parent_level or not units["parent_code"].notna().any():
        return []
    parents = read_admin_units(ctx, parent_level)
    parents = parents[parents.geometry.notna()]
    if not len(parents):
        return []
    unknown = sorted(set(units["parent_code"].dropna()) - set(parents["code"]))
    if unknown:
        raise InvalidInputError(
            f"Parent {parent_level} {unknown[0]} is not loaded; import the "
            f"{parent_level} boundaries first or fix the parent codes.",
            details={"hint": "--parent-code CODE", "unknown": unknown},
        )
    outside = check_children_within(
        units, parents, metric_crs=ctx.settings.metric_crs
    )
    sketch = set(parents.loc[parents["is_illustrative"], "code"])
    official = [o for o in outside if o["parent_code"] not in sketch]
    if official:
        o = official[0]
        raise InvalidInputError(
            f"{level.capitalize()} {o['code']} lies mostly outside its parent "
            f"{o['parent_code']} (only {o['share_inside']:.0%} inside); check the "
            "file's CRS and the parent codes.",
            details={"hint": "--crs", "outside": outside},
        )
    drawn = [o["code"] for o in outside]
    if not drawn:
        return []
    note = (
        f"{len(drawn)} {level} unit(s) lie mostly outside their illustrative "
        f"{parent_level} (示意边界, e.g. {drawn[0]}): the sketch does not match "
        f"these boundaries; draw the {parent_level} boundaries again to fit them"
    )
    return [note]


def _outline_notes(ctx: Context, units, outline, crs) -> list[str]:
    """A warning when the units stick out of the district (a datum mistake)."""
    from gridwatch.grids.outline import datum_suspect, outline_fit

    geoms = [g for g in units.geometry if g is not None]
    if not geoms:
        return []
    metric = ctx.settings.metric_crs
    fit = outline_fit(geoms, outline, metric_crs=metric)
    if fit["outside_km2"] <= fit["tolerance_km2"]:
        return []
    note = (
        f"WARNING: {fit['outside_km2']:.1f} km² of these units lie outside the "
        f"district outline (tolerance {fit['tolerance_km2']:.1f} km²)"
    )
    suspect = datum_suspect(geoms, outline, metric) if crs is None else None
    if suspect:
        note += (
            f"; read as {suspect['datum'].upper()} they would leave only "
            f"{suspect['outside_km2']:.2f} km² outside: the file is probably "
            f"{suspect['datum'].upper()} (Amap/Baidu); import it again with the "
            f"datum {suspect['datum']}"
        )
    else:
        note += "; check the file's CRS; 'gridwatch grids check' will fail on it"
    return [note]
