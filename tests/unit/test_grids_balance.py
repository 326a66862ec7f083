"""Issue 11: splitting refuses what cannot be balanced; `grids check` is OK only
when the grids are tiled, balanced and inside the district (issue 13)."""

import json

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from gridwatch.crs import METRIC_CRS, Datum, transform_geometry
from gridwatch.errors import InvalidInputError
from gridwatch.grids.balance import Spots, most_parts
from gridwatch.grids.edit import split_grid
from gridwatch.grids.outline import datum_suspect, outline_fit
from gridwatch.grids.quality import check_grids

X0, Y0 = 408_000.0, 2_545_000.0
PARENT = "440604011001"
CELL = box(X0, Y0, X0 + 1000, Y0 + 1000)
PARENTS = gpd.GeoDataFrame({"code": [PARENT]}, geometry=[CELL], crs=METRIC_CRS)


def one_grid():
    return gpd.GeoDataFrame({"code": [f"{PARENT}001"], "parent_code": PARENT,
                             "workload": 0.0, "n_enterprises": 0},
                            geometry=[CELL], crs=METRIC_CRS).to_crs(4326)


def ents(points, levels):
    return gpd.GeoDataFrame(
        {"uscc": [f"E{i}" for i in range(len(points))], "risk_level": levels},
        geometry=[Point(X0 + x, Y0 + y) for x, y in points], crs=METRIC_CRS
    ).to_crs(4326)


def six_yellow():
    pts = [(100 + 150 * i, 500) for i in range(6)]
    return ents(pts, ["yellow"] * 6)


def test_split_refuses_twenty_grids_from_six_enterprises():
    grids = one_grid()
    before = grids.copy()
    with pytest.raises(InvalidInputError) as err:
        split_grid(grids, f"{PARENT}001", 20, six_yellow())
    msg = err.value.user_msg
    assert "cannot become 20 grids" in msg and "6 place(s)" in msg
    assert "at most 6" in msg
    assert grids.equals(before)  # nothing changed


def test_split_refuses_a_place_heavier_than_a_share():
    # four red enterprises in one building (16) and four blue ones (4): no two
    # grids can be equal within ±10%
    pts = [(500, 500)] * 4 + [(100, 100), (900, 100), (100, 900), (900, 900)]
    e = ents(pts, ["red"] * 4 + ["blue"] * 4)
    with pytest.raises(InvalidInputError, match="heaviest place holds workload 16"):
        split_grid(one_grid(), f"{PARENT}001", 2, e)


def test_split_into_as_many_grids_as_places_gives_no_empty_grid():
    out = split_grid(one_grid(), f"{PARENT}001", 6, six_yellow())
    assert len(out) == 6 and (out["workload"] == 2).all()
    assert check_grids(out, PARENTS, six_yellow()).is_ok


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, 25), parts=st.integers(2, 8), seed=st.integers(0, 999))
def test_split_either_refuses_or_balances(n, parts, seed):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(20, 980, size=(n, 2)).tolist()
    e = ents(pts, rng.choice(["red", "orange", "yellow", "blue"], n).tolist()) \
        if n else None
    try:
        out = split_grid(one_grid(), f"{PARENT}001", parts, e, seed=seed)
    except InvalidInputError as exc:
        assert "cannot" in exc.user_msg or "too small" in exc.user_msg
        return
    assert len(out) == parts
    report = check_grids(out, PARENTS, e)
    assert report.tiling_ok, report.problems
    if n:
        w = out["workload"].to_numpy()
        assert (w > 0).all() and np.abs(w / w.mean() - 1).max() <= 0.1 + 1e-9
        assert report.balance_ok, report.balance_problems


def _cells(n):
    return gpd.GeoDataFrame(
        {"code": [f"{PARENT}{i + 1:03d}" for i in range(n)], "parent_code": PARENT},
        geometry=[box(X0 + 1000 * i / n, Y0, X0 + 1000 * (i + 1) / n, Y0 + 1000)
                  for i in range(n)], crs=METRIC_CRS)


def test_check_is_not_ok_when_grids_are_empty():
    # today's fault: 20 grids over 6 enterprises passed as "Tiling OK"
    report = check_grids(_cells(20), PARENTS, six_yellow())
    assert report.tiling_ok and not report.balance_ok and not report.is_ok
    assert any("14 of 20 grids hold no enterprise" in p
               for p in report.balance_problems)
    assert report.overall["empty_grids"] == 14


def test_check_fails_grids_outside_the_tolerance():
    e = ents([(100, 500)] * 1 + [(300, 500), (600, 500), (700, 500), (800, 500)],
             ["blue"] * 5)
    report = check_grids(_cells(2), PARENTS, e)  # 2 vs 3 blue enterprises
    assert not report.balance_ok
    assert "outside ±10%" in report.balance_problems[0]


def test_check_warns_but_passes_when_one_place_is_heavier_than_a_grid():
    pts = [(250, 500)] * 5 + [(750, 100), (750, 900)]
    e = ents(pts, ["red"] * 5 + ["blue"] * 2)  # 20 in one building vs 2
    report = check_grids(_cells(2), PARENTS, e)
    assert report.is_ok and report.warnings
    assert "cannot be split" in report.warnings[0]


@pytest.mark.parametrize("weights, most", [
    ([2.0] * 6, 6),  # six places: at most six grids
    ([4.0, 1, 1, 1], 1),  # one place is more than half: one grid
    ([3.0, 3, 3], 3),
    ([5.0, 5, 1, 1], 2),  # 12 * 1.1 / 5 = 2.64
    ([], 0),
])
def test_most_parts(weights, most):
    s = Spots(np.array(weights), np.zeros(len(weights), dtype=int))
    assert most_parts(s) == most


# --- the district outline --------------------------------------------------------

DISTRICT = box(113.00, 23.00, 113.10, 23.10)


def test_outline_fit_of_an_exact_cover_is_ok():
    halves = [box(113.00, 23.00, 113.05, 23.10), box(113.05, 23.00, 113.10, 23.10)]
    fit = outline_fit(halves, DISTRICT)
    # straight lon/lat edges with and without a middle vertex project a few m apart
    assert fit["is_ok"] and fit["outside_km2"] < 0.01 and fit["uncovered_km2"] < 0.01


def test_gcj02_read_as_wgs84_is_outside_and_diagnosed():
    shifted = transform_geometry(DISTRICT, Datum.WGS84, Datum.GCJ02)
    fit = outline_fit([shifted], DISTRICT)
    # ~560 m east, ~280 m south over a 10 km square: about 8 km² each way
    assert not fit["is_ok"]
    assert 5 < fit["outside_km2"] < 12 and 5 < fit["uncovered_km2"] < 12
    assert datum_suspect([shifted], DISTRICT)["datum"] == "gcj02"
    assert datum_suspect([DISTRICT], DISTRICT) is None


def test_check_grids_compares_the_union_with_the_district():
    shifted = transform_geometry(DISTRICT, Datum.WGS84, Datum.GCJ02)
    grids = gpd.GeoDataFrame({"code": [f"{PARENT}001"], "parent_code": PARENT},
                             geometry=[shifted], crs=4326)
    parents = gpd.GeoDataFrame({"code": [PARENT]}, geometry=[shifted], crs=4326)
    report = check_grids(grids, parents, outline=DISTRICT)
    assert report.tiling_ok and not report.outline_ok and not report.is_ok
    assert "km² of the grids lie outside the district" in report.outline_problems[0]
    assert report.overall["outline"]["outside_km2"] > 5


# --- the grids map names the level the grids were built in -----------------------


@pytest.mark.parametrize("parent, words", [
    ("440604011001", "在村/社区内划分"),
    ("440604011", "在镇/街道内划分"),
    ("440604", "在区内划分"),
])
def test_grids_map_legend_names_the_level(parent, words):
    from gridwatch.maps.hotspots import grids_map

    cells = [box(113.0 + 0.01 * i, 23.0, 113.01 + 0.01 * i, 23.01) for i in range(2)]
    grids = gpd.GeoDataFrame(
        {"code": [f"{parent.ljust(12, '0')}00{i + 1}" for i in range(2)],
         "parent_code": parent, "workload": [3.0, 5.0]}, geometry=cells, crs=4326)
    html = grids_map(grids).get_root().render()

    def shown(text):  # the legend is written into the page as a JSON string
        return json.dumps(text)[1:-1] in html

    assert shown(words)
    assert shown("相对所在" + words[1:-3] + "平均")
