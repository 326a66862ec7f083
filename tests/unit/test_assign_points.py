"""Enterprise → grid assignment, in process (gridwatch.assign.points)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from gridwatch.assign.points import (
    GridIndex,
    assign_enterprises,
    assign_points,
    build_index,
)
from gridwatch.errors import CRSMismatchError, InvalidInputError

X0, Y0, STEP = 113.0, 23.0, 0.01


def _grid_3x3(densify: bool = False) -> gpd.GeoDataFrame:
    """Nine square grids; codes numbered west→east, north→south."""
    geoms, codes = [], []
    for row in range(3):
        for col in range(3):
            g = box(
                X0 + col * STEP,
                Y0 + (2 - row) * STEP,
                X0 + (col + 1) * STEP,
                Y0 + (3 - row) * STEP,
            )
            if densify:
                g = shapely.segmentize(g, STEP / 7)
            geoms.append(g)
            codes.append(f"440604001001{row * 3 + col + 1:03d}")
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


def _reference(grids, x, y):
    """Smallest covering code by shapely (robust predicates), for off-edge points."""
    pts = shapely.points(x, y)
    out = []
    for p in pts:
        hit = sorted(c for c, g in zip(grids["code"], grids.geometry) if g.covers(p))
        out.append(hit[0] if hit else None)
    return np.array(out, dtype=object)


def test_build_index_sorts_codes():
    idx = build_index(_grid_3x3().iloc[::-1])
    assert list(idx.codes) == sorted(_grid_3x3()["code"])


def test_build_index_rejects_projected_crs():
    with pytest.raises(CRSMismatchError):
        build_index(_grid_3x3().to_crs("EPSG:4547"))


def test_build_index_rejects_duplicate_codes():
    g = _grid_3x3()
    g.loc[1, "code"] = g.loc[0, "code"]
    with pytest.raises(InvalidInputError, match="unique"):
        build_index(g)


def test_build_index_rejects_invalid_polygon():
    g = _grid_3x3()
    bowtie = Polygon([(113, 23), (113.01, 23.01), (113.01, 23), (113, 23.01)])
    g.loc[0, "geometry"] = bowtie
    with pytest.raises(InvalidInputError, match="invalid"):
        build_index(g)


def test_assign_points_interior_point_gets_its_grid():
    r = assign_points(build_index(_grid_3x3()), [113.005], [23.025])
    assert r.grid_code[0] == "440604001001001"
    assert r.status[0] == "inside" and r.n_covering[0] == 1


def test_assign_points_shared_edge_goes_to_smallest_code():
    # x = 113.01 is the edge between grids 004 and 005 (middle row)
    r = assign_points(build_index(_grid_3x3()), [113.01], [23.015])
    assert r.grid_code[0] == "440604001001004"
    assert r.n_covering[0] == 2


def test_assign_points_shared_vertex_goes_to_smallest_code():
    # (113.01, 23.01) is shared by grids 004, 005, 007 and 008
    r = assign_points(build_index(_grid_3x3()), [113.01], [23.01])
    assert r.grid_code[0] == "440604001001004"
    assert r.n_covering[0] == 4


def test_assign_points_outer_boundary_point_is_inside():
    r = assign_points(build_index(_grid_3x3()), [113.0], [23.005])
    assert r.grid_code[0] == "440604001001007"


def test_assign_points_outside_reports_nearest_grid_and_metres():
    grids = _grid_3x3()
    r = assign_points(build_index(grids), [113.035], [23.005])
    assert r.status[0] == "outside" and r.grid_code[0] is None
    assert r.nearest_code[0] == "440604001001009"
    expected = (
        gpd.GeoSeries([Point(113.035, 23.005)], crs="EPSG:4326")
        .to_crs(4547)
        .distance(grids.to_crs(4547).geometry.iloc[8])
        .iloc[0]
    )
    assert r.distance_m[0] == pytest.approx(expected, abs=1e-6)
    assert 500 < r.distance_m[0] < 530  # 0.005 degrees of longitude at 23N


def test_assign_points_measures_in_the_metric_crs_given():
    """The metric_crs setting reaches the distance (Web Mercator stretches by
    1/cos(23°) = 1.086 at 23°N, Gauss-Krüger CM 114E by almost nothing)."""
    grids = _grid_3x3()
    pt = gpd.GeoSeries([Point(113.035, 23.005)], crs="EPSG:4326")
    got = {}
    for crs in ("EPSG:4547", "EPSG:32649", "EPSG:3857"):
        r = assign_points(build_index(grids, metric_crs=crs), [113.035], [23.005])
        expected = pt.to_crs(crs).distance(grids.to_crs(crs).geometry.iloc[8]).iloc[0]
        assert r.distance_m[0] == pytest.approx(expected, abs=1e-6)
        got[crs] = r.distance_m[0]
    assert got["EPSG:3857"] / got["EPSG:4547"] == pytest.approx(1.086, abs=0.002)
    merc = build_index(grids, metric_crs="EPSG:3857")
    again = GridIndex.from_bytes(merc.to_bytes(), metric_crs="EPSG:3857")
    assert assign_points(again, [113.035], [23.005]).distance_m[0] == got["EPSG:3857"]


def test_cached_index_loaded_under_another_metric_crs_measures_in_that_crs():
    """The cache stores segments projected to the build's CRS; loading it with
    another metric_crs projects them again, and None keeps the stored one."""
    grids = _grid_3x3()
    data = build_index(grids, metric_crs="EPSG:4547").to_bytes()
    merc = GridIndex.from_bytes(data, metric_crs="EPSG:3857")
    assert merc.metric_crs == "EPSG:3857"
    fresh = assign_points(
        build_index(grids, metric_crs="EPSG:3857"), [113.035], [23.005]
    )
    got = assign_points(merc, [113.035], [23.005])
    assert got.distance_m[0] == fresh.distance_m[0]
    assert GridIndex.from_bytes(data).metric_crs == "EPSG:4547"
    kept = assign_points(GridIndex.from_bytes(data), [113.035], [23.005])
    assert kept.distance_m[0] < got.distance_m[0] / 1.08


def test_assign_points_outside_tie_goes_to_smallest_code():
    # due south of the vertex shared by grids 007 and 008: equally far from both
    r = assign_points(build_index(_grid_3x3()), [113.01], [22.99])
    assert r.nearest_code[0] == "440604001001007"


def test_assign_points_missing_coordinates_are_no_location():
    r = assign_points(
        build_index(_grid_3x3()), [np.nan, None, 113.005], [23.005, None, np.inf]
    )
    assert list(r.status) == ["no_location"] * 3
    assert all(c is None for c in r.grid_code)
    assert all(c is None for c in r.nearest_code)


def test_assign_points_out_of_range_is_no_location():
    r = assign_points(build_index(_grid_3x3()), [200.0, 113.0], [23.0, 95.0])
    assert list(r.status) == ["no_location", "no_location"]


def test_assign_points_agrees_with_shapely_off_the_edges():
    grids = _grid_3x3(densify=True)
    rng = np.random.default_rng(3)
    x = rng.uniform(X0 - 0.002, X0 + 3 * STEP + 0.002, 5000)
    y = rng.uniform(Y0 - 0.002, Y0 + 3 * STEP + 0.002, 5000)
    r = assign_points(build_index(grids), x, y)
    assert list(r.grid_code) == list(_reference(grids, x, y))


def test_assign_points_prefilter_does_not_change_answers():
    grids = _grid_3x3(densify=True)
    coords = shapely.get_coordinates(grids.geometry.to_numpy())
    rng = np.random.default_rng(4)
    i = rng.integers(0, len(coords) - 1, 3000)
    t = rng.random((3000, 1))
    edge = coords[i] + t * (coords[i + 1] - coords[i])
    x = np.concatenate([coords[:, 0], edge[:, 0], rng.uniform(113, 113.03, 3000)])
    y = np.concatenate([coords[:, 1], edge[:, 1], rng.uniform(23, 23.03, 3000)])
    fine = assign_points(build_index(grids, cells_per_grid=200), x, y)
    coarse = assign_points(build_index(grids, cells_per_grid=1), x, y)
    assert list(fine.grid_code) == list(coarse.grid_code)
    assert (fine.n_covering[: len(coords)] >= 1).all()


def test_assign_points_hole_is_outside_and_hole_edge_inside():
    ring = box(113.0, 23.0, 113.03, 23.03)
    hole = box(113.01, 23.01, 113.02, 23.02)
    grids = gpd.GeoDataFrame(
        {"code": ["440604001001001"]},
        geometry=[Polygon(ring.exterior.coords, [hole.exterior.coords])],
        crs="EPSG:4326",
    )
    r = assign_points(build_index(grids), [113.015, 113.01], [23.015, 23.015])
    assert list(r.status) == ["outside", "inside"]
    assert r.nearest_code[0] == "440604001001001"
    assert 500 < r.distance_m[0] < 530


def test_assign_points_multipolygon_parts_both_count():
    mp = shapely.MultiPolygon(
        [box(113.0, 23.0, 113.01, 23.01), box(113.02, 23.0, 113.03, 23.01)]
    )
    grids = gpd.GeoDataFrame(
        {"code": ["440604001001001"]}, geometry=[mp], crs="EPSG:4326"
    )
    r = assign_points(
        build_index(grids), [113.005, 113.025, 113.015], [23.005, 23.005, 23.005]
    )
    assert list(r.status) == ["inside", "inside", "outside"]


def test_grid_index_bytes_roundtrip_gives_same_answers():
    grids = _grid_3x3(densify=True)
    idx = build_index(grids)
    again = GridIndex.from_bytes(idx.to_bytes(), expected_fingerprint=idx.fingerprint)
    rng = np.random.default_rng(5)
    x, y = rng.uniform(112.99, 113.04, 2000), rng.uniform(22.99, 23.04, 2000)
    a, b = assign_points(idx, x, y), assign_points(again, x, y)
    assert list(a.grid_code) == list(b.grid_code)
    assert list(a.nearest_code) == list(b.nearest_code)


def test_grid_index_from_bytes_rejects_other_grids():
    idx = build_index(_grid_3x3())
    with pytest.raises(InvalidInputError, match="other grids"):
        GridIndex.from_bytes(idx.to_bytes(), expected_fingerprint="0" * 64)


def test_grid_index_from_bytes_rejects_garbage():
    with pytest.raises(InvalidInputError):
        GridIndex.from_bytes(b"not an index")


def test_assign_enterprises_keeps_every_enterprise():
    ent = gpd.GeoDataFrame(
        {"uscc": ["A1", "A2", "A3"], "precision": ["door", "none", "road"]},
        geometry=[Point(113.005, 23.005), None, Point(113.2, 23.0)],
        crs="EPSG:4326",
    )
    out = assign_enterprises(ent, build_index(_grid_3x3()))
    assert list(out["uscc"]) == ["A1", "A2", "A3"]
    assert list(out["status"]) == ["inside", "no_location", "outside"]
    assert out.loc[1, "precision"] == "none"
    assert out.loc[2, "nearest_code"] == "440604001001009"


def test_assign_enterprises_rejects_projected_crs():
    ent = gpd.GeoDataFrame(
        {"uscc": ["A1"]}, geometry=[Point(397000, 2544000)], crs="EPSG:4547"
    )
    with pytest.raises(CRSMismatchError):
        assign_enterprises(ent, build_index(_grid_3x3()))


def test_assign_result_to_frame_has_one_row_per_point():
    r = assign_points(build_index(_grid_3x3()), [113.005, 113.5], [23.005, 23.0])
    frame = r.to_frame(index=pd.Index(["a", "b"]))
    assert list(frame.index) == ["a", "b"]
    assert frame.loc["b", "status"] == "outside"
