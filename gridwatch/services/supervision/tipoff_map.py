"""What the public tip-off page's map draws (no account, no scope).

The page lets a signed-out visitor pick where the problem is. It shows only what
is public anyway: the district's streets (镇街) as outlines with their names, so
the visitor can find the place when no base tiles are configured. No grid,
enterprise, warden or tip-off reaches this page (the grids and their wardens are
staff data; routing happens on the server after the report is sent).
"""

from __future__ import annotations

import geopandas as gpd
import sqlalchemy as sa

from gridwatch.db.models import AdminUnit
from gridwatch.db.queries import read_frame, wkb
from gridwatch.maps.base import resolve_tiles
from gridwatch.maps.layers import geojson_text
from gridwatch.services.context import Context

#: Outline simplification for the public map, in degrees (≈ 10 m): the page
#: needs the streets' shapes to find a place, not survey precision, and a
#: district's official outlines can be megabytes.
SIMPLIFY_DEG = 0.0001


def tipoff_map(ctx: Context) -> dict:
    """The public map's frame.

    Returns
    -------
    dict
        ``outlines``: FeatureCollection of the towns (``code``, ``name``) in the
        display datum of the configured tiles (the tiles' datum, so a click
        on the map is in that datum: the form sends it with the point);
        ``datum``: that datum's code (``wgs84``/``gcj02``); ``bounds``:
        ``[west, south, east, north]`` of the towns in WGS-84, or None when no
        town outline is stored (the page then asks for an address).
    """
    datum = resolve_tiles(ctx.settings.tiles)[2]
    with ctx.engine.connect() as conn:
        frame = read_frame(
            conn,
            sa.select(AdminUnit.code, AdminUnit.name, wkb(AdminUnit.geom))
            .where(AdminUnit.level == "town", AdminUnit.geom.is_not(None))
            .order_by(AdminUnit.code),
        )
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    if frame.empty:
        return {"outlines": geojson_text(frame, [], datum), "datum": datum.value,
                "bounds": None}  # fmt: skip
    frame["geometry"] = frame.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True)
    bounds = [round(float(v), 6) for v in frame.total_bounds]
    return {
        "outlines": geojson_text(frame, ["code", "name"], datum),
        "datum": datum.value,
        "bounds": bounds,
    }
