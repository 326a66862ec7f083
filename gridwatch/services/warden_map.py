"""The data of the warden's "my grids" map (我的网格), drawn by a static script.

The page's script is the offline maps' own canvas layer
(``gridwatch/maps/static/gridwatch.js``: ``gridwatch.PointsLayer`` and
``gridwatch.polygons``), so this builds the same payloads the offline coverage
map embeds, with the maps' own functions: enterprises coloured by inspection
status, those placed only at their community/town drawn hollow with a ring the
size of that unit, points sharing coordinates spread on a spiral so none hides
another (:func:`gridwatch.maps.coverage.points_payload`), and the grids filled by
their on-time share (:func:`gridwatch.maps.coverage.share_colors`). Geometries
are in the display datum of the configured tiles (GCJ-02 over Amap tiles).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.analytics.coverage import STATUSES
from gridwatch.crs import from_wgs84
from gridwatch.db.models import AdminUnit, Enterprise, EnterpriseGrid, Grid
from gridwatch.db.queries import effective_on, read_frame, wkb
from gridwatch.errors import NotFoundError
from gridwatch.fieldwork.checkin import location_note
from gridwatch.maps.base import resolve_tiles
from gridwatch.maps.coverage import (
    STATUS_COLORS,
    STATUS_DRAW_ORDER,
    points_payload,
    share_colors,
)
from gridwatch.maps.layers import geojson_text, pack
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.admin import read_admin_units
from gridwatch.services.context import Context
from gridwatch.services.geojson import plain, records
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.warden import my_grids
from gridwatch.timeutil import today

_GRID_PROPS = [
    "code",
    "responsible_warden",
    "role",
    "n",
    "on_time",
    "share_on_time",
    "overdue",
    "due_soon",
    "never",
    "open_hazards",
]


def display_datum(ctx: Context) -> str:
    """The datum map pages draw in: that of the configured base tiles."""
    return resolve_tiles(ctx.settings.tiles)[2].value


def _units(ctx: Context, enterprises):
    """The communities and towns of the enterprises (to size the rings)."""

    def codes(col):
        return sorted({c for c in enterprises[col].dropna().astype(str)})

    return (
        read_admin_units(ctx, "town", codes=codes("town_code")),
        read_admin_units(ctx, "community", codes=codes("community_code")),
    )


def my_grids_map(ctx: Context, actor: Actor, on: dt.date | None = None) -> dict:
    """What the "my grids" page's script draws, JSON-safe.

    Returns
    -------
    dict
        - ``grids``: packed GeoJSON (``gridwatch.pack``) of the warden's grids,
          properties ``code``, ``responsible_warden``, ``role``, the coverage
          counts, ``share_on_time`` and ``_c`` (fill colour).
        - ``points``: packed payload of ``gridwatch.PointsLayer`` (enterprises
          with a point; statuses in :data:`~gridwatch.analytics.coverage.STATUSES`
          order), ``n_points`` how many.
        - ``ids``: credit code → enterprise id (the file page of a point).
        - ``unplaced``: enterprises without any point (``id``, ``uscc``,
          ``name``, ``status``), listed beside the map.
        - ``counts``: enterprises per status and ``imprecise``
          (:class:`~gridwatch.services.warden.MyGrids`), ``colors`` (per status),
          ``draw_order``, ``statuses``, ``datum`` (``wgs84`` or ``gcj02``), the
          day ``on`` and the status period.

    Raises
    ------
    PermissionDeniedError
        The actor is not a warden.
    """
    mg = my_grids(ctx, actor, on)
    datum = resolve_tiles(ctx.settings.tiles)[2]
    ents = mg.enterprises
    towns, communities = _units(ctx, ents)
    payload, _n_unlocated, _counts = points_payload(ents, datum, towns, communities)
    located = ents.geometry.notna() & ~ents.geometry.is_empty
    grids = mg.grids
    polys = geojson_text(
        grids, _GRID_PROPS, datum, share_colors(grids["share_on_time"].astype(float))
    )
    return plain(
        {
            "on": mg.on,
            "period_start": mg.period_start,
            "period_end": mg.period_end,
            "counts": mg.counts,
            "grids": pack(plain(polys)),
            "points": pack(payload),
            "n_points": int(located.sum()),
            "ids": dict(zip(ents["uscc"], ents["id"].astype(int))),
            "unplaced": records(
                ents.loc[~located], ["id", "uscc", "name", "status"]
            ),
            "colors": list(STATUS_COLORS),
            "draw_order": list(STATUS_DRAW_ORDER),
            "statuses": list(STATUSES),
            "datum": datum.value,
        }
    )


#: Roles that may move a pin (as :func:`gridwatch.services.geocoding.place_manually`).
MOVERS = ("warden", "street_office", "admin")


def _outlines(conn, ent, on: dt.date):
    """The enterprise's grid (on ``on``) and its community or town polygon."""
    eg = EnterpriseGrid
    grid = read_frame(
        conn,
        sa.select(Grid.code, wkb(Grid.geom))
        .join(
            eg,
            sa.and_(eg.version_id == Grid.version_id, eg.grid_code == Grid.code),
        )
        .where(eg.enterprise_id == ent.id, effective_on(eg, on)),
    ).assign(kind="grid")
    unit_codes = [c for c in (ent.community_code, ent.town_code) if c]
    units = read_frame(
        conn,
        sa.select(AdminUnit.code, wkb(AdminUnit.geom))
        .where(AdminUnit.code.in_(unit_codes or [""]))
        .order_by(sa.func.length(AdminUnit.code).desc()),
    ).head(1)
    return pd.concat([grid, units.assign(kind="unit")], ignore_index=True)


def location_for_edit(
    ctx: Context, actor: Actor, enterprise_id: int, on: dt.date | None = None
) -> dict:
    """What the "correct the location" page draws, JSON-safe.

    Returns
    -------
    dict
        ``enterprise`` (``id``, ``uscc``, ``name``, ``address``, ``precision``/
        ``precision_label``, ``note``: :func:`gridwatch.fieldwork.location_note`),
        ``point`` (``[lng, lat]`` in the display datum, None when unplaced),
        ``centre`` (where to start: the point, else the middle of its grid or
        community/town), ``outlines`` (GeoJSON in the display datum: its grid
        and its community, or town), ``datum`` (the datum the page reports the
        pin in: pass it to :func:`gridwatch.services.inspections.correct_location`).

    Raises
    ------
    PermissionDeniedError
        Bureau accounts (read-only).
    NotFoundError
        The enterprise is not in the actor's scope.
    """
    require_role(actor, *MOVERS, action="Moving an enterprise's pin")
    on = on or today()
    datum = resolve_tiles(ctx.settings.tiles)[2]
    with ctx.engine.connect() as conn:
        ent = conn.execute(
            sa.select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.address,
                Enterprise.precision,
                Enterprise.town_code,
                Enterprise.community_code,
                wkb(Enterprise.geom),
            ).where(Enterprise.id == enterprise_id, enterprise_clause(actor, on))
        ).first()
        if ent is None:
            raise NotFoundError(f"There is no enterprise {enterprise_id} in your area.")
        shapes = _outlines(conn, ent, on)
    shapes = gpd.GeoDataFrame(shapes, geometry="geometry", crs="EPSG:4326")
    point = shapely.from_wkb(bytes(ent.geom)) if ent.geom is not None else None
    if point is not None and point.is_empty:
        point = None
    anchor = point or (shapes.geometry.iloc[0].centroid if len(shapes) else None)
    precision = ent.precision or "none"
    return plain(
        {
            "enterprise": {
                "id": ent.id,
                "uscc": ent.uscc,
                "name": ent.name,
                "address": ent.address,
                "precision": precision,
                "precision_label": vocab.PRECISIONS.get(precision, precision),
                "note": location_note(precision),
            },
            "point": None if point is None else _display_xy(point, datum),
            "centre": None if anchor is None else _display_xy(anchor, datum),
            "outlines": geojson_text(shapes, ["code", "kind"], datum),
            "datum": datum.value,
        }
    )


def _display_xy(point, datum) -> list[float]:
    lng, lat = from_wgs84(point.x, point.y, datum)
    return [round(float(lng), 7), round(float(lat), 7)]
