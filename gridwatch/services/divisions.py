"""Towns and communities from the official names-and-codes list, drawn illustrative.

A district with no town or community polygons (no public ones exist in China)
still gets units to build grids in: the names and codes are official, the
polygons are generated inside each loaded parent
(:func:`gridwatch.grids.illustrative.illustrative_children`) and stored with
``is_illustrative`` so every list, map and page says 示意边界.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gridwatch.crs import WGS84
from gridwatch.errors import ConflictError, InvalidInputError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.admin import read_admin_units, upsert_admin_units
from gridwatch.services.context import Context

PARENT_LEVEL = {"town": "district", "community": "town"}
#: Default seed of the illustrative layout (the demo's, so the two agree).
DEFAULT_SEED = 20131


def import_codes(
    ctx: Context,
    actor: Actor,
    path: str,
    level: str,
    *,
    parent: str | None = None,
    seed: int = DEFAULT_SEED,
    code_field: str | None = None,
    name_field: str | None = None,
    dry_run: bool = False,
) -> dict:
    """Store the units of ``level`` listed in ``path`` with illustrative polygons.

    Parameters
    ----------
    path : str
        Names-and-codes CSV (:func:`gridwatch.grids.divisions.read_divisions`).
    level : {"town", "community"}
    parent : str, optional
        Only units under this district (6 digits) or town (9 digits).
    seed : int
        Layout seed; the same seed, list and parents give the same polygons.
    code_field, name_field : str, optional
        Column names when they are not the usual ones.
    dry_run : bool
        Work out what would be stored; write nothing.

    Returns
    -------
    dict
        ``file``, ``level``, ``rows``, ``units`` (drawn), ``parents`` (codes),
        ``inserted``/``updated``/``unchanged`` (+ ``codes``), ``skipped`` (rows
        not drawn, by reason: other levels, other parents, parents not loaded,
        rejected), ``rejected`` (line, code, reason), ``notes``, ``dry_run``.

    Raises
    ------
    InvalidInputError
        No listed unit has a loaded parent with a boundary.
    ConflictError
        A listed unit already has an official (not illustrative) boundary.
    """
    from gridwatch.grids.divisions import read_divisions
    from gridwatch.grids.illustrative import illustrative_children

    require_role(actor, "admin", action="Loading boundaries")
    listed = read_divisions(
        path, level, parent, code_field=code_field, name_field=name_field
    )
    units = listed.units
    plevel = PARENT_LEVEL[level]
    parents = read_admin_units(ctx, plevel)
    parents = parents[parents.geometry.notna()]
    known = units["parent_code"].isin(set(parents["code"]))
    missing = units.loc[~known, "parent_code"].value_counts().sort_index()
    if not known.any():
        raise InvalidInputError(
            f"None of the {len(units)} listed {level} units has its {plevel} "
            f"loaded (e.g. {missing.index[0]}); import the {plevel} boundary "
            "first.",
            details={"missing_parents": missing.index.tolist()[:20]},
        )
    units = units[known]
    _refuse_official(ctx, level, units)
    notes = list(listed.notes)
    drawn = []
    if level == "town":
        units = units.assign(kind="town")  # spread evenly; stored kind stays None
    for pcode, kids in units.groupby("parent_code", sort=True):
        geom = parents.loc[parents["code"] == pcode].geometry.iloc[0]
        pieces = illustrative_children(
            geom, pcode, kids, seed, metric_crs=ctx.settings.metric_crs
        )
        drawn.append(kids.assign(geometry=pieces.geometry.to_numpy(),
                                 kind=None if level == "town" else kids["kind"]))
        notes += _stale_note(ctx, level, pcode, set(kids["code"]))
    frame = gpd.GeoDataFrame(
        pd.concat(drawn, ignore_index=True), geometry="geometry", crs=WGS84
    )
    frame["is_illustrative"] = True
    counts = upsert_admin_units(
        ctx,
        actor,
        frame,
        level,
        source=f"{path} (示意 seed {seed})",
        dry_run=dry_run,
    )
    skipped = {
        "other_level": listed.other_level,
        "other_parent": listed.outside_parent,
        "parent_not_loaded": int((~known).sum()),
        "rejected": len(listed.rejected),
    }
    if len(missing):
        notes.append(
            f"{int(missing.sum())} listed {level} unit(s) skipped: their {plevel} "
            f"is not loaded ({', '.join(missing.index[:8])}"
            + (" …" if len(missing) > 8 else "")
            + ")"
        )
    return {
        "file": str(path),
        "level": level,
        "rows": listed.rows,
        "units": len(frame),
        "parents": sorted(frame["parent_code"].unique()),
        "seed": seed,
        **counts,
        "skipped": skipped,
        "rejected": listed.rejected,
        "notes": notes,
        "dry_run": dry_run,
    }


def _refuse_official(ctx: Context, level: str, units) -> None:
    """Never replace an official boundary by an illustrative one."""
    stored = read_admin_units(ctx, level, codes=list(units["code"]))
    official = stored[stored.geometry.notna() & ~stored["is_illustrative"]]
    if len(official):
        raise ConflictError(
            f"{level.capitalize()} {official['code'].iloc[0]} already has an "
            f"official boundary ({len(official)} listed units do); illustrative "
            "polygons never replace official ones: leave those parents out.",
            details={"official": official["code"].tolist()[:20]},
        )


def _stale_note(ctx: Context, level: str, parent: str, listed: set) -> list[str]:
    stored = read_admin_units(ctx, level, parent_code=parent)
    stale = sorted(set(stored["code"]) - listed)
    if not stale:
        return []
    shown = ", ".join(stale[:8])
    note = (
        f"{len(stale)} stored {level} unit(s) of {parent} are not in this list and "
        f"were left as they are (they may now overlap): {shown}"
    )
    return [note]
