"""Issue 15, boundaries: coordinates that cannot be lon/lat, GBK text that is not
clean. Each example is a test with its right value; the kinds are table-driven or
property-based."""

import json

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from gridwatch.errors import InvalidInputError
from gridwatch.grids.boundaries import read_boundaries
from gridwatch.grids.dbftext import codec_of_cpg, decode_values
from gridwatch.grids.plausible import guess_projected
from tests.dbf_bytes import gbk_shapefile

#: The issue's example: a town ring in metres (EPSG:4547) in a GeoJSON with no crs.
METRES_RING = box(400564, 2547055, 404693, 2551511)


def _geojson(path, geom, props=None, crs=None):
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": props or {"code": "440604011",
                                                   "name": "张槎街道"},
        "geometry": shapely.geometry.mapping(geom)}]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_metres_in_a_geojson_without_crs_are_refused_with_the_fix(tmp_path):
    path = _geojson(tmp_path / "towns.geojson", METRES_RING)
    with pytest.raises(InvalidInputError) as err:
        read_boundaries(path, "town")
    msg = err.value.user_msg
    assert "400564" in msg and "cannot be longitude/latitude" in msg
    assert "EPSG:4547" in msg and "GeoJSON" in msg
    assert err.value.details["hint"] == "--crs EPSG:4547"


def test_metres_read_with_the_suggested_crs_land_in_zhangcha(tmp_path):
    path = _geojson(tmp_path / "towns.geojson", METRES_RING)
    frame, _ = read_boundaries(path, "town", crs="EPSG:4547")
    c = frame.geometry.iloc[0].centroid
    assert 113.0 < c.x < 113.1 and 23.0 < c.y < 23.1


@pytest.mark.parametrize("geom, crs, words", [
    (METRES_RING, None, "cannot be longitude/latitude"),
    # lon/lat, but in Europe: not a Chinese district
    (box(2.30, 48.80, 2.40, 48.90), None, "outside China"),
    # metres read as degrees because the user named the wrong datum
    (METRES_RING, "wgs84", "cannot be longitude/latitude"),
    # a real projected CRS declared, but the numbers are lon/lat
    (box(113.08, 23.04, 113.09, 23.05), "EPSG:4547", "outside China"),
    # latitude first: the axes are swapped
    (box(23.04, 113.08, 23.05, 113.09), None, "axes are swapped"),
])
def test_implausible_coordinates_are_refused(tmp_path, geom, crs, words):
    path = _geojson(tmp_path / "t.geojson", geom)
    with pytest.raises(InvalidInputError, match=words):
        read_boundaries(path, "town", crs=crs)


def test_guess_projected_uses_the_district_to_choose_the_zone():
    near = box(112.97, 22.92, 113.17, 23.07)  # about 禅城区
    got = guess_projected([METRES_RING], near=near, metric_crs="EPSG:4326")
    assert [g["crs"] for g in got] == ["EPSG:4547"]  # only CM 114E lands there
    zoned = shapely.affinity.translate(METRES_RING, xoff=38_000_000)  # zone 38
    assert guess_projected([zoned])[0]["crs"] == "EPSG:4526"


def test_gbk_field_cut_in_half_keeps_intact_names_and_reports_the_cut(tmp_path):
    # "石湾镇街道" is 10 GBK bytes; a 9-byte field keeps half of 道
    shp = gbk_shapefile(tmp_path, ["石湾镇街道", "张槎街道"],
                        ["440604010", "440604011"], name_width=9)
    frame, notes = read_boundaries(shp, "town")
    assert frame["name"].tolist() == ["石湾镇街", "张槎街道"]
    assert not any("Ê" in n for n in frame["name"])
    assert any("half a character" in n and "NAME row 1" in n for n in notes)
    assert any("GB18030" in n for n in notes)


def test_cpg_saying_utf8_over_gbk_bytes_is_read_as_gbk_and_said(tmp_path):
    shp = gbk_shapefile(tmp_path, ["石湾镇街道", "张槎街道"],
                        ["440604010", "440604011"], cpg="UTF-8")
    frame, notes = read_boundaries(shp, "town")
    assert frame["name"].tolist() == ["石湾镇街道", "张槎街道"]
    assert any("says utf-8" in n for n in notes)


def test_cpg_utf8_over_gbk_with_a_cut_name_in_a_zip(tmp_path):
    import zipfile

    shp = gbk_shapefile(tmp_path / "x", ["石湾镇街道", "张槎街道"],
                        ["440604010", "440604011"], name_width=9, cpg="UTF-8")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zf.write(shp.with_suffix(ext), f"t/towns{ext}")
    frame, _ = read_boundaries(archive, "town")
    assert frame["name"].tolist() == ["石湾镇街", "张槎街道"]


def test_text_in_no_known_encoding_is_refused_naming_the_file(tmp_path):
    shp = gbk_shapefile(tmp_path, ["甲", "乙"], ["440604010", "440604011"])
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    # 0x80 0x20 is neither UTF-8 nor GB18030, and not at the end of the value
    first = data.index("甲".encode("gbk"))
    dbf.write_bytes(data[:first] + b"\x80 A" + data[first + 3:])
    with pytest.raises(InvalidInputError, match="towns.shp.*neither UTF-8 nor GBK"):
        read_boundaries(shp, "town")


@pytest.mark.parametrize("cpg, codec", [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("65001", "utf-8"), ("GBK", "gb18030"),
    ("936", "gb18030"), ("CP936", "gb18030"), ("GB2312", "gb18030"),
    ("GB18030", "gb18030"), ("ISO-8859-1", "latin-1"), ("1252", "cp1252"),
    ("nonsense", None),
])
def test_codec_of_cpg(cpg, codec):
    assert codec_of_cpg(cpg) == codec


_HANZI = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                 min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(_HANZI, min_size=1, max_size=5), width=st.integers(1, 30),
       declared=st.sampled_from([None, "utf-8", "gb18030"]))
def test_decode_values_recovers_every_whole_character_of_a_cut_field(
        names, width, declared):
    raw = [n.encode("gb18030")[:width] for n in names]
    got = decode_values(raw, declared)
    for name, value, cut in zip(names, got.values, raw):
        assert name.startswith(value)  # never mojibake, never an invented char
        assert len(value.encode("gb18030")) >= len(cut) - 3  # at most one dropped
    assert {i for i, (n, v) in enumerate(zip(names, got.values))
            if len(v.encode("gb18030")) != len(raw[i])} == set(got.truncated)


def test_a_gbk_geojson_is_refused_naming_the_file(tmp_path):
    # RFC 7946: GeoJSON is UTF-8; a GBK one is refused with the fix, not a traceback
    path = _geojson(tmp_path / "gbk.geojson", box(113.08, 23.04, 113.09, 23.05))
    path.write_bytes(path.read_text("utf-8").encode("gbk"))
    with pytest.raises(InvalidInputError, match="gbk.geojson.*save it as UTF-8"):
        read_boundaries(path, "town")


def test_a_utf8_cpg_over_gbk_bytes_that_happen_to_be_valid_utf8():
    # 一 in GBK is D2 BB, which is also UTF-8 for the Cyrillic һ: a .cpg that says
    # UTF-8 over GBK text must not turn a town's name into Cyrillic
    got = decode_values(["一".encode("gbk"), "张槎".encode("gbk")[:2]], "utf-8")
    assert got.values == ["一", "张"] and got.codec == "gb18030"
