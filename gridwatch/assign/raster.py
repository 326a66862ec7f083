"""The prefilter raster: cells no grid boundary crosses answer points by lookup.

Every cell a boundary segment passes through is marked (segments are cut into pieces
spanning at most 0.99 of a cell along each axis; each piece marks the cells of its
bounding box widened by 1e-11 degrees, at most 2 x 2 cells, so no boundary point can
sit in an unmarked cell; a few cells the segment only passes near are marked too,
which sends their points to the exact path and changes no answer). Unmarked cells are labelled
into 4-connected components (``scipy.ndimage.label``); a component holds no boundary,
so one representative point decides the whole component.

Cells are located with ``floor((x - x0) / dx)``, the same expression when marking and
when looking up, so the cells are a true partition of the plane even with rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage

#: interpolated piece ends are within ~1e-14 degrees of the true segment
_PIECE_EPS = 1e-11
#: a piece spans at most this share of a cell along x and y, so with the widening
#: above its box covers at most 2 cells each way (the 4 corners mark them all)
_PIECE_SHARE = 0.99


@dataclass(frozen=True)
class Raster:
    """Cell lookup: ``cells[iy, ix]`` is a grid number, -1 (no grid) or -2 (mixed).

    ``cells`` is int16 when there are fewer than 32,767 grids (half the memory and
    cache file), else int32.
    """

    x0: float
    y0: float
    dx: float
    dy: float
    cells: np.ndarray

    def locate(self, x: np.ndarray, y: np.ndarray):
        """Column, row and in-range mask of each point (the marking uses the same)."""
        fx, fy = np.floor((x - self.x0) / self.dx), np.floor((y - self.y0) / self.dy)
        ny, nx = self.cells.shape
        inr = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)
        return (
            np.where(inr, fx, 0).astype(np.int64),
            np.where(inr, fy, 0).astype(np.int64),
            inr,
        )

    def lookup(self, x: np.ndarray, y: np.ndarray, margin: float):
        """Per point: the cell's value, whether the point is on the raster, and
        whether the cell answers it (not mixed, and the point at least ``margin``
        from the cell's left and right sides). Values off the raster are arbitrary.
        """
        ny, nx = self.cells.shape
        fx = np.floor((x - self.x0) / self.dx)
        fy = np.floor((y - self.y0) / self.dy)
        inr = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)
        with np.errstate(invalid="ignore"):  # NaN/inf: garbage, masked by inr
            ix, iy = fx.astype(np.int64), fy.astype(np.int64)
        # mode="clip" keeps the garbage indices of off-raster points in bounds
        val = np.take(self.cells.reshape(-1), iy * nx + ix, mode="clip")
        left = x - (self.x0 + ix * self.dx)
        right = (self.x0 + (ix + 1) * self.dx) - x
        clear = (val != -2) & (left >= margin) & (right >= margin)
        return val, inr, clear


def empty_raster() -> Raster:
    """A 1x1 raster that sends every point to the exact path."""
    return Raster(0.0, 0.0, 1.0, 1.0, np.full((1, 1), -2, np.int32))


def _cell_size(geoms, cells_per_grid, max_cells):
    """Cell width/height in degrees: square on the ground, capped in number."""
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    size = np.sqrt(np.median(shapely.area(geoms))) / cells_per_grid
    coslat = max(np.cos(np.radians((y0 + y1) / 2)), 0.05)
    dx, dy = size / coslat, size
    n = ((x1 - x0) / dx + 2) * ((y1 - y0) / dy + 2)
    if n > max_cells:
        dx, dy = dx * np.sqrt(n / max_cells), dy * np.sqrt(n / max_cells)
    return x0, y0, x1, y1, dx, dy


def build_raster(
    geoms: np.ndarray, seg_xy: np.ndarray, decide, cells_per_grid: float, max_cells: int
) -> Raster:
    """Mark boundary cells, label the rest, decide each component by one point.

    ``decide(x, y)`` returns, per point, the covering grid number and the number of
    covering grids; a component covered by exactly one grid maps to it, by none to
    -1, by several (overlapping grids) to -2 so its points take the exact path.
    """
    x0, y0, x1, y1, dx, dy = _cell_size(geoms, cells_per_grid, max_cells)
    nx, ny = int((x1 - x0) // dx) + 2, int((y1 - y0) // dy) + 2
    r = Raster(x0, y0, dx, dy, np.zeros((1, 1), np.int32))
    marked = np.zeros((ny, nx), bool)
    for chunk in range(0, len(seg_xy), 200_000):
        _mark_segments(r, marked, seg_xy[chunk : chunk + 200_000])
    labels, n_labels = ndimage.label(~marked, output=np.int32)
    rep = _one_cell_per_label(labels, marked, n_labels)
    cx = x0 + (rep % nx + 0.5) * dx
    cy = y0 + (rep // nx + 0.5) * dy
    best, count = decide(cx, cy)
    lut = np.where(count == 1, best, np.where(count == 0, -1, -2))
    dtype = np.int16 if len(geoms) < np.iinfo(np.int16).max else np.int32
    cells = np.concatenate([[-2], lut]).astype(dtype)[labels]
    return Raster(x0, y0, dx, dy, cells)


def _one_cell_per_label(
    labels: np.ndarray, marked: np.ndarray, n_labels: int
) -> np.ndarray:
    """A flat cell index inside each component 1..n_labels (any cell will do: a
    component holds no boundary, so all its points have the same answer).

    ``ndimage.label`` numbers components in order of their first cell in C order.
    A component's first cell has no unmarked left neighbour (that neighbour would
    be in the same component, and earlier), so only such cells are scanned: the
    first cells are where the running maximum of their labels grows. That order
    is checked, and a scatter over every cell (slower, no assumption) is used if it
    does not hold.
    """
    if n_labels == 0:
        return np.empty(0, np.int64)
    start = np.empty(marked.shape, bool)
    start[:, 0] = ~marked[:, 0]
    np.greater(marked[:, :-1], marked[:, 1:], out=start[:, 1:])
    cand = np.flatnonzero(start)
    lab = labels.reshape(-1)[cand]
    rep = cand[lab > np.maximum.accumulate(np.r_[0, lab[:-1]])]
    flat = labels.reshape(-1)
    if len(rep) == n_labels and (flat[rep] == np.arange(1, n_labels + 1)).all():
        return rep
    last = np.empty(n_labels + 1, np.int64)
    last[flat] = np.arange(flat.size)
    return last[1:]


def _mark_segments(r: Raster, marked: np.ndarray, xy: np.ndarray) -> None:
    """Mark every cell a segment passes through (pieces under one cell a side)."""
    ddx, ddy = xy[:, 2] - xy[:, 0], xy[:, 3] - xy[:, 1]
    span = np.maximum(np.abs(ddx) / r.dx, np.abs(ddy) / r.dy)
    n = np.maximum(np.ceil(span / _PIECE_SHARE), 1).astype(np.int64)
    seg = np.repeat(np.arange(len(xy)), n)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n)
    t0, t1 = k / n[seg], (k + 1) / n[seg]
    xa, xb = xy[seg, 0] + ddx[seg] * t0, xy[seg, 0] + ddx[seg] * t1
    ya, yb = xy[seg, 1] + ddy[seg] * t0, xy[seg, 1] + ddy[seg] * t1
    ny, nx = marked.shape

    def index(v, v0, step, size):
        return np.clip(np.floor((v - v0) / step), 0, size - 1).astype(np.int64)

    cols = [
        index(np.minimum(xa, xb) - _PIECE_EPS, r.x0, r.dx, nx),
        index(np.maximum(xa, xb) + _PIECE_EPS, r.x0, r.dx, nx),
    ]
    rows = [
        index(np.minimum(ya, yb) - _PIECE_EPS, r.y0, r.dy, ny) * nx,
        index(np.maximum(ya, yb) + _PIECE_EPS, r.y0, r.dy, ny) * nx,
    ]
    flat = marked.reshape(-1)  # a view: the 2-D array is contiguous
    for c in cols:
        for w in rows:
            flat[w + c] = True
