"""Benchmark: enterprise → grid assignment, gridwatch vs geopandas.sjoin vs PostGIS.

Run::

    scripts/pg-throwaway.sh start          # prints the database URL
    .venv/bin/python bench/assign.py [--url URL] [--quick]

Same points, same grids, one run: gridwatch in-process (index build reported apart
from per-query time), ``geopandas.sjoin(predicate="within")``, and the PostGIS
``ST_Covers`` join from :mod:`gridwatch.assign.sql` (time = the join query alone, the
points already COPYed into ``bench_assign``, GiST indexes built; the schema is dropped
at the end). Mismatches are counted against PostGIS (grid code, or "no grid").
Writes ``bench/results/assign.json``.

Grids: the demo district's grids when ``gridwatch.demo`` can build them, else a
synthetic district (Voronoi grids clustered into communities, edges shared exactly and
densified to a few hundred vertices per grid), plus 10,000 synthetic Voronoi grids.
Points: uniform + clustered, with exact grid vertices and points interpolated on
shared edges, a band outside the district, and a few without location.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from gridwatch.assign.points import assign_points, build_index
from gridwatch.assign.sql import covers_join_sql, grid_index_ddl
from gridwatch.crs import METRIC_CRS, WGS84

BOX = (112.98, 22.92, 113.17, 23.06)  # Chancheng-sized box, WGS-84
SCHEMA = "bench_assign"
RESULTS = Path(__file__).resolve().parent / "results" / "assign.json"


# --- synthetic grids --------------------------------------------------------------

def _to_metric(x, y):
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True).transform(x, y)


def _to_wgs84_geoms(geoms):
    tr = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)
    return shapely.transform(geoms, lambda c: np.column_stack(
        tr.transform(c[:, 0], c[:, 1])))


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
    bend = np.sin(np.pi * t) * (0.6 * np.sin(2 * np.pi * t + phase[0])
                                + 0.4 * np.sin(5 * np.pi * t + phase[1]))
    pts = c[0] + np.outer(t, c[1] - c[0]) + np.outer(bend * amp_share * length, normal)
    pts[0], pts[-1] = c[0], c[-1]
    return shapely.LineString(pts)


def synthetic_grids(n_grids: int, seed: int, n_communities: int | None = None,
                    spacing_m: float | None = None) -> gpd.GeoDataFrame:
    """Voronoi grids in the box; edges shared exactly, optionally densified."""
    rng = np.random.default_rng(seed)
    area = _box_metric()
    x0, y0, x1, y1 = area.bounds
    if n_communities:
        centres = rng.uniform([x0, y0], [x1, y1], (n_communities, 2))
        per = rng.multinomial(n_grids - n_communities,
                              np.ones(n_communities) / n_communities) + 1
        seeds = np.concatenate([c + rng.normal(0, 350, (k, 2))
                                for c, k in zip(centres, per)])
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
        segs += [shapely.LineString(c[i:i + 2]) for i in range(len(c) - 1)]
    if spacing_m:
        segs = [_wiggle(s, rng, spacing_m, 0.04) for s in segs]
    faces = np.asarray(shapely.polygonize(segs).geoms)
    faces = faces[shapely.area(faces) > 1.0]
    rep = shapely.point_on_surface(faces)
    # community = nearest community centre; town = quadrant of the box
    fx, fy = shapely.get_x(rep), shapely.get_y(rep)
    if n_communities:
        d = ((fx[:, None] - centres[None, :, 0]) ** 2
             + (fy[:, None] - centres[None, :, 1]) ** 2)
        comm = d.argmin(1)
    else:
        comm = np.floor((fx - x0) / (x1 - x0) * 12).astype(int) * 13 + \
            np.floor((fy - y0) / (y1 - y0) * 12).astype(int)
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
        made = [shapely.Polygon(ring(np.asarray(pt.exterior.coords)),
                                [ring(np.asarray(r.coords)) for r in pt.interiors])
                for pt in parts]
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
    return gpd.GeoDataFrame({"code": grids["code"].astype(str).to_numpy()},
                            geometry=geoms, crs=WGS84)


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
    far = np.column_stack([rng.uniform(x0 - 0.02, x1 + 0.02, 20 * n_out),
                           rng.uniform(y0 - 0.02, y1 + 0.02, 20 * n_out)])
    far = far[~shapely.contains_xy(area, far[:, 0], far[:, 1])][:n_out]
    parts.append(far)
    parts.append(np.full((n_nan, 2), np.nan))
    xy = np.concatenate(parts)
    xy = xy[rng.permutation(len(xy))]
    return xy[:, 0], xy[:, 1]


# --- PostGIS ----------------------------------------------------------------------

def _hex_points(x, y) -> np.ndarray:
    """EWKB hex (SRID 4326) of each point; NaN coordinates give POINT(NaN NaN)."""
    pts = shapely.points(x, y)
    return shapely.to_wkb(pts, hex=True, include_srid=False, byte_order=1)


def pg_setup(conn, grids: gpd.GeoDataFrame, name: str) -> None:
    """(Re)create ``bench_assign.<name>_grids`` with a GiST index."""
    table = f"{SCHEMA}.{name}_grids"
    with conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (code text PRIMARY KEY, "
                    "geom geometry(Geometry, 4326) NOT NULL)")
        wkb = shapely.to_wkb(grids.geometry.to_numpy(), hex=True, byte_order=1)
        with cur.copy(f"COPY {table} (code, geom) FROM STDIN") as cp:
            for code, w in zip(grids["code"], wkb):
                cp.write_row((code, f"SRID=4326;{w}"))
        cur.execute(grid_index_ddl(table))
        cur.execute(f"ANALYZE {table}")
    conn.commit()


def pg_load_points(conn, x, y, name: str) -> float:
    """COPY points into ``bench_assign.<name>_points`` (id, geom) + GiST; seconds."""
    table = f"{SCHEMA}.{name}_points"
    t = time.perf_counter()
    buf = io.StringIO()
    hexes = _hex_points(x, y)
    pd.DataFrame({"id": np.arange(len(x)), "g": np.char.add("SRID=4326;",
                                                            hexes.astype(str))}
                 ).to_csv(buf, sep="\t", header=False, index=False)
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, "
                    "geom geometry(Point, 4326))")
        with cur.copy(f"COPY {table} (id, geom) FROM STDIN") as cp:
            cp.write(buf.getvalue())
        cur.execute(f"CREATE INDEX ON {table} USING GIST (geom)")
        cur.execute(f"ANALYZE {table}")
    conn.commit()
    return time.perf_counter() - t


def pg_join(conn, name: str) -> tuple[dict, float]:
    """Run the covers join; returns ({id: code}, seconds for the query alone)."""
    sql = covers_join_sql(f"{SCHEMA}.{name}_points", f"{SCHEMA}.{name}_grids")
    with conn.cursor() as cur:
        t = time.perf_counter()
        cur.execute(sql)
        rows = cur.fetchall()
        elapsed = time.perf_counter() - t
    return dict(rows), elapsed


# --- the run ----------------------------------------------------------------------

def _best(fn, repeat):
    """Best wall time of ``repeat`` runs (the machine is shared) and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _sjoin_codes(grids, pts_frame, n) -> np.ndarray:
    j = gpd.sjoin(pts_frame, grids, predicate="within", how="left")
    # a point 'within' two grids only if they overlap; keep the smaller code then
    j = j.sort_values("code", kind="stable")
    j = j[~j.index.duplicated(keep="first")]
    out = np.full(n, None, object)
    ok = j["code"].notna().to_numpy()
    out[j.index.to_numpy()[ok]] = j["code"].to_numpy()[ok]
    return out


def run_dataset(name, grids, sizes, conn, repeat, log) -> dict:
    nv = shapely.get_num_coordinates(grids.geometry.to_numpy())
    t = time.perf_counter()
    index = build_index(grids)
    build_s = time.perf_counter() - t
    blob = index.to_bytes()
    from gridwatch.assign.points import GridIndex
    load_s, _ = _best(lambda: GridIndex.from_bytes(blob), 1)
    ds = {"name": name, "grids": len(grids), "vertices_median": int(np.median(nv)),
          "vertices_total": int(nv.sum()), "index_build_s": round(build_s, 3),
          "index_bytes": len(blob), "index_load_s": round(load_s, 3),
          "raster_cells": int(index.raster.cells.size),
          "raster_cells_resolved_share": round(index.prefilter_share, 4), "runs": []}
    log(f"{name}: {len(grids)} grids, median {ds['vertices_median']} vertices, index "
        f"{build_s:.2f} s build, {len(blob) / 1e6:.1f} MB, {load_s:.2f} s load")
    if conn is not None:
        pg_setup(conn, grids, name)
    # sjoin's own index (sindex, prepared polygons) is built once, untimed, like ours
    right = grids[["code", "geometry"]].copy()
    warm = gpd.GeoDataFrame(geometry=shapely.points([grids.total_bounds[:2]]),
                            crs=WGS84)
    gpd.sjoin(warm, right, predicate="within", how="left")
    for n in sizes:
        x, y = make_points(grids, n, seed=n)
        gw_s, res = _best(lambda x=x, y=y: assign_points(index, x, y), repeat)
        pts_frame = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=WGS84)
        sj_s, sj = _best(lambda f=pts_frame, n=n: _sjoin_codes(right, f, n), repeat)
        run = {"points": n, "gridwatch_s": round(gw_s, 3),
               "gridwatch_pts_per_s": int(n / gw_s), "sjoin_within_s": round(sj_s, 3),
               "sjoin_pts_per_s": int(n / sj_s),
               "speedup_vs_sjoin": round(sj_s / gw_s, 2),
               "on_shared_edge_or_vertex": int((res.n_covering >= 2).sum()),
               "outside": int((res.status == "outside").sum()),
               "no_location": int((res.status == "no_location").sum())}
        if conn is not None:
            run["postgis_copy_s"] = round(pg_load_points(conn, x, y, name), 2)
            pg, pg_s = pg_join(conn, name)
            pg_codes = np.array([pg.get(i) for i in range(n)], dtype=object)
            run.update(postgis_join_s=round(pg_s, 2), postgis_pts_per_s=int(n / pg_s),
                       gridwatch_mismatches_vs_postgis=int(
                           (res.grid_code != pg_codes).sum()),
                       sjoin_mismatches_vs_postgis=int((sj != pg_codes).sum()))
        ds["runs"].append(run)
        log(json.dumps(run))
    return ds


def _table(results) -> str:
    head = ("dataset", "points", "gridwatch s", "pts/s", "sjoin s", "pts/s", "x sjoin",
            "PostGIS s", "pts/s", "gw≠PG", "sjoin≠PG")
    rows = [head]
    for ds in results["datasets"]:
        for r in ds["runs"]:
            rows.append((ds["name"], f"{r['points']:,}", f"{r['gridwatch_s']:.3f}",
                         f"{r['gridwatch_pts_per_s']:,}", f"{r['sjoin_within_s']:.3f}",
                         f"{r['sjoin_pts_per_s']:,}", f"{r['speedup_vs_sjoin']:.1f}",
                         str(r.get("postgis_join_s", "-")),
                         f"{r['postgis_pts_per_s']:,}" if "postgis_pts_per_s" in r
                         else "-",
                         str(r.get("gridwatch_mismatches_vs_postgis", "-")),
                         str(r.get("sjoin_mismatches_vs_postgis", "-"))))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = [" | ".join(str(c).rjust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get(
        "GRIDWATCH_BENCH_POSTGIS_URL", "postgresql://gridwatch@127.0.0.1:54329/gridwatch"),
        help="PostGIS (psycopg) URL; 'none' skips PostGIS")
    ap.add_argument("--quick", action="store_true", help="70,000 points only, 1 repeat")
    args = ap.parse_args(argv)
    sizes = [70_000] if args.quick else [70_000, 1_000_000]
    repeat = 1 if args.quick else 3
    conn = None
    if args.url != "none":
        import psycopg
        conn = psycopg.connect(args.url.replace("postgresql+psycopg://", "postgresql://"))
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    grids = demo_grids()
    district = ("demo district grids, densified", grids) if grids is not None else (
        "synthetic district (no demo)", synthetic_grids(600, 1, n_communities=147,
                                                         spacing_m=8))
    results = {"benchmark": "enterprise -> grid assignment",
               "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
               "python": platform.python_version(), "shapely": shapely.__version__,
               "geos": ".".join(map(str, shapely.geos_version)),
               "geopandas": gpd.__version__,
               "timing": f"best of {repeat}; gridwatch = assign_points on arrays "
                         "(index built "
                         "beforehand, reported apart); sjoin = gpd.sjoin(within) on a "
                         "ready GeoDataFrame; PostGIS = the ST_Covers join query alone "
                         "(points COPYed and GiST-indexed beforehand), run once",
               "datasets": []}
    try:
        if conn is not None:
            with conn.cursor() as cur:
                cur.execute("SELECT postgis_full_version()")
                results["postgis"] = cur.fetchone()[0].split(" PROJ")[0]
        results["datasets"].append(run_dataset("district", district[1], sizes, conn,
                                               repeat, log))
        results["datasets"][-1]["source"] = district[0]
        voronoi = synthetic_grids(10_000, 2)
        results["datasets"].append(run_dataset("voronoi10k", voronoi, sizes, conn,
                                               repeat, log))
        results["datasets"][-1]["source"] = "10,000 synthetic Voronoi grids"
    finally:
        if conn is not None:
            with conn.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.commit()
            conn.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
