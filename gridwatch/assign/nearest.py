"""Nearest grid of a point no grid covers, in metres in the metric CRS.

Rule (the SQL of :func:`gridwatch.assign.sql.nearest_grid_sql` applies the same):
the grid at the smallest distance in the metric CRS (setting ``metric_crs``, default
EPSG:4547) rounded half-up to the millimetre, ties to the smallest code. For a point outside a polygon, the distance to the polygon is the
distance to its nearest boundary segment.

Why a k-d tree of segment pieces rather than ``STRtree.query_nearest`` on polygons or
segments: for points a kilometre or two outside the district, an R-tree nearest or
``dwithin`` search visits thousands of envelopes (~100 µs a point in our benchmark);
``scipy.spatial.cKDTree`` on the midpoints of short pieces answers in microseconds, and
a radius bound keeps it exact: the nearest point of the nearest segment lies on some
piece whose midpoint is at most half a piece away, so every segment within the
millimetre tolerance of the nearest has a piece midpoint inside the searched ball.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree

from gridwatch.crs import METRIC_CRS, WGS84

#: candidates within this much of the nearest distance may round to the same mm
_TIE_M = 0.0011


@dataclass(frozen=True)
class MetricSegments:
    """Grid boundary segments in the metric CRS, with a k-d tree of piece midpoints."""

    a: np.ndarray  # (S, 2) segment starts, metres
    b: np.ndarray  # (S, 2) segment ends
    poly: np.ndarray  # (S,) grid number of each segment
    piece_seg: np.ndarray  # segment of each piece
    half_piece: float  # longest half-length of a piece, metres
    tree: cKDTree
    transformer: Transformer


def build_metric_segments(seg_xy: np.ndarray, seg_poly: np.ndarray,
                          piece_m: float = 25.0,
                          metric_crs: str = METRIC_CRS) -> MetricSegments:
    """Project WGS-84 segments (x1, y1, x2, y2) to ``metric_crs`` (a projected CRS
    in metres) and index pieces of <= ``piece_m``."""
    tr = Transformer.from_crs(WGS84, metric_crs, always_xy=True)
    a = np.column_stack(tr.transform(seg_xy[:, 0], seg_xy[:, 1]))
    b = np.column_stack(tr.transform(seg_xy[:, 2], seg_xy[:, 3]))
    length = np.hypot(*(b - a).T)
    n = np.maximum(np.ceil(length / piece_m), 1).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    t = (k + 0.5) / n[seg]
    mid = a[seg] + (b[seg] - a[seg]) * t[:, None]
    half = float((length / n).max() / 2) if len(n) else 0.0
    return MetricSegments(a, b, np.asarray(seg_poly, np.int64), seg, half,
                          cKDTree(mid), tr)


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
    return np.array([int(Decimal(f"{v:.15g}").quantize(q, ROUND_HALF_UP) * 1000)
                     for v in d], np.int64)


def nearest(ms: MetricSegments, lng: np.ndarray, lat: np.ndarray):
    """Grid number and distance (m) of the nearest grid of each WGS-84 point."""
    n = len(lng)
    best = np.full(n, -1, np.int64)
    dist = np.full(n, np.nan)
    if n == 0 or len(ms.a) == 0:
        return best, dist
    p = np.column_stack(ms.transformer.transform(np.asarray(lng, float),
                                                 np.asarray(lat, float)))
    ok = np.isfinite(p).all(1)
    idx = np.flatnonzero(ok)
    p = p[ok]
    _, piece = ms.tree.query(p, k=1)
    upper = _seg_distance(p, ms.a[ms.piece_seg[piece]], ms.b[ms.piece_seg[piece]])
    balls = ms.tree.query_ball_point(p, upper + ms.half_piece + _TIE_M)
    counts = np.fromiter((len(x) for x in balls), np.int64, len(balls))
    pi = np.repeat(np.arange(len(p)), counts)
    si = ms.piece_seg[np.concatenate(balls).astype(np.int64)] if counts.sum() else \
        np.empty(0, np.int64)
    d = _seg_distance(p[pi], ms.a[si], ms.b[si])
    gi = ms.poly[si]
    # distance to a grid = its nearest segment: the minimum per (point, grid)
    order = np.lexsort((d, gi, pi))
    pi, gi, d = pi[order], gi[order], d[order]
    keep = np.r_[True, (pi[1:] != pi[:-1]) | (gi[1:] != gi[:-1])]
    pi, gi, d = pi[keep], gi[keep], d[keep]
    dmin = np.full(len(p), np.inf)
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
    best[idx[pi[first]]] = gi[first]
    dist[idx[pi[first]]] = d[first]
    return best, dist
