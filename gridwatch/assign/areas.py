"""Points → administrative areas (communities, towns) by assignment's covers rule.

The same rule as enterprise → grid (:mod:`gridwatch.assign.points`), for any set of
coded polygons: a point belongs to every area that **covers** it (boundary
included), and among several (a point on a shared edge or vertex) to the one with
the smallest code in byte order. ``geopandas.sjoin(predicate="within")`` drops a
point lying on a boundary, because "within" excludes the boundary; that is why
filling an enterprise's town and community codes must not use it.

It reuses :func:`gridwatch.assign.points.build_index` (PostGIS-compatible exact
test, per-area raster prefilter), so the answer equals ``ST_Covers`` with
``ORDER BY code COLLATE "C"`` on PostGIS.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridwatch.assign.points import assign_points, build_index
from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_wgs84


def assign_points_to_areas(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    areas: gpd.GeoDataFrame,
    *,
    code: str = "code",
    carry: Sequence[str] = (),
) -> pd.DataFrame:
    """The area of every point: covers (edges included), ties to the smallest code.

    Parameters
    ----------
    points : GeoDataFrame or GeoSeries
        Points in EPSG:4326 (WGS-84, as stored); missing or empty geometries allowed.
    areas : GeoDataFrame
        Polygons in EPSG:4326 with a unique, non-missing ``code`` column (e.g. the
        communities, 12-digit codes) and any columns named in ``carry``.
    code : str
        Name of the code column of ``areas``.
    carry : sequence of str
        Columns of ``areas`` copied to each point's row (e.g. ``parent_code``, the
        community's town).

    Returns
    -------
    DataFrame
        Indexed like ``points``: ``code`` (None when no area covers the point or it
        has no location), ``n_covering`` (2+ on a shared edge or vertex) and the
        ``carry`` columns. No point is dropped.

    Raises
    ------
    CRSMismatchError
        ``points`` or ``areas`` not in EPSG:4326.
    InvalidInputError
        Missing/duplicate codes, a missing ``carry`` column, non-point locations,
        invalid area polygons.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> areas = gpd.GeoDataFrame({"code": ["440604011002", "440604011001"],
    ...     "parent_code": ["440604011", "440604011"]}, crs="EPSG:4326",
    ...     geometry=[box(113.01, 23.0, 113.02, 23.01), box(113.0, 23.0, 113.01, 23.01)])
    >>> pts = gpd.GeoSeries([Point(113.005, 23.005), Point(113.01, 23.005), None,
    ...                      Point(114, 23)], crs="EPSG:4326")
    >>> r = assign_points_to_areas(pts, areas, carry=["parent_code"])
    >>> r["code"].tolist(), r["n_covering"].tolist()
    (['440604011001', '440604011001', None, None], [1, 2, 0, 0])

    The second point lies on the shared edge: both cover it, the smaller code wins.
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if not isinstance(geoms, gpd.GeoSeries):
        raise TypeError(
            f"points must be a GeoDataFrame or GeoSeries, not {type(points).__name__}"
        )
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError(f"areas must be a GeoDataFrame, not {type(areas).__name__}")
    for name, frame in (("The points", geoms), ("The areas", areas)):
        require_wgs84(frame, name, "pass the stored geometries")
    missing = [c for c in (code, *carry) if c not in areas.columns]
    if missing:
        raise InvalidInputError(
            f"The areas frame lacks {', '.join(missing)}; add the column(s)."
        )
    out = pd.DataFrame(index=geoms.index)
    out["code"] = pd.Series(None, index=geoms.index, dtype=object)
    out["n_covering"] = 0
    for col in carry:
        out[col] = pd.Series(None, index=geoms.index, dtype=object)
    if len(geoms) == 0 or len(areas) == 0:
        return out
    arr = geoms.to_numpy()
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if (ok & (shapely.get_type_id(arr) != 0)).any():
        raise InvalidInputError("Locations must be Points; fix the other geometries.")
    x = np.full(len(arr), np.nan)
    y = np.full(len(arr), np.nan)
    x[ok], y[ok] = shapely.get_x(arr[ok]), shapely.get_y(arr[ok])
    frame = areas[[code, "geometry"]].rename(columns={code: "code"})
    found = assign_points(build_index(frame.set_geometry("geometry")), x, y)
    # pandas 3 would store a None-bearing object array as str with NaN: keep None
    out["code"] = pd.Series(found.grid_code, index=out.index, dtype=object)
    out["n_covering"] = found.n_covering.astype(int)
    if carry:
        attrs = areas.set_index(areas[code].astype(str))[list(carry)]
        hit = out["code"].notna()
        for col in carry:
            values = out["code"].map(attrs[col]).astype(object)
            out[col] = values.where(hit, None)
    return out
