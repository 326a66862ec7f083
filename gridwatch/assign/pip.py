"""Point-in-polygon that decides exactly as PostGIS ``ST_Covers(polygon, point)`` does.

Why our own code rather than ``shapely.covers``: PostGIS does not hand a
point-in-polygon test to GEOS. ``ST_Covers`` short-circuits to its own winding-number
routine (``point_in_polygon`` / ``point_in_multipolygon`` / ``..._rtree`` in
``postgis/lwgeom_functions_analytic.c``, Dan Sunday's algorithm), which computes the
side of a segment in plain double arithmetic::

    side = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1)

GEOS (and therefore shapely) uses a robust orientation predicate instead. The two agree
everywhere except for points lying on, or within rounding of, an edge, which is exactly
where the tie rule matters. To get *zero* differences between the in-process path and
the SQL path we evaluate the same expression, in the same order, in numpy (IEEE
double, no fused multiply-add), with the same comparisons:

* a zero-length segment is skipped;
* ``side == 0`` and the point inside the segment's bounding box (inclusive) puts the
  point on the ring's boundary (status 0);
* otherwise the winding number counts upward crossings with ``side > 0`` (half-open in
  y: ``y1 <= py < y2``) and downward ones with ``side < 0``; non-zero means inside.

Polygon logic is that of ``point_in_multipolygon_rtree`` (used once PostGIS has cached
a polygon): a part covers the point when the point is on its shell, or inside the shell
and, of its holes, the first one not reporting "outside" reports "on boundary" (or there
is none). A (multi)polygon covers the point when any part does. For valid polygons this
is also what the uncached ``point_in_polygon`` returns.

Only segments whose y-range holds the point's y can change the answer (the same
filter as PostGIS's ``RTreeFindLineSegments``), so segments are bucketed by horizontal
band: a (point, polygon) pair looks only at that polygon's segments in the point's band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gridwatch.errors import InvalidInputError

#: PostGIS's rtree path skips segments shorter than this (squared length < 1e-24); its
#: plain path skips only exactly zero-length ones. We refuse geometry with segments in
#: between, so that the two PostGIS paths and ours cannot differ.
_MICRO_SEGMENT_SQ = 1e-24
#: degrees; a point this far outside the x-range of a polygon's segments in its band
#: is outside the polygon for PostGIS too (its side tests err by ~1e-16 degrees)
_STAB_EPS = 1e-9


@dataclass(frozen=True)
class Stab:
    """Per key, the x-range of its segments, searchable by (band, x).

    ``x0``/``x1`` (one per key) bound the key's segments in x. ``pos`` holds
    ``band * stride + (x0 - x_org)`` of key ``order[i]``, ascending (``stride``
    exceeds every offset by a degree or more, so the keys run band by band, each
    band by ``x0``); ``band_w[b]`` is the widest x-range of band ``b``.
    """

    x0: np.ndarray
    x1: np.ndarray
    order: np.ndarray
    pos: np.ndarray
    band_w: np.ndarray
    x_org: float
    stride: float


@dataclass(frozen=True)
class Segments:
    """All ring segments of a set of polygons, bucketed by horizontal band.

    ``xy`` is (S, 4): x1, y1, x2, y2 in stored vertex order. ``ring`` is each segment's
    ring; ``ring_part`` each ring's global part number; ``ring_is_hole`` marks interior
    rings; ``part_poly`` each part's polygon. The band index maps the key
    ``band * n_polys + poly`` (``keys``, sorted) to the run
    ``band_seg[starts[k]:starts[k + 1]]`` (segment ids, ring-sorted); ``stab``
    finds the keys of a point's band whose segments' x-range holds the point.
    """

    xy: np.ndarray
    ring: np.ndarray
    ring_part: np.ndarray
    ring_is_hole: np.ndarray
    part_poly: np.ndarray
    n_polys: int
    y0: float
    band_h: float
    n_bands: int
    keys: np.ndarray
    starts: np.ndarray
    band_seg: np.ndarray
    stab: Stab

    @property
    def has_holes_or_parts(self) -> bool:
        """True when some polygon has a hole or several parts (general logic needed)."""
        return bool(self.ring_is_hole.any()) or len(self.part_poly) != self.n_polys


def build_segments(geoms: np.ndarray, n_bands: int | None = None) -> Segments:
    """Collect the ring segments of ``geoms`` (in order) and bucket them by band.

    Order: polygon, part, ring (shell first, then holes), vertex; so segment ids
    grow with the polygon and with the ring. Empty parts are skipped.
    """
    parts, part_poly = shapely.get_parts(
        np.asarray(geoms, dtype=object), return_index=True
    )
    solid = ~shapely.is_empty(parts)
    parts, part_poly = parts[solid], part_poly[solid]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(coord_ring[1:] == coord_ring[:-1])  # segment starts
    d = coords[start + 1] - coords[start]
    sq = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
    if ((sq > 0) & (sq < _MICRO_SEGMENT_SQ)).any():
        raise InvalidInputError(
            "A grid boundary has a segment shorter than 1e-12 degrees; remove the "
            "near-duplicate vertices (e.g. shapely.remove_repeated_points) and retry."
        )
    start = start[sq > 0]  # zero-length segments are skipped by PostGIS too
    xy = np.empty((len(start), 4))
    xy[:, :2], xy[:, 2:] = coords[start], coords[start + 1]
    ring = coord_ring[start].astype(np.int32)
    ring_hole = np.r_[False, ring_part[1:] == ring_part[:-1]][: len(ring_part)]
    return _bucket(
        xy,
        ring,
        np.asarray(ring_part, np.int32),
        np.asarray(ring_hole, bool),
        np.asarray(part_poly, np.int32),
        len(geoms),
        n_bands,
    )


def _band_of(y: np.ndarray, y0: float, h: float, n: int) -> np.ndarray:
    """Band number of each y; monotone in y, so a segment's bands bracket its points."""
    return np.clip(np.floor((y - y0) / h), 0, n - 1).astype(np.int64)


def _bucket(xy, ring, ring_part, ring_hole, part_poly, n_polys, n_bands) -> Segments:
    """Build the (band, polygon) → segments index."""
    seg_poly = part_poly[ring_part[ring]].astype(np.int64)
    if len(xy):
        y0, y1 = float(xy[:, [1, 3]].min()), float(xy[:, [1, 3]].max())
    else:
        y0, y1 = 0.0, 1.0
    ylo = np.minimum(xy[:, 1], xy[:, 3])
    yhi = np.maximum(xy[:, 1], xy[:, 3])
    if n_bands is None:
        # a band as tall as a typical segment: a polygon crossing a band then brings
        # one or two segments per crossing, and a segment sits in one or two bands
        rise = np.median(yhi - ylo) if len(xy) else 1.0
        n_bands = int(np.clip((y1 - y0) / max(rise, 1e-12), 64, 1 << 16))
    h = max((y1 - y0) / n_bands, 1e-12)
    b0, b1 = _band_of(ylo, y0, h, n_bands), _band_of(yhi, y0, h, n_bands)
    counts = b1 - b0 + 1
    seg_ids = np.repeat(np.arange(len(xy), dtype=np.int64), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    bands = np.repeat(b0, counts) + (np.arange(len(seg_ids)) - first)
    keys = bands * n_polys + seg_poly[seg_ids]
    # key, then ring, then id: seg_ids do not decrease here and rings grow with
    # the id, so a stable sort on the key alone gives that order
    order = np.argsort(keys, kind="stable")
    keys, seg_ids = keys[order], seg_ids[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])[: len(keys)]
    ukeys = keys[starts]
    starts = np.append(starts, len(keys)).astype(np.int64)
    stab = _stab(xy, seg_ids, ukeys, starts, n_polys, n_bands)
    return Segments(
        xy=xy,
        ring=ring,
        ring_part=ring_part,
        ring_is_hole=ring_hole,
        part_poly=part_poly,
        n_polys=n_polys,
        y0=y0,
        band_h=h,
        n_bands=n_bands,
        keys=ukeys,
        starts=starts,
        band_seg=seg_ids.astype(np.int32),
        stab=stab,
    )


def _stab(xy, seg_ids, ukeys, starts, n_polys, n_bands) -> Stab:
    """The (band, x) search over keys (see :class:`Stab`)."""
    if len(ukeys) == 0:
        e = np.empty(0)
        return Stab(e, e, np.empty(0, np.int64), e, np.zeros(n_bands), 0.0, 1.0)
    x0 = np.minimum.reduceat(np.minimum(xy[:, 0], xy[:, 2])[seg_ids], starts[:-1])
    x1 = np.maximum.reduceat(np.maximum(xy[:, 0], xy[:, 2])[seg_ids], starts[:-1])
    band = ukeys // n_polys  # ukeys are sorted, so each band's keys are contiguous
    x_org = float(x0.min())
    width = x1 - x0
    stride = float(x1.max() - x_org + 2 * width.max() + 1.0)
    pos = band * stride + (x0 - x_org)
    order = np.argsort(pos)
    band_w = np.zeros(n_bands)
    first = np.flatnonzero(np.r_[True, band[1:] != band[:-1]])
    band_w[band[first]] = np.maximum.reduceat(width, first)
    return Stab(x0, x1, order, pos[order], band_w, x_org, stride)


def candidates(seg: Segments, px: np.ndarray, py: np.ndarray):
    """(point, key) pairs: the polygons that can cover each point, and their runs.

    A polygon that covers a point has a segment crossing the point's horizontal line
    on each side of it (or through it), so the point lies in the x-range of the
    polygon's segments in its band. Pairs with the point more than ``_STAB_EPS``
    outside that range are dropped: there every side test is far from zero, so
    PostGIS's winding number is 0 and no segment holds the point.
    """
    st = seg.stab
    if len(st.order) == 0 or len(px) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    band = _band_of(py, seg.y0, seg.band_h, seg.n_bands)
    base = band * st.stride
    off = np.clip(px - st.x_org, -0.5, st.stride - 0.5)
    lo = np.searchsorted(st.pos, base + (off - st.band_w[band] - _STAB_EPS))
    hi = np.searchsorted(st.pos, base + (off + _STAB_EPS), side="right")
    counts = hi - lo
    pt = np.repeat(np.arange(len(px), dtype=np.int64), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = st.order[np.repeat(lo, counts) + (np.arange(len(pt)) - first)]
    q = px[pt]
    keep = (
        (st.x0[k] - _STAB_EPS <= q)
        & (q <= st.x1[k] + _STAB_EPS)
        & (seg.keys[k] // seg.n_polys == band[pt])
    )
    return pt[keep], k[keep]


def _expand(seg: Segments, k: np.ndarray):
    """For each pair (key index ``k``, -1 for none), its segment ids."""
    has = k >= 0
    lo = np.where(has, seg.starts[np.where(has, k, 0)], 0)
    counts = np.where(has, seg.starts[np.where(has, k, 0) + 1] - lo, 0)
    rep = np.repeat(np.arange(len(k), dtype=np.int64), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    ids = seg.band_seg[np.repeat(lo, counts) + (np.arange(len(rep)) - first)]
    return rep, ids


def covers_pairs(
    seg: Segments, px: np.ndarray, py: np.ndarray, poly: np.ndarray
) -> np.ndarray:
    """PostGIS ``ST_Covers(poly, point)`` for each (point, polygon) pair.

    ``px``/``py`` are the pair's point coordinates (WGS-84, as stored) and ``poly`` the
    polygon number in the order given to :func:`build_segments`. The caller has
    already done the bounding-box check. Returns a boolean array, one per pair.
    """
    key = _band_of(py, seg.y0, seg.band_h, seg.n_bands) * seg.n_polys + poly
    pos = np.searchsorted(seg.keys, key)
    pos_c = np.minimum(pos, max(len(seg.keys) - 1, 0))
    found = (
        (pos < len(seg.keys)) & (seg.keys[pos_c] == key)
        if len(seg.keys)
        else np.zeros(len(key), bool)
    )
    return covers_keys(seg, px, py, np.where(found, pos_c, -1))


def covers_keys(
    seg: Segments, px: np.ndarray, py: np.ndarray, k: np.ndarray
) -> np.ndarray:
    """:func:`covers_pairs` for pairs given by key index ``k`` (from
    :func:`candidates`; -1 for a polygon without segments in the point's band)."""
    n = len(k)
    covered = np.zeros(n, bool)
    if n == 0:
        return covered
    rep, ids = _expand(seg, k)
    x1, y1, x2, y2 = (seg.xy[ids, j] for j in range(4))
    qx, qy = px[rep], py[rep]
    # the PostGIS expression, evaluated in the same order (see module docstring)
    side = (x2 - x1) * (qy - y1) - (qx - x1) * (y2 - y1)
    on = (
        (side == 0.0)
        & (np.minimum(x1, x2) <= qx)
        & (qx <= np.maximum(x1, x2))
        & (np.minimum(y1, y2) <= qy)
        & (qy <= np.maximum(y1, y2))
    )
    up = (y1 <= qy) & (qy < y2) & (side > 0)
    down = (y2 <= qy) & (qy < y1) & (side < 0)
    wn = up.astype(np.int64) - down.astype(np.int64)
    ring = seg.ring[ids].astype(np.int64)
    # ids are ring-sorted within each pair, so (pair, ring) runs are contiguous
    brk = np.flatnonzero((np.diff(rep) != 0) | (np.diff(ring) != 0)) + 1
    run = np.concatenate([[0], brk]) if len(rep) else np.empty(0, np.int64)
    if len(run) == 0:
        return covered
    r_pair, r_ring = rep[run], ring[run]
    r_on = np.logical_or.reduceat(on, run)
    r_wn = np.add.reduceat(wn, run)
    status = np.where(r_on, 0, np.where(r_wn != 0, 1, -1))
    if not seg.has_holes_or_parts:
        covered[r_pair[status != -1]] = True
        return covered
    return _polygon_logic(seg, n, r_pair, r_ring, status)


def _polygon_logic(seg: Segments, n, r_pair, r_ring, status) -> np.ndarray:
    """Combine ring statuses into (multi)polygon coverage, PostGIS rtree semantics."""
    n_parts = len(seg.part_poly)
    part = seg.ring_part[r_ring].astype(np.int64)
    hole = seg.ring_is_hole[r_ring]
    key = r_pair * n_parts + part
    shell = ~hole
    s_key, s_status = key[shell], status[shell]
    # first hole (in ring order) that is not "outside"; rows are ring-ordered per pair
    h_rows = np.flatnonzero(hole & (status != -1))
    h_key, h_first = np.unique(key[h_rows], return_index=True)
    h_status = status[h_rows][h_first]
    pos = np.searchsorted(h_key, s_key)
    pos_c = np.minimum(pos, max(len(h_key) - 1, 0))
    has_h = (
        (pos < len(h_key)) & (h_key[pos_c] == s_key)
        if len(h_key)
        else np.zeros(len(s_key), bool)
    )
    first_hole = np.where(has_h, h_status[pos_c] if len(h_key) else -1, -1)
    part_cov = (s_status == 0) | ((s_status == 1) & (first_hole != 1))
    covered = np.zeros(n, bool)
    covered[s_key[part_cov] // n_parts] = True
    return covered


def check_polygons(geoms: np.ndarray) -> None:
    """Raise InvalidInputError unless every geometry is a valid (multi)polygon."""
    kinds = shapely.get_type_id(geoms)
    bad = ~np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    if bad.any():
        raise InvalidInputError(
            f"Grid geometry #{int(np.flatnonzero(bad)[0])} is not a polygon; every "
            "grid needs a Polygon or MultiPolygon boundary."
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        raise InvalidInputError(
            f"Grid geometry #{int(np.flatnonzero(invalid)[0])} is invalid "
            f"({shapely.is_valid_reason(geoms[np.flatnonzero(invalid)[0]])}); repair "
            "it (shapely.make_valid) before building the index."
        )
