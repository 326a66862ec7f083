"""Do units (or grids) fill the district outline, and only it?

Towns, communities and grids each tile their parent, so a whole layer can tile
itself perfectly and still sit in the wrong place: a town file drawn on Amap
(GCJ-02) and imported as WGS-84 lies ~600 m off, and in 禅城区 that leaves about
49 km² outside the district and 47 km² of it uncovered while every per-parent
check passes. :func:`outline_fit` measures both areas; :func:`datum_suspect`
tells whether reading the same coordinates as GCJ-02 or BD-09 would fit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gridwatch.crs import METRIC_CRS, WGS84, Datum, transform_geometry
from gridwatch.grids.atoms import GRID_SIZE_M

#: Largest area outside the outline, or of it uncovered, as a share of its area:
#: boundaries digitised from different sources differ along the edge (20 m over an
#: 80 km outline is 1.6 km², about 1% of 禅城区's 154 km²); a datum error is 30%.
OUTLINE_TOLERANCE_SHARE = 0.01


def outline_fit(geoms_wgs84, outline_wgs84, exempt_wgs84=None,
                metric_crs: str = METRIC_CRS) -> dict:
    """Area of ``geoms`` outside ``outline`` and of ``outline`` they leave uncovered.

    Parameters
    ----------
    geoms_wgs84 : sequence of shapely geometries
        Units or grids in WGS-84.
    outline_wgs84 : shapely geometry
        The district outline in WGS-84.
    exempt_wgs84 : shapely geometry, optional
        Part of the outline not expected to be covered (units without grids).
    metric_crs : str
        CRS for areas.

    Returns
    -------
    dict
        ``outline_km2``, ``outside_km2``, ``uncovered_km2``, ``tolerance_km2`` and
        ``is_ok`` (both areas within :data:`OUTLINE_TOLERANCE_SHARE`).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = box(113.0, 23.0, 113.1, 23.1)
    >>> fit = outline_fit([box(113.01, 23.0, 113.11, 23.1)], d)
    >>> round(fit["outside_km2"], 1), round(fit["uncovered_km2"], 1), fit["is_ok"]
    (11.4, 11.4, False)
    """
    def metric(geoms):
        s = gpd.GeoSeries(list(geoms), crs=WGS84).to_crs(metric_crs)
        return shapely.union_all(s.to_numpy(), grid_size=GRID_SIZE_M)

    outline = metric([outline_wgs84])
    union = metric(geoms_wgs84) if len(geoms_wgs84) else shapely.Polygon()
    outside = shapely.difference(union, outline, grid_size=GRID_SIZE_M).area
    todo = shapely.difference(outline, union, grid_size=GRID_SIZE_M)
    if exempt_wgs84 is not None and not exempt_wgs84.is_empty:
        todo = shapely.difference(todo, metric([exempt_wgs84]),
                                  grid_size=GRID_SIZE_M)
    tol = OUTLINE_TOLERANCE_SHARE * outline.area
    return {
        "outline_km2": round(outline.area / 1e6, 3),
        "outside_km2": round(outside / 1e6, 3),
        "uncovered_km2": round(todo.area / 1e6, 3),
        "tolerance_km2": round(tol / 1e6, 3),
        "is_ok": bool(outside <= tol and todo.area <= tol),
    }


def datum_suspect(geoms_wgs84, outline_wgs84,
                  metric_crs: str = METRIC_CRS) -> dict | None:
    """The datum under which these coordinates fit the outline far better, if any.

    Returns
    -------
    dict or None
        ``{"datum": "gcj02", "outside_km2": ...}`` when reading the coordinates
        as GCJ-02 (or BD-09) and converting them leaves under a third of the
        area outside that the WGS-84 reading leaves, and within tolerance.
    """
    geoms = list(geoms_wgs84)
    now = outline_fit(geoms, outline_wgs84, metric_crs=metric_crs)
    if now["outside_km2"] <= now["tolerance_km2"]:
        return None
    best = None
    for datum in (Datum.GCJ02, Datum.BD09):
        moved = [transform_geometry(g, datum, Datum.WGS84) for g in geoms]
        fit = outline_fit(moved, outline_wgs84, metric_crs=metric_crs)
        if (fit["outside_km2"] < now["outside_km2"] / 3
                and fit["outside_km2"] <= fit["tolerance_km2"]
                and (best is None or fit["outside_km2"] < best["outside_km2"])):
            best = {"datum": datum.value, "outside_km2": fit["outside_km2"]}
    return best


def total_area_km2(geoms_wgs84, metric_crs: str = METRIC_CRS) -> float:
    """Area of the union of the geometries, km²."""
    s = gpd.GeoSeries(list(geoms_wgs84), crs=WGS84).to_crs(metric_crs)
    return float(np.round(shapely.union_all(s.to_numpy()).area / 1e6, 3))
