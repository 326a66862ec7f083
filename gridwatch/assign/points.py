"""Enterprise → grid: vectorised point-in-polygon with a prefilter cached per version.

The rule (the SQL path in :mod:`gridwatch.assign.sql` applies the same one)
--------------------------------------------------------------------------
* The test is ``ST_Covers(grid, point)`` on the coordinates as stored, WGS-84
  longitude/latitude: the boundary belongs to the grid, so a point on an edge or a
  vertex is covered by every grid that shares it.
* Among the grids that cover a point, the point goes to the one with the **smallest
  grid code** (byte order, i.e. ``ORDER BY code COLLATE "C"``).
* A point that no grid covers is never dropped: it gets ``status="outside"``, the
  nearest grid and its distance in metres in EPSG:4547 (CGCS2000 GK CM114E). Nearest
  means smallest distance rounded half-up to the millimetre, ties to the smallest code.
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

import hashlib
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gridwatch.assign import store
from gridwatch.assign.nearest import MetricSegments, build_metric_segments, nearest
from gridwatch.assign.pip import (
    Segments,
    Stab,
    build_segments,
    candidates,
    check_polygons,
    covers_keys,
)
from gridwatch.assign.raster import Raster, build_raster, empty_raster
from gridwatch.crs import WGS84
from gridwatch.errors import CRSMismatchError, InvalidInputError

_FORMAT = 2
#: a point this close (degrees, ~0.1 mm) to its cell's side takes the exact path
_SIDE_MARGIN = 1e-9
OUTSIDE, INSIDE, NO_LOCATION = "outside", "inside", "no_location"


@dataclass
class GridIndex:
    """Everything needed to assign points to one grid version; build once, cache.

    ``codes`` are sorted; ``bounds`` (G, 4) are each grid's WGS-84 bounds;
    ``metric`` holds the boundary segments projected for the nearest-grid search.
    The grid geometries are kept as WKB and decoded only if :attr:`geoms` is read.
    Use :meth:`to_bytes` / :meth:`from_bytes` to keep it on disk per grid version
    and :attr:`fingerprint` to check that a cached index matches the grids.
    """

    codes: np.ndarray
    bounds: np.ndarray
    segments: Segments
    raster: Raster
    metric: MetricSegments
    fingerprint: str
    wkb: np.ndarray  # uint8: the grids' WKB, concatenated in code order
    wkb_len: np.ndarray
    _lazy: dict = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def geoms(self) -> np.ndarray:
        """The grid geometries (shapely), in code order."""
        if "geoms" not in self._lazy:
            ends = np.cumsum(self.wkb_len)
            blob = self.wkb.tobytes()
            wkb = [blob[a:b] for a, b in zip(np.r_[0, ends[:-1]], ends)]
            self._lazy["geoms"] = shapely.from_wkb(np.array(wkb, dtype=object))
        return self._lazy["geoms"]

    @property
    def prefilter_share(self) -> float:
        """Share of raster cells answered by lookup alone (not marked as mixed)."""
        return float((self.raster.cells != -2).mean())

    def to_bytes(self) -> bytes:
        """Serialise for a per-version disk cache (:mod:`gridwatch.assign.store`:
        uncompressed, no pickle; loading views the bytes without copying)."""
        s, r, m = self.segments, self.raster, self.metric
        arrays = {
            "codes": self.codes.astype(str), "bounds": self.bounds, "wkb": self.wkb,
            "wkb_len": self.wkb_len, "seg_xy": s.xy, "seg_ring": s.ring,
            "ring_part": s.ring_part, "ring_is_hole": s.ring_is_hole,
            "part_poly": s.part_poly, "keys": s.keys, "starts": s.starts,
            "band_seg": s.band_seg, "stab_x0": s.stab.x0, "stab_x1": s.stab.x1,
            "stab_order": s.stab.order, "stab_pos": s.stab.pos,
            "stab_band_w": s.stab.band_w, "cells": r.cells, "metric_seg": m.seg,
            "metric_start": m.start, "run_start": m.run_start, "run_box": m.run_box}
        meta = {
            "format": _FORMAT, "fingerprint": self.fingerprint,
            "band": [s.y0, s.band_h, s.n_bands, s.n_polys],
            "stab": [s.stab.x_org, s.stab.stride],
            "raster": [r.x0, r.y0, r.dx, r.dy],
            "metric": {"crs": m.crs, "pipeline": m.pipeline, "piece_m": m.piece_m}}
        return store.pack(arrays, meta)

    @classmethod
    def from_bytes(cls, data, expected_fingerprint: str | None = None):
        """Load an index written by :meth:`to_bytes` (bytes, bytearray or mmap).

        The arrays are read-only views of ``data``. Raises InvalidInputError when
        the data is not an index of this format, or its fingerprint differs from
        ``expected_fingerprint``.
        """
        try:
            z, meta = store.unpack(data)
            if meta.get("format") != _FORMAT:
                raise ValueError("format")
            y0, h, nb, npoly = meta["band"]
            stab = Stab(z["stab_x0"], z["stab_x1"], z["stab_order"], z["stab_pos"],
                        z["stab_band_w"], *map(float, meta["stab"]))
            seg = Segments(z["seg_xy"], z["seg_ring"], z["ring_part"],
                           z["ring_is_hole"], z["part_poly"], int(npoly), float(y0),
                           float(h), int(nb), z["keys"], z["starts"], z["band_seg"],
                           stab)
            raster = Raster(*map(float, meta["raster"]), cells=z["cells"])
            mm = meta["metric"]
            metric = MetricSegments(z["metric_seg"], z["metric_start"],
                                    z["run_start"], z["run_box"],
                                    str(mm["pipeline"]), str(mm["crs"]),
                                    float(mm["piece_m"]))
            fp = str(meta["fingerprint"])
            index = cls(z["codes"].astype(object), z["bounds"], seg, raster, metric,
                        fp, z["wkb"], z["wkb_len"])
            _check_shapes(index)
        except (ValueError, KeyError, TypeError, AttributeError,
                UnicodeDecodeError) as exc:
            raise InvalidInputError(
                "The cached grid index is unreadable or from another version of "
                "gridwatch; delete the cache file and build the index again.") from exc
        if expected_fingerprint is not None and fp != expected_fingerprint:
            raise InvalidInputError(
                "The cached grid index belongs to other grids; rebuild it for this "
                "grid version.")
        return index


def _check_shapes(index: GridIndex) -> None:
    """Raise ValueError unless the loaded arrays fit together."""
    g, s, m = len(index.codes), index.segments, index.metric
    n_seg, n_keys = len(s.xy), len(s.keys)
    ok = (
        index.bounds.shape == (g, 4) and len(index.wkb_len) == g == s.n_polys
        and int(index.wkb_len.sum()) == len(index.wkb)
        and s.xy.shape == (n_seg, 4) and len(s.ring) == n_seg
        and len(s.starts) == n_keys + 1 and len(s.stab.x0) == n_keys
        and len(s.stab.order) == n_keys and len(s.stab.band_w) == s.n_bands
        and index.raster.cells.ndim == 2
        and m.seg.shape == (n_seg, 4) and len(m.start) == g + 1
        and len(m.run_start) == len(m.run_box) + 1
    )
    if not ok:
        raise ValueError("inconsistent index arrays")


def grids_fingerprint(codes, geoms) -> str:
    """SHA-256 over the codes and the 2-D geometry, in the given order.

    Equal grids give equal prints; any change of a code, a vertex, or of how
    vertices are grouped into rings, parts and geometries changes it. Hashes the
    coordinate array and the counts (parts per geometry, rings per part, vertices
    per ring, geometry types) rather than WKB: the same information, a tenth of
    the time (WKB encoding took most of it).
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords = shapely.get_coordinates(rings)
    h = hashlib.sha256(b"gridwatch-grids-1\0")
    text = "\0".join(str(c) for c in codes).encode()
    for arr in (np.array([len(geoms), len(text)], np.int64),
                shapely.get_type_id(geoms).astype(np.int64),
                np.bincount(part_of, minlength=len(geoms)).astype(np.int64),
                np.bincount(ring_of, minlength=len(parts)).astype(np.int64),
                shapely.get_num_coordinates(rings).astype(np.int64)):
        h.update(arr.tobytes())
    h.update(text)
    h.update(np.ascontiguousarray(coords, "<f8").tobytes())
    return h.hexdigest()


def _check_grids(grids) -> tuple[np.ndarray, np.ndarray]:
    """Codes and geometries of ``grids``, sorted by code, after checking the frame."""
    if not isinstance(grids, gpd.GeoDataFrame):
        raise TypeError(f"grids must be a GeoDataFrame, not {type(grids).__name__}")
    if "code" not in grids.columns:
        raise InvalidInputError("The grids frame has no 'code' column; add the codes.")
    if grids.crs is None or CRS.from_user_input(grids.crs) != CRS.from_user_input(
            WGS84):
        raise CRSMismatchError(
            f"Grids must be in WGS-84 (EPSG:4326) as stored, not {grids.crs}; pass the "
            "stored geometry, not a reprojected copy.")
    codes = grids["code"]
    if codes.isna().any() or codes.duplicated().any():
        raise InvalidInputError("Grid codes must be present and unique; fix the codes.")
    codes = codes.astype(str).to_numpy()
    geoms = grids.geometry.to_numpy()
    check_polygons(geoms)
    order = np.argsort(codes, kind="stable")
    return codes[order].astype(object), geoms[order]


def build_index(grids: gpd.GeoDataFrame, *, cells_per_grid: float = 48.0,
                max_cells: int = 8_000_000) -> GridIndex:
    """Build the point-assignment index of one grid version.

    Parameters
    ----------
    grids : GeoDataFrame
        Columns ``code`` (unique str) and ``geometry`` (valid Polygon/MultiPolygon),
        CRS EPSG:4326, vertex for vertex as stored in the database.
    cells_per_grid : float
        Raster cells across a typical (median) grid; more cells answer more points by
        lookup, and cost build time, memory and cache size. 48 (3.5 million cells
        for the 588 demo grids) built in half the time of 96 and assigned 70,000
        points as fast; at 1,000,000 points 96 was ~10% faster
        (``bench/assign.py``). The answers do not depend on it.
    max_cells : int
        Upper bound on raster cells (2 bytes a cell; 4 with 32,767 grids or more).

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
    seg_poly = segments.part_poly[segments.ring_part[segments.ring]]
    metric = build_metric_segments(segments.xy, seg_poly, len(codes))
    wkb = shapely.to_wkb(geoms, byte_order=1)
    index = GridIndex(
        codes, shapely.bounds(geoms), segments, empty_raster(), metric,
        grids_fingerprint(codes, geoms),
        np.frombuffer(b"".join(wkb), np.uint8),
        np.fromiter((len(b) for b in wkb), np.int64, len(wkb)))
    index._lazy["geoms"] = geoms
    index.raster = build_raster(geoms, segments.xy,
                                lambda x, y: _exact(index, x, y),
                                cells_per_grid, max_cells)
    return index


def _exact(index: GridIndex, x: np.ndarray, y: np.ndarray):
    """Smallest covering grid number (or -1) and the number of covering grids."""
    best = np.full(len(x), -1, np.int64)
    count = np.zeros(len(x), np.int64)
    if len(x) == 0:
        return best, count
    seg = index.segments
    pt, k = candidates(seg, x, y)
    poly = seg.keys[k] % seg.n_polys
    # the bounding-box test PostGIS (and an R-tree query) does first
    b, px, py = index.bounds[poly], x[pt], y[pt]
    inside_box = (b[:, 0] <= px) & (px <= b[:, 2]) & (b[:, 1] <= py) & (py <= b[:, 3])
    pt, k, poly = pt[inside_box], k[inside_box], poly[inside_box]
    hit = covers_keys(seg, x[pt], y[pt], k)
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
    ``nearest_code`` and ``distance_m`` (EPSG:4547 metres) are set for
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
    """Nearest grid (position in ``index.codes``) and distance (m, EPSG:4547) per point.

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
        raise TypeError("enterprises must be a GeoDataFrame, not "
                        f"{type(enterprises).__name__}")
    if "uscc" not in enterprises.columns:
        raise InvalidInputError("The enterprises frame has no 'uscc' column; add it.")
    geom = enterprises.geometry
    if geom.notna().any() and (enterprises.crs is None or CRS.from_user_input(
            enterprises.crs) != CRS.from_user_input(WGS84)):
        raise CRSMismatchError(
            f"Enterprise locations must be WGS-84 (EPSG:4326), not {enterprises.crs}; "
            "convert them with gridwatch.crs.to_wgs84 first.")
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
