"""Coverage, hotspot and grid maps from the database, written as offline HTML.

The numbers on every map come from ``gridwatch.analytics`` (one function per
figure), so a grid's coverage on the map equals the same grid's figure anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    GridWarden,
    Hazard,
    Inspection,
    User,
    Warden,
)
from gridwatch.db.queries import read_frame, wkb
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.admin import read_admin_units
from gridwatch.services.context import Context
from gridwatch.services.grids import read_grids, resolve_version


@dataclass
class MapData:
    version: int
    start: dt.date
    end: dt.date
    grids: gpd.GeoDataFrame
    enterprises: gpd.GeoDataFrame
    inspections: pd.DataFrame
    hazards: pd.DataFrame
    towns: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or dt.date.today()
    start = start or end - dt.timedelta(days=364)
    if start > end:
        raise InvalidInputError(f"--from {start} is after --to {end}; swap them.")
    return start, end


def load_map_data(
    ctx: Context,
    start: dt.date | None = None,
    end: dt.date | None = None,
    town: str | None = None,
    grid: str | None = None,
) -> MapData:
    """Everything the maps need for the active grid version, filtered to an area."""
    start, end = _period(start, end)
    vid = resolve_version(ctx, None)
    eg, gw = EnterpriseGrid, GridWarden
    with ctx.engine.connect() as conn:
        grids = read_grids(ctx, vid, conn=conn)
        wardens = dict(
            conn.execute(
                sa.select(gw.grid_code, User.full_name)
                .join(Warden, Warden.id == gw.warden_id)
                .join(User, User.id == Warden.user_id)
                .where(
                    gw.version_id == vid,
                    gw.role == "responsible",
                    gw.valid_from <= end,
                    sa.or_(gw.valid_to.is_(None), gw.valid_to > end),
                )
            ).all()
        )
        ents = read_frame(
            conn,
            sa.select(
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.sector,
                Enterprise.risk_level,
                Enterprise.registered_on,
                Enterprise.town_code,
                Enterprise.community_code,
                eg.grid_code,
                wkb(Enterprise.geom),
            ).outerjoin(
                eg,
                sa.and_(
                    eg.enterprise_id == Enterprise.id,
                    eg.version_id == vid,
                    eg.valid_to.is_(None),
                ),
            ),
        )
        ins = pd.DataFrame(
            conn.execute(
                sa.select(Enterprise.uscc, Inspection.inspected_on, Inspection.kind)
                .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
                .where(Inspection.inspected_on <= end)
            ).all(),
            columns=["uscc", "inspected_on", "kind"],
        )
        hz = pd.DataFrame(
            conn.execute(
                sa.select(
                    Enterprise.uscc,
                    Hazard.level,
                    Hazard.status,
                    Hazard.found_on,
                    Hazard.is_listed,
                )
                .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
                .where(Hazard.found_on >= start, Hazard.found_on <= end)
            ).all(),
            columns=["uscc", "level", "status", "found_on", "is_listed"],
        )
    grids["warden"] = grids["code"].map(wardens).fillna("")
    towns = read_admin_units(ctx, "town")
    communities = read_admin_units(ctx, "community")
    if grid:
        if grid not in set(grids["code"]):
            raise NotFoundError(f"Grid {grid} is not in the active version {vid}.")
        grids = grids[grids["code"] == grid]
        ents = ents[ents["grid_code"] == grid]
        communities = communities[communities["code"] == grid[:12]]
        towns = towns[towns["code"] == grid[:9]]
    elif town:
        if town not in set(towns["code"]):
            raise NotFoundError(
                f"Town {town} is not loaded; see "
                "'gridwatch boundaries list --level town'."
            )
        grids = grids[grids["code"].str.startswith(town)]
        ents = ents[
            ents["grid_code"].fillna(ents["town_code"]).fillna("").str.startswith(town)
        ]
        communities = communities[communities["parent_code"] == town]
        towns = towns[towns["code"] == town]
    keep = set(ents["uscc"])
    return MapData(
        vid,
        start,
        end,
        grids,
        ents,
        ins[ins["uscc"].isin(keep)],
        hz[hz["uscc"].isin(keep)],
        towns,
        communities,
    )


def coverage_frames(ctx: Context, data: MapData):
    from gridwatch.analytics import (
        count_open_hazards,
        enterprise_points,
        enterprise_status,
        grid_coverage,
    )

    status = enterprise_status(
        data.enterprises, data.inspections, data.start, data.end, ctx.settings.due_days
    )
    open_h = count_open_hazards(data.hazards)
    return (
        grid_coverage(data.grids, status, open_h),
        enterprise_points(data.enterprises, status, open_h),
        status,
    )


def build_map(ctx: Context, kind: str, data: MapData):
    from gridwatch import maps

    tiles = ctx.settings.tiles
    if kind == "coverage":
        grids_cov, points, _ = coverage_frames(ctx, data)
        return maps.coverage_map(
            grids_cov,
            points,
            data.towns,
            data.communities,
            tiles=tiles,
            period=(data.start, data.end),
            due_days=ctx.settings.due_days,
        )
    if kind == "hotspots":
        from gridwatch.analytics import emerging_hotspots, monthly_getis_ord

        if data.hazards.empty:
            raise InvalidInputError(
                f"No hazards were found between {data.start} and "
                f"{data.end} in this area; widen --from/--to."
            )
        located = data.enterprises[data.enterprises.geometry.notna()]
        cells, monthly = monthly_getis_ord(
            data.hazards, located, data.grids, ctx.settings.hazard_weights
        )
        trend = emerging_hotspots(monthly)
        return maps.hotspot_map(
            cells,
            trend,
            tiles=tiles,
            towns=data.towns,
            communities=data.communities,
            subtitle=f"{data.start} 至 {data.end}",
        )
    if kind == "grids":
        grids = data.grids.assign(n=data.grids["n_enterprises"])
        return maps.grids_map(
            grids,
            data.towns,
            data.communities,
            tiles=tiles,
            subtitle=f"网格版本 {data.version}",
        )
    raise InvalidInputError(f"Unknown map {kind!r}; use coverage, hotspots or grids.")


def write_map(
    ctx: Context,
    kind: str,
    out: str | Path,
    *,
    town: str | None = None,
    grid: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Path:
    from gridwatch.maps import save_map

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = load_map_data(ctx, start, end, town, grid)
    return save_map(build_map(ctx, kind, data), out)


def write_district_maps(ctx: Context, out_dir: str | Path) -> dict[str, Path]:
    """The district's coverage, hotspot and grid maps (one data load)."""
    from gridwatch.maps import save_map

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load_map_data(ctx)
    paths = {}
    for kind in ("coverage", "hotspots", "grids"):
        paths[kind] = save_map(build_map(ctx, kind, data), out_dir / f"{kind}.html")
    return paths
