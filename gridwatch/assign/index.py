"""The point-assignment index of one grid version: build, fingerprint, cache.

:func:`build_index` gathers everything :func:`gridwatch.assign.points.assign_points`
needs (the rule and why the prefilter is exact are in that module): the grids'
ring segments bucketed by band with per-band x-ranges (:mod:`~gridwatch.assign.pip`),
the prefilter raster (:mod:`~gridwatch.assign.raster`), and the segments projected to
the metric CRS for the nearest-grid search (:mod:`~gridwatch.assign.nearest`).
:meth:`GridIndex.to_bytes` / :meth:`GridIndex.from_bytes` keep it on disk per grid
version (:mod:`~gridwatch.assign.store`: uncompressed arrays read without copying);
:func:`grids_fingerprint` tells whether a cached index belongs to the grids at hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from gridwatch.assign import store
from gridwatch.assign.nearest import MetricSegments, build_metric_segments
from gridwatch.assign.pip import (
    Segments,
    Stab,
    build_segments,
    candidates,
    check_polygons,
    covers_keys,
)
from gridwatch.assign.raster import Raster, build_raster, empty_raster
from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.errors import CRSMismatchError, InvalidInputError

_FORMAT = 2


@dataclass
class GridIndex:
    """Everything needed to assign points to one grid version; build once, cache.

    ``codes`` are sorted; ``bounds`` (G, 4) are each grid's WGS-84 bounds;
    ``metric`` holds the boundary segments projected to :attr:`metric_crs` (where
    distances to the nearest grid are measured) for the nearest-grid search.
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
    def metric_crs(self) -> str:
        """The projected CRS (metres) of the nearest-grid distances."""
        return self.metric.crs

    @property
    def prefilter_share(self) -> float:
        """Share of raster cells answered by lookup alone (not marked as mixed)."""
        return float((self.raster.cells != -2).mean())

    def to_bytes(self) -> bytes:
        """Serialise for a per-version disk cache (:mod:`gridwatch.assign.store`:
        uncompressed, no pickle; loading views the bytes without copying)."""
        s, r, m = self.segments, self.raster, self.metric
        arrays = {
            "codes": self.codes.astype(str),
            "bounds": self.bounds,
            "wkb": self.wkb,
            "wkb_len": self.wkb_len,
            "seg_xy": s.xy,
            "seg_ring": s.ring,
            "ring_part": s.ring_part,
            "ring_is_hole": s.ring_is_hole,
            "part_poly": s.part_poly,
            "keys": s.keys,
            "starts": s.starts,
            "band_seg": s.band_seg,
            "stab_x0": s.stab.x0,
            "stab_x1": s.stab.x1,
            "stab_order": s.stab.order,
            "stab_pos": s.stab.pos,
            "stab_band_w": s.stab.band_w,
            "cells": r.cells,
            "metric_seg": m.seg,
            "metric_start": m.start,
            "run_start": m.run_start,
            "run_box": m.run_box,
        }
        meta = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "band": [s.y0, s.band_h, s.n_bands, s.n_polys],
            "stab": [s.stab.x_org, s.stab.stride],
            "raster": [r.x0, r.y0, r.dx, r.dy],
            "metric": {"crs": m.crs, "pipeline": m.pipeline, "piece_m": m.piece_m},
        }
        return store.pack(arrays, meta)

    @classmethod
    def from_bytes(
        cls,
        data,
        expected_fingerprint: str | None = None,
        metric_crs: str | None = None,
    ):
        """Load an index written by :meth:`to_bytes` (bytes, bytearray or mmap).

        The arrays are read-only views of ``data``. ``metric_crs`` (the setting;
        None keeps the stored one) is where nearest-grid distances are measured: an
        index cached under another CRS gets its segments projected again from the
        stored WGS-84 ones. Raises InvalidInputError when the data is not an index
        of this format, or its fingerprint differs from ``expected_fingerprint``.
        """
        try:
            z, meta = store.unpack(data)
            if meta.get("format") != _FORMAT:
                raise ValueError("format")
            y0, h, nb, npoly = meta["band"]
            stab = Stab(
                z["stab_x0"],
                z["stab_x1"],
                z["stab_order"],
                z["stab_pos"],
                z["stab_band_w"],
                *map(float, meta["stab"]),
            )
            seg = Segments(
                z["seg_xy"],
                z["seg_ring"],
                z["ring_part"],
                z["ring_is_hole"],
                z["part_poly"],
                int(npoly),
                float(y0),
                float(h),
                int(nb),
                z["keys"],
                z["starts"],
                z["band_seg"],
                stab,
            )
            raster = Raster(*map(float, meta["raster"]), cells=z["cells"])
            mm = meta["metric"]
            metric = MetricSegments(
                z["metric_seg"],
                z["metric_start"],
                z["run_start"],
                z["run_box"],
                str(mm["pipeline"]),
                str(mm["crs"]),
                float(mm["piece_m"]),
            )
            fp = str(meta["fingerprint"])
            index = cls(
                z["codes"].astype(object),
                z["bounds"],
                seg,
                raster,
                metric,
                fp,
                z["wkb"],
                z["wkb_len"],
            )
            _check_shapes(index)
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            UnicodeDecodeError,
        ) as exc:
            raise InvalidInputError(
                "The cached grid index is unreadable or from another version of "
                "gridwatch; delete the cache file and build the index again."
            ) from exc
        if expected_fingerprint is not None and fp != expected_fingerprint:
            raise InvalidInputError(
                "The cached grid index belongs to other grids; rebuild it for this "
                "grid version."
            )
        if metric_crs is not None and not _same_crs(metric_crs, index.metric.crs):
            index.metric = _project(index.segments, len(index.codes), metric_crs)
        return index


def _same_crs(a: str, b: str) -> bool:
    return a == b or CRS.from_user_input(a) == CRS.from_user_input(b)


def _project(segments: Segments, n_polys: int, metric_crs: str) -> MetricSegments:
    """The grids' boundary segments projected to ``metric_crs``, grouped by grid."""
    seg_poly = segments.part_poly[segments.ring_part[segments.ring]]
    return build_metric_segments(segments.xy, seg_poly, n_polys, metric_crs)


def _check_shapes(index: GridIndex) -> None:
    """Raise ValueError unless the loaded arrays fit together."""
    g, s, m = len(index.codes), index.segments, index.metric
    n_seg, n_keys = len(s.xy), len(s.keys)
    ok = (
        index.bounds.shape == (g, 4)
        and len(index.wkb_len) == g == s.n_polys
        and int(index.wkb_len.sum()) == len(index.wkb)
        and s.xy.shape == (n_seg, 4)
        and len(s.ring) == n_seg
        and len(s.starts) == n_keys + 1
        and len(s.stab.x0) == n_keys
        and len(s.stab.order) == n_keys
        and len(s.stab.band_w) == s.n_bands
        and index.raster.cells.ndim == 2
        and m.seg.shape == (n_seg, 4)
        and len(m.start) == g + 1
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
    for arr in (
        np.array([len(geoms), len(text)], np.int64),
        shapely.get_type_id(geoms).astype(np.int64),
        np.bincount(part_of, minlength=len(geoms)).astype(np.int64),
        np.bincount(ring_of, minlength=len(parts)).astype(np.int64),
        shapely.get_num_coordinates(rings).astype(np.int64),
    ):
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
        WGS84
    ):
        raise CRSMismatchError(
            f"Grids must be in WGS-84 (EPSG:4326) as stored, not {grids.crs}; pass the "
            "stored geometry, not a reprojected copy."
        )
    codes = grids["code"]
    if codes.isna().any() or codes.duplicated().any():
        raise InvalidInputError("Grid codes must be present and unique; fix the codes.")
    codes = codes.astype(str).to_numpy()
    geoms = grids.geometry.to_numpy()
    check_polygons(geoms)
    order = np.argsort(codes, kind="stable")
    return codes[order].astype(object), geoms[order]


def build_index(
    grids: gpd.GeoDataFrame,
    *,
    cells_per_grid: float = 48.0,
    max_cells: int = 8_000_000,
    metric_crs: str = METRIC_CRS,
) -> GridIndex:
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
    metric_crs : str
        Projected CRS in metres in which distances to the nearest grid are
        measured (settings ``metric_crs``; default EPSG:4547).

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
    metric = _project(segments, len(codes), metric_crs)
    wkb = shapely.to_wkb(geoms, byte_order=1)
    index = GridIndex(
        codes,
        shapely.bounds(geoms),
        segments,
        empty_raster(),
        metric,
        grids_fingerprint(codes, geoms),
        np.frombuffer(b"".join(wkb), np.uint8),
        np.fromiter((len(b) for b in wkb), np.int64, len(wkb)),
    )
    index._lazy["geoms"] = geoms
    index.raster = build_raster(
        geoms, segments.xy, lambda x, y: _exact(index, x, y), cells_per_grid, max_cells
    )
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
