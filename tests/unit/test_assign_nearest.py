"""Nearest grid of outside points: both searches and a brute force agree exactly."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from gridwatch.assign import nearest as nr
from gridwatch.assign.points import GridIndex, assign_points, build_index

X0, Y0, STEP = 113.0, 23.0, 0.01


def _grids() -> gpd.GeoDataFrame:
    """3x3 densified squares; the centre one has a hole, the last an island."""
    geoms, codes = [], []
    for row in range(3):
        for col in range(3):
            g = box(
                X0 + col * STEP,
                Y0 + (2 - row) * STEP,
                X0 + (col + 1) * STEP,
                Y0 + (3 - row) * STEP,
            )
            geoms.append(shapely.segmentize(g, STEP / 9))
            codes.append(f"440604001001{row * 3 + col + 1:03d}")
    hole = box(113.0135, 23.0135, 113.0165, 23.0165)
    geoms[4] = Polygon(geoms[4].exterior.coords, [hole.exterior.coords])
    geoms[8] = shapely.MultiPolygon([geoms[8], box(113.04, 23.0, 113.045, 23.005)])
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


@pytest.fixture(scope="module")
def index() -> GridIndex:
    return build_index(_grids())


def _brute(ms: nr.MetricSegments, lng, lat):
    """Every segment of every grid measured, then the same rule."""
    p = np.column_stack(ms.transformer.transform(np.asarray(lng), np.asarray(lat)))
    n, s = len(p), len(ms.seg)
    pi = np.repeat(np.arange(n), s)
    si = np.tile(np.arange(s), n)
    d = nr._seg_distance(p[pi], ms.seg[si, :2], ms.seg[si, 2:])
    pi, gi, d = nr._pick(pi, ms.grid_of(si), d, n)
    best, dist = np.full(n, -1), np.full(n, np.nan)
    best[pi], dist[pi] = gi, d
    return best, dist


def _special_points():
    """Ties (due south of shared vertices, level with a shared vertex east of the
    block), the hole, the gap to the island, and far points."""
    x = [113.01, 113.02, 113.035, 113.035, 113.015, 113.0375, 112.9, 113.5, 113.01]
    y = [22.99, 22.99, 23.02, 23.01, 23.015, 23.0025, 23.015, 23.4, 22.0]
    return np.array(x), np.array(y)


@pytest.mark.parametrize("method", ["boxes", "kdtree"])
def test_nearest_equals_brute_force_on_ties_holes_and_far_points(index, method):
    x, y = _special_points()
    got = nr.nearest(index.metric, x, y, method=method)
    want = _brute(index.metric, x, y)
    assert list(got[0]) == list(want[0])
    assert np.array_equal(got[1], want[1])
    # due south of the vertex shared by 007 and 008: the tie goes to the smaller
    assert index.codes[got[0][0]] == "440604001001007"


def test_nearest_methods_agree_on_many_random_points(index):
    rng = np.random.default_rng(7)
    x = rng.uniform(112.95, 113.1, 4000)
    y = rng.uniform(22.95, 23.08, 4000)
    a = nr.nearest(index.metric, x, y, method="boxes")
    b = nr.nearest(index.metric, x, y, method="kdtree")
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_nearest_auto_uses_boxes_for_few_points_only(index, monkeypatch):
    seen = []
    real = nr._candidates_boxes
    monkeypatch.setattr(
        nr, "_candidates_boxes", lambda ms, p: seen.append(len(p)) or real(ms, p)
    )
    rng = np.random.default_rng(8)
    for n in (3, nr.FEW_POINTS + 1):
        nr.nearest(index.metric, rng.uniform(113.05, 113.1, n), np.full(n, 23.0))
    assert seen == [3]


_coord = st.floats(-0.08, 0.11, allow_nan=False)
_snap = st.sampled_from([0.0, 0.01, 0.02, 0.03, 0.0135, 0.0165, 0.045])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.one_of(_coord, _snap), st.one_of(_coord, _snap)),
        min_size=1,
        max_size=40,
    )
)
def test_nearest_property_boxes_equal_kdtree_equal_brute(index, pts):
    x = X0 + np.array([p[0] for p in pts])
    y = Y0 + np.array([p[1] for p in pts])
    want = _brute(index.metric, x, y)
    for method in ("boxes", "kdtree"):
        got = nr.nearest(index.metric, x, y, method=method)
        assert np.array_equal(got[0], want[0]), method
        assert np.array_equal(got[1], want[1]), method


def test_nearest_distance_matches_geopandas_in_metres(index):
    grids = _grids()
    x, y = 113.06, 23.013
    got = assign_points(index, [x], [y])
    point = gpd.GeoSeries([Point(x, y)], crs="EPSG:4326").to_crs(4547).iloc[0]
    ref = grids.to_crs(4547).distance(point)
    assert got.nearest_code[0] == grids["code"][int(ref.idxmin())]
    assert got.distance_m[0] == pytest.approx(ref.min(), abs=1e-6)


def test_loaded_index_projects_with_the_stored_pipeline(index):
    again = GridIndex.from_bytes(index.to_bytes())
    assert again.metric.pipeline == index.metric.pipeline
    rng = np.random.default_rng(9)
    x, y = rng.uniform(100, 125, 1000), rng.uniform(15, 45, 1000)
    from pyproj import Transformer

    ref = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    assert np.array_equal(
        np.array(again.metric.transformer.transform(x, y)),
        np.array(ref.transform(x, y)),
    )


def test_metric_segments_are_the_projected_wgs84_segments(index):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    xy = index.segments.xy
    a = np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    b = np.column_stack(tr.transform(xy[:, 2], xy[:, 3]))
    assert np.array_equal(index.metric.seg, np.column_stack([a, b]))
    # runs cover every segment once, and each run's box holds its segments
    ms = index.metric
    assert ms.run_start[0] == 0 and ms.run_start[-1] == len(ms.seg)
    run = np.repeat(np.arange(len(ms.run_box)), np.diff(ms.run_start))
    lo = np.minimum(ms.seg[:, :2], ms.seg[:, 2:])
    hi = np.maximum(ms.seg[:, :2], ms.seg[:, 2:])
    assert (ms.run_box[run, :2] <= lo).all() and (hi <= ms.run_box[run, 2:]).all()
    assert (ms.grid_of(ms.run_start[:-1]) == ms.grid_of(ms.run_start[1:] - 1)).all()


def _near_tie_grids():
    """Two squares 100.0001 m east and 100.0004 m west of a point (EPSG:4547): both
    round to 100.000 m, so the farther one wins on its smaller code."""
    from pyproj import Transformer

    back = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
    px, py = 400_000.0, 2_545_000.0
    east = box(px + 100.0001, py - 50, px + 200, py + 50)
    west = box(px - 200, py - 50, px - 100.0004, py + 50)
    geoms = shapely.transform(
        np.array([east, west]), lambda c: np.column_stack(back.transform(*c.T))
    )
    grids = gpd.GeoDataFrame(
        {"code": ["440604001001002", "440604001001001"]},
        geometry=geoms,
        crs="EPSG:4326",
    )
    return grids, back.transform(px, py)


@pytest.mark.parametrize("method", ["boxes", "kdtree"])
def test_near_tie_within_a_millimetre_goes_to_the_smaller_code(method):
    grids, (x, y) = _near_tie_grids()
    index = build_index(grids)
    best, dist = nr.nearest(index.metric, np.array([x]), np.array([y]), method=method)
    assert index.codes[best[0]] == "440604001001001"
    assert dist[0] == pytest.approx(100.0004, abs=1e-6)
    assert assign_points(index, [x], [y]).nearest_code[0] == "440604001001001"
