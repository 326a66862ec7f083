"""Regular grids: squares (metres) or H3 hexagons, clipped to a parent.

Like HOT Tasking Manager / fmtm-splitter, cells are clipped to the unit; unlike
them, the cells are laid out in metres (a degree is 102 km east-west but 111 km
north-south at Foshan) and a clipped piece under :data:`SMALL_SHARE` of a full
cell joins the neighbour it shares the longest edge with, so no warden gets a
sliver. Square lattices are anchored at multiples of the cell size in the metric
CRS, so neighbouring parents' cells line up.
"""

from __future__ import annotations

import h3
import numpy as np
import shapely

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.grids.atoms import (
    GRID_SIZE_M,
    _transformer,
    contiguity,
    h3_cells_metric,
    snap,
    union_cover,
)

#: A clipped piece smaller than this share of a full cell is merged (the issue's 35%).
SMALL_SHARE = 0.35


def square_cells(bounds, size_m: float) -> np.ndarray:
    """Squares of side ``size_m`` anchored at multiples of it, covering ``bounds``.

    >>> len(square_cells((0, 0, 250, 100), 100.0))
    3
    """
    xmin, ymin, xmax, ymax = bounds
    x0 = np.floor(xmin / size_m) * size_m
    y0 = np.floor(ymin / size_m) * size_m
    nx = max(1, int(np.ceil((xmax - x0) / size_m)))
    ny = max(1, int(np.ceil((ymax - y0) / size_m)))
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
    xs, ys = x0 + ix.ravel() * size_m, y0 + iy.ravel() * size_m
    return shapely.box(xs, ys, xs + size_m, ys + size_m)


def hex_resolution(cell_size_m: float) -> int:
    """H3 resolution whose average cell area is closest to ``cell_size_m``².

    >>> hex_resolution(330.0)
    9
    """
    target = cell_size_m ** 2
    return int(min(range(16), key=lambda r: abs(
        np.log(h3.average_hexagon_area(r, "m^2") / target))))


def merge_small(pieces: np.ndarray, full_area: np.ndarray,
                share: float = SMALL_SHARE) -> np.ndarray:
    """Merge pieces under ``share`` of their full cell into their best neighbour.

    The smallest piece goes first, into the neighbouring group sharing the
    longest boundary with it; a piece with no neighbour (a tiny island or a
    parent smaller than one cell) is kept.

    Parameters
    ----------
    pieces : array of shapely Polygons
        A clean coverage in a metric CRS.
    full_area : float array
        Area of the full cell each piece was cut from.
    share : float
        Threshold share of a full cell.

    Returns
    -------
    numpy.ndarray
        The merged polygons (fewer or equal).
    """
    n = len(pieces)
    if n <= 1:
        return pieces
    edges, shared = contiguity(pieces)
    group = np.arange(n)
    area = shapely.area(pieces).astype(float)
    g_area = area.copy()
    g_full = np.asarray(full_area, dtype=float).copy()
    stuck: set[int] = set()
    while True:
        small = [g for g in np.unique(group)
                 if g_area[g] < share * g_full[g] and g not in stuck]
        if not small:
            break
        g = min(small, key=lambda x: (g_area[x], x))
        gi, gj = group[edges[:, 0]], group[edges[:, 1]]
        touch = (gi == g) ^ (gj == g)
        if not touch.any():
            stuck.add(g)
            continue
        other = np.where(gi[touch] == g, gj[touch], gi[touch])
        sums = np.bincount(other, weights=shared[touch], minlength=n)
        dest = int(np.argmax(sums))
        group[group == g] = dest
        g_area[dest] += g_area[g]
        g_full[dest] = max(g_full[dest], g_full[g])
    out = []
    for g in np.unique(group):
        members = pieces[group == g]
        out.append(members[0] if len(members) == 1
                   else union_cover(members))
    return np.array(out, dtype=object)


def regular_grids(parent_metric, method: str, cell_size_m: float,
                  metric_crs: str = METRIC_CRS) -> np.ndarray:
    """Square or hex cells clipped to one parent, small pieces merged.

    Parameters
    ----------
    parent_metric : shapely Polygon or MultiPolygon
        The parent in ``metric_crs``.
    method : {"square", "hex"}
        Square cells of side ``cell_size_m``, or H3 cells of the resolution
        whose average area is nearest ``cell_size_m``².
    cell_size_m : float
        Cell size in metres (> 0).
    metric_crs : str
        CRS of ``parent_metric``.

    Returns
    -------
    numpy.ndarray
        Polygons (metric CRS) tiling the parent on the 1 mm grid.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = regular_grids(box(0, 0, 230, 100), "square", 100.0)
    >>> sorted(round(c.area) for c in cells)
    [10000, 13000]
    """
    if not cell_size_m or cell_size_m <= 0:
        raise ValueError(f"cell_size_m must be positive, got {cell_size_m!r}")
    if method == "square":
        cells = square_cells(parent_metric.bounds, float(cell_size_m))
    elif method == "hex":
        tr = _transformer(metric_crs, WGS84)
        parent_wgs = shapely.transform(
            parent_metric, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        _, cells = h3_cells_metric(parent_wgs, hex_resolution(cell_size_m), metric_crs)
    else:
        raise ValueError(f"method must be 'square' or 'hex', got {method!r}")
    cells = np.asarray(cells, dtype=object)
    cells = snap(cells)
    full_area = shapely.area(cells)
    parent = shapely.set_precision(parent_metric, GRID_SIZE_M)
    clipped = shapely.intersection(cells, parent, grid_size=GRID_SIZE_M)
    parts, idx = shapely.get_parts(clipped, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    pieces, full = parts[keep], full_area[idx[keep]]
    if len(pieces) == 0:
        return np.array([shapely.set_precision(parent_metric, GRID_SIZE_M)])
    return merge_small(np.array(pieces, dtype=object), np.array(full))
