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
side) go to an STRtree for candidate grids and to the PostGIS-compatible winding
number in :mod:`gridwatch.assign.pip`. Why the lookup is exact: an unmarked cell holds
no boundary point, and a point answered by lookup is at least 1e-9 degrees inside its
cell's left and right sides, so every boundary point at the point's latitude is at
least 1e-9 degrees away horizontally. PostGIS's winding number reads only segments
spanning that latitude, and its double-precision side test can only be wrong for a
point within about 1e-14 degrees (horizontally) of such a segment; farther out it
agrees with exact geometry, and so with the component's representative point, which
the same PostGIS-compatible code decided.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from gridwatch.assign.nearest import MetricSegments, build_metric_segments, nearest
from gridwatch.assign.pip import Segments, build_segments, check_polygons, covers_pairs
from gridwatch.assign.raster import Raster, build_raster, empty_raster
from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_wgs84

_FORMAT = 1
#: a point this close (degrees, ~0.1 mm) to its cell's side takes the exact path
_SIDE_MARGIN = 1e-9
OUTSIDE, INSIDE, NO_LOCATION = "outside", "inside", "no_location"


@dataclass
class GridIndex:
    """Everything needed to assign points to one grid version; build once, cache.

    Use :meth:`to_bytes` / :meth:`from_bytes` to keep it on disk per grid version and
    :attr:`fingerprint` to check that a cached index matches the grids.
    ``metric_crs`` is where distances to the nearest grid are measured (not stored:
    the metric segments are rebuilt from the WGS-84 ones).
    """

    codes: np.ndarray
    geoms: np.ndarray
    segments: Segments
    raster: Raster
    fingerprint: str
    metric_crs: str = METRIC_CRS
    tree: STRtree = field(init=False, repr=False)
    _metric: MetricSegments | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.tree = STRtree(self.geoms)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def prefilter_share(self) -> float:
        """Share of raster cells answered by lookup alone (not marked as mixed)."""
        return float((self.raster.cells != -2).mean())

    def to_bytes(self) -> bytes:
        """Serialise (numpy ``.npz``, no pickle) for a per-version disk cache."""
        wkb = shapely.to_wkb(self.geoms, byte_order=1)
        lens = np.fromiter((len(b) for b in wkb), np.int64, len(wkb))
        s, r = self.segments, self.raster
        buf = io.BytesIO()
        np.savez_compressed(
            buf, format=np.int64(_FORMAT), codes=self.codes.astype(str),
            wkb=np.frombuffer(b"".join(wkb), np.uint8), wkb_len=lens,
            fingerprint=np.array(self.fingerprint), seg_xy=s.xy, seg_ring=s.ring,
            ring_part=s.ring_part, ring_is_hole=s.ring_is_hole, part_poly=s.part_poly,
            band=np.array([s.y0, s.band_h, s.n_bands, s.n_polys], float),
            keys=s.keys, starts=s.starts, band_seg=s.band_seg,
            raster=np.array([r.x0, r.y0, r.dx, r.dy]), cells=r.cells)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, expected_fingerprint: str | None = None,
                   metric_crs: str = METRIC_CRS):
        """Load an index written by :meth:`to_bytes` (distances in ``metric_crs``).

        Raises InvalidInputError when the data is not an index of this format, or its
        fingerprint differs from ``expected_fingerprint``.
        """
        try:
            z = np.load(io.BytesIO(data), allow_pickle=False)
            if int(z["format"]) != _FORMAT:
                raise ValueError("format")
            ends = np.cumsum(z["wkb_len"])
            blob = z["wkb"].tobytes()
            wkb = [blob[a:b] for a, b in zip(np.r_[0, ends[:-1]], ends)]
            geoms = shapely.from_wkb(np.array(wkb, dtype=object))
            y0, h, nb, npoly = z["band"]
            seg = Segments(z["seg_xy"], z["seg_ring"], z["ring_part"],
                           z["ring_is_hole"], z["part_poly"], int(npoly), float(y0),
                           float(h), int(nb), z["keys"], z["starts"], z["band_seg"])
            raster = Raster(*map(float, z["raster"]), cells=z["cells"])
            fp = str(z["fingerprint"])
        except (ValueError, KeyError, OSError) as exc:
            raise InvalidInputError(
                "The cached grid index is unreadable or from another version of "
                "gridwatch; delete the cache file and build the index again.") from exc
        if expected_fingerprint is not None and fp != expected_fingerprint:
            raise InvalidInputError(
                "The cached grid index belongs to other grids; rebuild it for this "
                "grid version.")
        return cls(z["codes"].astype(object), geoms, seg, raster, fp, metric_crs)


def grids_fingerprint(codes, geoms) -> str:
    """SHA-256 over codes and WKB, in code order: equal grids give equal prints."""
    h = hashlib.sha256()
    for code, wkb in zip(codes, shapely.to_wkb(geoms, byte_order=1)):
        h.update(str(code).encode() + b"\0" + wkb)
    return h.hexdigest()


def _check_grids(grids) -> tuple[np.ndarray, np.ndarray]:
    """Codes and geometries of ``grids``, sorted by code, after checking the frame."""
    if not isinstance(grids, gpd.GeoDataFrame):
        raise TypeError(f"grids must be a GeoDataFrame, not {type(grids).__name__}")
    if "code" not in grids.columns:
        raise InvalidInputError("The grids frame has no 'code' column; add the codes.")
    require_wgs84(grids, "Grids", "pass the stored geometry, not a reprojected copy")
    codes = grids["code"]
    if codes.isna().any() or codes.duplicated().any():
        raise InvalidInputError("Grid codes must be present and unique; fix the codes.")
    codes = codes.astype(str).to_numpy()
    geoms = grids.geometry.to_numpy()
    check_polygons(geoms)
    order = np.argsort(codes, kind="stable")
    return codes[order].astype(object), geoms[order]


def build_index(grids: gpd.GeoDataFrame, *, cells_per_grid: float = 96.0,
                max_cells: int = 16_000_000,
                metric_crs: str = METRIC_CRS) -> GridIndex:
    """Build the point-assignment index of one grid version.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code`` (unique str) and ``geometry`` (valid Polygon/MultiPolygon),
        CRS EPSG:4326, vertex for vertex as stored in the database.
    cells_per_grid : float
        Raster cells across a typical (median) grid; more cells answer more points by
        lookup and cost memory.
    max_cells : int
        Upper bound on raster cells (memory is 4 bytes a cell).
    metric_crs : str
        Projected CRS in metres in which distances to the nearest grid are
        measured (settings ``metric_crs``).

    Returns
    -------
    GridIndex

    Raises
    ------
    InvalidInputError
        Missing/duplicate codes, non-polygons, invalid polygons, or another CRS.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"code": ["b", "a"]}, crs="EPSG:4326",
    ...                      geometry=[box(113.0, 23.0, 113.01, 23.01),
    ...                                box(112.99, 23.0, 113.0, 23.01)])
    >>> list(build_index(g).codes)
    ['a', 'b']
    """
    codes, geoms = _check_grids(grids)
    if len(codes) == 0:
        raise InvalidInputError("There are no grids in this version; draw grids first.")
    segments = build_segments(geoms)
    index = GridIndex(codes, geoms, segments, empty_raster(),
                      grids_fingerprint(codes, geoms), metric_crs)
    index.raster = build_raster(index.geoms, segments.xy,
                                lambda x, y: _exact(index, x, y),
                                cells_per_grid, max_cells)
    _metric(index)  # part of the per-version work: build it now, not on first query
    return index


def _exact(index: GridIndex, x: np.ndarray, y: np.ndarray):
    """Smallest covering grid number (or -1) and the number of covering grids."""
    best = np.full(len(x), -1, np.int64)
    count = np.zeros(len(x), np.int64)
    if len(x) == 0:
        return best, count
    pt, poly = index.tree.query(shapely.points(x, y))
    hit = covers_pairs(index.segments, x[pt], y[pt], poly)
    pt, poly = pt[hit], poly[hit]
    count += np.bincount(pt, minlength=len(x))
    big = np.full(len(x), np.iinfo(np.int64).max)
    np.minimum.at(big, pt, poly)
    best[count > 0] = big[count > 0]
    return best, count


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
        return pd.DataFrame({
            "grid_code": self.grid_code, "status": self.status,
            "n_covering": self.n_covering, "nearest_code": self.nearest_code,
            "distance_m": self.distance_m}, index=index)


def _as_float(values) -> np.ndarray:
    """1-D float array; None and unparsable values become NaN."""
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()),
                             errors="coerce").to_numpy(float)


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
            "point.")
    n = len(x)
    located = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    grid = np.full(n, -1, np.int64)
    n_cov = np.zeros(n, np.int64)
    r = index.raster
    ix, iy, inr = r.locate(x, y)
    val = np.where(inr, r.cells[iy, ix], -1)
    left = x - (r.x0 + ix * r.dx)
    right = (r.x0 + (ix + 1) * r.dx) - x
    quick = located & (~inr | ((val != -2) & (left >= _SIDE_MARGIN)
                               & (right >= _SIDE_MARGIN)))
    grid[quick] = val[quick]
    n_cov[quick] = (val[quick] >= 0)
    slow = np.flatnonzero(located & ~quick)
    grid[slow], n_cov[slow] = _exact(index, x[slow], y[slow])
    inside = grid >= 0
    state = np.where(inside, 0, np.where(located, 1, 2))
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


def _metric(index: GridIndex) -> MetricSegments:
    """Boundary segments in the metric CRS, indexed for nearest search; built once."""
    if index._metric is None:
        s = index.segments
        index._metric = build_metric_segments(
            s.xy, s.part_poly[s.ring_part[s.ring]], metric_crs=index.metric_crs)
    return index._metric


def nearest_grids(index: GridIndex, lng: np.ndarray, lat: np.ndarray):
    """Nearest grid (position in ``index.codes``) and distance (m, in
    ``index.metric_crs``) per point.

    Meant for points no grid covers. Nearest is the smallest distance rounded to the
    millimetre, then the smallest code (see :mod:`gridwatch.assign.nearest`); the SQL
    of :func:`gridwatch.assign.sql.nearest_grid_sql` applies the same rule.
    """
    return nearest(_metric(index), lng, lat)


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
        raise TypeError("enterprises must be a GeoDataFrame, not "
                        f"{type(enterprises).__name__}")
    if "uscc" not in enterprises.columns:
        raise InvalidInputError("The enterprises frame has no 'uscc' column; add it.")
    geom = enterprises.geometry
    if geom.notna().any():
        require_wgs84(enterprises, "Enterprise locations",
                      "convert them with gridwatch.crs.to_wgs84 first")
    arr = geom.to_numpy()
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if (ok & (shapely.get_type_id(arr) != 0)).any():
        raise InvalidInputError("Enterprise locations must be Points; fix the "
                                "non-point geometries.")
    x = np.full(len(arr), np.nan)
    y = np.full(len(arr), np.nan)
    x[ok], y[ok] = shapely.get_x(arr[ok]), shapely.get_y(arr[ok])
    out = assign_points(index, x, y).to_frame()
    out.insert(0, "uscc", enterprises["uscc"].to_numpy())
    out["precision"] = (enterprises["precision"].to_numpy()
                        if "precision" in enterprises.columns else None)
    return out
