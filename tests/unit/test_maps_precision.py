"""Imprecise and stacked enterprise points on the coverage map (issue 13)."""

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from gridwatch.analytics import enterprise_points, enterprise_status, grid_coverage
from gridwatch.maps import coverage_map
from gridwatch.maps.layers import PointsLayer, unpack
from gridwatch.maps.precision import imprecision, stack_ranks

DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}
TOWN, COMM = "440604100", "440604100201"


def _frames(precision=True):
    towns = gpd.GeoDataFrame(
        {"code": [TOWN], "name": ["南庄镇"]},
        geometry=[box(113.0, 23.0, 113.03, 23.03)],
        crs=4326,
    )
    comms = gpd.GeoDataFrame(
        {"code": [COMM], "name": ["吉利村"], "parent_code": [TOWN]},
        geometry=[box(113.0, 23.0, 113.01, 23.01)],
        crs=4326,
    )
    grids = gpd.GeoDataFrame(
        {"code": ["440604100201001"]},
        geometry=[box(113.0, 23.0, 113.03, 23.03)],
        crs=4326,
    )
    n = 12  # 6 at the town point, 3 at the village point, 3 at doors
    xy = (
        [(113.015, 23.015)] * 6
        + [(113.005, 23.005)] * 3
        + [(113.001, 23.001), (113.002, 23.002), (113.002, 23.002)]
    )
    ents = gpd.GeoDataFrame(
        {
            "uscc": [f"91440604MA{k:08d}" for k in range(n)],
            "name": [f"企业{k}" for k in range(n)],
            "sector": "ceramics",
            "risk_level": "blue",
            "grid_code": "440604100201001",
            "town_code": TOWN,
            "community_code": [None] * 6 + [COMM] * 6,
        },
        geometry=[Point(*p) for p in xy],
        crs=4326,
    )
    if precision:
        ents["precision"] = ["town"] * 6 + ["community"] * 3 + ["door"] * 3
    st = enterprise_status(
        ents,
        pd.DataFrame(columns=["uscc", "inspected_on"]),
        "2024-01-01",
        "2024-03-31",
        DUE,
    )
    return towns, comms, grid_coverage(grids, st), enterprise_points(ents, st)


def _payload(fmap):
    return next(
        unpack(c.blob) for c in fmap._children.values() if isinstance(c, PointsLayer)
    )


def _legend(fmap):
    return next(c.html for c in fmap._children.values() if type(c).__name__ == "Legend")


def test_imprecision_ring_from_the_unit_polygons():
    towns, comms, _, pts = _frames()
    levels, radius = imprecision(pts, towns, comms)
    assert levels.tolist() == [2] * 6 + [1] * 3 + [0] * 3
    # a 0.03° box at 23°N is about 3.07 km x 3.33 km: equivalent radius ~1.8 km
    assert 1700 < radius[0] < 1900 and 550 < radius[6] < 650 and radius[-1] == 0


def test_stack_ranks_number_points_sharing_a_position():
    _, _, _, pts = _frames()
    assert stack_ranks(pts.geometry.to_numpy()).tolist() == [
        0,
        1,
        2,
        3,
        4,
        5,
        0,
        1,
        2,
        0,
        0,
        1,
    ]


def test_coverage_map_payload_marks_imprecise_and_stacked_points():
    towns, comms, gc, pts = _frames()
    data = _payload(coverage_map(gc, pts, towns, comms))
    names = data["name"].split("\n")
    imp = {names[i]: int(data["imp"][i]) for i in range(len(names))}
    assert imp["企业0"] == 2 and imp["企业6"] == 1 and imp["企业9"] == 0
    ks = sorted(data["k"][names.index(f"企业{j}")] for j in range(6))
    assert ks == [0, 1, 2, 3, 4, 5]  # six on one town point, each its own rank
    assert data["imprecise"] == ["仅定位到村/社区", "仅定位到镇/街道", "仅定位到区"]


def test_coverage_map_legend_explains_hollow_and_spread_points():
    towns, comms, gc, pts = _frames()
    text = _legend(coverage_map(gc, pts, towns, comms))
    assert "空心圆" in text and "仅定位到村/社区 3 家、仅定位到镇/街道 6 家" in text
    assert "错开显示" in text


def test_coverage_map_without_precision_column_is_unchanged():
    towns, comms, gc, pts = _frames(precision=False)
    fmap = coverage_map(gc, pts, towns, comms)
    data = _payload(fmap)
    assert "imp" not in data and "ring" not in data and "空心圆" not in _legend(fmap)
    assert "k" in data  # stacked points are still spread
    assert np.count_nonzero(data["k"]) == 5 + 2 + 1
