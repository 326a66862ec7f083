"""Gazetteer matching on a hand-built two-town gazetteer.

南庄镇 (west box) holds 吉利村 and 南庄村; 张槎街道 (east box) holds 海口村, a
U-shaped village whose centroid lies outside it. 季华西路 runs west→east through
both towns (doors 1-199 in 南庄镇, 201-399 in 张槎街道); 吉利大道 is in 南庄镇
only; 吉利工业园 is a place with plates on 吉利大道.
"""

import math

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

from gridwatch.errors import InvalidInputError
from gridwatch.geocode import Gazetteer, geocode, geocode_many

GEOD = Geod(ellps="WGS84")
NZ, ZC = "440604100", "440604011"
JILI, NANZHUANG, HAIKOU = "440604100201", "440604100202", "440604011201"
Y = 23.02            # 季华西路 runs along this latitude
X0, X1 = 113.005, 113.045   # its 南庄镇 segment, doors 1 … 199


def _door_x(door):
    return X0 + (door - 1) / 198 * (X1 - X0)


def _plate(addr_id, town, comm, road, door, suffix="", place="", x=None, y=None):
    off = 0.0001 if door % 2 else -0.0001
    geom = Point(x if x is not None else _door_x(door), y if y is not None else Y + off)
    std = f"广东省佛山市禅城区{'南庄镇' if town == NZ else '张槎街道'}{road}{door}号{suffix}"
    return {"addr_id": addr_id, "town_code": town, "community_code": comm,
            "road_name": road, "door_no": door, "door_suffix": suffix,
            "place_name": place, "standard_address": std, "geometry": geom}


def tiny_frames():
    towns = gpd.GeoDataFrame(
        {"code": [NZ, ZC], "name": ["南庄镇", "张槎街道"], "parent_code": ["440604"] * 2},
        geometry=[box(113.00, 23.00, 113.05, 23.05), box(113.05, 23.00, 113.10, 23.05)],
        crs="EPSG:4326")
    u_shape = Polygon([(113.05, 23.00), (113.10, 23.00), (113.10, 23.05), (113.09, 23.05),
                       (113.09, 23.01), (113.06, 23.01), (113.06, 23.05), (113.05, 23.05)])
    communities = gpd.GeoDataFrame(
        {"code": [JILI, NANZHUANG, HAIKOU],
         "name": ["吉利村村民委员会", "南庄村村民委员会", "海口村村民委员会"],
         "short_name": ["吉利村", "南庄村", "海口村"], "kind": ["village"] * 3,
         "parent_code": [NZ, NZ, ZC]},
        geometry=[box(113.00, 23.00, 113.025, 23.05), box(113.025, 23.00, 113.05, 23.05),
                  u_shape], crs="EPSG:4326")
    roads = gpd.GeoDataFrame(
        {"road_id": ["r1", "r2", "r3"], "name": ["季华西路", "季华西路", "吉利大道"],
         "town_code": [NZ, ZC, NZ], "door_from": [1, 201, 1], "door_to": [199, 399, 99]},
        geometry=[LineString([(X0, Y), (X1, Y)]), LineString([(113.055, Y), (113.095, Y)]),
                  LineString([(113.01, 23.005), (113.01, 23.045)])],
        crs="EPSG:4326")
    plates = [
        _plate("a1", NZ, JILI, "季华西路", 11), _plate("a2", NZ, JILI, "季华西路", 12),
        _plate("a3", NZ, JILI, "季华西路", 21),
        _plate("a4", NZ, JILI, "季华西路", 21, "之一", x=_door_x(21) + 0.0002),
        _plate("a5", NZ, NANZHUANG, "季华西路", 151),
        _plate("a6", ZC, HAIKOU, "季华西路", 251, x=113.0575, y=Y + 0.0001),
        _plate("a7", NZ, JILI, "吉利大道", 5, place="吉利工业园", x=113.0101, y=23.006),
        _plate("a8", NZ, JILI, "吉利大道", 7, place="吉利工业园", x=113.0101, y=23.007),
    ]
    points = gpd.GeoDataFrame(plates, crs="EPSG:4326")
    return points, roads, towns, communities


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.build(*tiny_frames())


def _metres(r, lng, lat):
    return GEOD.inv(r.lng, r.lat, lng, lat)[2]


def test_geocode_door_plate_exact(gaz):
    r = geocode("广东省佛山市禅城区南庄镇吉利村季华西路11号", gaz)
    assert (r.precision, r.matched_id, r.town_code, r.community_code) == (
        "door", "a1", NZ, JILI)
    assert r.reliability == 10 and r.flags == ()


def test_geocode_door_suffix_kept(gaz):
    r = geocode("南庄镇季华西路21号之一", gaz)
    assert r.matched_id == "a4"


def test_geocode_door_suffix_unknown_falls_back_to_plate(gaz):
    r = geocode("南庄镇季华西路21号之二", gaz)
    assert r.matched_id == "a3" and "suffix_ignored" in r.flags and r.reliability < 10


def test_geocode_messy_spelling_still_door(gaz):
    r = geocode("禪城區 南莊鎮吉利村委會 季華西路十一號", gaz)
    assert r.matched_id == "a1"


def test_geocode_fuzzy_road_typo(gaz):
    r = geocode("南庄镇季华西璐11号", gaz)
    assert r.matched_id == "a1" and "fuzzy_road" in r.flags and r.reliability == 8


def test_geocode_interpolates_between_plates(gaz):
    r = geocode("南庄镇季华西路15号", gaz)     # between plates 11 and 21 (odd side)
    assert r.precision == "road" and r.town_code == NZ
    assert _metres(r, _door_x(15), Y + 0.0001) < 5


def test_geocode_interpolates_along_road_range(gaz):
    r = geocode("南庄镇季华西路100号", gaz)    # no plates nearby: road range 1-199
    assert r.precision == "road" and r.reliability == 7
    assert r.lat < Y                             # even numbers on the right (south)
    assert _metres(r, _door_x(100), Y) < 20


def test_geocode_road_without_door(gaz):
    r = geocode("南庄镇吉利大道", gaz)
    assert r.precision == "road" and r.town_code == NZ and r.reliability == 5


def test_geocode_place_with_door(gaz):
    r = geocode("南庄镇吉利村吉利工业园5号", gaz)
    assert r.precision == "door" and r.matched_id == "a7"


def test_geocode_community_level(gaz):
    r = geocode("佛山市禅城区南庄镇南庄村", gaz)
    assert (r.precision, r.community_code, r.town_code) == ("community", NANZHUANG, NZ)


def test_geocode_community_point_inside_u_shaped_village(gaz):
    r = geocode("张槎街道海口村", gaz)
    comm = tiny_frames()[3].set_index("code").geometry[HAIKOU]
    assert not comm.contains(comm.centroid)          # the trap this guards against
    assert comm.contains(Point(r.lng, r.lat))


def test_geocode_town_level(gaz):
    r = geocode("张槎街道某某大厦", gaz)
    assert (r.precision, r.town_code, r.reliability) == ("town", ZC, 3)


def test_geocode_town_short_name(gaz):
    r = geocode("张槎季华西路251号", gaz)
    assert r.matched_id == "a6" and r.reliability == 10


def test_geocode_road_name_alone_is_not_trusted_high(gaz):
    r = geocode("季华西路251号", gaz)
    assert r.matched_id == "a6" and r.reliability == 6


def test_geocode_district_level(gaz):
    r = geocode("佛山市禅城区", gaz)
    assert r.precision == "district" and r.reliability == 2
    assert tiny_frames()[2].union_all().contains(Point(r.lng, r.lat))


def test_geocode_none_for_garbage(gaz):
    r = geocode("🏭<b>unknown</b>", gaz)
    assert (r.precision, r.lng, r.reliability) == ("none", None, 1)


def test_geocode_other_district_is_not_placed(gaz):
    r = geocode("佛山市南海区桂城街道季华西路11号", gaz)
    assert r.precision == "none" and "outside_district" in r.flags


def test_geocode_door_in_other_town_flagged(gaz):
    # 季华西路251号 exists only in 张槎街道, but the address claims 南庄镇
    r = geocode("南庄镇季华西路251号", gaz)
    assert "door_in_other_town" in r.flags and r.reliability <= 3
    assert r.town_code == NZ and r.precision == "road"


def test_geocode_town_conflict_flagged(gaz):
    # 吉利大道 runs only through 南庄镇, but the address claims 张槎街道
    r = geocode("张槎街道吉利大道5号", gaz)
    assert "town_conflict" in r.flags and r.reliability <= 3 and r.matched_id == "a7"


def test_geocode_declared_town_resolves_shared_road(gaz):
    r = geocode("张槎街道季华西路300号", gaz)
    assert r.town_code == ZC and r.precision == "road" and r.lng > 113.05


def test_geocode_many_keeps_order_and_counts(gaz):
    addrs = ["南庄镇季华西路11号", "", None, "南庄镇季华西路11号", "张槎街道"]
    out = geocode_many(addrs, gaz)
    assert len(out) == 5
    assert list(out["precision"]) == ["door", "none", "none", "door", "town"]
    assert math.isnan(out["lng"].iat[1])


def test_gazetteer_build_names_missing_column():
    points, roads, towns, communities = tiny_frames()
    with pytest.raises(InvalidInputError, match="road_name"):
        Gazetteer.build(points.drop(columns="road_name"), roads, towns, communities)


def test_gazetteer_build_requires_crs():
    points, roads, towns, communities = tiny_frames()
    with pytest.raises(InvalidInputError, match="CRS"):
        Gazetteer.build(points.set_crs(None, allow_override=True), roads, towns,
                        communities)


def test_gazetteer_build_accepts_projected_input(gaz):
    points, roads, towns, communities = (f.to_crs("EPSG:4547") for f in tiny_frames())
    r = geocode("南庄镇季华西路11号", Gazetteer.build(points, roads, towns, communities))
    assert _metres(r, gaz.lng[0], gaz.lat[0]) < 0.01


def test_geocode_village_implies_town_for_conflicts(gaz):
    # 吉利村 is in 南庄镇; 季华西路300号 lies in 张槎街道
    r = geocode("吉利村季华西路300号", gaz)
    assert "door_in_other_town" in r.flags and r.reliability <= 3
    assert r.community_code == JILI


def _shared_frames():
    """季华西路 door 11 in both towns (local numbering restarts), no town named."""
    points, roads, towns, communities = tiny_frames()
    extra = gpd.GeoDataFrame([_plate("z1", ZC, HAIKOU, "季华西路", 11, x=113.06, y=Y)],
                             crs="EPSG:4326")
    return (gpd.GeoDataFrame(pd.concat([points, extra], ignore_index=True),
                             crs="EPSG:4326"), roads, towns, communities)


def test_geocode_same_road_and_door_in_two_towns_is_ambiguous():
    r = geocode("季华西路11号", Gazetteer.build(*_shared_frames()))
    assert "ambiguous_road" in r.flags and r.reliability <= 4


def test_geocode_hint_breaks_the_tie():
    gaz = Gazetteer.build(*_shared_frames())
    r = geocode("季华西路11号", gaz, hint="佛山市禅城区张槎某某五金店")
    assert r.matched_id == "z1" and "town_from_name" in r.flags and r.reliability == 6


def test_geocode_hint_never_overrides_named_town():
    gaz = Gazetteer.build(*_shared_frames())
    r = geocode("南庄镇季华西路11号", gaz, hint="张槎某某五金店")
    assert r.matched_id == "a1" and r.reliability == 10


def test_geocode_many_hints_length_must_match(gaz):
    with pytest.raises(ValueError, match="2 hints for 1 addresses"):
        geocode_many(["季华西路11号"], gaz, hints=["a", "b"])


def test_gazetteer_build_without_roads_uses_plates_only():
    points, _, towns, communities = tiny_frames()
    gaz = Gazetteer.build(points, None, towns, communities)
    assert geocode("南庄镇季华西路15号", gaz).precision == "road"      # between plates
    assert geocode("南庄镇季华西路11号", gaz).precision == "door"


def test_gazetteer_build_district_name_when_addresses_lack_it():
    points, roads, towns, communities = tiny_frames()
    points = points.assign(standard_address=points["road_name"])
    gaz = Gazetteer.build(points, roads, towns, communities, district_name="禅城区")
    assert geocode("禅城", gaz).precision == "district"
    assert geocode("南海区季华西路11号", gaz).precision == "none"
