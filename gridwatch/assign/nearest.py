"""Nearest grid of a point no grid covers, in metres in the metric CRS.

Rule (the SQL of :func:`gridwatch.assign.sql.nearest_grid_sql` applies the same):
the grid at the smallest distance in the metric CRS (setting ``metric_crs``, default
EPSG:4547) rounded half-up to the millimetre, ties to the smallest code. For a point
outside a polygon, the distance to the polygon is the distance to its nearest boundary
segment, the segments being straight lines between the projected vertices (what
``ST_Distance(ST_Transform(g, srid), ...)`` measures).

Two exact searches give the same answer (they measure the same segments with the
same arithmetic and keep every grid within :data:`_TIE_M` of the nearest, then apply
one rule, :func:`_pick`); which one runs only changes the time:

* **few points** (a district's handful of geocoding errors): an R-tree of the boxes
  of runs of 16 consecutive segments (stored with the index) gives, per point, the
  nearest run, whose segments bound the distance ``u`` to the nearest grid from
  above; every run whose box lies within ``u + _TIE_M`` is then measured. Building
  that R-tree takes milliseconds; the k-d tree below takes ~0.1 s.
* **many points**: a k-d tree of the midpoints of short pieces of every segment
  (``scipy.spatial.cKDTree``), built once per index. Why not ``STRtree`` on
  segments: for points a kilometre or two outside the district an R-tree nearest or
  ``dwithin`` search visits thousands of envelopes (~100 µs a point); the k-d tree
  answers in microseconds, and a radius bound keeps it exact: the nearest point of
  the nearest segment lies on some piece whose midpoint is at most half a piece away,
  so every segment within the millimetre tolerance of the nearest has a piece
  midpoint inside the searched ball.

The projected segments and the PROJ pipeline are computed when the index is built and
kept in its cache, so a loaded index projects only the outside points. Why a stored
pipeline: ``Transformer.from_crs`` searches the PROJ database (50-150 ms a call);
``Transformer.from_pipeline`` with the pipeline it chose gives bit-identical
coordinates in well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from gridwatch.crs import METRIC_CRS, WGS84

#: candidates within this much of the nearest distance may round to the same mm
_TIE_M = 0.0011
#: extra metres on every bound, far above the ~1e-9 m rounding of coordinates ~1e6 m
_SLACK_M = 1e-6
#: at most this many points take the bounding-box search; more build the k-d tree
FEW_POINTS = 2000
#: segments per run (the unit of the bounding-box search)
RUN = 16


@dataclass
class MetricSegments:
    """Grid boundary segments in the metric CRS, grouped by grid, in runs.

    ``seg`` is (S, 4): x1, y1, x2, y2 in metres, the segments of grid ``g`` being rows
    ``start[g]:start[g + 1]``. A *run* is up to ``RUN`` consecutive segments of one
    grid: run ``k`` is rows ``run_start[k]:run_start[k + 1]`` and ``run_box[k]`` its
    bounding box (xmin, ymin, xmax, ymax). ``pipeline`` is the PROJ pipeline from
    WGS-84 lon/lat to the metric CRS ``crs``. Search structures are built on first
    use.
    """

    seg: np.ndarray
    start: np.ndarray
    run_start: np.ndarray
    run_box: np.ndarray
    pipeline: str
    crs: str = METRIC_CRS
    piece_m: float = 25.0
    _lazy: dict = field(default_factory=dict, init=False, repr=False)

    def grid_of(self, si: np.ndarray) -> np.ndarray:
        """Grid number of segments ``si``."""
        return np.searchsorted(self.start, si, side="right") - 1

    @property
    def transformer(self) -> Transformer:
        if "tr" not in self._lazy:
            self._lazy["tr"] = Transformer.from_pipeline(self.pipeline)
        return self._lazy["tr"]

    @property
    def run_tree(self) -> shapely.STRtree:
        """R-tree of the run boxes."""
        if "runs" not in self._lazy:
            b = self.run_box
            self._lazy["runs"] = shapely.STRtree(
                shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
            )
        return self._lazy["runs"]

    def pieces(self) -> tuple[cKDTree, np.ndarray, float]:
        """k-d tree of piece midpoints, the segment of each piece, half a piece (m)."""
        if "kd" not in self._lazy:
            self._lazy["kd"] = _build_pieces(self.seg, self.piece_m)
        return self._lazy["kd"]


def build_metric_segments(
    seg_xy: np.ndarray, seg_poly: np.ndarray, n_polys: int, crs: str = METRIC_CRS
) -> MetricSegments:
    """Project WGS-84 segments (x1, y1, x2, y2), grouped by ``seg_poly`` (sorted), to
    ``crs`` (a projected CRS in metres: the ``metric_crs`` setting, default EPSG:4547).

    Raises ValueError when ``seg_poly`` is not sorted (the grid ranges need it).
    """
    seg_poly = np.asarray(seg_poly, np.int64)
    if len(seg_poly) and (np.diff(seg_poly) < 0).any():
        raise ValueError("segments must be grouped by grid")
    tr = Transformer.from_crs(WGS84, crs, always_xy=True)
    # a segment's end is usually the next one's start: project each such vertex
    # once (the same input gives the same output bit for bit)
    seg_xy = np.asarray(seg_xy, float)
    cont = (seg_xy[:-1, 2:] == seg_xy[1:, :2]).all(1)
    own_end = np.flatnonzero(np.r_[~cont, True][: len(seg_xy)])
    x, y = tr.transform(
        np.r_[seg_xy[:, 0], seg_xy[own_end, 2]], np.r_[seg_xy[:, 1], seg_xy[own_end, 3]]
    )
    n = len(seg_xy)
    end = np.arange(1, n + 1)  # the next segment's start ...
    end[own_end] = n + np.arange(len(own_end))  # ... or the segment's own end
    seg = np.column_stack([x[:n], y[:n], x[end], y[end]])
    start = np.searchsorted(seg_poly, np.arange(n_polys + 1)).astype(np.int64)
    n = np.diff(start)
    nr = -(-n // RUN)
    first = np.repeat(np.cumsum(nr) - nr, nr)
    r0 = np.repeat(start[:-1], nr) + RUN * (np.arange(len(first)) - first)
    box = np.empty((len(r0), 4))
    if len(r0):
        box[:, :2] = np.minimum.reduceat(np.minimum(seg[:, :2], seg[:, 2:]), r0)
        box[:, 2:] = np.maximum.reduceat(np.maximum(seg[:, :2], seg[:, 2:]), r0)
    return MetricSegments(seg, start, np.append(r0, len(seg)), box, tr.definition, crs)


def _build_pieces(seg: np.ndarray, piece_m: float):
    a, b = seg[:, :2], seg[:, 2:]
    length = np.hypot(*(b - a).T)
    n = np.maximum(np.ceil(length / piece_m), 1).astype(np.int64)
    which = np.repeat(np.arange(len(a)), n)
    k = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
    t = (k + 0.5) / n[which]
    mid = a[which] + (b[which] - a[which]) * t[:, None]
    half = float((length / n).max() / 2) if len(n) else 0.0
    # any valid k-d tree gives the same candidates; the unbalanced one builds faster
    return cKDTree(mid, balanced_tree=False, compact_nodes=False), which, half


def _seg_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance of each point p to segment ab (rows aligned)."""
    ab = b - a
    ap = p - a
    den = (ab * ab).sum(1)
    t = np.divide((ap * ab).sum(1), den, out=np.zeros(len(p)), where=den > 0)
    t = np.clip(t, 0.0, 1.0)
    q = a + ab * t[:, None]
    return np.hypot(*(p - q).T)


def round_mm(d: np.ndarray) -> np.ndarray:
    """Millimetres as PostgreSQL's ``round(d::numeric, 3)`` (15 digits, half up)."""
    q = Decimal("0.001")
    return np.array(
        [int(Decimal(f"{v:.15g}").quantize(q, ROUND_HALF_UP) * 1000) for v in d],
        np.int64,
    )


def nearest(
    ms: MetricSegments, lng: np.ndarray, lat: np.ndarray, *, method: str = "auto"
):
    """Grid number and distance (m) of the nearest grid of each WGS-84 point.

    ``method`` is ``"boxes"``, ``"kdtree"`` or ``"auto"`` (boxes for at most
    :data:`FEW_POINTS` points); every method gives the same answer. Returns
    (grid number or -1, distance or NaN) arrays; -1/NaN where the point cannot be
    projected or there are no segments.
    """
    n = len(lng)
    best = np.full(n, -1, np.int64)
    dist = np.full(n, np.nan)
    if n == 0 or len(ms.seg) == 0:
        return best, dist
    p = np.column_stack(
        ms.transformer.transform(np.asarray(lng, float), np.asarray(lat, float))
    )
    ok = np.isfinite(p).all(1)
    idx = np.flatnonzero(ok)
    p = p[ok]
    if method == "auto":
        method = "boxes" if len(p) <= FEW_POINTS else "kdtree"
    if method == "boxes":
        pi, si = _candidates_boxes(ms, p)
    elif method == "kdtree":
        pi, si = _candidates_kdtree(ms, p)
    else:
        raise ValueError(f"unknown nearest method {method!r}")
    d = _seg_distance(p[pi], ms.seg[si, :2], ms.seg[si, 2:])
    pi, gi, d = _pick(pi, ms.grid_of(si), d, len(p))
    best[idx[pi]] = gi
    dist[idx[pi]] = d
    return best, dist


def _run_segments(run_start: np.ndarray, runs: np.ndarray, pi: np.ndarray):
    """Expand (point, run) pairs to (point, segment) pairs."""
    lo, hi = run_start[runs], run_start[runs + 1]
    counts = hi - lo
    first = np.repeat(np.cumsum(counts) - counts, counts)
    si = np.repeat(lo, counts) + (np.arange(first.size) - first)
    return np.repeat(pi, counts), si


def _candidates_boxes(ms: MetricSegments, p: np.ndarray):
    """(point, segment) pairs covering every grid within ``_TIE_M`` of the nearest.

    A run of segments lies inside its box, so a segment within distance r of a point
    is in a run whose box is within r of it (GEOS measures the box distance to about
    1e-9 m here; the bound carries ``_SLACK_M``).
    """
    pts = shapely.points(p)
    tree = ms.run_tree
    # upper bound: the distance to a segment of the nearest run(s)
    pi, ri = tree.query_nearest(pts, all_matches=True)
    pi, si = _run_segments(ms.run_start, ri, pi)
    upper = np.full(len(p), np.inf)
    np.minimum.at(upper, pi, _seg_distance(p[pi], ms.seg[si, :2], ms.seg[si, 2:]))
    pi, ri = tree.query(pts, predicate="dwithin", distance=upper + _TIE_M + _SLACK_M)
    return _run_segments(ms.run_start, ri, pi)


def _candidates_kdtree(ms: MetricSegments, p: np.ndarray):
    """(point, segment) pairs from the piece k-d tree, within the tolerance ball."""
    tree, piece_seg, half = ms.pieces()
    _, piece = tree.query(p, k=1)
    s = piece_seg[piece]
    upper = _seg_distance(p, ms.seg[s, :2], ms.seg[s, 2:])
    balls = tree.query_ball_point(p, upper + half + _TIE_M + _SLACK_M)
    counts = np.fromiter((len(x) for x in balls), np.int64, len(balls))
    pi = np.repeat(np.arange(len(p)), counts)
    si = (
        piece_seg[np.concatenate(balls).astype(np.int64)]
        if counts.sum()
        else np.empty(0, np.int64)
    )
    return pi, si


def _pick(pi: np.ndarray, gi: np.ndarray, d: np.ndarray, n: int):
    """The rule, on candidate (point, grid, segment distance) rows.

    The distance to a grid is the minimum over its segments; among the grids within
    ``_TIE_M`` of the point's nearest, the smallest distance rounded to the
    millimetre wins, then the smallest grid number (= code order). Returns (point,
    grid, distance) for each point with a candidate.
    """
    order = np.lexsort((d, gi, pi))
    pi, gi, d = pi[order], gi[order], d[order]
    keep = np.r_[True, (pi[1:] != pi[:-1]) | (gi[1:] != gi[:-1])]
    pi, gi, d = pi[keep], gi[keep], d[keep]
    dmin = np.full(n, np.inf)
    np.minimum.at(dmin, pi, d)
    near = d <= dmin[pi] + _TIE_M
    pi, gi, d = pi[near], gi[near], d[near]
    # only points with rival grids within a millimetre need the rounding rule
    rival = np.r_[pi[1:] == pi[:-1], False] | np.r_[False, pi[1:] == pi[:-1]]
    mm = np.zeros(len(d), np.int64)
    mm[rival] = round_mm(d[rival])
    order = np.lexsort((gi, mm, pi))
    pi, gi, d = pi[order], gi[order], d[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    return pi[first], gi[first], d[first]
