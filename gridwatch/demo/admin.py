"""Illustrative (示意) town and community polygons tiling the real 禅城区 outline.

No public source has township or village polygons for Chancheng, so they are
generated: the real outline is cut into the 4 real towns/streets by two wiggly
lines placed by bisection on the target area shares (their known layout), and
each town is tiled by its real communities with the generator any district uses
(:mod:`gridwatch.grids.illustrative`: Voronoi cells of seeds dense in the urban
core for 社区 and sparse outside it for 村, each piece one Polygon, the tiling
exact). All of it is labelled ``is_illustrative=True``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from gridwatch.crs import METRIC_CRS, WGS84
from gridwatch.demo.sources import (
    DISTRICT_CODE,
    DISTRICT_NAME,
    district_outline_wgs84,
    read_divisions,
)
from gridwatch.grids.illustrative import (
    core_point,
    faces,
    place_seeds,
    single_parts,
    voronoi_pieces,
)

ZUMIAO, SHIWAN, ZHANGCHA, NANZHUANG = "440604012", "440604010", "440604011", "440604100"
#: Target shares of the district area (illustrative, after the towns' real sizes).
TOWN_SHARES = {ZUMIAO: 0.17, SHIWAN: 0.24, ZHANGCHA: 0.25, NANZHUANG: 0.34}
#: Old city centre of Foshan (祖庙/普君 area), WGS-84; urban cores lean towards it.
CITY_CENTRE_WGS84 = (113.112, 23.030)


def _wiggle(rng: np.random.Generator, n: int, amp: float) -> np.ndarray:
    """Smooth random offsets (metres) for a cut line: a few sines with random phase."""
    t = np.linspace(0.0, 1.0, n)
    out = np.zeros(n)
    for k, a in ((1.5, 1.0), (3.0, 0.5), (6.0, 0.25)):
        out += a * amp * np.sin(2 * np.pi * (k * t + rng.random()))
    return out


def _side(bounds, offset, wig, vertical: bool) -> Polygon:
    """Half-plane polygon: west of (vertical) or south of (horizontal) a wiggly line."""
    xmin, ymin, xmax, ymax = bounds
    pad = 5000.0
    if vertical:
        ys = np.linspace(ymin - pad, ymax + pad, wig.size)
        line = np.column_stack([offset + wig, ys])
        ring = [(xmin - pad, ymin - pad), *map(tuple, line), (xmin - pad, ymax + pad)]
    else:
        xs = np.linspace(xmin - pad, xmax + pad, wig.size)
        line = np.column_stack([xs, offset + wig])
        ring = [(xmin - pad, ymin - pad), *map(tuple, line), (xmax + pad, ymin - pad)]
    return Polygon(ring)


def _cut_offset(geom, share: float, wig: np.ndarray, vertical: bool, b) -> float:
    """Offset of the wiggly cut line leaving ``share`` of ``geom`` west/south of it."""
    g = geom.bounds
    lo, hi = (g[0], g[2]) if vertical else (g[1], g[3])
    lo, hi = lo - np.abs(wig).max() - 1, hi + np.abs(wig).max() + 1
    target = share * geom.area
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if geom.intersection(_side(b, mid, wig, vertical)).area < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _town_pieces(outline_m, rng: np.random.Generator) -> dict[str, Polygon]:
    """Cut the metric outline into the towns: NW 张槎, SW 南庄, NE 祖庙, SE 石湾."""
    b = outline_m.bounds
    extent = max(b[2] - b[0], b[3] - b[1])
    west_share = TOWN_SHARES[ZHANGCHA] + TOWN_SHARES[NANZHUANG]
    w_v = _wiggle(rng, 80, 0.03 * extent)
    off_v = _cut_offset(outline_m, west_share, w_v, True, b)
    west_side = _side(b, off_v, w_v, True)
    west = outline_m.intersection(west_side)
    east = outline_m.difference(west_side)
    w_w, w_e = _wiggle(rng, 80, 0.025 * extent), _wiggle(rng, 80, 0.02 * extent)
    off_w = _cut_offset(west, TOWN_SHARES[NANZHUANG] / west_share, w_w, False, b)
    off_e = _cut_offset(east, TOWN_SHARES[SHIWAN] / (1 - west_share), w_e, False, b)
    south_w, south_e = _side(b, off_w, w_w, False), _side(b, off_e, w_e, False)
    # Node the outline with the three cut lines and polygonize, so the towns share
    # exact edges (intersection/difference alone leaves slivers that reprojection
    # turns into self-intersections).
    lines = [
        shapely.get_exterior_ring(p).difference(shapely.box(*b).exterior.buffer(1))
        for p in (west_side, south_w, south_e)
    ]
    lines = [shapely.intersection(ln, shapely.box(*b).buffer(100)) for ln in lines]
    groups: dict[str, list] = {c: [] for c in TOWN_SHARES}
    for face in faces(outline_m, lines):
        r = face.point_on_surface()
        if west_side.contains(r):
            groups[NANZHUANG if south_w.contains(r) else ZHANGCHA].append(face)
        else:
            groups[SHIWAN if south_e.contains(r) else ZUMIAO].append(face)
    codes = list(groups)
    pieces = single_parts([shapely.union_all(groups[c]) for c in codes])
    return dict(zip(codes, pieces, strict=True))


def build_admin(seed: int = 20131, geodata=None):
    """Build the demo district, its 4 towns and 147 communities.

    Codes and names are the real ones (NBS 2023); the district outline is the real
    one (converted from GCJ-02); town and community polygons are illustrative
    (示意边界), generated from ``seed``, tiling their parent exactly.

    Parameters
    ----------
    seed : int
        Seed for the illustrative layout; the same seed gives identical frames.
    geodata : str or path-like, optional
        Folder of the real sources (the ``geodata_dir`` setting); default the copy
        shipped in the package (:func:`gridwatch.demo.sources.geodata_dir`).

    Returns
    -------
    district, towns, communities : geopandas.GeoDataFrame
        In WGS-84 (EPSG:4326). ``district``: code, name, is_illustrative, geometry.
        ``towns``: code, name, parent_code, is_illustrative, geometry (Polygon).
        ``communities``: code, name, short_name, kind ("community"|"village"),
        parent_code, is_illustrative, geometry (Polygon).

    Examples
    --------
    >>> district, towns, communities = build_admin(seed=1)
    >>> len(towns), len(communities), district.loc[0, "name"]
    (4, 147, '禅城区')
    """
    rng = np.random.default_rng(seed)
    town_rows, villages = read_divisions(geodata)
    outline = gpd.GeoSeries([district_outline_wgs84(geodata)], crs=WGS84).to_crs(
        METRIC_CRS
    )
    outline_m = outline.iloc[0]
    town_geoms = _town_pieces(outline_m, rng)
    centre_m = np.array(
        gpd.GeoSeries([Point(CITY_CENTRE_WGS84)], crs=WGS84)
        .to_crs(METRIC_CRS)
        .iloc[0]
        .coords[0]
    )
    comm_geoms: dict[str, Polygon] = {}
    for code in sorted(town_geoms):
        town = town_geoms[code]
        members = villages.loc[villages["parent_code"] == code]
        pull = 0.2 if code == NANZHUANG else 0.6
        seeds = place_seeds(
            town, members["kind"].to_numpy(), core_point(town, centre_m, pull), rng
        )
        comm_geoms.update(
            zip(members["code"], voronoi_pieces(town, seeds), strict=True)
        )
    district = gpd.GeoDataFrame(
        {"code": [DISTRICT_CODE], "name": [DISTRICT_NAME], "is_illustrative": [False]},
        geometry=[outline_m],
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    towns = gpd.GeoDataFrame(
        {
            "code": town_rows["code"],
            "name": town_rows["name"],
            "parent_code": DISTRICT_CODE,
            "is_illustrative": True,
        },
        geometry=[town_geoms[c] for c in town_rows["code"]],
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    communities = gpd.GeoDataFrame(
        {
            "code": villages["code"],
            "name": villages["name"],
            "short_name": villages["short_name"],
            "kind": villages["kind"],
            "parent_code": villages["parent_code"],
            "is_illustrative": True,
        },
        geometry=[comm_geoms[c] for c in villages["code"]],
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    return district, towns, communities
