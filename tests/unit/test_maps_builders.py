"""Map builders: offline pages, compact point data, escaping, datum shift, legends."""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analytics import (
    aggregate_hazards,
    count_open_hazards,
    emerging_hotspots,
    enterprise_points,
    enterprise_status,
    getis_ord,
    grid_coverage,
    hazard_points,
)
from gridwatch.crs import from_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.maps import (
    coverage_map,
    grids_map,
    hotspot_map,
    render_html,
    resolve_tiles,
    save_map,
)
from gridwatch.maps.layers import PointsLayer, PolygonLayer, unpack

XSS = "<img src=x onerror=alert(1)>"
REMOTE = re.compile(r'<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?//')
DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}


@pytest.fixture(scope="module")
def district():
    towns = gpd.GeoDataFrame({"code": ["440604001"], "name": ["祖庙街道"]},
                             geometry=[box(113.0, 23.0, 113.03, 23.03)], crs=4326)
    comms = gpd.GeoDataFrame({"code": ["440604001001"], "name": ["某社区"],
                              "parent_code": ["440604001"]},
                             geometry=[box(113.0, 23.0, 113.03, 23.03)], crs=4326)
    grids = gpd.GeoDataFrame(
        {"code": [f"440604001001{k:03d}" for k in range(1, 10)],
         "parent_code": "440604001001", "warden": ["张三", XSS] + ["李四"] * 7,
         "workload": np.arange(9.0)},
        geometry=[box(113.0 + i * 0.01, 23.0 + j * 0.01, 113.01 + i * 0.01,
                      23.01 + j * 0.01) for j in range(3) for i in range(3)],
        crs=4326)
    ents = gpd.GeoDataFrame({
        "uscc": [f"91440604MA{k:08d}" for k in range(5)],
        "name": ["甲公司", XSS, "丙公司", "丁公司", "无坐标公司"],
        "sector": ["ceramics", "furniture", "hazchem", "nonsense", "other"],
        "risk_level": ["red", "orange", "yellow", "blue", "blue"],
        "grid_code": [grids["code"][k] for k in (0, 0, 4, 8, 8)]},
        geometry=[Point(113.005, 23.005), Point(113.006, 23.004),
                  Point(113.015, 23.015), Point(113.025, 23.025), None], crs=4326)
    insp = pd.DataFrame({"uscc": [ents["uscc"][0], ents["uscc"][2]],
                         "inspected_on": ["2024-03-20", "2023-06-01"]})
    hz = pd.DataFrame({"uscc": [ents["uscc"][0], ents["uscc"][1]] * 2,
                       "level": ["ordinary", "major", "ordinary", "ordinary"],
                       "status": ["open", "open", "closed", "overdue"]})
    st = enterprise_status(ents, insp, "2024-01-01", "2024-03-31", DUE)
    oh = count_open_hazards(hz)
    return {"towns": towns, "comms": comms, "grids": grids, "ents": ents, "hz": hz,
            "gc": grid_coverage(grids, st, oh), "pts": enterprise_points(ents, st, oh)}


def _cov(d, **kw):
    return coverage_map(d["gc"], d["pts"], d["towns"], d["comms"], **kw)


def _points(fmap):
    return next(unpack(c.blob) for c in fmap._children.values()
                if isinstance(c, PointsLayer))


def _legend(fmap):
    return next(c.html for c in fmap._children.values()
                if type(c).__name__ == "Legend")


def test_coverage_map_page_loads_nothing_remote(district):
    page = render_html(_cov(district))
    assert not REMOTE.search(page)
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg"):
        assert cdn not in page
    assert "L.map(" in page and "gridwatch.PointsLayer" in page


def test_coverage_map_packs_every_located_enterprise(district):
    data = _points(_cov(district))
    assert len(data["dlat"]) == 4  # the fifth has no coordinates
    lat = data["lat0"] + np.cumsum(data["dlat"]) / data["scale"]
    lng = data["lng0"] + np.cumsum(data["dlng"]) / data["scale"]
    names = data["name"].split("\n")
    k = names.index("甲公司")
    assert (lat[k], lng[k]) == pytest.approx((23.005, 113.005), abs=1e-5)
    assert data["uscc"].split("\n")[k] == "91440604MA00000000"
    assert data["statuses"][int(data["st"][k])] == "按期"
    assert data["haz"][names.index(XSS)] == 2  # open major + overdue ordinary


def test_coverage_map_unknown_sector_falls_back_to_other(district):
    data = _points(_cov(district))
    k = data["name"].split("\n").index("丁公司")
    assert data["sectors"][ord(data["sec"][k]) - 48] == "其他"


def test_coverage_map_last_inspection_days_decode(district):
    data = _points(_cov(district))
    k = data["name"].split("\n").index("甲公司")
    base = dt.date.fromisoformat(data["base"])
    assert base + dt.timedelta(days=data["last"][k]) == dt.date(2024, 3, 20)
    assert data["last"][data["name"].split("\n").index("丁公司")] == -1


def test_coverage_map_user_text_never_reaches_html_raw(district):
    page = render_html(_cov(district))
    assert "src=x" not in page and "alert(1)" not in page  # only inside the blob


def test_coverage_map_grid_tooltips_carry_fields(district):
    layer = next(c for c in _cov(district)._children.values()
                 if isinstance(c, PolygonLayer) and c.layer_name == "网格覆盖率")
    feats = unpack(layer.blob)["features"]
    first = next(f for f in feats if f["properties"]["code"].endswith("001"))
    assert first["properties"]["n"] == 2
    assert first["properties"]["open_hazards"] == 3
    assert first["properties"]["_c"].startswith("#")
    empty = next(f for f in feats if f["properties"]["code"].endswith("002"))
    assert empty["properties"]["_c"] is None  # no enterprise: no fill
    assert [lbl for lbl, _ in layer.options["fields"]][:2] == ["网格编码", "网格员"]


def test_coverage_map_amap_shifts_layers_and_says_datum(district):
    fmap = _cov(district, tiles="amap")
    data = _points(fmap)
    k = data["name"].split("\n").index("甲公司")
    lng = data["lng0"] + np.cumsum(data["dlng"])[k] / data["scale"]
    lat = data["lat0"] + np.cumsum(data["dlat"])[k] / data["scale"]
    glng, glat = from_wgs84(113.005, 23.005, "gcj02")
    assert (lng, lat) == pytest.approx((glng, glat), abs=2e-5)
    assert abs(lng - 113.005) > 1e-3  # about 500 m in Foshan
    assert "GCJ-02" in _legend(fmap) and "autonavi.com" in render_html(fmap)


def test_coverage_map_without_tiles_says_wgs84(district):
    assert "WGS-84（无在线底图" in _legend(_cov(district))


def test_coverage_map_names_missing_column(district):
    with pytest.raises(InvalidInputError, match="share_on_time"):
        coverage_map(district["grids"], district["pts"])


def test_coverage_map_rejects_frame_without_crs(district):
    gc = district["gc"].set_crs(None, allow_override=True)
    with pytest.raises(InvalidInputError, match="no CRS"):
        coverage_map(gc, district["pts"])


def test_save_map_writes_self_contained_file(district, tmp_path):
    path = save_map(_cov(district), tmp_path / "cov.html")
    text = path.read_text("utf-8")
    assert path.exists() and "<script src=" not in text
    assert 'rel="stylesheet"' not in text


def test_resolve_tiles_presets_and_templates():
    assert resolve_tiles("none")[0] is None
    assert resolve_tiles("amap")[2].value == "gcj02"
    assert resolve_tiles("osm")[2].value == "wgs84"
    url = "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
    assert resolve_tiles(url)[:1] == (url,) and resolve_tiles(url)[2].value == "wgs84"
    assert resolve_tiles(url, tiles_datum="gcj02")[2].value == "gcj02"


def test_resolve_tiles_rejects_unknown():
    with pytest.raises(InvalidInputError, match="tiles"):
        resolve_tiles("google")


def _hot(district):
    cells = aggregate_hazards(district["hz"], district["ents"], district["grids"])
    return getis_ord(cells, permutations=99)


def test_hotspot_map_legend_states_unit_and_heat_caveat(district):
    cells = _hot(district)
    heat = hazard_points(district["hz"], district["ents"])
    fmap = hotspot_map(cells, tiles="none", heat=heat, towns=district["towns"])
    page = render_html(fmap)
    assert "H3 六边形" in _legend(fmap)  # 9 grids are too few for the grid unit
    assert "不是显著性检验" in _legend(fmap)
    assert "L.heatLayer" in page and "simpleheat" in page  # vendored, inlined
    assert not REMOTE.search(page)


def test_hotspot_map_heat_true_uses_cell_centres(district):
    cells = _hot(district)
    fmap = hotspot_map(cells, heat=True)
    heat = [c for c in fmap._children.values() if type(c).__name__ == "HeatMap"]
    assert len(heat) == 1 and len(heat[0].data) == (cells["weight"] > 0).sum()
    assert "不是显著性检验" in _legend(fmap)


def test_hotspot_map_legend_names_the_tested_value(district):
    cells = aggregate_hazards(district["hz"], district["ents"], district["grids"])
    rate = hotspot_map(getis_ord(cells, "rate", permutations=99))
    assert "隐患率" in _legend(rate)
    assert "隐患率" not in _legend(hotspot_map(getis_ord(cells, permutations=99)))


def test_hotspot_map_without_heat_has_no_caveat(district):
    fmap = hotspot_map(_hot(district))
    assert "不是显著性检验" not in _legend(fmap)


def test_coverage_map_flattens_line_breaks_in_names(district):
    pts = district["pts"].copy()
    pts.loc[0, "name"] = "甲\n公司"
    data = _points(coverage_map(district["gc"], pts))
    names = data["name"].split("\n")
    assert len(names) == 4 and "甲 公司" in names


def test_hotspot_map_trend_layer_is_added(district):
    cells = _hot(district)
    monthly = pd.DataFrame({"cell_id": list(cells["cell_id"]) * 2,
                            "month": [1] * len(cells) + [2] * len(cells),
                            "gi_z": 0.0, "label": "not_significant"})
    fmap = hotspot_map(cells, trend=emerging_hotspots(monthly))
    names = [c.layer_name for c in fmap._children.values()
             if isinstance(c, PolygonLayer)]
    assert "热点趋势（按月）" in names


def test_grids_map_colours_by_workload_and_escapes_warden(district):
    fmap = grids_map(district["grids"], district["towns"], district["comms"])
    layer = next(c for c in fmap._children.values()
                 if isinstance(c, PolygonLayer) and c.layer_name == "网格")
    wardens = {f["properties"]["warden"] for f in unpack(layer.blob)["features"]}
    assert XSS in wardens  # kept as data, rendered with textContent in the browser
    assert "src=x" not in render_html(fmap)


def test_illustrative_boundaries_are_labelled_on_the_map():
    import geopandas as gpd
    from shapely.geometry import box

    from gridwatch.maps import grids_map, render_html

    grids = gpd.GeoDataFrame({"code": ["440604011001001"], "parent_code": ["440604011001"]},
                             geometry=[box(113.0, 23.0, 113.01, 23.01)], crs="EPSG:4326")
    towns = gpd.GeoDataFrame({"code": ["440604011"], "name": ["张槎街道"],
                              "is_illustrative": [True]},
                             geometry=[box(113.0, 23.0, 113.02, 23.02)], crs="EPSG:4326")
    mark = ("示意边界", "\\u793a\\u610f\\u8fb9\\u754c")  # as text or JSON-escaped
    html = render_html(grids_map(grids, towns=towns))
    assert any(m in html for m in mark)
    official = towns.assign(is_illustrative=False)
    assert not any(m in render_html(grids_map(grids, towns=official)) for m in mark)


def test_hotspot_map_legend_names_the_rate_measure_and_untested_cells(district):
    ins = pd.DataFrame({"uscc": district["ents"]["uscc"][:3],
                        "inspected_on": ["2024-03-01"] * 3})
    cells = aggregate_hazards(district["hz"], district["ents"], district["grids"],
                              measure="rate_per_inspected", inspections=ins)
    fmap = hotspot_map(getis_ord(cells, permutations=99))
    legend = _legend(fmap)
    assert "每家受检企业的加权隐患数" in legend and "经验贝叶斯" in legend
    assert "无受检企业" in legend
    layer = next(c for c in fmap._children.values() if isinstance(c, PolygonLayer))
    assert ["隐患率（平滑后）", "rate_txt"] in layer.options["fields"]
    counts = hotspot_map(getis_ord(aggregate_hazards(
        district["hz"], district["ents"], district["grids"]), permutations=99))
    assert "含企业密集的影响" in _legend(counts) and "受检企业" not in _legend(counts)
