"""Split and merge grids; inputs stay untouched so a stored version is an undo."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from gridwatch.crs import METRIC_CRS
from gridwatch.errors import ConflictError, NotFoundError
from gridwatch.grids.edit import merge_grids, split_grid
from gridwatch.grids.quality import check_grids

X0, Y0 = 408_000.0, 2_545_000.0


def frame(cells, parent="440604011001", start=1):
    return gpd.GeoDataFrame(
        {"code": [f"{parent}{start + i:03d}" for i in range(len(cells))],
         "parent_code": parent, "warden": "王",
         "workload": 0.0},
        geometry=cells, crs=METRIC_CRS).to_crs("EPSG:4326")


def row_of_three():
    return frame([box(X0 + 500 * i, Y0, X0 + 500 * (i + 1), Y0 + 500)
                  for i in range(3)])


PARENTS = gpd.GeoDataFrame({"code": ["440604011001"]},
                           geometry=[box(X0, Y0, X0 + 1500, Y0 + 500)], crs=METRIC_CRS)


def test_split_grid_numbers_new_grids_after_the_highest():
    grids = row_of_three()
    out = split_grid(grids, "440604011001002", parts=3)
    assert out["code"].tolist() == ["440604011001001", "440604011001003",
                                    "440604011001004", "440604011001005",
                                    "440604011001006"]
    assert set(out["warden"]) == {"王"}


def test_split_grid_keeps_the_tiling_exact():
    out = split_grid(row_of_three(), "440604011001001", parts=2)
    assert check_grids(out, PARENTS).is_ok
    new = out[out["code"].isin(["440604011001004", "440604011001005"])]
    areas = new.to_crs(METRIC_CRS).area.to_numpy()
    assert np.abs(areas / areas.mean() - 1).max() < 0.10


def test_split_grid_leaves_its_input_unchanged():
    grids = row_of_three()
    before = grids.copy()
    split_grid(grids, "440604011001003", parts=2)
    assert grids.equals(before)


def test_split_grid_refuses_unknown_code():
    with pytest.raises(NotFoundError):
        split_grid(row_of_three(), "440604011001099")


def test_merge_grids_keeps_the_lowest_code():
    out = merge_grids(row_of_three(), ["440604011001003", "440604011001002"])
    assert out["code"].tolist() == ["440604011001001", "440604011001002"]
    merged = out.to_crs(METRIC_CRS).geometry.iloc[1]
    assert merged.geom_type == "Polygon"
    assert merged.area == pytest.approx(500_000, rel=1e-6)
    assert check_grids(out, PARENTS).is_ok


def test_merge_grids_adds_up_workload_without_enterprises():
    grids = row_of_three()
    grids["workload"] = [10.0, 20.0, 30.0]
    out = merge_grids(grids, ["440604011001002", "440604011001003"])
    assert out["workload"].tolist() == [10.0, 50.0]


def test_split_grid_keeps_other_workloads_and_marks_new_ones_unknown():
    grids = row_of_three()
    grids["workload"] = [10.0, 20.0, 30.0]
    out = split_grid(grids, "440604011001001", parts=2)
    assert out["workload"].iloc[:2].tolist() == [20.0, 30.0]
    assert out["workload"].iloc[2:].isna().all()


def test_merge_grids_refuses_grids_of_different_parents():
    grids = gpd.GeoDataFrame(
        gpd.pd.concat([row_of_three(),
                       frame([box(X0, Y0 + 500, X0 + 500, Y0 + 1000)],
                             parent="440604011002")], ignore_index=True),
        crs="EPSG:4326")
    with pytest.raises(ConflictError, match="different"):
        merge_grids(grids, ["440604011001001", "440604011002001"])


def test_merge_grids_refuses_grids_that_do_not_touch():
    with pytest.raises(ConflictError, match="do not share"):
        merge_grids(row_of_three(), ["440604011001001", "440604011001003"])


def test_merge_grids_refuses_grids_touching_at_a_corner_only():
    grids = frame([box(X0, Y0, X0 + 100, Y0 + 100),
                   box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)])
    with pytest.raises(ConflictError):
        merge_grids(grids, ["440604011001001", "440604011001002"])


def test_split_then_merge_gives_back_the_area():
    grids = row_of_three()
    split = split_grid(grids, "440604011001002", parts=2)
    merged = merge_grids(split, ["440604011001004", "440604011001005"])
    got = merged[merged["code"] == "440604011001004"].to_crs(METRIC_CRS)
    got = got.geometry.iloc[0]
    want = grids.to_crs(METRIC_CRS).geometry.iloc[1]
    assert shapely.symmetric_difference(got, want).area < 1e-3
