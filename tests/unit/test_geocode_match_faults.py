"""Issue 15's geocoder faults and issue 13's registry hints, on a hand-built
three-town gazetteer.

Towns are boxes 0.05° wide: 南庄镇 (west), 张槎街道 (middle), 石湾镇街道 (east).
Roads run west→east at their own latitude; door n of a road lies at
x0 + n * 0.0001° (about 10 m a door), odd doors north, even south.
"""

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from gridwatch.errors import InvalidInputError
from gridwatch.geocode import Gazetteer, geocode, geocode_many
from gridwatch.geocode.former import read_former_names

GEOD = Geod(ellps="WGS84")
NZ, ZC, SW = "440604100", "440604011", "440604010"
RONGZHOU, HAIKOU, QINGKE, QICHA, LANSHI = (
    "440604100207",
    "440604011201",
    "440604011213",
    "440604010027",
    "440604010030",
)
TOWN_X = {NZ: 113.00, ZC: 113.05, SW: 113.10}
# road: (town, community, latitude, first x offset, number range, plated doors)
ROADS = {
    ("百合北路", NZ): (RONGZHOU, 23.010, 1, 161, [62, 64, 66]),
    ("雾岗路", ZC): (HAIKOU, 23.030, 1, 190, [1, 9, 2, 10, 101]),
    ("雾岗西路", ZC): (QINGKE, 23.002, 1, 59, [2, 3, 5]),  # 3.1 km south
    ("雾岗路", SW): (QICHA, 23.040, 1, 63, [1, 3, 5]),
    ("同济一路", SW): (QICHA, 23.020, 1, 114, [86, 88, 90]),
    ("玫瑰直街", SW): (LANSHI, 23.015, 1, 112, [33, 35, 37]),
    ("卫国南路", SW): (QICHA, 23.025, 1, 200, [51, 53, 55]),
    ("朝阳西路", SW): (QICHA, 23.035, 1, 75, [6, 8, 10]),
    ("朝阳路", SW): (LANSHI, 23.005, 1, 90, [8]),
    ("南浦路", SW): (LANSHI, 23.045, 1, 40, [11, 13]),
    ("南浦北路", SW): (LANSHI, 23.048, 1, 99, [53]),
    ("金华路", SW): (LANSHI, 23.012, 1, 99, [58]),
    ("同华路", SW): (QICHA, 23.018, 1, 99, [58]),
    ("同济路", ZC): (QINGKE, 23.010, 1, 120, [88]),
    ("江海西路", ZC): (HAIKOU, 23.040, 1, 60, [5, 7, 9]),
    ("江海路", ZC): (HAIKOU, 23.044, 1, 60, [7]),
    ("朝阳西路", ZC): (QINGKE, 23.012, 1, 60, [8]),
}
#: Named places on plates: (road, town, door) → place
PLACES = {("江海西路", ZC, 7): "江湾工业城", ("江海西路", ZC, 9): "江湾工业城"}
TOWN_NAMES = {NZ: "南庄镇", ZC: "张槎街道", SW: "石湾镇街道"}
COMMUNITIES = {
    RONGZHOU: ("溶洲村", NZ),
    HAIKOU: ("海口村", ZC),
    QINGKE: ("青柯村", ZC),
    QICHA: ("奇槎社区", SW),
    LANSHI: ("澜石社区", SW),
}


def _xy(town, door, lat):
    return TOWN_X[town] + 0.005 + door * 0.0001, lat + (0.0001 if door % 2 else -0.0001)


def frames():
    plates, roads = [], []
    for (road, town), (comm, lat, lo, hi, doors) in ROADS.items():
        roads.append(
            {
                "road_id": f"{road}@{town}",
                "name": road,
                "town_code": town,
                "door_from": lo,
                "door_to": hi,
                "geometry": LineString([_xy(town, lo, lat), _xy(town, hi, lat)]),
            }
        )
        for d in doors:
            plates.append(
                {
                    "addr_id": f"{road}{d}@{town}",
                    "town_code": town,
                    "community_code": comm,
                    "road_name": road,
                    "door_no": d,
                    "door_suffix": "",
                    "place_name": PLACES.get((road, town, d), ""),
                    "standard_address": f"广东省佛山市禅城区{TOWN_NAMES[town]}{road}{d}号",
                    "geometry": Point(*_xy(town, d, lat)),
                }
            )
    eight = next(p for p in plates if p["addr_id"] == f"朝阳西路8@{SW}")
    plates.append({**eight, "addr_id": "朝阳西路8之一", "door_suffix": "之一"})
    towns = gpd.GeoDataFrame(
        {"code": list(TOWN_X), "name": [TOWN_NAMES[c] for c in TOWN_X]},
        geometry=[box(x, 23.0, x + 0.05, 23.05) for x in TOWN_X.values()],
        crs="EPSG:4326",
    )
    comm_rows = []
    for code, (name, town) in COMMUNITIES.items():
        x = TOWN_X[town]
        comm_rows.append(
            {
                "code": code,
                "name": name,
                "short_name": name,
                "parent_code": town,
                "geometry": box(x, 23.0, x + 0.05, 23.05),
            }
        )
    # two communities per town share its box in halves (north / south)
    comms = gpd.GeoDataFrame(comm_rows, crs="EPSG:4326")
    for town in (ZC, SW):
        idx = comms.index[comms["parent_code"] == town]
        x = TOWN_X[town]
        comms.loc[idx[0], "geometry"] = box(x, 23.025, x + 0.05, 23.05)
        comms.loc[idx[1], "geometry"] = box(x, 23.0, x + 0.05, 23.025)
    return (
        gpd.GeoDataFrame(plates, crs="EPSG:4326"),
        gpd.GeoDataFrame(roads, crs="EPSG:4326"),
        towns,
        comms,
    )


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.build(*frames())


def _metres(r, town, door, lat):
    return GEOD.inv(r.lng, r.lat, *_xy(town, door, lat))[2]


# ------------------------------------------------ numerals in road names


@pytest.mark.parametrize(
    "text",
    [
        "佛山市禅城区石湾镇街道同济1路88号",
        "石湾同济一路88号",
        "石湾镇街道同济１路八十八号",
        "石湾镇同濟1路88號",
    ],
)
def test_geocode_digit_road_name_finds_the_door(gaz, text):
    r = geocode(text, gaz)
    assert (r.matched_id, r.reliability) == ("同济一路88@" + SW, 10)


# ------------------------------------------------ postcodes and phones


def test_geocode_postcode_and_phone_around_address(gaz):
    r = geocode("528000 佛山市禅城区玫瑰直街35号 电话：0757-83084971", gaz)
    assert r.matched_id == "玫瑰直街35@" + SW and r.precision == "door"


# ------------------------------------------------ former names


def test_geocode_former_county_with_its_town_is_placed(gaz):
    r = geocode("南海市南庄镇百合北路64号", gaz)
    assert (r.matched_id, r.reliability) == ("百合北路64@" + NZ, 10)
    assert "former_name" in r.flags


def test_geocode_former_county_with_another_town_is_outside(gaz):
    r = geocode("南海市桂城街道百合北路64号", gaz)
    assert r.precision == "none" and "outside_district" in r.flags


@pytest.mark.parametrize("prefix", ["佛山市石湾区", "石湾区", "佛山市城区", "汾江区"])
def test_geocode_former_districts_are_this_district(gaz, prefix):
    r = geocode(prefix + "卫国南路53号", gaz)
    assert r.matched_id == "卫国南路53@" + SW and "former_name" in r.flags
    assert r.reliability == 6  # a former district names no town


def test_geocode_town_suffix_variant_is_read(gaz):
    r = geocode("张槎镇雾岗路9号", gaz)  # 张槎 was a 镇 before it became a 街道
    assert (r.matched_id, r.reliability) == ("雾岗路9@" + ZC, 10)


def test_gazetteer_former_names_extend_from_a_bureau_file(tmp_path):
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "old_name,level,new_name,source\n澜石镇,town,石湾镇街道,区志\n", encoding="gbk"
    )
    gaz = Gazetteer.build(*frames(), former_names=read_former_names(extra))
    r = geocode("澜石镇朝阳西路8号", gaz)
    assert (r.matched_id, r.reliability) == ("朝阳西路8@" + SW, 10)
    assert "former_name" in r.flags
    assert geocode("澜石镇朝阳西路8号", Gazetteer.build(*frames())).reliability <= 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("old_name,new_name\n澜石镇,石湾镇街道\n", "lacks the column"),
        ("old_name,level,new_name\n澜石镇,village,石湾镇街道\n", "row 2"),
        ("old_name,level,new_name\n,town,石湾镇街道\n", "row 2"),
    ],
)
def test_read_former_names_refuses_bad_rows(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=message):
        read_former_names(path)


def test_read_former_names_missing_file(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_former_names(tmp_path / "nope.csv")


# ------------------------------------------------ several doors


@pytest.mark.parametrize(
    "text",
    [
        "石湾卫国南路51、53号",
        "石湾卫国南路51-53号",
        "石湾卫国南路51至53号",
        "石湾卫国南路51/53号",
    ],
)
def test_geocode_several_doors_first_door_flagged(gaz, text):
    r = geocode(text, gaz)
    assert r.matched_id == "卫国南路51@" + SW and "multiple_doors" in r.flags
    assert r.reliability == 10


def test_geocode_several_doors_first_without_plate_takes_the_next(gaz):
    r = geocode("石湾卫国南路49、51号", gaz)
    assert r.matched_id == "卫国南路51@" + SW and "multiple_doors" in r.flags


# ------------------------------------------------ look-alike characters


def test_geocode_radical_lookalike_road(gaz):
    r = geocode("石湾镇街道奇槎社区朝阳⻄路8号之一", gaz)
    assert (r.matched_id, r.reliability) == ("朝阳西路8之一", 10)


# ------------------------------------------------ exact road beats a similar one


def test_geocode_exact_road_in_named_town_beats_similar_road(gaz):
    r = geocode("张槎街道雾岗路3号", gaz)  # 张槎's 雾岗路 runs 1-190, no plate 3
    assert r.town_code == ZC and "similar_road" not in r.flags
    assert _metres(r, ZC, 3, 23.030) < 30
    # ... but plate 3 exists on 石湾's 雾岗路 and on 张槎's 雾岗西路: not confident
    assert {"plate_in_other_town", "similar_road_has_door"} <= set(r.flags)
    assert r.reliability < 7 and "needs_review" in r.flags


def test_geocode_exact_road_interpolated_without_doubt(gaz):
    r = geocode("张槎街道雾岗路7号", gaz)  # no plate 7 anywhere: plain interpolation
    assert (r.precision, r.reliability, r.flags) == ("road", 7, ())
    assert _metres(r, ZC, 7, 23.030) < 30


def test_geocode_exact_road_with_door_elsewhere_beats_a_fuzzy_local_road(gaz):
    # 张槎 has no 同济一路 but a 同济路 with door 88; 石湾's 同济一路 has 88:
    # the town or the road name is wrong; keep the exact match, say so
    r = geocode("张槎街道同济一路88号", gaz)
    assert r.matched_id == "同济一路88@" + SW and "fuzzy_road" not in r.flags
    assert "town_conflict" in r.flags and r.reliability <= 3


def test_geocode_fuzzy_road_tie_is_not_confident(gaz):
    r = geocode("石湾今华路58号", gaz)  # 金华路58号 and 同华路58号 both exist
    assert "ambiguous_fuzzy" in r.flags and r.reliability <= 5
    assert "needs_review" in r.flags


def test_geocode_annex_plate_in_another_town_is_not_confident(gaz):
    # 张槎's 朝阳西路 has 8 but no 8号之一; 石湾's has 8号之一 itself
    r = geocode("张槎朝阳西路8号之一", gaz)
    assert r.matched_id == "朝阳西路8@" + ZC and "plate_in_other_town" in r.flags
    assert r.reliability <= 5


def test_geocode_named_park_with_door(gaz):
    r = geocode("张槎街道海口村江湾工业城7号", gaz)
    assert (r.matched_id, r.reliability) == ("江海西路7@" + ZC, 9)


def test_geocode_park_after_the_door_contradicting_the_road(gaz):
    # 江海路7号 exists, but the park named after it has its door 7 on 江海西路
    r = geocode("张槎街道江海路7号江湾工业城", gaz)
    assert "place_conflict" in r.flags and r.reliability <= 5
    assert geocode("张槎街道江海西路7号江湾工业城", gaz).reliability == 10


def test_geocode_similar_road_only_past_the_named_roads_numbers(gaz):
    r = geocode("石湾南浦路53号", gaz)  # 南浦路 stops at 40; 南浦北路 has 53
    assert r.matched_id == "南浦北路53@" + SW and "similar_road" in r.flags
    assert r.reliability < 7 and "needs_review" not in r.flags


def test_geocode_same_road_name_in_another_town_is_no_conflict(gaz):
    r = geocode("张槎街道雾岗路5号", gaz)  # 雾岗路5号 exists in 石湾 only
    assert r.town_code == ZC and "door_in_other_town" not in r.flags


# ------------------------------------------------ registry hints (issue 13)


def test_geocode_without_town_same_road_in_two_towns_is_ambiguous(gaz):
    r = geocode("雾岗路1号", gaz)
    assert "ambiguous_road" in r.flags and r.reliability <= 4
    assert "needs_review" in r.flags


@pytest.mark.parametrize(
    ("hint", "town"),
    [
        ("张槎街道", ZC),
        ("张槎", ZC),
        (ZC, ZC),
        ("石湾镇街道", SW),
        ("石湾街道办事处", SW),
    ],
)
def test_geocode_hint_town_picks_among_candidates(gaz, hint, town):
    r = geocode("雾岗路1号", gaz, hint_town=hint)
    assert (r.matched_id, r.reliability) == (f"雾岗路1@{town}", 8)
    assert "town_from_hint" in r.flags and "needs_review" not in r.flags


def test_geocode_hint_community_picks_town(gaz):
    r = geocode("雾岗路1号", gaz, hint_community="奇槎社区居委会")
    assert r.matched_id == "雾岗路1@" + SW


def test_geocode_hint_town_conflict_lowers_reliability(gaz):
    r = geocode("张槎街道雾岗路9号", gaz, hint_town="石湾镇街道")
    assert r.matched_id == "雾岗路9@" + ZC  # the address's own town wins
    assert "hint_conflict" in r.flags and r.reliability <= 6
    assert "needs_review" in r.flags


def test_geocode_hint_community_conflict_lowers_reliability(gaz):
    r = geocode("石湾镇街道同济一路88号", gaz, hint_community="澜石社区")
    assert "community_hint_conflict" in r.flags and r.reliability <= 6


def test_geocode_hint_agreeing_changes_nothing(gaz):
    r = geocode(
        "石湾镇街道同济一路88号", gaz, hint_town="石湾", hint_community="奇槎社区"
    )
    assert r.reliability == 10 and r.flags == ()


def test_geocode_unknown_hint_is_flagged_and_ignored(gaz):
    r = geocode("石湾镇街道同济一路88号", gaz, hint_town="桂城街道")
    assert "unknown_hint" in r.flags and r.reliability == 10


def test_geocode_hint_community_when_nothing_else_matches(gaz):
    r = geocode("张槎街道某某大厦", gaz, hint_community="青柯村")
    assert (r.precision, r.community_code) == ("community", QINGKE)
    assert "community_from_hint" in r.flags and "needs_review" in r.flags


def test_geocode_many_takes_hint_columns(gaz):
    out = geocode_many(
        ["雾岗路1号", "雾岗路1号", "雾岗路1号"],
        gaz,
        hint_towns=["张槎", "石湾", None],
        hint_communities=None,
    )
    assert out["matched_id"].tolist()[:2] == ["雾岗路1@" + ZC, "雾岗路1@" + SW]
    assert "ambiguous_road" in out["flags"].iat[2]


def test_geocode_many_hint_length_must_match(gaz):
    with pytest.raises(ValueError, match="1 hint_towns for 2 addresses"):
        geocode_many(["a", "b"], gaz, hint_towns=["张槎"])


# ------------------------------------------------ needs_review


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("张槎街道海口村", "community"),
        ("张槎街道", "town"),
        ("佛山市禅城区", "district"),
        ("上海市浦东新区世纪大道1号", "none"),
    ],
)
def test_geocode_coarse_results_need_review(gaz, text, precision):
    r = geocode(text, gaz)
    assert r.precision == precision and "needs_review" in r.flags


def test_geocode_door_plate_does_not_need_review(gaz):
    assert "needs_review" not in geocode("张槎街道雾岗路9号", gaz).flags


def test_gazetteer_frames_have_the_documented_doors():
    points = frames()[0]
    assert len(points) == sum(len(v[4]) for v in ROADS.values()) + 1
    assert pd.Series(points["addr_id"]).is_unique


# ------------------------------------------------ readings that are not evidence


def test_geocode_number_glued_to_a_building_is_not_confident(gaz):
    r = geocode("张槎街道雾岗路101栋2室", gaz)  # 101, or 10 / 1 and 栋?
    assert r.matched_id == "雾岗路101@" + ZC and "door_glued" in r.flags
    assert r.reliability <= 6


def test_parse_second_town_name_is_part_of_the_road(gaz):
    from gridwatch.geocode import parse_address

    p = parse_address("南庄镇南庄街84号", gaz.lexicon)
    assert (p.town, p.road, p.door_no) == ("南庄镇", "南庄街", 84)


def test_geocode_substring_match_is_never_exact(gaz):
    r = geocode("张槎街道西路9号", gaz)  # "西路" is 100% of 江海西路 by substring
    assert r.reliability < 7
