import numpy as np
import prcoords
import pytest
from pyproj import Geod

from gridwatch.crs import Datum, from_wgs84, in_china, parse_datum, to_wgs84
from gridwatch.errors import InvalidInputError

GEOD = Geod(ellps="WGS84")
RNG = np.random.default_rng(7)
# points spread over mainland China (and Chancheng itself)
LNG = np.concatenate([RNG.uniform(100, 122, 400), RNG.uniform(112.98, 113.17, 200)])
LAT = np.concatenate([RNG.uniform(22, 40, 400), RNG.uniform(22.92, 23.06, 200)])


def _metres(lng1, lat1, lng2, lat2):
    return GEOD.inv(lng1, lat1, lng2, lat2)[2]


def test_gcj_roundtrip_below_half_metre():
    keep = in_china(LNG, LAT)
    lng, lat = LNG[keep], LAT[keep]
    g_lng, g_lat = from_wgs84(lng, lat, "gcj02")
    w_lng, w_lat = to_wgs84(g_lng, g_lat, "gcj02")
    assert np.max(_metres(lng, lat, w_lng, w_lat)) < 0.5


def test_bd_roundtrip_below_half_metre():
    keep = in_china(LNG, LAT)
    lng, lat = LNG[keep], LAT[keep]
    b_lng, b_lat = from_wgs84(lng, lat, "bd09")
    w_lng, w_lat = to_wgs84(b_lng, b_lat, "bd09")
    assert np.max(_metres(lng, lat, w_lng, w_lat)) < 0.5


@pytest.mark.parametrize("i", range(0, 600, 37))
def test_from_wgs84_matches_prcoords(i):
    if not in_china(LNG[i], LAT[i]):
        pytest.skip("outside mainland China")
    ref = prcoords.wgs_gcj((LAT[i], LNG[i]))
    lng, lat = from_wgs84(LNG[i], LAT[i], "gcj02")
    assert _metres(lng, lat, ref.lon, ref.lat) < 0.01
    ref_bd = prcoords.wgs_bd((LAT[i], LNG[i]))
    lng, lat = from_wgs84(LNG[i], LAT[i], "bd09")
    assert _metres(lng, lat, ref_bd.lon, ref_bd.lat) < 0.01


def test_to_wgs84_matches_prcoords_bored_inverse():
    ref = prcoords.gcj_wgs_bored((23.0, 113.1))
    lng, lat = to_wgs84(113.1, 23.0, "gcj02")
    assert _metres(lng, lat, ref.lon, ref.lat) < 0.01


def test_shift_near_chancheng_is_about_600_metres():
    # SOURCES.md: ~+0.0055 deg lng, -0.0025 deg lat near Chancheng
    lng, lat = from_wgs84(113.08, 23.0, "gcj02")
    assert 0.004 < lng - 113.08 < 0.007
    assert -0.004 < lat - 23.0 < -0.001


@pytest.mark.parametrize(
    "name,lng,lat,expected",
    [
        ("Chancheng", 113.1, 23.0, True),
        ("Beijing", 116.4, 39.9, True),
        ("Urumqi", 87.6, 43.8, True),
        ("Hong Kong", 114.17, 22.30, False),
        ("Macau", 113.55, 22.19, False),
        ("Taipei", 121.5, 25.03, False),
        ("Hanoi", 105.85, 21.03, False),
        ("Seoul", 126.98, 37.56, False),
        ("Ulaanbaatar", 106.9, 47.9, False),
        ("Tokyo", 139.7, 35.7, False),
    ],
)
def test_in_china_is_not_a_rectangle(name, lng, lat, expected):
    assert bool(in_china(lng, lat)) is expected, name


def test_outside_china_is_not_shifted():
    assert from_wgs84(114.17, 22.30, "gcj02") == (114.17, 22.30)
    assert to_wgs84(126.98, 37.56, "gcj02") == (126.98, 37.56)


def test_cgcs2000_is_identity():
    assert to_wgs84(113.1, 23.0, "cgcs2000") == (113.1, 23.0)


@pytest.mark.parametrize(
    "text,datum",
    [
        ("WGS-84", Datum.WGS84),
        ("gcj02", Datum.GCJ02),
        ("GCJ-02", Datum.GCJ02),
        ("高德", Datum.GCJ02),
        ("百度坐标", Datum.BD09),
        ("BD-09", Datum.BD09),
        ("国家2000", Datum.CGCS2000),
        ("EPSG:4490", Datum.CGCS2000),
    ],
)
def test_parse_datum_accepts_common_names(text, datum):
    assert parse_datum(text) is datum


@pytest.mark.parametrize("text", ["mercator", "mars2000", "epsg:3857"])
def test_parse_datum_rejects_unknown(text):
    with pytest.raises(InvalidInputError, match="wgs84, cgcs2000, gcj02, bd09"):
        parse_datum(text)


def test_arrays_with_nan_stay_nan():
    lng, lat = to_wgs84(np.array([113.1, np.nan]), np.array([23.0, np.nan]), "gcj02")
    assert np.isnan(lng[1]) and np.isnan(lat[1]) and np.isfinite(lng[0])
