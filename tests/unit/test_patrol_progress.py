"""Plan vs done matching, navigation links, the route GeoJSON (pure)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from gridwatch.crs import Datum, from_wgs84
from gridwatch.patrol.navigation import navigation_links
from gridwatch.patrol.progress import match_visits
from gridwatch.services.patrol.geo import route_geojson

D = dt.date


def _stops(rows):
    return pd.DataFrame(rows, columns=["stop_id", "enterprise_id", "day"])


def _done(rows):
    return pd.DataFrame(
        rows, columns=["inspection_id", "enterprise_id", "inspected_on", "inspector"]
    )


def test_match_visits_same_day_wins_over_order():
    stops = _stops([(1, 7, D(2026, 12, 1)), (2, 7, D(2026, 12, 8))])
    done = _done([(10, 7, D(2026, 12, 8), "w1")])
    out = match_visits(stops, done, today=D(2026, 12, 9))
    assert out["status"].tolist() == ["missed", "done"]
    assert out["inspection_id"].tolist() == [None, 10]


def test_match_visits_each_inspection_fulfils_one_stop():
    stops = _stops([(1, 7, D(2026, 12, 1)), (2, 7, D(2026, 12, 8))])
    done = _done([(10, 7, D(2026, 12, 3), "w1")])
    out = match_visits(stops, done, today=D(2026, 12, 4))
    assert out["status"].tolist() == ["done_other_day", "pending"]


def test_match_visits_today_is_pending_until_done_and_keeps_order():
    stops = _stops([(5, 9, D(2026, 12, 2)), (3, 8, D(2026, 12, 1))])
    out = match_visits(stops, _done([]), today=D(2026, 12, 2))
    assert out["stop_id"].tolist() == [5, 3]
    assert out["status"].tolist() == ["pending", "missed"]


def test_match_visits_names_who_inspected():
    stops = _stops([(1, 7, D(2026, 12, 1))])
    out = match_visits(
        stops, _done([(10, 7, D(2026, 12, 1), "colleague")]), today=D(2026, 12, 1)
    )
    assert out["inspector"].iloc[0] == "colleague"


def test_match_visits_requires_its_columns():
    from gridwatch.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="inspected_on"):
        match_visits(
            _stops([]),
            pd.DataFrame({"inspection_id": [], "enterprise_id": []}),
            today=D(2026, 12, 1),
        )


def test_navigation_links_convert_each_datum_once():
    lng, lat = 113.1, 23.0
    links = navigation_links(lng, lat, "甲厂 A&B")
    gl, ga = from_wgs84(lng, lat, Datum.GCJ02)
    bl, ba = from_wgs84(lng, lat, Datum.BD09)
    assert links["geo"].startswith("geo:23.000000,113.100000?")
    amap = parse_qs(urlsplit(links["amap"]).query)
    assert amap["dev"] == ["0"] and amap["dname"] == ["甲厂 A&B"]
    assert float(amap["dlat"][0]) == pytest.approx(ga, abs=1e-6)
    assert float(amap["dlon"][0]) == pytest.approx(gl, abs=1e-6)
    baidu = parse_qs(urlsplit(links["baidu"]).query)
    assert baidu["coord_type"] == ["bd09ll"]
    dest = baidu["destination"][0]
    assert dest.startswith(f"latlng:{ba:.6f},{bl:.6f}|name:")
    # GCJ-02 and BD-09 differ from WGS-84 by hundreds of metres in Foshan
    assert abs(ga - lat) > 1e-3 and abs(bl - lng) > 1e-3


def test_route_geojson_closes_the_loop_and_skips_unplaced_stops():
    day = {
        "base": {"lng": 113.0, "lat": 23.0, "source": "grids"},
        "stops": [
            {
                "seq": 1,
                "lng": 113.01,
                "lat": 23.0,
                "name": "<b>x</b>",
                "risk_level": "red",
                "status": "pending",
            },
            {
                "seq": 2,
                "lng": None,
                "lat": None,
                "name": "no place",
                "risk_level": "blue",
                "status": "pending",
            },
        ],
    }
    fc = route_geojson(day)
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds == ["base", "stop", "route"]
    line = fc["features"][-1]["geometry"]["coordinates"]
    assert line[0] == line[-1] == [113.0, 23.0] and len(line) == 3
    assert fc["features"][1]["properties"]["name"] == "<b>x</b>"  # data, not HTML
