"""Check-ins: near, far, missing, imprecise site, coarse fix, back-dated, GCJ-02 input."""

import datetime as dt

import pytest
import shapely

from gridwatch.crs import from_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.fieldwork.checkin import (
    Position,
    assess_checkin,
    distance_m,
    location_note,
    parse_position,
)

SITE = shapely.Point(113.0500, 23.0100)
DAY = dt.date(2026, 3, 2)
NOON_LOCAL = dt.datetime(2026, 3, 2, 4, 0)  # 12:00 in Foshan, naive UTC


def _assess(position, precision="door", day=DAY, max_m=200.0):
    return assess_checkin(position, SITE, precision, day, max_m=max_m, now=NOON_LOCAL)


def _east(metres: float) -> float:
    """Longitude ``metres`` east of SITE (1 degree of longitude at 23N ~ 102.4 km)."""
    return SITE.x + metres / 102_470.0


def test_distance_m_matches_the_geodesic_within_a_metre():
    from pyproj import Geod

    lng = _east(1000)
    _, _, geodesic = Geod(ellps="WGS84").inv(SITE.x, SITE.y, lng, SITE.y)
    assert abs(distance_m(SITE.x, SITE.y, lng, SITE.y) - geodesic) < 1.0


def test_assess_checkin_near_is_verified():
    c = _assess(Position(_east(120), SITE.y, 15.0))
    assert c.status == "verified" and not c.is_flagged
    assert 115 < c.distance_m < 125 and c.threshold_m == 215.0


def test_assess_checkin_far_is_flagged_not_refused():
    c = _assess(Position(_east(900), SITE.y, 15.0))
    assert c.status == "far" and c.is_flagged and c.distance_m > 850


def test_assess_checkin_accuracy_widens_the_threshold():
    # 260 m away with a 100 m accuracy circle: within 200 + 100
    assert _assess(Position(_east(260), SITE.y, 100.0)).status == "verified"
    assert _assess(Position(_east(260), SITE.y, 30.0)).status == "far"


def test_assess_checkin_missing_position_is_unverified():
    c = _assess(None)
    assert c.status == "unverified" and c.lng is None and c.distance_m is None


@pytest.mark.parametrize("precision", ["community", "town", "district", "none"])
def test_assess_checkin_imprecise_site_cannot_verify(precision):
    c = _assess(Position(_east(5000), SITE.y, 10.0), precision=precision)
    assert c.status == "site_imprecise" and not c.is_flagged
    assert c.distance_m is None and c.lng is not None  # the position is still kept


def test_assess_checkin_unplaced_site_cannot_verify():
    c = assess_checkin(
        Position(SITE.x, SITE.y, 5.0), None, "door", DAY, max_m=200, now=NOON_LOCAL
    )
    assert c.status == "site_imprecise"


def test_assess_checkin_coarse_fix_near_proves_nothing():
    # cell-tower accuracy 1500 m: "near" within that says nothing
    assert _assess(Position(_east(50), SITE.y, 1500.0)).status == "coarse"


def test_assess_checkin_back_dated_record_is_not_same_day():
    c = _assess(Position(SITE.x, SITE.y, 5.0), day=DAY - dt.timedelta(days=1))
    assert c.status == "not_same_day" and c.distance_m == 0.0


def test_assess_checkin_uses_the_local_day_of_the_position_time():
    # 23:30 local on 2 March is 15:30 UTC the same day; 00:30 local on 3 March is
    # 16:30 UTC on 2 March, which is already the next district day
    late = Position(SITE.x, SITE.y, 5.0, at=dt.datetime(2026, 3, 2, 15, 30))
    next_day = Position(SITE.x, SITE.y, 5.0, at=dt.datetime(2026, 3, 2, 16, 30))
    assert _assess(late).status == "verified"
    assert _assess(next_day).status == "not_same_day"


def test_assess_checkin_converts_gcj02_once():
    gcj_lng, gcj_lat = from_wgs84(SITE.x, SITE.y, "gcj02")
    c = _assess(Position(gcj_lng, gcj_lat, 10.0, datum="gcj02"))
    assert c.status == "verified" and c.distance_m < 1.0
    # taken as WGS-84 the same numbers are several hundred metres off
    assert _assess(Position(gcj_lng, gcj_lat, 10.0)).status == "far"


def test_parse_position_reads_form_strings_and_timestamps():
    p = parse_position("113.05", "23.01", "12.5", "WGS-84", "1772424000000")
    assert (p.lng, p.lat, p.accuracy_m, p.datum) == (113.05, 23.01, 12.5, "wgs84")
    assert p.at == dt.datetime(2026, 3, 2, 4, 0)
    assert parse_position(None, "", None) is None


@pytest.mark.parametrize(
    "args, words",
    [
        (("113.05", "", "10"), "only one of longitude and latitude"),
        (("abc", "23", "10"), "not a number"),
        (("23.01", "113.05", "10"), "not longitude, latitude"),
        (("113.05", "23.01", ""), "has no accuracy"),
        (("113.05", "23.01", "-3"), "negative"),
        (("113.05", "23.01", "nan"), "not a finite number"),
    ],
)
def test_parse_position_refuses_in_one_sentence(args, words):
    with pytest.raises(InvalidInputError) as exc:
        parse_position(*args)
    assert words in exc.value.user_msg and exc.value.user_msg.count(". ") == 0


def test_location_note_says_plainly_when_only_town_or_community():
    assert "镇街" in location_note("town") and "不是企业所在地" in location_note("town")
    assert "村/社区" in location_note("community")
    assert "门牌" in location_note("door")
