"""Building grids: exact tiling, balance, exact k, regular cells, atoms."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import InvalidInputError
from gridwatch.grids.atoms import contiguity, make_atoms
from gridwatch.grids.build import build_grids
from gridwatch.grids.quality import check_grids

X0, Y0 = 408_000.0, 2_545_000.0  # Zhangcha, Foshan, in EPSG:4547 metres
RISKS = ["red", "orange", "yellow", "blue"]


def parents_frame(geoms, codes=None):
    codes = codes or [f"440604011{i + 1:03d}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"code": codes}, geometry=list(geoms), crs=METRIC_CRS)


def enterprises_in(geom, n, seed=0):
    rng = np.random.default_rng(seed)
    pts = gpd.GeoSeries([geom], crs=METRIC_CRS).sample_points(n, rng=rng).explode()
    return gpd.GeoDataFrame(
        {"uscc": [f"E{i:05d}" for i in range(len(pts))],
         "risk_level": rng.choice(RISKS, len(pts))},
        geometry=pts.to_numpy(), crs=METRIC_CRS).to_crs("EPSG:4326")


def l_shape():
    return box(X0, Y0, X0 + 2000, Y0 + 600).union(box(X0, Y0, X0 + 600, Y0 + 1800))


def test_make_atoms_tile_the_parent_exactly():
    parent = Point(X0, Y0).buffer(900).difference(box(X0 - 100, Y0 - 950, X0, Y0))
    atoms = make_atoms(parent, 10)
    assert shapely.coverage_is_valid(atoms.geometry)
    assert abs(atoms.area_m2.sum() - parent.area) < 1e-6 * parent.area
    union = shapely.coverage_union_all(atoms.geometry)
    assert union.symmetric_difference(parent).area < 1.0


def test_contiguity_ignores_touching_corners():
    geoms = np.array([box(0, 0, 1, 1), box(1, 1, 2, 2), box(1, 0, 2, 1)])
    edges, shared = contiguity(geoms)
    assert sorted(map(tuple, edges.tolist())) == [(0, 2), (1, 2)]
    assert np.allclose(shared, 1.0)


def test_make_atoms_link_the_parts_of_a_multipart_parent():
    parent = shapely.MultiPolygon([box(X0, Y0, X0 + 500, Y0 + 500),
                                   box(X0 + 900, Y0, X0 + 1400, Y0 + 500)])
    atoms = make_atoms(parent, 10)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    n = len(atoms)
    mat = coo_matrix((np.ones(len(atoms.edges)), tuple(atoms.edges.T)), (n, n))
    assert connected_components(mat, directed=False)[0] == 1
    assert (atoms.shared_m == 0).sum() == 1


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    n_boxes=st.integers(1, 5),
    size=st.floats(300, 1500),
    k=st.integers(1, 6),
    n_points=st.integers(0, 300),
    seed=st.integers(0, 10_000),
)
def test_build_grids_tiles_random_parents_exactly(n_boxes, size, k, n_points, seed):
    # a random union of overlapping rotated rectangles: non-convex, sometimes
    # with holes, sometimes multi-part
    rng = np.random.default_rng(seed)
    pieces = []
    for _ in range(n_boxes):
        cx, cy = X0 + rng.uniform(-size, size), Y0 + rng.uniform(-size, size)
        w, h = size * rng.uniform(0.3, 1.0, 2)
        rect = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        pieces.append(shapely.affinity.rotate(rect, rng.uniform(0, 90)))
    parent = shapely.union_all(pieces)
    parents = parents_frame([parent])
    ents = enterprises_in(parent, n_points, seed) if n_points else None
    grids, _ = build_grids(parents, ents, grids_per_unit=k, seed=seed)
    # never more grids than places holding enterprises: the rest would be empty
    assert len(grids) == (min(k, n_points) if n_points else k)
    metric = grids.to_crs(METRIC_CRS)
    total = metric.area.sum()
    assert abs(total - parent.area) <= 1e-4 * parent.area
    union = shapely.union_all(metric.geometry.to_numpy())
    assert total - union.area < 1.0  # overlaps under 1 m²
    assert union.symmetric_difference(parent).area <= 1e-4 * parent.area
    if parent.geom_type == "Polygon":
        assert (metric.geom_type == "Polygon").all()
    assert check_grids(grids, parents, ents).tiling_ok


def test_build_grids_refuses_duplicate_parent_codes():
    parents = parents_frame([box(X0, Y0, X0 + 10, Y0 + 10)] * 2,
                            ["440604011001", "440604011001"])
    with pytest.raises(InvalidInputError, match="more than once"):
        build_grids(parents, None, grids_per_unit=2)


def test_build_grids_refuses_an_invalid_parent():
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0),
                               (X0, Y0 + 10)])
    with pytest.raises(InvalidInputError, match="invalid polygon"):
        build_grids(parents_frame([bow_tie]), None, grids_per_unit=2)


def test_build_grids_balances_workload_within_ten_percent():
    parent = l_shape()
    ents = enterprises_in(parent, 1500, seed=2)
    grids, report = build_grids(parents_frame([parent]), ents, grids_per_unit=8)
    mean = grids["workload"].mean()
    assert grids["workload"].max() <= 1.10 * mean
    assert grids["workload"].min() >= 0.90 * mean
    assert report.issues == []
    assert grids["n_enterprises"].sum() == 1500


def test_build_grids_gives_the_same_grids_for_the_same_seed():
    parent = l_shape()
    ents = enterprises_in(parent, 400, seed=9)
    a, _ = build_grids(parents_frame([parent]), ents, grids_per_unit=5, seed=3)
    b, _ = build_grids(parents_frame([parent]), ents, grids_per_unit=5, seed=3)
    assert a.to_wkb().equals(b.to_wkb())


def test_build_grids_makes_the_number_the_target_implies():
    parent = box(X0, Y0, X0 + 3000, Y0 + 2000)
    ents = enterprises_in(parent, 900, seed=4)
    weights = {"red": 4, "orange": 3, "yellow": 2, "blue": 1}
    total = ents["risk_level"].map(weights).sum()
    grids, report = build_grids(parents_frame([parent]), ents,
                                target_workload=total / 6.4)
    assert len(grids) == 6  # round(6.4)
    assert report.parents[0]["k"] == 6


def test_build_grids_never_crosses_a_parent():
    west, east = box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2500,
                                                          Y0 + 1000)
    parents = parents_frame([west, east])
    grids, _ = build_grids(parents, None, grids_per_unit=3)
    metric = grids.to_crs(METRIC_CRS)
    for code, geom in zip(parents["code"], [west, east]):
        mine = metric[metric["parent_code"] == code]
        assert len(mine) == 3
        assert shapely.union_all(mine.geometry.to_numpy()).difference(
            geom.buffer(0.01)).area == 0
    assert grids["code"].str.len().eq(15).all()


def test_build_grids_splits_units_without_enterprises_by_area():
    parent = box(X0, Y0, X0 + 2000, Y0 + 1000)
    grids, report = build_grids(parents_frame([parent]), None, grids_per_unit=4)
    areas = grids["area_m2"].to_numpy()
    assert np.abs(areas / areas.mean() - 1).max() < 0.10
    assert report.parents[0]["by"] == "area"


def test_build_grids_reports_a_spot_heavier_than_the_target():
    parent = box(X0, Y0, X0 + 2000, Y0 + 1000)
    ents = enterprises_in(parent, 100, seed=1)
    tower = gpd.GeoDataFrame(
        {"uscc": [f"T{i}" for i in range(60)], "risk_level": "red"},
        geometry=[Point(X0 + 500, Y0 + 500)] * 60, crs=METRIC_CRS).to_crs(4326)
    ents = gpd.GeoDataFrame(
        gpd.pd.concat([ents, tower], ignore_index=True), crs="EPSG:4326")
    grids, report = build_grids(parents_frame([parent]), ents, grids_per_unit=4)
    assert len(grids) == 4
    heavy = [i for i in report.issues if i.enterprises]
    assert len(heavy) == 1 and heavy[0].grid_code in set(grids["code"])
    assert set(heavy[0].enterprises) >= {f"T{i}" for i in range(60)}
    assert "same place" in heavy[0].reason
    # the other three share the rest evenly and say why they are light
    light = grids[grids["code"] != heavy[0].grid_code]["workload"]
    assert light.max() <= 1.10 * light.mean()
    assert all("heavier than the target" in i.reason
               for i in report.issues if not i.enterprises)


def test_build_grids_square_merges_small_pieces():
    parent = box(X0, Y0, X0 + 1100, Y0 + 1000)  # 10% strip on the east side
    grids, _ = build_grids(parents_frame([parent]), None, method="square",
                           cell_size_m=500)
    areas = np.sort(grids["area_m2"].to_numpy())
    assert len(grids) == 4 or len(grids) == 6
    assert areas.min() >= 0.35 * 500 * 500
    assert abs(areas.sum() - parent.area) < 1e-4 * parent.area


def test_build_grids_hex_uses_h3_cells_of_about_the_size():
    parent = box(X0, Y0, X0 + 3000, Y0 + 3000)
    grids, _ = build_grids(parents_frame([parent]), None, method="hex",
                           cell_size_m=330)
    # most grids are whole res-9 cells (average 105,333 m²)
    assert grids["area_m2"].median() == pytest.approx(105_000, rel=0.15)
    assert check_grids(grids, parents_frame([parent])).is_ok


@pytest.mark.parametrize("kwargs, words", [
    ({}, "exactly one"),
    ({"target_workload": 10, "grids_per_unit": 2}, "exactly one"),
    ({"cell_size_m": 100}, "not --cell-size"),
    ({"method": "square", "grids_per_unit": 2}, "needs --cell-size"),
    ({"method": "voronoi", "grids_per_unit": 2}, "Unknown grid method"),
    ({"grids_per_unit": 0}, "positive"),
])
def test_build_grids_refuses_bad_options(kwargs, words):
    with pytest.raises(InvalidInputError, match=words):
        build_grids(parents_frame([box(X0, Y0, X0 + 10, Y0 + 10)]), None, **kwargs)
