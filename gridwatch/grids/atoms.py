"""Atoms: small H3 cells clipped to a parent, and their contiguity graph.

A balanced build groups atoms into grids, so the atoms must partition the parent
*exactly*. Two choices make that hold:

* Each H3 cell is drawn from its canonical vertices (``h3.cell_to_vertexes`` and
  ``h3.vertex_to_latlng``), not from ``cell_to_boundary``: a vertex shared by three
  cells then has one coordinate, so neighbouring cells share edges bit for bit.
* Clipping uses GEOS fixed-precision overlay (``grid_size`` = :data:`GRID_SIZE_M`
  in the metric CRS), so the points where the parent's boundary crosses a cell edge
  round to the same millimetre grid point in both neighbours.

Contiguity is by shared *edges* (a shared length above :data:`MIN_SHARED_M`), never
by a shared corner: a grid joined to itself only at a point is not one polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np
import shapely
from pyproj import Transformer

from gridwatch.crs import METRIC_CRS, WGS84

#: Precision (metres) of every overlay in the metric CRS: 1 mm, far below survey
#: accuracy, and large enough that float noise from pyproj/GEOS rounds away.
GRID_SIZE_M = 0.001
#: Two atoms touching along less than this (metres) are not neighbours.
MIN_SHARED_M = 0.01
#: Finest H3 resolution used for atoms (res 13 cells are ~44 m²).
MAX_RES = 13


@dataclass(frozen=True)
class Atoms:
    """Atoms of one parent in the metric CRS, with their graph.

    ``edges`` is an (m, 2) int array of neighbour pairs (i < j) and ``shared_m``
    the length of boundary they share; ``outer_m`` is each atom's boundary length
    that no other atom shares (on the parent's boundary).
    """

    geometry: np.ndarray  # shapely Polygons, metric CRS
    area_m2: np.ndarray
    perimeter_m: np.ndarray
    xy: np.ndarray  # (n, 2) representative points
    edges: np.ndarray
    shared_m: np.ndarray
    resolution: int

    def __len__(self) -> int:
        return len(self.geometry)


_TO_METRIC: dict[str, Transformer] = {}


def _transformer(src: str, dst: str) -> Transformer:
    key = f"{src}>{dst}"
    if key not in _TO_METRIC:
        _TO_METRIC[key] = Transformer.from_crs(src, dst, always_xy=True)
    return _TO_METRIC[key]


def choose_resolution(area_m2: float, n_atoms: int) -> int:
    """H3 resolution whose cell count over ``area_m2`` is nearest ``n_atoms``.

    Nearest on a log scale, so the count lands within ×/÷ √7 of the wish.

    >>> choose_resolution(4_000_000, 100)
    9
    """
    want = max(float(area_m2), 1.0) / max(int(n_atoms), 1)
    return min(range(MAX_RES + 1),
               key=lambda r: abs(np.log(h3.average_hexagon_area(r, "m^2") / want)))


def h3_cells_metric(parent_wgs84, res: int, metric_crs: str = METRIC_CRS):
    """H3 cells at ``res`` overlapping ``parent_wgs84``, as metric-CRS polygons.

    Parameters
    ----------
    parent_wgs84 : shapely Polygon or MultiPolygon
        In EPSG:4326 (lng, lat).
    res : int
        H3 resolution.
    metric_crs : str
        Projected CRS of the result.

    Returns
    -------
    (list[str], numpy.ndarray)
        Cell ids and their polygons, sharing vertices exactly.
    """
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(parent_wgs84))
    # a cell overlapping two parts of a MultiPolygon is listed twice
    cells = sorted(set(h3.h3shape_to_cells_experimental(shape, res, contain="overlap")))
    vertex_ids: dict[str, int] = {}
    rings = []
    for cell in cells:
        ring = []
        for v in h3.cell_to_vertexes(cell):
            ring.append(vertex_ids.setdefault(v, len(vertex_ids)))
        rings.append(ring)
    if not cells:
        return [], np.array([], dtype=object)
    latlng = np.array([h3.vertex_to_latlng(v) for v in vertex_ids])
    x, y = _transformer(WGS84, metric_crs).transform(latlng[:, 1], latlng[:, 0])
    xy = np.column_stack([x, y])
    polys = np.empty(len(rings), dtype=object)
    six = np.array([len(r) == 6 for r in rings])
    if six.any():
        idx = np.array([r for r in rings if len(r) == 6])
        polys[six] = shapely.polygons(xy[idx])
    for k in np.flatnonzero(~six):  # the 12 pentagons per resolution
        polys[k] = shapely.Polygon(xy[rings[k]])
    return cells, polys


def snap(geoms: np.ndarray) -> np.ndarray:
    """Round simple cell polygons to the :data:`GRID_SIZE_M` grid.

    Same rounding as GEOS's fixed precision model (``floor(x / g + 0.5) * g``)
    but without its topology checks, which cost 30x more on hexagons that
    cannot collapse at millimetre precision.
    """
    scale = 1.0 / GRID_SIZE_M
    return shapely.transform(geoms, lambda c: np.floor(c * scale + 0.5) / scale)


def clip_cells(cells_metric: np.ndarray, parent_metric,
               is_snapped: bool = False) -> np.ndarray:
    """Clip cells to the parent on the millimetre grid and explode into polygons."""
    parent = parent_metric if is_snapped else shapely.set_precision(
        parent_metric, GRID_SIZE_M)
    shapely.prepare(parent)
    keep = shapely.intersects(parent, cells_metric)
    inside = shapely.contains_properly(parent, cells_metric[keep])
    cells = snap(cells_metric[keep])
    out = cells.copy()
    edge = ~inside
    out[edge] = shapely.intersection(cells[edge], parent, grid_size=GRID_SIZE_M)
    parts = shapely.get_parts(out)
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    return parts[shapely.area(parts) > 0]


def contiguity(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of polygons sharing an edge, and the shared length in CRS units.

    For a clean coverage (shared edges have identical vertices, as atoms have)
    the edges are matched as identical segments, which is ~20x faster than
    intersecting boundaries; anything else falls back to boundary intersection.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        (m, 2) int pairs with i < j, and the (m,) shared lengths.
    """
    if len(geoms) < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    fast = _segment_contiguity(geoms)
    if fast is not None:
        return fast
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    bounds = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(bounds[i], bounds[j]))
    ok = shared > MIN_SHARED_M
    return np.column_stack([i[ok], j[ok]]).astype(np.int64), shared[ok]


def union_cover(geoms: np.ndarray):
    """Union of polygons tiling an area: fast coverage union, robust fallback."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms, grid_size=GRID_SIZE_M)


def _segment_contiguity(geoms: np.ndarray):
    """Shared edges by matching identical segments; None if that misses any."""
    rings, ring_geom = shapely.get_rings(geoms, return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    same = ring_idx[1:] == ring_idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    owner = ring_geom[ring_idx[:-1][same]]
    qa = np.round(a / GRID_SIZE_M).astype(np.int64)
    qb = np.round(b / GRID_SIZE_M).astype(np.int64)
    swap = (qa[:, 0] > qb[:, 0]) | ((qa[:, 0] == qb[:, 0]) & (qa[:, 1] > qb[:, 1]))
    lo = np.where(swap[:, None], qb, qa)
    hi = np.where(swap[:, None], qa, qb)
    keys = np.column_stack([lo, hi])
    _, inv, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    if counts.max(initial=0) > 2:
        return None
    length = np.hypot(*(a - b).T)
    order = np.argsort(inv, kind="stable")
    seg_twice = counts[inv[order]] == 2
    paired = order[seg_twice].reshape(-1, 2)
    i, j = owner[paired[:, 0]], owner[paired[:, 1]]
    # unmatched segments are the outer boundary; they must add up to its length
    outer = length[counts[inv] == 1].sum()
    try:
        union_len = shapely.length(shapely.coverage_union_all(geoms))
    except shapely.errors.GEOSException:  # not a clean coverage after all
        return None
    if abs(outer - union_len) > 1e-6 * max(union_len, 1.0) + MIN_SHARED_M:
        return None
    lo_ij, hi_ij = np.minimum(i, j), np.maximum(i, j)
    ok = lo_ij != hi_ij
    pairs, pinv = np.unique(
        np.column_stack([lo_ij[ok], hi_ij[ok]]), axis=0, return_inverse=True)
    shared = np.bincount(pinv.ravel(), weights=length[paired[:, 0]][ok])
    keep = shared > MIN_SHARED_M
    return pairs[keep].astype(np.int64), shared[keep]


def _link_components(xy: np.ndarray, edges: np.ndarray, shared: np.ndarray):
    """Join disconnected pieces (a multi-part parent) by zero-length edges.

    The balanced partition needs one connected graph; a link between the closest
    atoms of two pieces lets a grid span an island and its nearest mainland, which
    is the only way to put every part of a multi-part parent in some grid.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    n = len(xy)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), (n, n))
    n_comp, lab = connected_components(graph, directed=False)
    extra = []
    while n_comp > 1:
        main = np.flatnonzero(lab == lab[0])
        rest = np.flatnonzero(lab != lab[0])
        dist, nearest = cKDTree(xy[main]).query(xy[rest])
        r = int(np.argmin(dist))
        joined = int(rest[r])
        extra.append(tuple(sorted((int(main[nearest[r]]), joined))))
        lab[lab == lab[joined]] = lab[0]
        n_comp -= 1
    if not extra:
        return edges, shared
    return (np.vstack([edges, np.array(extra, dtype=np.int64)]),
            np.concatenate([shared, np.zeros(len(extra))]))


def make_atoms(parent_metric, res: int, metric_crs: str = METRIC_CRS,
               is_snapped: bool = False) -> Atoms:
    """Atoms of one parent: H3 cells at ``res`` clipped to it, with their graph.

    Parameters
    ----------
    parent_metric : shapely Polygon or MultiPolygon
        The parent in ``metric_crs``.
    res : int
        H3 resolution (see :func:`choose_resolution`).
    metric_crs : str
        The projected CRS ``parent_metric`` is in.
    is_snapped : bool
        True when ``parent_metric`` is already on the 1 mm grid
        (``shapely.set_precision(geom, GRID_SIZE_M)``); saves a GEOS pass.

    Returns
    -------
    Atoms
        A partition of the parent (on the 1 mm grid) and its contiguity graph,
        connected even when the parent is multi-part.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> atoms = make_atoms(box(408_000, 2_545_000, 409_000, 2_546_000), 10)
    >>> round(float(atoms.area_m2.sum()))
    1000000
    """
    parent_wgs = shapely.transform(
        parent_metric,
        lambda c: np.column_stack(
            _transformer(metric_crs, WGS84).transform(c[:, 0], c[:, 1])),
    )
    _, cells = h3_cells_metric(parent_wgs, res, metric_crs)
    geoms = clip_cells(cells, parent_metric, is_snapped) if len(cells) else cells
    if len(geoms) == 0:  # a parent smaller than one cell's overlap test
        geoms = np.array([shapely.set_precision(parent_metric, GRID_SIZE_M)])
        geoms = shapely.get_parts(geoms)
    # order atoms north->south, west->east so results do not hang on H3 id order
    pts = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(pts)
    order = np.lexsort((xy[:, 0], -xy[:, 1]))
    geoms, xy = geoms[order], xy[order]
    fast = _segment_contiguity(geoms) if len(geoms) > 1 else None
    if fast is None and len(geoms) > 1:
        # Snap rounding of separate overlays rarely disagrees (a parent vertex
        # within a millimetre of a cell edge); GEOS's coverage cleaner re-nodes
        # the shared edges so that they match exactly again.
        geoms = shapely.get_parts(shapely.coverage_clean(geoms, snapping_distance=0.0))
        geoms = geoms[(shapely.get_type_id(geoms) == 3) & (shapely.area(geoms) > 0)]
        xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    edges, shared = contiguity(geoms)
    edges, shared = _link_components(xy, edges, shared)
    return Atoms(
        geometry=geoms,
        area_m2=shapely.area(geoms),
        perimeter_m=shapely.length(geoms),
        xy=xy,
        edges=edges,
        shared_m=shared,
        resolution=res,
    )


def locate_points(geoms: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the polygon holding each point, or -1 (first hit on a shared edge)."""
    out = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or len(geoms) == 0:
        return out
    tree = shapely.STRtree(geoms)
    p, g = tree.query(points, predicate="intersects")
    # reverse so the first hit for each point wins when written last
    out[p[::-1]] = g[::-1]
    return out
