"""Tests for gridwatch.demo.gazetteer: roads and door-plate address points."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from gridwatch.crs import METRIC_CRS
from gridwatch.demo import build_admin, build_gazetteer
from gridwatch.errors import CRSMismatchError, InvalidInputError

SEED = 7
N_POINTS = 12_000


@lru_cache(maxsize=1)
def _admin():
    return build_admin(seed=SEED)


@pytest.fixture(scope="module")
def gaz():
    _, towns, communities = _admin()
    return build_gazetteer(towns, communities, seed=SEED, n_points=N_POINTS)


def _road_geometry(roads, points):
    lines = roads.set_index("road_id").to_crs(METRIC_CRS).geometry
    return lines.loc[points["road_id"]].to_numpy()


def test_build_gazetteer_exact_count_unique_ids(gaz):
    roads, points = gaz
    assert len(points) == N_POINTS
    assert points["addr_id"].is_unique and roads["road_id"].is_unique
    assert not points.duplicated(["road_id", "door_no", "door_suffix"]).any()
    assert points.crs.to_epsg() == 4326 and roads.crs.to_epsg() == 4326
    assert (roads.geom_type == "LineString").all()


def test_build_gazetteer_road_names_unique_within_town(gaz):
    roads, _ = gaz
    assert not roads.duplicated(["town_code", "name"]).any()
    towns_per_name = roads.groupby("name")["town_code"].nunique()
    assert towns_per_name.max() >= 2  # arterials run through several towns
    assert {"季华一路", "佛山大道", "汾江路", "岭南大道", "张槎路", "南庄大道"} <= set(
        roads["name"]
    )


def test_build_gazetteer_points_inside_their_community(gaz):
    _, points = gaz
    _, _, communities = _admin()
    comm = communities.set_index("code")
    geoms = comm.geometry.loc[points["community_code"]].to_numpy()
    assert shapely.within(points.geometry.to_numpy(), geoms).all()
    parent = comm["parent_code"].loc[points["community_code"]].to_numpy()
    assert (parent == points["town_code"].to_numpy()).all()
    short = comm["short_name"].loc[points["community_code"]].to_numpy()
    assert (short == points["community_name"].to_numpy()).all()


def test_build_gazetteer_odd_left_even_right(gaz):
    roads, points = gaz
    lines = _road_geometry(roads, points)
    pts = points.to_crs(METRIC_CRS).geometry.to_numpy()
    t = shapely.line_locate_point(lines, pts)
    a = shapely.line_interpolate_point(lines, np.maximum(t - 1, 0))
    b = shapely.line_interpolate_point(lines, t + 1)
    cross = (shapely.get_x(b) - shapely.get_x(a)) * (
        shapely.get_y(pts) - shapely.get_y(a)
    ) - (shapely.get_y(b) - shapely.get_y(a)) * (shapely.get_x(pts) - shapely.get_x(a))
    odd = points["door_no"].to_numpy() % 2 == 1
    plain = points["door_suffix"].to_numpy() == ""
    assert (cross[odd & plain] > 0).mean() > 0.97
    assert (cross[~odd & plain] < 0).mean() > 0.97


def test_build_gazetteer_numbers_grow_along_road(gaz):
    roads, points = gaz
    lines = _road_geometry(roads, points)
    t = shapely.line_locate_point(lines, points.to_crs(METRIC_CRS).geometry.to_numpy())
    frame = points.assign(t=t, side=points["door_no"] % 2)
    frame = frame.loc[frame["door_suffix"] == ""]
    good = total = 0
    for _, g in frame.groupby(["road_id", "side"]):
        if len(g) < 5:
            continue
        g = g.sort_values("door_no")
        good += int((np.diff(g["t"].to_numpy()) > 0).sum())
        total += len(g) - 1
    assert good / total > 0.97


def test_build_gazetteer_doors_within_road_range_and_spacing(gaz):
    roads, points = gaz
    r = roads.set_index("road_id")
    assert (points["door_no"].to_numpy() >= r["door_from"].loc[points["road_id"]]).all()
    assert (points["door_no"].to_numpy() <= r["door_to"].loc[points["road_id"]]).all()
    metres_per_number = r.to_crs(METRIC_CRS).length / (
        (r["door_to"] - r["door_from"]) / 2
    )
    assert metres_per_number.between(8, 45).mean() > 0.95


def test_build_gazetteer_points_few_metres_off_road(gaz):
    roads, points = gaz
    d = shapely.distance(
        _road_geometry(roads, points), points.to_crs(METRIC_CRS).geometry.to_numpy()
    )
    assert np.quantile(d, 0.01) > 2.5 and np.quantile(d, 0.99) < 21


def test_build_gazetteer_arterial_numbers_continue_across_towns(gaz):
    roads, _ = gaz
    multi = roads.loc[roads["is_major"]].groupby("name").filter(lambda g: len(g) >= 2)
    assert not multi.empty
    for _, g in multi.groupby("name"):
        g = g.sort_values("door_from")
        assert (g["door_from"].to_numpy()[1:] > g["door_to"].to_numpy()[:-1]).all()


def test_build_gazetteer_suffix_and_place_shares(gaz):
    _, points = gaz
    share = points["door_suffix"].value_counts(normalize=True)
    assert 0.03 < share["之一"] < 0.05 and 0.005 < share["之二"] < 0.015
    places = points.loc[points["place_name"] != "", "place_name"]
    assert 0.005 < len(places) / len(points) < 0.1
    assert places.str.contains("工业园|工业区|科技园|创意园|工业城").any()
    assert places.str.contains("大厦|商业城|广场|商务中心|商贸城").any()


def test_build_gazetteer_standard_address_format(gaz):
    _, points = gaz
    pattern = re.compile(
        r"^广东省佛山市禅城区(石湾镇街道|张槎街道|祖庙街道|南庄镇)"
        r"\w+?(社区|村)\w+?\d+号(之[一二])?\w*$"
    )
    assert points["standard_address"].map(lambda s: bool(pattern.match(s))).all()
    row = points.iloc[0]
    assert row["standard_address"] == (
        f"广东省佛山市禅城区{row['town_name']}{row['community_name']}{row['road_name']}"
        f"{row['door_no']}号{row['door_suffix']}{row['place_name']}"
    )


def test_build_gazetteer_deterministic(gaz):
    _, towns, communities = _admin()
    again = build_gazetteer(towns, communities, seed=SEED, n_points=N_POINTS)
    assert_geodataframe_equal(gaz[0], again[0])
    assert_geodataframe_equal(gaz[1], again[1])


def test_build_gazetteer_rejects_metric_frames():
    _, towns, communities = _admin()
    with pytest.raises(CRSMismatchError):
        build_gazetteer(towns.to_crs(METRIC_CRS), communities, seed=1, n_points=100)


def test_build_gazetteer_rejects_missing_column():
    _, towns, communities = _admin()
    with pytest.raises(InvalidInputError, match="kind"):
        build_gazetteer(towns, communities.drop(columns="kind"), seed=1, n_points=100)
