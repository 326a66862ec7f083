"""Enterprise → grid: vectorised point-in-polygon with a prefilter cached per version.

The rule (the SQL path in :mod:`gridwatch.assign.sql` applies the same one)
--------------------------------------------------------------------------
* The test is ``ST_Covers(grid, point)`` on the coordinates as stored, WGS-84
  longitude/latitude: the boundary belongs to the grid, so a point on an edge or a
  vertex is covered by every grid that shares it.
* Among the grids that cover a point, the point goes to the one with the **smallest
  grid code** (byte order, i.e. ``ORDER BY code COLLATE "C"``).
* A point that no grid covers is never dropped: it gets ``status="outside"``, the
  nearest grid and its distance in metres in the metric CRS (the index's
  ``metric_crs``: setting ``metric_crs``, default EPSG:4547, CGCS2000 GK CM114E).
  Nearest means smallest distance rounded half-up to the millimetre, ties to the
  smallest code.
* A point with a NaN/None/infinite coordinate, or a longitude/latitude out of range,
  gets ``status="no_location"``.

How it is fast
--------------
:func:`build_index` rasterises the grid boundaries once per grid version: every cell
crossed by a boundary is marked, the unmarked cells are labelled into connected
components, and one representative point per component decides which grid (if any)
covers the whole component. A point in an unmarked cell is then answered by an array
lookup. Points in marked cells (and the rare point within 1e-9 degrees of a cell's
side) take the exact path: candidate grids from the x-ranges of each grid's segments
in the point's band (:func:`gridwatch.assign.pip.candidates`), the bounding-box test,
then the PostGIS-compatible winding number in :mod:`gridwatch.assign.pip`. Why the lookup is exact: an unmarked cell holds
no boundary point, and a point answered by lookup is at least 1e-9 degrees inside its
cell's left and right sides, so every boundary point at the point's latitude is at
least 1e-9 degrees away horizontally. PostGIS's winding number reads only segments
spanning that latitude, and its double-precision side test can only be wrong for a
point within about 1e-14 degrees (horizontally) of such a segment; farther out it
agrees with exact geometry, and so with the component's representative point, which
the same PostGIS-compatible code decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gridwatch.assign.index import GridIndex, _exact, build_index, grids_fingerprint
from gridwatch.assign.nearest import nearest
from gridwatch.crs import WGS84
from gridwatch.errors import CRSMismatchError, InvalidInputError

#: a point this close (degrees, ~0.1 mm) to its cell's side takes the exact path
_SIDE_MARGIN = 1e-9
OUTSIDE, INSIDE, NO_LOCATION = "outside", "inside", "no_location"

__all__ = [
    "AssignResult",
    "GridIndex",
    "assign_enterprises",
    "assign_points",
    "build_index",
    "grids_fingerprint",
    "nearest_grids",
]


@dataclass(frozen=True)
class AssignResult:
    """Per-point answer of :func:`assign_points` (arrays in input order).

    ``grid_code`` is the covering grid (None unless ``status == "inside"``);
    ``n_covering`` how many grids cover the point (2+ on a shared edge or vertex);
    ``nearest_code`` and ``distance_m`` (metres in the index's metric CRS) are set for
    ``status == "outside"`` only.
    """

    grid_code: np.ndarray
    status: np.ndarray
    n_covering: np.ndarray
    nearest_code: np.ndarray
    distance_m: np.ndarray

    def to_frame(self, index=None) -> pd.DataFrame:
        """The result as a DataFrame (optionally with the caller's index)."""
        return pd.DataFrame(
            {
                "grid_code": self.grid_code,
                "status": self.status,
                "n_covering": self.n_covering,
                "nearest_code": self.nearest_code,
                "distance_m": self.distance_m,
            },
            index=index,
        )


def _as_float(values) -> np.ndarray:
    """1-D float array; None and unparsable values become NaN."""
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return pd.to_numeric(
            pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce"
        ).to_numpy(float)


def assign_points(index: GridIndex, lng, lat) -> AssignResult:
    """Assign WGS-84 points to grids by the documented covers + smallest-code rule.

    Parameters
    ----------
    index : GridIndex
        From :func:`build_index` (or a cached copy).
    lng, lat : array-like of float
        WGS-84 longitude and latitude, as stored; NaN/None marks a missing location.

    Returns
    -------
    AssignResult

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"code": ["w", "e"]}, crs="EPSG:4326",
    ...                      geometry=[box(113.0, 23.0, 113.01, 23.01),
    ...                                box(113.01, 23.0, 113.02, 23.01)])
    >>> r = assign_points(build_index(g), [113.005, 113.01, 113.05, None],
    ...                   [23.005, 23.005, 23.005, None])
    >>> list(r.grid_code), list(r.status)
    (['w', 'e', None, None], ['inside', 'inside', 'outside', 'no_location'])

    The point on the shared edge (113.01) goes to "e", the smaller code.
    """
    x, y = _as_float(lng), _as_float(lat)
    if x.shape != y.shape:
        raise InvalidInputError(
            f"Got {len(x)} longitudes but {len(y)} latitudes; pass one of each per "
            "point."
        )
    n = len(x)
    # NaN and infinities fail these comparisons too: no isfinite pass needed
    located = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    val, inr, clear = index.raster.lookup(x, y, _SIDE_MARGIN)
    ok = located & inr
    grid = np.where(ok & clear, val, -1).astype(np.int64)
    n_cov = (grid >= 0).astype(np.int64)
    slow = np.flatnonzero(ok & ~clear)
    grid[slow], n_cov[slow] = _exact(index, x[slow], y[slow])
    state = np.where(located, (grid < 0).view(np.int8), np.int8(2))
    status = np.array([INSIDE, OUTSIDE, NO_LOCATION], object)[state]
    with_none = np.append(index.codes, None)
    codes = with_none[grid]  # grid -1 picks the trailing None
    near_idx = np.full(n, -1, np.int64)
    dist = np.full(n, np.nan)
    out = np.flatnonzero(state == 1)
    if len(out):
        near_idx[out], dist[out] = nearest_grids(index, x[out], y[out])
    near = with_none[near_idx]
    return AssignResult(codes, status, n_cov, near, dist)


def nearest_grids(index: GridIndex, lng: np.ndarray, lat: np.ndarray):
    """Nearest grid (position in ``index.codes``) and distance (m, in
    ``index.metric_crs``) per point.

    Meant for points no grid covers. Nearest is the smallest distance rounded to the
    millimetre, then the smallest code (see :mod:`gridwatch.assign.nearest`); the SQL
    of :func:`gridwatch.assign.sql.nearest_grid_sql` applies the same rule.
    """
    return nearest(index.metric, lng, lat)


def assign_enterprises(enterprises: gpd.GeoDataFrame, index: GridIndex) -> pd.DataFrame:
    """Assign the canonical enterprises frame to grids.

    Parameters
    ----------
    enterprises : GeoDataFrame
        Columns ``uscc``, ``geometry`` (Point in EPSG:4326 or None) and optionally
        ``precision`` (geocode status, carried through for the "no location" list).
    index : GridIndex

    Returns
    -------
    DataFrame
        ``uscc, grid_code, status, n_covering, nearest_code, distance_m, precision``,
        one row per enterprise in input order; no enterprise is dropped.
    """
    if not isinstance(enterprises, gpd.GeoDataFrame):
        raise TypeError(
            f"enterprises must be a GeoDataFrame, not {type(enterprises).__name__}"
        )
    if "uscc" not in enterprises.columns:
        raise InvalidInputError("The enterprises frame has no 'uscc' column; add it.")
    geom = enterprises.geometry
    if geom.notna().any() and (
        enterprises.crs is None
        or CRS.from_user_input(enterprises.crs) != CRS.from_user_input(WGS84)
    ):
        raise CRSMismatchError(
            f"Enterprise locations must be WGS-84 (EPSG:4326), not {enterprises.crs}; "
            "convert them with gridwatch.crs.to_wgs84 first."
        )
    arr = geom.to_numpy()
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if (ok & (shapely.get_type_id(arr) != 0)).any():
        raise InvalidInputError(
            "Enterprise locations must be Points; fix the non-point geometries."
        )
    x = np.full(len(arr), np.nan)
    y = np.full(len(arr), np.nan)
    x[ok], y[ok] = shapely.get_x(arr[ok]), shapely.get_y(arr[ok])
    out = assign_points(index, x, y).to_frame()
    out.insert(0, "uscc", enterprises["uscc"].to_numpy())
    out["precision"] = (
        enterprises["precision"].to_numpy()
        if "precision" in enterprises.columns
        else None
    )
    return out
