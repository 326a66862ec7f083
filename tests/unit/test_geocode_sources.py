"""Reading a gazetteer from CSV and GeoJSON files."""

import json

import geopandas as gpd
import pytest
from shapely.geometry import box

from gridwatch.crs import from_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.geocode import Gazetteer, geocode
from gridwatch.geocode.sources import read_gazetteer

CSV = """地址编码,镇街代码,村居代码,村居,路名,门牌号,地名,标准地址,经度,纬度,坐标系
a1,440604100,440604100201,吉利村,季华西路,11号,,南庄镇吉利村季华西路11号,{x1},{y1},{d1}
a2,440604100,440604100201,吉利村,季华西路,21号之一,吉利工业园,,113.01,23.02,wgs84
a3,440604100,440604100201,吉利村,季华西路,二十三号,,,113.011,23.02,wgs84
a4,440604100,440604100201,吉利村,季华西路,门口,,,113.012,23.02,wgs84
a5,440604100,440604100201,吉利村,季华西路,25,,,,,wgs84
"""


def _towns():
    return gpd.GeoDataFrame({"code": ["440604100"], "name": ["南庄镇"]},
                            geometry=[box(113.0, 23.0, 113.05, 23.05)], crs="EPSG:4326")


def _communities():
    return gpd.GeoDataFrame({"code": ["440604100201"], "name": ["吉利村村民委员会"],
                             "short_name": ["吉利村"], "parent_code": ["440604100"]},
                            geometry=[box(113.0, 23.0, 113.05, 23.05)], crs="EPSG:4326")


def _points_csv(tmp_path, encoding="utf-8"):
    x, y = from_wgs84(113.005, 23.021, "gcj02")
    path = tmp_path / "points.csv"
    path.write_bytes(CSV.format(x1=x, y1=y, d1="高德").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_read_gazetteer_csv_chinese_headers(tmp_path, encoding):
    points, roads = read_gazetteer(_points_csv(tmp_path, encoding))
    assert roads is None and list(points["addr_id"]) == ["a1", "a2", "a3"]
    assert list(points["door_no"]) == [11, 21, 23]
    assert list(points["door_suffix"]) == ["", "之一", ""]
    assert points.crs.to_epsg() == 4326


def test_read_gazetteer_converts_datum_once(tmp_path):
    points, _ = read_gazetteer(_points_csv(tmp_path))
    p = points.geometry.iloc[0]
    assert abs(p.x - 113.005) < 1e-6 and abs(p.y - 23.021) < 1e-6


def test_read_gazetteer_reports_dropped_rows(tmp_path):
    points, _ = read_gazetteer(_points_csv(tmp_path))
    rows = dict(points.attrs["rejects"])
    assert set(rows) == {5, 6} and "unreadable" in rows[5] and "coordinates" in rows[6]


def test_read_gazetteer_fills_standard_address(tmp_path):
    points, _ = read_gazetteer(_points_csv(tmp_path))
    assert points["standard_address"].iloc[1] == "吉利村季华西路21号之一"


def test_read_gazetteer_missing_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("编码,经度,纬度\na,113,23\n", "utf-8")
    with pytest.raises(InvalidInputError, match="road_name, door_no"):
        read_gazetteer(path)


def test_read_gazetteer_geojson_points_and_roads(tmp_path):
    pts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [113.01, 23.02]},
         "properties": {"路名": "季华西路", "门牌号": "11", "镇街": "南庄镇"}}]}
    roads = {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "geometry": {"type": "LineString", "coordinates": [[113.005, 23.02], [113.045, 23.02]]},
         "properties": {"路名": "季华西路", "镇街代码": "440604100", "起始门牌": 1,
                        "终止门牌": 199}}]}
    (tmp_path / "p.geojson").write_text(json.dumps(pts, ensure_ascii=False), "utf-8")
    (tmp_path / "r.geojson").write_text(json.dumps(roads, ensure_ascii=False), "utf-8")
    points, road_frame = read_gazetteer(tmp_path / "p.geojson", tmp_path / "r.geojson",
                                        towns=_towns(), communities=_communities())
    assert points["town_code"].iloc[0] == "440604100"
    assert points["community_code"].iloc[0] == "440604100201"
    assert road_frame[["name", "door_from", "door_to"]].values.tolist() == [
        ["季华西路", 1, 199]]
    gaz = Gazetteer.build(points, road_frame, _towns(), _communities())
    assert geocode("南庄镇季华西路11号", gaz).precision == "door"
    assert geocode("南庄镇季华西路101号", gaz).precision == "road"


def test_read_gazetteer_roads_csv_with_wkt(tmp_path):
    (tmp_path / "r.csv").write_text(
        "路名,镇街代码,起始门牌,终止门牌,wkt\n"
        "季华西路,440604100,1,199,\"LINESTRING (113.005 23.02, 113.045 23.02)\"\n", "utf-8")
    _, roads = read_gazetteer(_points_csv(tmp_path), tmp_path / "r.csv")
    assert roads.geometry.iloc[0].geom_type == "LineString" and roads.crs.to_epsg() == 4326


def test_read_gazetteer_unreadable_file(tmp_path):
    path = tmp_path / "p.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(InvalidInputError, match="not a readable"):
        read_gazetteer(path)
