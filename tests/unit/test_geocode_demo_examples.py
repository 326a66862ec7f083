"""Issue 15's address examples on the demo gazetteer they were found on.

The right value of each comes from the demo gazetteer's own door plates (seed
20131, 75,000 plates), not from the geocoder.
"""

import pytest
from pyproj import Geod

from gridwatch.demo import DEFAULT_SEED, build_admin, build_gazetteer
from gridwatch.geocode import Gazetteer, geocode

GEOD = Geod(ellps="WGS84")
SW, ZC, NZ, ZM = "440604010", "440604011", "440604100", "440604012"


@pytest.fixture(scope="module")
def demo():
    _, towns, communities = build_admin(seed=DEFAULT_SEED)
    roads, points = build_gazetteer(towns, communities, seed=DEFAULT_SEED)
    return points, roads, Gazetteer.build(points, roads, towns, communities)


def _plate(points, town, road, door, suffix=""):
    hit = points[(points["town_code"] == town) & (points["road_name"] == road)
                 & (points["door_no"] == door) & (points["door_suffix"] == suffix)]
    assert len(hit) == 1, (town, road, door, suffix)
    return hit.iloc[0]


@pytest.mark.parametrize(("address", "town", "road", "door", "suffix", "flag"), [
    ("佛山市禅城区石湾镇街道同济1路88号", SW, "同济一路", 88, "", None),
    ("528000 佛山市禅城区玫瑰直街35号 电话：0757-83084971", SW, "玫瑰直街", 35, "", None),
    ("南海市南庄镇百合北路64号", NZ, "百合北路", 64, "", "former_name"),
    ("佛山市禅城区卫国南路51、53号", ZM, "卫国南路", 51, "", "multiple_doors"),
    ("佛山市禅城区卫国南路51-53号", ZM, "卫国南路", 51, "", "multiple_doors"),
    ("佛山市禅城区卫国南路51至53号", ZM, "卫国南路", 51, "", "multiple_doors"),
    ("石湾镇街道奇槎社区朝阳⻄路8号之一", SW, "朝阳西路", 8, "之一", None)])
def test_geocode_issue_examples_place_the_true_door(demo, address, town, road, door,
                                                    suffix, flag):
    points, _, gaz = demo
    truth = _plate(points, town, road, door, suffix)
    r = geocode(address, gaz)
    assert (r.precision, r.matched_id) == ("door", str(truth["addr_id"]))
    assert flag is None or flag in r.flags


def test_geocode_issue_example_exact_road_in_named_town(demo):
    """张槎街道雾岗路3号: on 张槎's 雾岗路 (doors 1-189, no plate 3), not on 雾岗西路."""
    points, roads, gaz = demo
    r = geocode("张槎街道雾岗路3号", gaz)
    assert r.town_code == ZC and "similar_road" not in r.flags
    near = points[(points["town_code"] == ZC) & (points["road_name"] == "雾岗路")
                  & (points["door_no"] <= 9)]
    dist = min(GEOD.inv(r.lng, r.lat, p.x, p.y)[2] for p in near.geometry)
    assert dist < 100
    west = points[(points["road_name"] == "雾岗西路") & (points["door_no"] == 3)]
    assert all(GEOD.inv(r.lng, r.lat, p.x, p.y)[2] > 1000 for p in west.geometry)
