"""Data of the assignment benchmark: grids (demo district or synthetic) and points.

Grids: the demo district's grids when ``gridwatch.demo`` can build them, densified so
a median grid has about 300 vertices (drawn grids follow streets and rivers), else a
synthetic district (Voronoi grids clustered into communities, edges shared exactly
and bent); plus 10,000 synthetic Voronoi grids. Points: uniform + clustered inside
the district, exact grid vertices (1%), points interpolated on shared edges (2%), a
band outside the district (0.5%) and 10 without location. Everything is WGS-84 and
seeded, so every method sees the same points.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from gridwatch.crs import METRIC_CRS, WGS84

BOX = (112.98, 22.92, 113.17, 23.06)  # Chancheng-sized box, WGS-84


# --- synthetic grids --------------------------------------------------------------


def _to_metric(x, y):
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True).transform(x, y)


def _to_wgs84_geoms(geoms):
    tr = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)
    return shapely.transform(
        geoms, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1]))
    )


def _box_metric():
    x, y = _to_metric([BOX[0], BOX[2]], [BOX[1], BOX[3]])
    return shapely.box(x[0], y[0], x[1], y[1])


def _wiggle(line, rng, spacing_m, amp_share):
    """Densify an edge and bend it smoothly; the ends stay put (shared nodes)."""
    c = np.asarray(line.coords)
    length = line.length
    n = int(length / spacing_m)
    if n < 2:
        return line
    t = np.linspace(0.0, 1.0, n + 1)
    normal = np.array([c[0, 1] - c[1, 1], c[1, 0] - c[0, 0]]) / length
    phase = rng.uniform(0, 2 * np.pi, 2)
    bend = np.sin(np.pi * t) * (
        0.6 * np.sin(2 * np.pi * t + phase[0]) + 0.4 * np.sin(5 * np.pi * t + phase[1])
    )
    pts = c[0] + np.outer(t, c[1] - c[0]) + np.outer(bend * amp_share * length, normal)
    pts[0], pts[-1] = c[0], c[-1]
    return shapely.LineString(pts)


def synthetic_grids(
    n_grids: int,
    seed: int,
    n_communities: int | None = None,
    spacing_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Voronoi grids in the box; edges shared exactly, optionally densified."""
    rng = np.random.default_rng(seed)
    area = _box_metric()
    x0, y0, x1, y1 = area.bounds
    if n_communities:
        centres = rng.uniform([x0, y0], [x1, y1], (n_communities, 2))
        per = (
            rng.multinomial(
                n_grids - n_communities, np.ones(n_communities) / n_communities
            )
            + 1
        )
        seeds = np.concatenate(
            [c + rng.normal(0, 350, (k, 2)) for c, k in zip(centres, per)]
        )
        seeds = np.clip(seeds, [x0 + 1, y0 + 1], [x1 - 1, y1 - 1])
    else:
        seeds = rng.uniform([x0, y0], [x1, y1], (n_grids, 2))
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=area)
    cells = shapely.intersection(np.asarray(cells.geoms), area)
    edges = shapely.line_merge(shapely.union_all(shapely.boundary(cells)))
    lines = list(getattr(edges, "geoms", [edges]))
    # split into single segments between nodes so each edge is bent once, for both
    # grids that share it
    segs = []
    for ln in lines:
        c = np.asarray(ln.coords)
        segs += [shapely.LineString(c[i : i + 2]) for i in range(len(c) - 1)]
    if spacing_m:
        segs = [_wiggle(s, rng, spacing_m, 0.04) for s in segs]
    faces = np.asarray(shapely.polygonize(segs).geoms)
    faces = faces[shapely.area(faces) > 1.0]
    rep = shapely.point_on_surface(faces)
    # community = nearest community centre; town = quadrant of the box
    fx, fy = shapely.get_x(rep), shapely.get_y(rep)
    if n_communities:
        d = (fx[:, None] - centres[None, :, 0]) ** 2 + (
            fy[:, None] - centres[None, :, 1]
        ) ** 2
        comm = d.argmin(1)
    else:
        comm = np.floor((fx - x0) / (x1 - x0) * 12).astype(int) * 13 + np.floor(
            (fy - y0) / (y1 - y0) * 12
        ).astype(int)
    town = (fx > (x0 + x1) / 2).astype(int) * 2 + (fy > (y0 + y1) / 2).astype(int) + 1
    order = np.lexsort((fx, -fy))  # north to south, west to east
    codes = np.empty(len(faces), object)
    seq: dict = {}
    for i in order:
        key = (town[i], comm[i])
        seq[key] = seq.get(key, 0) + 1
        codes[i] = f"440604{town[i]:03d}{comm[i] % 1000:03d}{seq[key]:03d}"
    geoms = _to_wgs84_geoms(faces)
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=WGS84)


def _densify_shared(geoms: np.ndarray, target_vertices: int) -> np.ndarray:
    """Densify every ring so a median grid has ``target_vertices``; shared edges stay
    identical because each segment is split from its lexicographically smaller end."""
    spacing = np.median(shapely.length(shapely.boundary(geoms))) / target_vertices

    def ring(c):
        out = [c[:1]]
        for p, q in itertools.pairwise(c):
            n = max(int(np.ceil(np.hypot(*(q - p)) / spacing)), 1)
            a, b = (p, q) if tuple(p) <= tuple(q) else (q, p)
            pts = a + np.outer(np.arange(1, n) / n, b - a)
            out.append(pts if a is p else pts[::-1])
            out.append(q[None])
        return np.vstack(out)

    def poly(g):
        parts = g.geoms if g.geom_type == "MultiPolygon" else [g]
        made = [
            shapely.Polygon(
                ring(np.asarray(pt.exterior.coords)),
                [ring(np.asarray(r.coords)) for r in pt.interiors],
            )
            for pt in parts
        ]
        return made[0] if len(made) == 1 else shapely.MultiPolygon(made)

    return np.array([poly(g) for g in geoms], dtype=object)


def demo_grids(target_vertices: int = 300) -> gpd.GeoDataFrame | None:
    """The demo district's grids (4 per community), densified; None if unavailable."""
    try:  # the demo and grids packages are young; the benchmark must still run
        from gridwatch.demo.admin import build_admin
        from gridwatch.grids.build import build_grids
    except ImportError:
        return None
    _, _, communities = build_admin(seed=20131)
    grids, _ = build_grids(communities, grids_per_unit=4, seed=0)
    grids = grids.to_crs(WGS84)
    geoms = _densify_shared(grids.geometry.to_numpy(), target_vertices)
    return gpd.GeoDataFrame(
        {"code": grids["code"].astype(str).to_numpy()}, geometry=geoms, crs=WGS84
    )


# --- points -----------------------------------------------------------------------


def _inside(area, rng, x0, y0, x1, y1, n, centres=None, sigma=0.0):
    """``n`` points inside ``area``: uniform in the box, or normal around centres."""
    out, have = [], 0
    while have < n:
        k = 2 * (n - have) + 100
        if centres is None:
            xy = np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])
        else:
            pick = rng.integers(0, len(centres), k)
            xy = centres[pick] + rng.normal(0, sigma, (k, 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        out.append(xy[: n - have])
        have += len(out[-1])
    return np.concatenate(out)


def make_points(grids: gpd.GeoDataFrame, n: int, seed: int):
    """Enterprise-like points: inside the district (uniform + clustered), exact grid
    vertices (1%), points interpolated on edges (2%; a quarter at midpoints), 0.5%
    outside the district (geocoding errors) and 10 without location."""
    rng = np.random.default_rng(seed)
    area = shapely.union_all(grids.geometry.to_numpy())
    shapely.prepare(area)
    x0, y0, x1, y1 = grids.total_bounds
    n_vertex, n_edge, n_nan, n_out = n // 100, n // 50, 10, n // 200
    n_uni = (n - n_vertex - n_edge - n_nan - n_out) // 2
    n_clu = n - n_vertex - n_edge - n_nan - n_out - n_uni
    parts = [_inside(area, rng, x0, y0, x1, y1, n_uni)]
    centres = _inside(area, rng, x0, y0, x1, y1, 60)
    parts.append(_inside(area, rng, x0, y0, x1, y1, n_clu, centres, 0.004))
    coords = shapely.get_coordinates(grids.geometry.to_numpy())
    parts.append(coords[rng.integers(0, len(coords), n_vertex)])
    i = rng.integers(0, len(coords) - 1, n_edge)
    t = rng.random(n_edge)[:, None]
    t[: n_edge // 4] = 0.5
    parts.append(coords[i] + t * (coords[i + 1] - coords[i]))
    far = np.column_stack(
        [
            rng.uniform(x0 - 0.02, x1 + 0.02, 20 * n_out),
            rng.uniform(y0 - 0.02, y1 + 0.02, 20 * n_out),
        ]
    )
    far = far[~shapely.contains_xy(area, far[:, 0], far[:, 1])][:n_out]
    parts.append(far)
    parts.append(np.full((n_nan, 2), np.nan))
    xy = np.concatenate(parts)
    xy = xy[rng.permutation(len(xy))]
    return xy[:, 0], xy[:, 1]
