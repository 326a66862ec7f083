"""Illustrative (示意) polygons for units known only by name and code.

No public source has township or village polygons for Chinese districts: the
official list (NBS 统计用区划代码) gives names and codes only. To build grids
anyway, each parent (a district, or a town) is tiled by its children with
Voronoi cells of seed points placed inside it, dense near an urban core for
communities (社区, small) and sparse outside it for villages (村, about
:data:`VILLAGE_AREA_FACTOR` times larger). The faces are cut from the parent by
noding its boundary with the Voronoi edges and every piece is made one Polygon
by handing detached parts to the neighbour they share most boundary with, so
the children tile the parent exactly. Everything is deterministic from a seed;
the result must be labelled ``is_illustrative`` (示意边界) wherever it is shown.

The demo district (:mod:`gridwatch.demo.admin`) uses the same pieces.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.ops import nearest_points

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.errors import InvalidInputError

#: A village cell is about this many times the area of an urban community cell.
VILLAGE_AREA_FACTOR = 4.0


def faces(region, lines) -> list[Polygon]:
    """Faces of ``region`` cut by ``lines``, noded so neighbours share edges."""
    noded = shapely.union_all([region.boundary, *lines])
    out = polygons(shapely.polygonize(shapely.get_parts(noded)))
    if not out:
        return []
    reps = shapely.point_on_surface(np.asarray(out))
    return [f for f, r in zip(out, reps, strict=True) if region.contains(r)]


def polygons(geom) -> list[Polygon]:
    """The non-empty Polygon parts of a geometry."""
    return [
        g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0
    ]


def single_parts(pieces: list) -> list:
    """Make each piece one Polygon; stray parts go to the best-touching neighbour.

    A part that touches no other piece (an island) stays with its piece, which
    is then a MultiPolygon.
    """
    pieces = [shapely.make_valid(p) for p in pieces]
    for _ in range(10):
        moved = False
        tree = shapely.STRtree(pieces)
        for i, piece in enumerate(pieces):
            parts = sorted(polygons(piece), key=lambda g: -g.area)
            if len(parts) <= 1:
                continue
            keep = [parts[0]]
            for part in parts[1:]:
                cand = [j for j in tree.query(part) if j != i]
                shared = [
                    shapely.length(
                        shapely.intersection(part.boundary, pieces[j].boundary)
                    )
                    for j in cand
                ]
                if not cand or max(shared) <= 0:
                    keep.append(part)
                    continue
                j = cand[int(np.argmax(shared))]
                pieces[j] = shapely.union(pieces[j], part)
                moved = True
            pieces[i] = shapely.union_all(keep)
        if not moved:
            break
    out = []
    for p in pieces:
        parts = sorted(polygons(p), key=lambda g: -g.area)
        out.append(parts[0] if len(parts) == 1 else shapely.union_all(parts))
    return out


def sample_in(geom, rng, n, centre=None, sigma=None) -> np.ndarray:
    """``n`` candidate points in ``geom``: uniform, or Gaussian around ``centre``."""
    b = geom.bounds
    out = np.empty((0, 2))
    for _ in range(1000):
        if len(out) >= n:
            break
        m = max(4 * n, 64)
        if centre is None:
            xy = np.column_stack(
                [rng.uniform(b[0], b[2], m), rng.uniform(b[1], b[3], m)]
            )
        else:
            xy = rng.normal(centre, sigma, size=(m, 2))
        xy = xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])]
        out = np.vstack([out, xy])
    if len(out) < n:  # a sliver where random points almost never land
        rep = np.array(geom.representative_point().coords[0])
        out = np.vstack([out, np.repeat(rep[None, :], n - len(out), axis=0)])
    return out[:n]


def spread_seeds(geom, n: int, rng) -> np.ndarray:
    """``n`` seeds spread evenly over ``geom`` (towns of a district: no urban core
    to lean towards, so each gets about the same area)."""
    r = 0.75 * np.sqrt(geom.area / n)
    seeds: list[np.ndarray] = []
    for _ in range(n):
        for _attempt in range(40):
            cand = sample_in(geom, rng, 32)
            if not seeds:
                break
            p = np.asarray(seeds)
            d = np.hypot(cand[:, None, 0] - p[None, :, 0],
                         cand[:, None, 1] - p[None, :, 1]).min(axis=1)
            if (d >= r).any():
                cand = cand[d >= r]
                break
            r *= 0.9
        seeds.append(cand[0])
    return np.asarray(seeds)


def relax(region, seeds: np.ndarray, rounds: int = 5) -> np.ndarray:
    """Lloyd's relaxation: move each seed to its cell's centroid a few times, which
    evens out the cells' areas (a centroid outside a concave cell is replaced by
    the cell's representative point)."""
    for _ in range(rounds if len(seeds) > 1 else 0):
        moved = []
        for cell in voronoi_pieces(region, seeds):
            c = cell.centroid
            moved.append(c if region.contains(c) else cell.representative_point())
        seeds = shapely.get_coordinates(np.asarray(moved, dtype=object))
    return seeds


def place_seeds(geom, kinds: np.ndarray, core: np.ndarray, rng) -> np.ndarray:
    """Seed points for one parent: urban ones near ``core``, villages further out."""
    n_u = int((kinds == "community").sum())
    n_v = kinds.size - n_u
    a_u = geom.area / (n_u + VILLAGE_AREA_FACTOR * n_v)
    r_u, r_v = 0.75 * np.sqrt(a_u), 0.75 * np.sqrt(a_u * VILLAGE_AREA_FACTOR)
    sigma = np.sqrt(max(n_u, 1) * a_u / np.pi)
    seeds = np.empty((kinds.size, 2))
    placed: list[np.ndarray] = []
    radii: list[float] = []
    for idx in np.argsort(kinds != "community", kind="stable"):
        urban = kinds[idx] == "community"
        r = r_u if urban else r_v
        for _attempt in range(40):
            if urban:
                cand = sample_in(geom, rng, 32, core, sigma)
            else:
                cand = sample_in(geom, rng, 32)
                far = np.hypot(*(cand - core).T)
                cand = cand[np.argsort(-far)][:16]  # villages keep away from the core
            if not placed:
                seeds[idx] = cand[0]
                break
            p = np.asarray(placed)
            d = np.hypot(
                cand[:, None, 0] - p[None, :, 0], cand[:, None, 1] - p[None, :, 1]
            )
            ok = (d >= np.maximum(np.asarray(radii)[None, :], r)).all(axis=1)
            if ok.any():
                seeds[idx] = cand[np.flatnonzero(ok)[0]]
                break
            r *= 0.9
        else:
            seeds[idx] = cand[0]
        placed.append(seeds[idx])
        radii.append(r)
    return seeds


def voronoi_pieces(region, seeds: np.ndarray) -> list:
    """Voronoi cells of ``seeds`` clipped to ``region``, each one Polygon where it
    can be, in seed order; together they tile ``region`` exactly."""
    if len(seeds) == 1:
        return [region]
    cells = np.asarray(
        shapely.get_parts(
            shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region, ordered=True)
        )
    )
    edges = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=region, only_edges=True
    )
    groups: list[list] = [[] for _ in range(len(seeds))]
    tree = shapely.STRtree(cells)
    for face in faces(region, [edges]):
        hits = tree.query(face.point_on_surface(), predicate="within")
        groups[int(hits[0]) if hits.size else 0].append(face)
    return single_parts([shapely.union_all(g) for g in groups])


def core_point(region, centre_m: np.ndarray | None, pull: float) -> np.ndarray:
    """Urban core: between the centroid and the point nearest ``centre_m`` (or the
    representative point when there is no centre)."""
    if centre_m is None:
        return np.array(region.representative_point().coords[0])
    near = nearest_points(region, Point(centre_m))[0]
    c = region.centroid
    xy = np.array([c.x + pull * (near.x - c.x), c.y + pull * (near.y - c.y)])
    return (
        xy
        if region.contains(Point(xy))
        else np.array(region.representative_point().coords[0])
    )


def kind_of(name: str) -> str:
    """``village`` for a 村民委员会 / 村委会, else ``community``.

    >>> kind_of("吉利村民委员会"), kind_of("澜石社区居委会")
    ('village', 'community')
    """
    return "village" if str(name).endswith(("村民委员会", "村委会")) else "community"


def illustrative_children(parent_wgs84, parent_code: str, children, seed: int,
                          centre_wgs84=None, metric_crs: str = METRIC_CRS
                          ) -> gpd.GeoDataFrame:
    """Illustrative polygons of ``children`` tiling one parent exactly.

    Parameters
    ----------
    parent_wgs84 : shapely Polygon or MultiPolygon
        The parent unit (district or town), WGS-84.
    parent_code : str
        Its code; with ``seed`` it fixes the layout, so a parent's children come
        out the same whatever other parents are generated in the same run.
    children : DataFrame
        ``code``, optionally ``kind``: community/village (dense near an urban
        core / sparse) or ``town`` (spread evenly); one row per child.
    seed : int
        Seed of the layout (0 to 2**32-1).
    centre_wgs84 : (lng, lat), optional
        City centre the urban core leans towards; default the parent's middle.
    metric_crs : str
        Unused (kept for callers); the layout is made in a local plane whose map
        from lon/lat is affine (see ``_local_plane``).

    Returns
    -------
    GeoDataFrame
        ``code`` and geometry (WGS-84), in the children's order; the union is
        the parent and no two overlap.

    Raises
    ------
    InvalidInputError
        A parent without area, or no children.

    Examples
    --------
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> kids = pd.DataFrame({"code": ["440604011001", "440604011002"]})
    >>> out = illustrative_children(box(113.0, 23.0, 113.02, 23.02), "440604011",
    ...                             kids, seed=1)
    >>> out["code"].tolist(), bool(out.union_all().equals(
    ...     box(113.0, 23.0, 113.02, 23.02)))
    (['440604011001', '440604011002'], True)
    """
    if parent_wgs84 is None or parent_wgs84.is_empty or parent_wgs84.area <= 0:
        raise InvalidInputError(f"Unit {parent_code} has no area to divide.")
    if len(children) == 0:
        raise InvalidInputError(f"Unit {parent_code} has no children to draw.")
    rng = np.random.default_rng([int(seed), int(parent_code)])
    to_plane, to_lonlat = _local_plane(parent_wgs84)
    parent_m = to_plane(parent_wgs84)
    kinds = (children["kind"].fillna("community").to_numpy(dtype=object)
             if "kind" in children.columns
             else np.full(len(children), "community", dtype=object))
    centre_m = None
    if centre_wgs84 is not None:
        centre_m = np.array(to_plane(Point(centre_wgs84)).coords[0])
    if (kinds == "town").all():
        seeds = relax(parent_m, spread_seeds(parent_m, len(kinds), rng))
    else:
        seeds = place_seeds(parent_m, kinds, core_point(parent_m, centre_m, 0.6), rng)
    pieces = [to_lonlat(p) for p in voronoi_pieces(parent_m, seeds)]
    return gpd.GeoDataFrame({"code": list(children["code"])}, geometry=pieces,
                            crs=WGS84)


def _local_plane(geom_wgs84):
    """Forward and back maps between lon/lat and a local equirectangular plane (m).

    The map is affine, so a straight lon/lat edge stays straight: the new nodes
    the Voronoi edges put on the parent's boundary lie on its stored (WGS-84)
    edges and the children tile the stored parent exactly, not only in a
    projected CRS (where a 10 km edge bows by metres). Over a district the
    scale error of ignoring the curvature is far below what an illustrative
    layout needs.
    """
    c = geom_wgs84.centroid
    kx = 111_320.0 * np.cos(np.radians(c.y))  # metres per degree of longitude
    ky = 110_574.0  # metres per degree of latitude near 23°N
    x0, y0 = c.x, c.y

    def fwd(g):
        return shapely.transform(
            g, lambda a: np.column_stack([(a[:, 0] - x0) * kx, (a[:, 1] - y0) * ky]))

    def back(g):
        return shapely.transform(
            g, lambda a: np.column_stack([a[:, 0] / kx + x0, a[:, 1] / ky + y0]))

    return fwd, back
