"""Quality report: balance, compactness and tiling errors."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from gridwatch.crs import METRIC_CRS
from gridwatch.grids.quality import check_grids, grid_metrics, polsby_popper

X0, Y0 = 408_000.0, 2_545_000.0
PARENT = box(X0, Y0, X0 + 200, Y0 + 100)
PARENTS = gpd.GeoDataFrame({"code": ["440604011001"]}, geometry=[PARENT],
                           crs=METRIC_CRS)


def grids_of(*geoms):
    return gpd.GeoDataFrame(
        {"code": [f"440604011001{i + 1:03d}" for i in range(len(geoms))],
         "parent_code": "440604011001"}, geometry=list(geoms), crs=METRIC_CRS)


def two_halves():
    return grids_of(box(X0, Y0, X0 + 100, Y0 + 100),
                    box(X0 + 100, Y0, X0 + 200, Y0 + 100))


def test_check_grids_passes_an_exact_tiling():
    report = check_grids(two_halves().to_crs("EPSG:4326"), PARENTS)
    assert report.is_ok, report.problems
    assert report.parents[0]["gap_m2"] < 1e-3
    assert report.overall["overlap_m2"] < 1e-3


def test_check_grids_flags_a_gap():
    report = check_grids(grids_of(box(X0, Y0, X0 + 100, Y0 + 100),
                                  box(X0 + 101, Y0, X0 + 200, Y0 + 100)), PARENTS)
    assert not report.is_ok
    assert report.parents[0]["gap_m2"] == pytest.approx(100.0)
    assert "not covered" in report.problems[0]


def test_check_grids_flags_an_overlap():
    report = check_grids(grids_of(box(X0, Y0, X0 + 110, Y0 + 100),
                                  box(X0 + 100, Y0, X0 + 200, Y0 + 100)), PARENTS)
    assert not report.is_ok
    assert report.overall["overlap_m2"] == pytest.approx(1000.0)


def test_check_grids_flags_a_grid_in_two_pieces():
    left = shapely.MultiPolygon([box(X0, Y0, X0 + 50, Y0 + 100),
                                 box(X0 + 150, Y0, X0 + 200, Y0 + 100)])
    report = check_grids(grids_of(left, box(X0 + 50, Y0, X0 + 150, Y0 + 100)),
                         PARENTS)
    assert not report.is_ok
    assert report.overall["is_contiguous"] is False


def test_check_grids_flags_a_grid_outside_its_parent():
    report = check_grids(grids_of(box(X0, Y0, X0 + 100, Y0 + 100),
                                  box(X0 + 100, Y0, X0 + 220, Y0 + 100)), PARENTS)
    assert report.parents[0]["outside_m2"] == pytest.approx(2000.0)
    assert not report.is_ok


def test_check_grids_measures_workload_imbalance():
    ents = gpd.GeoDataFrame(
        {"risk_level": ["red", "blue", "blue"]},
        geometry=[Point(X0 + 10, Y0 + 10), Point(X0 + 150, Y0 + 10),
                  Point(X0 + 160, Y0 + 10)], crs=METRIC_CRS)
    report = check_grids(two_halves(), PARENTS, ents,
                         weights={"red": 4, "blue": 1})
    assert [g["workload"] for g in report.grids] == [4.0, 2.0]
    assert report.overall["imbalance_max"] == pytest.approx(4 / 3)
    assert report.overall["imbalance_min"] == pytest.approx(2 / 3)
    assert report.overall["worst_parent_imbalance_max"] == pytest.approx(4 / 3)
    assert report.to_dict()["is_ok"] is True


def test_check_grids_lists_parents_without_grids():
    parents = gpd.GeoDataFrame({"code": ["440604011001", "440604011002"]},
                               geometry=[PARENT, box(X0, Y0 + 100, X0 + 100, Y0 + 200)],
                               crs=METRIC_CRS)
    report = check_grids(two_halves(), parents)
    assert report.overall["parents_without_grids"] == ["440604011002"]


def test_grid_metrics_counts_enterprises_and_ignores_missing_points():
    ents = gpd.GeoDataFrame({"risk_level": ["yellow", "yellow"]},
                            geometry=[Point(X0 + 10, Y0 + 10), None], crs=METRIC_CRS)
    out = grid_metrics(two_halves(), ents)
    assert out["n_enterprises"].tolist() == [1, 0]
    assert out["workload"].tolist() == [2.0, 0.0]
    assert np.allclose(out["area_m2"], 10_000)


def test_polsby_popper_of_a_disc_is_near_one():
    assert polsby_popper([Point(0, 0).buffer(10, 64)])[0] == pytest.approx(1, abs=1e-3)
