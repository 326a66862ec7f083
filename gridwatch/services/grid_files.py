"""Bring grids drawn elsewhere (the city's grid system) in as a draft version."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gridwatch.crs import WGS84
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor
from gridwatch.services.admin import district_outline, read_admin_units
from gridwatch.services.context import Context
from gridwatch.services.grid_reports import check_version
from gridwatch.services.grid_workload import gridded_enterprises
from gridwatch.services.grids import (
    _require_editor,
    active_version_id,
    store_version,
    version_grids,
)


def import_grids(
    ctx: Context,
    actor: Actor,
    path: str,
    *,
    parent_field: str | None = None,
    code_field: str | None = None,
    crs: str | None = None,
    layer: str | None = None,
    where: list[tuple[str, str]] | None = None,
    label: str | None = None,
) -> dict:
    """Store the grids of a file as a new draft version and check it.

    The towns the file covers are replaced; everywhere else the draft keeps the
    active version's grids (as a one-town build does), so activating it changes
    only what the file holds. Workload and enterprise counts are computed from
    the registry; the draft is checked exactly like a built one.

    Returns
    -------
    dict
        ``version``, ``grids`` (imported), ``kept_from_active``, ``towns``,
        ``notes`` and ``check`` (the :class:`QualityReport` as a dict, whose
        ``is_ok`` says whether the tiling, balance and outline hold).

    Raises
    ------
    InvalidInputError
        What :func:`gridwatch.grids.gridfile.read_grids_file` refuses.
    PermissionDeniedError
        A street office importing grids outside its street.
    """
    from gridwatch.grids import grid_metrics
    from gridwatch.grids.gridfile import read_grids_file

    units = read_admin_units(ctx)
    units = units[units.geometry.notna()]
    grids, notes = read_grids_file(
        path,
        set(units["code"]),
        parent_field=parent_field,
        code_field=code_field,
        crs=crs,
        layer=layer,
        where=where,
        near=district_outline(ctx),
        metric_crs=ctx.settings.metric_crs,
    )
    towns = sorted({town_of(c) for c in grids["code"]})
    _require_editor(actor, towns[0] if len(towns) == 1 else None, "Importing grids")
    with ctx.engine.connect() as conn:
        ents = gridded_enterprises(conn)
        active = active_version_id(conn)
        keep = version_grids(conn, active) if active is not None else None
    grids = grid_metrics(
        grids, ents, ctx.settings.risk_weights, ctx.settings.metric_crs
    )
    kept = 0
    if keep is not None and len(keep):
        keep = keep[~keep["code"].map(town_of).isin(towns)]
        kept = len(keep)
        grids = gpd.GeoDataFrame(
            pd.concat([keep.to_crs(WGS84), grids], ignore_index=True),
            geometry="geometry",
            crs=WGS84,
        )
    params = {
        "file": str(path),
        "parent_field": parent_field,
        "code_field": code_field,
        "towns": towns,
        "town": towns[0] if len(towns) == 1 else None,
        "within": "imported",
    }
    with ctx.transaction(actor) as s:
        vid = store_version(s, grids, "imported", params, label=label)
    _, report = check_version(ctx, actor, vid)
    return {
        "version": vid,
        "grids": len(grids) - kept,
        "kept_from_active": kept,
        "towns": towns,
        "notes": notes,
        "check": report.to_dict(),
    }
