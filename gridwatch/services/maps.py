"""Coverage, hotspot and grid maps from the database, written as offline HTML.

The numbers on every map come from ``gridwatch.analytics`` (one function per
figure), so a grid's coverage on the map equals the same grid's figure anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    Grid,
    GridWarden,
    Hazard,
    Inspection,
    User,
    Warden,
)
from gridwatch.db.queries import (
    effective_on,
    inspection_summary,
    read_frame,
    rows_frame,
    wkb,
)
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.grids.codes import community_of, town_of
from gridwatch.services.actor import Actor
from gridwatch.services.admin import read_admin_units
from gridwatch.services.context import Context
from gridwatch.services.grids import resolve_version, version_grids
from gridwatch.services.scope import enterprise_clause, grid_clause


@dataclass
class MapData:
    """What the maps and overviews of an area read (frames in EPSG:4326).

    ``enterprises``: ``id``, ``uscc``, ``name``, ``sector``, ``risk_level``,
    ``registered_on``, ``town_code``, ``community_code``, ``precision``,
    ``grid_code`` (active version; None in no grid), geometry (None when
    ``points=False`` was asked). ``inspection_summary``: per credit code, the
    :data:`~gridwatch.analytics.coverage.SUMMARY_COLUMNS` of its inspections up to
    ``end`` (aggregated in SQL). ``inspections``: the inspection rows themselves
    (``uscc``, ``inspected_on``, ``kind``), read from the database the first
    time they are asked for (the coverage figures do not need them).
    """

    version: int
    start: dt.date
    end: dt.date
    grids: gpd.GeoDataFrame
    enterprises: gpd.GeoDataFrame
    inspection_summary: pd.DataFrame
    hazards: pd.DataFrame | None
    towns: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    #: hazards of the area's enterprises at any date: (count, first, last found_on)
    hazards_ever: tuple[int, dt.date | None, dt.date | None] = (0, None, None)
    #: reads the inspection rows on first use (see :attr:`inspections`)
    read_inspections: Callable[[], pd.DataFrame] | None = field(
        default=None, repr=False
    )
    _inspections: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def inspections(self) -> pd.DataFrame:
        """Inspection rows of the area's enterprises up to ``end``: ``uscc``,
        ``inspected_on``, ``kind`` (read once, on first use)."""
        if self._inspections is None:
            if self.read_inspections is None:
                raise ValueError("this MapData has no inspection reader")
            self._inspections = self.read_inspections()
        return self._inspections


def no_hazards_error(data: MapData) -> InvalidInputError:
    """Why there is no hotspot map, with the advice that fits the cause: nothing
    recorded yet in the area, or nothing in the chosen period (and when there is)."""
    n, first, last = data.hazards_ever
    if n == 0:
        return InvalidInputError(
            "No hazards have been recorded in this area yet, so there are no "
            "hotspots to map; record inspections and their hazards first.",
            details={"reason": "no_hazards"},
        )
    return InvalidInputError(
        f"No hazards were found in this area between {data.start} and {data.end}; "
        f"its {n} recorded hazards were found between {first} and {last}, so "
        "choose a period that includes them.",
        details={
            "reason": "none_in_period",
            "first_found": str(first),
            "last_found": str(last),
            "hint": f"--from {first} --to {last}",
        },
    )


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """``(start, end)``, both included: default the 365 days ending today (the
    district's day, Asia/Shanghai, not the server's)."""
    from gridwatch.timeutil import today

    end = end or today()
    start = start or end - dt.timedelta(days=364)
    if start > end:
        raise InvalidInputError(
            f"The period starts ({start}) after it ends ({end}); swap them.",
            details={"hint": "--from is after --to"},
        )
    return start, end


def _area_clause(actor: Actor, vid: int, town: str | None, grid: str | None):
    """(enterprise clause, grid clause) for the actor's scope and the chosen area."""
    eg = EnterpriseGrid
    ent = enterprise_clause(actor)
    grd = grid_clause(actor)
    if grid:
        ent = sa.and_(ent, eg.grid_code == grid)
        grd = sa.and_(grd, Grid.code == grid)
    elif town:
        ent = sa.and_(
            ent,
            sa.or_(
                eg.grid_code.startswith(town, autoescape=True),
                sa.and_(eg.grid_code.is_(None), Enterprise.town_code == town),
            ),
        )
        grd = sa.and_(grd, Grid.code.startswith(town, autoescape=True))
    return ent, grd


def load_map_data(
    ctx: Context,
    actor: Actor,
    start: dt.date | None = None,
    end: dt.date | None = None,
    town: str | None = None,
    grid: str | None = None,
    *,
    points: bool = True,
    hazards: bool = True,
) -> MapData:
    """Everything the maps need for the active grid version, in the actor's scope
    and the chosen area (a town or one grid), filtered in SQL.

    Enterprises carry their grid under the active version (None when they lie in
    none); the inspection summary (up to ``end``) and the hazards found in the
    period are those of these enterprises. ``points=False`` leaves the
    enterprises' geometry out (figures and tables need none); ``hazards=False``
    leaves the hazards unread (``hazards`` is then None: the coverage figures
    count no open hazards, and the hotspot map refuses the data).
    """
    start, end = _period(start, end)
    vid = resolve_version(ctx, None)
    if town and not read_admin_units(ctx, "town", codes=[town]).shape[0]:
        raise NotFoundError(
            f"Town/street {town} is not loaded; choose one of the district's "
            "towns and streets.",
            details={"hint": "gridwatch boundaries list --level town"},
        )
    eg = EnterpriseGrid
    ent_where, grid_where = _area_clause(actor, vid, town, grid)
    current = sa.and_(
        eg.enterprise_id == Enterprise.id, eg.version_id == vid, eg.valid_to.is_(None)
    )
    ids = (
        sa.select(Enterprise.id).outerjoin(eg, current).where(ent_where)
    ).scalar_subquery()
    with ctx.engine.connect() as conn:
        grids = version_grids(conn, vid, grid_where)
        if grid and grids.empty:
            raise NotFoundError(f"Grid {grid} is not in the active version {vid}.")
        wardens = _responsible_names(conn, vid, grids["code"].tolist(), end)
        ents = _enterprises(conn, current, ent_where, points)
        summary = _summary(conn, ids, ents, start, end)
        ever, hz = (
            _hazards(conn, ids, start, end) if hazards else ((0, None, None), None)
        )
    grids["warden"] = grids["code"].map(wardens).astype(object).fillna("")
    towns, communities = _units(ctx, actor, town, grid)

    def read_rows() -> pd.DataFrame:
        with ctx.engine.connect() as conn:
            return rows_frame(
                conn.execute(
                    sa.select(Enterprise.uscc, Inspection.inspected_on, Inspection.kind)
                    .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
                    .where(
                        Inspection.inspected_on <= end,
                        Inspection.enterprise_id.in_(ids),
                    )
                ).all(),
                ["uscc", "inspected_on", "kind"],
            )

    return MapData(
        version=vid,
        start=start,
        end=end,
        grids=grids,
        enterprises=ents,
        inspection_summary=summary,
        hazards=hz,
        towns=towns,
        communities=communities,
        hazards_ever=tuple(ever),
        read_inspections=read_rows,
    )


def _responsible_names(conn, vid: int, codes: list[str], end: dt.date) -> dict:
    """grid code → full name of its responsible warden on ``end``."""
    gw = GridWarden
    return dict(
        conn.execute(
            sa.select(gw.grid_code, User.full_name)
            .join(Warden, Warden.id == gw.warden_id)
            .join(User, User.id == Warden.user_id)
            .where(
                gw.version_id == vid,
                gw.role == "responsible",
                effective_on(gw, end),
                gw.grid_code.in_(codes or [""]),
            )
        ).all()
    )


def _enterprises(conn, current, ent_where, points: bool) -> gpd.GeoDataFrame:
    geom = wkb(Enterprise.geom) if points else sa.null().label("geom")
    return read_frame(
        conn,
        sa.select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.sector,
            Enterprise.risk_level,
            Enterprise.registered_on,
            Enterprise.town_code,
            Enterprise.community_code,
            Enterprise.precision,
            EnterpriseGrid.grid_code,
            geom,
        )
        .outerjoin(EnterpriseGrid, current)
        .where(ent_where),
    )


def _summary(conn, ids, ents, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The SQL inspection summary keyed by credit code instead of id."""
    summary = inspection_summary(conn, ids, start, end)
    uscc = pd.Series(ents["uscc"].to_numpy(), index=ents["id"].to_numpy())
    summary.insert(0, "uscc", summary.pop("enterprise_id").map(uscc))
    return summary.dropna(subset=["uscc"])


def _hazards(conn, ids, start: dt.date, end: dt.date):
    """((count, first, last found_on) at any date, hazards found in the period)."""
    ever = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(Hazard.found_on),
            sa.func.max(Hazard.found_on),
        ).where(Hazard.enterprise_id.in_(ids))
    ).one()
    hz = rows_frame(
        conn.execute(
            sa.select(
                Enterprise.uscc,
                Hazard.level,
                Hazard.status,
                Hazard.found_on,
                Hazard.is_listed,
            )
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(
                Hazard.found_on >= start,
                Hazard.found_on <= end,
                Hazard.enterprise_id.in_(ids),
            )
        ).all(),
        ["uscc", "level", "status", "found_on", "is_listed"],
    )
    return ever, hz


def _units(ctx: Context, actor: Actor, town: str | None, grid: str | None):
    """(towns, communities) polygons of the area shown."""
    towns = read_admin_units(ctx, "town")
    communities = read_admin_units(ctx, "community")
    area = town_of(grid) if grid else town
    if area is None and not actor.sees_district:
        area = actor.scope_code
    if area:
        towns = towns[towns["code"] == area]
        communities = communities[communities["parent_code"] == area]
    if grid:
        communities = communities[communities["code"] == community_of(grid)]
    return towns, communities


def coverage_figures(ctx: Context, data: MapData):
    """(grids with their coverage figures, enterprise status) of ``data``: the
    coverage map's numbers without its points."""
    from gridwatch.analytics import count_open_hazards, grid_coverage
    from gridwatch.analytics.coverage import enterprise_status_from_summary

    status = enterprise_status_from_summary(
        data.enterprises,
        data.inspection_summary,
        data.start,
        data.end,
        ctx.settings.due_days,
    )
    open_h = None if data.hazards is None else count_open_hazards(data.hazards)
    return grid_coverage(data.grids, status, open_h), status


def coverage_frames(ctx: Context, data: MapData):
    """(grids with coverage, enterprise points with status, status) of ``data``."""
    from gridwatch.analytics import count_open_hazards, enterprise_points

    grids, status = coverage_figures(ctx, data)
    open_h = None if data.hazards is None else count_open_hazards(data.hazards)
    return grids, enterprise_points(data.enterprises, status, open_h), status


def hotspot_frames(ctx: Context, data: MapData):
    """(cells with Gi*, monthly rows, emerging-hotspot trend) for ``data``'s hazards.

    Raises InvalidInputError when no hazard was found in the period.
    """
    from gridwatch.analytics import emerging_hotspots, monthly_getis_ord

    if data.hazards is None:
        raise ValueError("the map data was loaded without hazards (hazards=False)")
    if data.hazards.empty:
        raise no_hazards_error(data)
    located = data.enterprises[data.enterprises.geometry.notna()]
    cells, monthly = monthly_getis_ord(
        data.hazards,
        located,
        data.grids,
        ctx.settings.hazard_weights,
        metric_crs=ctx.settings.metric_crs,
    )
    return cells, monthly, emerging_hotspots(monthly)


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
        cells, _monthly, trend = hotspot_frames(ctx, data)
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
    actor: Actor,
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
    data = load_map_data(ctx, actor, start, end, town, grid)
    return save_map(build_map(ctx, kind, data), out)


def write_district_maps(
    ctx: Context, actor: Actor, out_dir: str | Path
) -> dict[str, Path]:
    """The coverage, hotspot and grid maps of the actor's area (one data load)."""
    from gridwatch.maps import save_map

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load_map_data(ctx, actor)
    paths = {}
    for kind in ("coverage", "hotspots", "grids"):
        paths[kind] = save_map(build_map(ctx, kind, data), out_dir / f"{kind}.html")
    return paths
