"""The PostGIS SQL path and the in-process path assign every point identically.

Needs ``GRIDWATCH_TEST_POSTGIS_URL`` (a psycopg/SQLAlchemy URL of a PostGIS database);
skips without it unless ``GRIDWATCH_REQUIRE_POSTGIS=1``, then fails. Everything runs in
one transaction that is rolled back.
"""

import os

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from gridwatch.assign.points import assign_points, build_index
from gridwatch.assign.sql import covers_join_sql, grid_index_ddl, nearest_grid_sql

pytestmark = pytest.mark.postgis


@pytest.fixture()
def pg():
    url = os.environ.get("GRIDWATCH_TEST_POSTGIS_URL")
    if not url:
        if os.environ.get("GRIDWATCH_REQUIRE_POSTGIS") == "1":
            pytest.fail(
                "GRIDWATCH_REQUIRE_POSTGIS=1 but GRIDWATCH_TEST_POSTGIS_URL is unset"
            )
        pytest.skip("GRIDWATCH_TEST_POSTGIS_URL is not set")
    psycopg = pytest.importorskip("psycopg")
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def _wiggly_grids() -> gpd.GeoDataFrame:
    """3x3 grids whose shared edges are bent and densified, one with a hole, one
    multipart; shared edges have identical vertices, as a clean coverage has."""
    rng = np.random.default_rng(11)
    n, step = 3, 0.01
    xs = 113.0 + step * np.arange(n + 1)
    ys = 23.0 + step * np.arange(n + 1)

    def edge(a, b):
        t = np.linspace(0, 1, 40)[1:-1, None]
        mid = a + t * (b - a)
        normal = np.array([a[1] - b[1], b[0] - a[0]])
        bend = 0.08 * np.sin(np.pi * t) * np.sin(3 * np.pi * t + rng.uniform(0, 6))
        return np.vstack([a, mid + bend * normal, b])

    h = {
        (i, j): edge(np.array([xs[i], ys[j]]), np.array([xs[i + 1], ys[j]]))
        for i in range(n)
        for j in range(n + 1)
    }
    v = {
        (i, j): edge(np.array([xs[i], ys[j]]), np.array([xs[i], ys[j + 1]]))
        for i in range(n + 1)
        for j in range(n)
    }
    geoms, codes = [], []
    for j in range(n):
        for i in range(n):
            ring = np.vstack(
                [h[i, j], v[i + 1, j][1:], h[i, j + 1][::-1][1:], v[i, j][::-1][1:]]
            )
            geoms.append(Polygon(ring))
            codes.append(f"440604001001{(n - 1 - j) * n + i + 1:03d}")
    # a hole in the centre grid, and an island added to the last grid
    centre = codes.index("440604001001005")
    geoms[centre] = Polygon(
        geoms[centre].exterior.coords,
        [box(113.0135, 23.0135, 113.0165, 23.0165).exterior.coords],
    )
    last = codes.index("440604001001009")
    island = box(113.04, 23.0, 113.045, 23.005)
    geoms[last] = shapely.MultiPolygon([geoms[last], island])
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


def _points(grids, rng):
    coords = shapely.get_coordinates(grids.geometry.to_numpy())
    k = len(coords)
    i = rng.integers(0, k - 1, 4000)
    t = rng.random((4000, 1))
    t[:1000] = 0.5
    on_edge = coords[i] + t * (coords[i + 1] - coords[i])
    uniform = np.column_stack(
        [rng.uniform(112.995, 113.05, 6000), rng.uniform(22.995, 23.035, 6000)]
    )
    xy = np.vstack([coords, on_edge, uniform, [[np.nan, np.nan], [113.0, 60.0]]])
    return xy[:, 0], xy[:, 1]


def _load(cur, grids, x, y):
    cur.execute("CREATE TEMP TABLE t_grids (code text, geom geometry(Geometry, 4326))")
    for code, wkb in zip(grids["code"], shapely.to_wkb(grids.geometry.to_numpy())):
        cur.execute(
            "INSERT INTO t_grids VALUES (%s, ST_GeomFromWKB(%s, 4326))", (code, wkb)
        )
    cur.execute(grid_index_ddl("t_grids"))
    cur.execute("CREATE TEMP TABLE t_points (id bigint, geom geometry(Point, 4326))")
    wkb = shapely.to_wkb(shapely.points(x, y))
    with cur.copy("COPY t_points (id, geom) FROM STDIN") as cp:
        for i, w in enumerate(wkb):
            cp.write_row((i, "SRID=4326;" + w.hex()))
    cur.execute("ANALYZE t_grids")
    cur.execute("ANALYZE t_points")


def test_covers_join_sql_matches_in_process_path(pg):
    grids = _wiggly_grids()
    x, y = _points(grids, np.random.default_rng(12))
    with pg.cursor() as cur:
        _load(cur, grids, x, y)
        cur.execute(covers_join_sql("t_points", "t_grids", with_count=True))
        rows = cur.fetchall()
    sql = {i: c for i, c, _ in rows}
    count = {i: n for i, _, n in rows}
    ours = assign_points(build_index(grids), x, y)
    got = np.array([sql.get(i) for i in range(len(x))], dtype=object)
    diff = np.flatnonzero(got != ours.grid_code)
    assert len(diff) == 0, [(x[i], y[i], got[i], ours.grid_code[i]) for i in diff[:5]]
    n_got = np.array([count.get(i, 0) for i in range(len(x))])
    assert np.array_equal(n_got, ours.n_covering)
    # the data did exercise the tie rule
    assert (ours.n_covering >= 2).sum() > 500


def test_nearest_grid_sql_matches_in_process_path(pg):
    grids = _wiggly_grids()
    rng = np.random.default_rng(13)
    ang = rng.uniform(0, 2 * np.pi, 300)
    r = rng.uniform(0.03, 0.08, 300)
    # + a point in the hole, one due south of a shared vertex (a tie), one far
    # north (outside the bounded search), one far west, one without location
    x = np.r_[113.015 + r * np.cos(ang), 113.015, 113.01, 113.0, 100.0, np.nan]
    y = np.r_[23.015 + r * np.sin(ang), 23.015, 22.99, 60.0, 23.0, np.nan]
    with pg.cursor() as cur:
        _load(cur, grids, x, y)
        cur.execute(nearest_grid_sql("t_points", "t_grids"))
        sql = {i: (c, d) for i, c, d in cur.fetchall()}
    ours = assign_points(build_index(grids), x, y)
    out = np.flatnonzero(ours.status == "outside")
    assert sorted(sql) == sorted(out.tolist())
    for i in out:
        assert sql[i][0] == ours.nearest_code[i], (x[i], y[i])
        assert sql[i][1] == pytest.approx(ours.distance_m[i], abs=1e-6)


def test_covers_join_sql_applies_version_filter(pg):
    grids = _wiggly_grids()
    with pg.cursor() as cur:
        _load(cur, grids, np.array([113.005]), np.array([23.025]))
        cur.execute(
            covers_join_sql("t_points", "t_grids", version_filter="g.code <> %(skip)s"),
            {"skip": "440604001001001"},
        )
        assert cur.fetchall() == []
