"""The peers of ``bench/assign.py``: geopandas ``sjoin`` calls and PostGIS joins.

Each builder returns zero-argument callables giving the grid code per point (None
when no grid covers it), so the benchmark times every side the same way. Not part
of the gridwatch package (``scripts/run-bench.sh`` skips files starting with ``_``).
"""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _common import best_of

from gridwatch.assign.sql import covers_join_sql, grid_index_ddl
from gridwatch.crs import WGS84

SCHEMA = "bench_assign"
SUBDIVIDE_MAX_VERTICES = (256, 64)  # 256 is ST_Subdivide's default


# --- geopandas ----------------------------------------------------------------


def _smallest_code(point_idx: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """Per point, the smallest of its matched codes (None when unmatched)."""
    out = np.full(n, None, object)
    ok = pd.notna(code)
    if not ok.any():
        return out
    pairs = pd.DataFrame({"i": point_idx[ok], "code": code[ok].astype(str)})
    first = pairs.sort_values(["i", "code"], kind="stable").drop_duplicates("i")
    out[first["i"].to_numpy()] = first["code"].to_numpy()
    return out


def sjoin_methods(grids, pts: np.ndarray) -> tuple[dict, callable]:
    """(name -> callable, setup): setup makes fresh frames before every run, so each
    call pays for its own spatial index, as a user's one call does."""
    codes, geoms = grids["code"].to_numpy(), grids.geometry.to_numpy()
    n = len(pts)
    f = {}

    def setup():
        f["pts"] = gpd.GeoDataFrame(geometry=gpd.GeoSeries(pts.copy(), crs=WGS84))
        f["grids"] = gpd.GeoDataFrame(
            {"code": codes}, geometry=gpd.GeoSeries(geoms.copy(), crs=WGS84)
        )

    def points_side(predicate):
        def run():
            j = gpd.sjoin(f["pts"], f["grids"], predicate=predicate, how="left")
            return _smallest_code(j.index.to_numpy(), j["code"].to_numpy(), n)

        return run

    def grids_side():
        j = gpd.sjoin(f["grids"], f["pts"], predicate="covers", how="inner")
        return _smallest_code(j["index_right"].to_numpy(), j["code"].to_numpy(), n)

    return {
        "sjoin_covered_by": points_side("covered_by"),
        "sjoin_intersects": points_side("intersects"),
        "sjoin_grids_covers": grids_side,
        "sjoin_within": points_side("within"),
    }, setup


# --- PostGIS ------------------------------------------------------------------


def pg_setup(conn, grids: gpd.GeoDataFrame, name: str) -> None:
    """(Re)create ``bench_assign.<name>_grids`` with a GiST index."""
    table = f"{SCHEMA}.{name}_grids"
    with conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(
            f"CREATE TABLE {table} (code text PRIMARY KEY, "
            "geom geometry(Geometry, 4326) NOT NULL)"
        )
        wkb = shapely.to_wkb(grids.geometry.to_numpy(), hex=True, byte_order=1)
        with cur.copy(f"COPY {table} (code, geom) FROM STDIN") as cp:
            for code, w in zip(grids["code"], wkb, strict=True):
                cp.write_row((code, f"SRID=4326;{w}"))
        cur.execute(grid_index_ddl(table))
        cur.execute(f"ANALYZE {table}")
    conn.commit()


def pg_load_points(conn, x, y, name: str) -> tuple[float, list]:
    """COPY points into ``bench_assign.<name>_points`` (id, geom) + GiST."""
    table = f"{SCHEMA}.{name}_points"

    def load():
        buf = io.StringIO()
        hexes = shapely.to_wkb(shapely.points(x, y), hex=True, byte_order=1)
        pd.DataFrame(
            {"id": np.arange(len(x)), "g": np.char.add("SRID=4326;", hexes.astype(str))}
        ).to_csv(buf, sep="\t", header=False, index=False)
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(
                f"CREATE TABLE {table} (id bigint PRIMARY KEY, "
                "geom geometry(Point, 4326))"
            )
            with cur.copy(f"COPY {table} (id, geom) FROM STDIN") as cp:
                cp.write(buf.getvalue())
            cur.execute(f"CREATE INDEX ON {table} USING GIST (geom)")
            cur.execute(f"ANALYZE {table}")
        conn.commit()

    best, runs, _ = best_of(load, 1)
    return best, runs


def subdivide_sql(grids_table: str, pieces_table: str, max_vertices: int) -> list:
    """Statements building the subdivided grid table with its GiST index."""
    return [
        f"DROP TABLE IF EXISTS {pieces_table}",
        (
            f"CREATE TABLE {pieces_table} AS SELECT code, "
            f"ST_Subdivide(geom, {int(max_vertices)}) AS geom FROM {grids_table}"
        ),
        grid_index_ddl(pieces_table),
        f"ANALYZE {pieces_table}",
    ]


def points_outer_sql(points_table: str, grids_table: str) -> str:
    """The covers join ``assign --path sql`` ran before this benchmark moved it to
    the grids-outer form: one ``DISTINCT ON`` row per point, smallest code first."""
    return (
        "SELECT DISTINCT ON (p.id) p.id AS id, g.code AS code\n"
        f"FROM {points_table} p JOIN {grids_table} g ON ST_Covers(g.geom, p.geom)\n"
        'ORDER BY p.id, g.code COLLATE "C"'
    )


def _fetch(conn, sql: str, n: int) -> np.ndarray:
    with conn.cursor() as cur:
        cur.execute(sql)
        found = dict(cur.fetchall())
    return np.array([found.get(i) for i in range(n)], dtype=object)


def _execute(conn, statements) -> None:
    with conn.cursor() as cur:
        for s in statements:
            cur.execute(s)
    conn.commit()


def postgis_methods(conn, name: str, n: int) -> dict:
    """name -> (callable, build statements or None, pieces table or None). A build
    runs before its join, timed apart, best-of as well."""
    pts, grids = f"{SCHEMA}.{name}_points", f"{SCHEMA}.{name}_grids"
    out = {
        "postgis_covers": (
            lambda: _fetch(conn, covers_join_sql(pts, grids), n),
            None,
            None,
        ),
        "postgis_points_outer": (
            lambda: _fetch(conn, points_outer_sql(pts, grids), n),
            None,
            None,
        ),
    }
    for mv in SUBDIVIDE_MAX_VERTICES:
        pieces = f"{SCHEMA}.{name}_sub{mv}"
        out[f"postgis_subdivide_{mv}"] = (
            lambda p=pieces: _fetch(conn, points_outer_sql(pts, p), n),
            subdivide_sql(grids, pieces, mv),
            pieces,
        )
    return out


def _count(conn, table: str) -> int:
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return int(cur.fetchone()[0])
