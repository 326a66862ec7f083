"""The hotspot map (Gi* cells, emerging trend, optional heat) and the grids map."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import HeatMap

from gridwatch.analytics.hotspots import LABELS, LABELS_ZH
from gridwatch.analytics.rates import MEASURE_LABELS, NO_DATA, SMOOTHING_LABELS
from gridwatch.analytics.trends import TRENDS, TRENDS_ZH
from gridwatch.crs import METRIC_CRS, WGS84, from_wgs84
from gridwatch.frames import reproject_to_wgs84, require_columns
from gridwatch.maps.assets import HEAT_JS, use_local_assets
from gridwatch.maps.base import (
    add_outlines,
    base_map,
    datum_note,
    escape,
    resolve_tiles,
)
from gridwatch.maps.layers import Legend, PolygonLayer, geojson_text, legend_rows

#: ArcGIS-style hot/cold colours in :data:`LABELS` order (hot 99 … cold 99).
LABEL_COLORS: dict[str, str | None] = dict(zip(LABELS, (
    "#d62f27", "#ed7551", "#fab984", None, "#a9c8e0", "#6d9dc7", "#4575b5")))
LABEL_COLORS[NO_DATA] = "#d9d9d9"  # no inspected enterprise: not tested (rates)
TREND_COLORS: dict[str, str | None] = dict(zip(TRENDS, (
    "#fd8d3c", "#99000d", "#de2d26", "#fcae91", "#fdd49e", "#bdbdbd", None)))
#: ColorBrewer "Purples" (5 classes) for grid workload quintiles.
WORKLOAD_COLORS: tuple[str, ...] = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1",
                                    "#54278f")


def _fmt(values, spec):
    return [format(v, spec) if pd.notna(v) and np.isfinite(v) else None
            for v in values]


def _cell_layer(cells, datum) -> PolygonLayer:
    c = cells.copy()
    c["label_zh"] = c["label"].map(LABELS_ZH)
    c["z_txt"], c["p_txt"] = _fmt(c["gi_z"], ".2f"), _fmt(c["p_sim"], ".3f")
    c["weight_txt"] = _fmt(c["weight"], ".0f")
    fields = [["结果", "label_zh"], ["Gi* z 值", "z_txt"], ["伪 p 值", "p_txt"],
              ["隐患数", "n_hazards"], ["其中重大隐患", "n_major"],
              ["加权隐患", "weight_txt"], ["企业数", "n_enterprises"]]
    props = ["cell_id", "label_zh", "z_txt", "p_txt", "n_hazards", "n_major",
             "weight_txt", "n_enterprises"]
    if "rate_smoothed" in c:  # a rate measure: show the rate behind the test
        c["rate_txt"], c["raw_txt"] = (_fmt(c["rate_smoothed"], ".2f"),
                                       _fmt(c["raw_rate"], ".2f"))
        fields += [["受检企业数", "n_inspected"], ["检查次数", "n_inspections"],
                   ["隐患率（平滑后）", "rate_txt"], ["隐患率（原始）", "raw_txt"]]
        props += ["n_inspected", "n_inspections", "rate_txt", "raw_txt"]
    colors = [LABEL_COLORS.get(v) for v in c["label"]]
    return PolygonLayer(geojson_text(c, props, datum, colors), "热点/冷点 (Gi*)",
                        fields=fields, title_field="cell_id", color="#8c8c8c",
                        weight=0.5, fill_opacity=0.7)


def _trend_layer(cells, trend, datum) -> PolygonLayer:
    t = cells[["cell_id", "geometry"]].merge(
        trend[["trend", "n_hot_months", "n_months"]], left_on="cell_id",
        right_index=True, how="left")
    t["trend"] = t["trend"].fillna("none")
    t["trend_zh"] = t["trend"].map(TRENDS_ZH)
    t["hot_txt"] = [f"{int(h)}/{int(n)}" if pd.notna(n) else None
                    for h, n in zip(t["n_hot_months"], t["n_months"])]
    colors = [TREND_COLORS.get(v) for v in t["trend"]]
    return PolygonLayer(geojson_text(t, ["cell_id", "trend_zh", "hot_txt"], datum,
                                     colors),
                        "热点趋势（按月）", fields=[["趋势", "trend_zh"],
                                              ["热点月数", "hot_txt"]],
                        title_field="cell_id", color="#8c8c8c", weight=0.5,
                        fill_opacity=0.75, show=False)


def _heat_layer(heat, datum):
    pts = reproject_to_wgs84(heat, "heat")
    lng, lat = from_wgs84(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy(), datum)
    w = pts["weight"].to_numpy(float) if "weight" in pts else np.ones(len(pts))
    data = np.column_stack([np.round(lat, 5), np.round(lng, 5), w]).tolist()
    layer = HeatMap(data, name="隐患密度（示意）", radius=18, blur=14,
                    min_opacity=0.3, show=False)
    use_local_assets(layer, HEAT_JS)
    return layer


def _measure_text(attrs) -> str:
    """What Gi* analysed, in Chinese: count, rate per enterprise, smoothed rate."""
    if attrs.get("value_col") == "rate":
        return "每家企业的加权隐患数（隐患率）"
    measure = attrs.get("measure", "count")
    if attrs.get("value_col") != "rate_smoothed" or measure not in MEASURE_LABELS:
        return MEASURE_LABELS["count"]
    text = MEASURE_LABELS[measure]
    smoothing = SMOOTHING_LABELS.get(attrs.get("smoothing", ""), "")
    if smoothing:
        text += f"；{smoothing}"
    if attrs.get("smoothing_note"):
        text += f"；{attrs['smoothing_note']}"
    if attrs.get("n_no_exposure"):
        text += f"；{attrs['n_no_exposure']} 个单元无受检企业，未参与检验"
    return escape(text)


def _hotspot_legend(cells, trend, heat, datum, has_tiles) -> str:
    a = cells.attrs
    keys = list(LABELS)
    if "label" in cells and (cells["label"] == NO_DATA).any():
        keys.append(NO_DATA)
    labels = [(LABEL_COLORS[k] or "#ffffff00", LABELS_ZH[k]) for k in keys]
    text = "<h4>隐患热点（Getis-Ord Gi*）</h4>" + legend_rows(labels)
    unit = a.get("unit_reason") or ("网格" if a.get("unit") == "grid" else "H3 六边形")
    w = a.get("weights") or {}
    wtxt = "，".join(f"{'重大' if k == 'major' else '一般'}隐患×{v:g}"
                    for k, v in w.items())
    perms = a.get("permutations", 999)
    fdr = "经错误发现率（FDR）校正" if a.get("fdr", True) else "未做多重检验校正"
    value = _measure_text(a)
    text += (f'<div class="gw-note">统计单元：{escape(unit)}</div>'
             f'<div class="gw-note">分析指标：{value}</div>'
             f'<div class="gw-note">权重：{escape(wtxt)}；{perms} 次置换检验，'
             f"{fdr}</div>")
    if trend is not None:
        rows = [(TREND_COLORS[k] or "#ffffff00", TRENDS_ZH[k]) for k in TRENDS]
        text += "<h4>热点趋势（图层可切换）</h4>" + legend_rows(rows)
    if heat is not None:
        text += ('<div class="gw-warn">隐患密度热力图仅为核密度示意，'
                 "不是显著性检验，不能据此判断热点。</div>")
    return text + f'<div class="gw-note">{escape(datum_note(datum, has_tiles))}</div>'


def hotspot_map(cells, trend=None, tiles="none", heat=False, *, towns=None,
                communities=None, title="安全隐患热点分析", subtitle="",
                tiles_datum=None):
    """Hotspot map: Gi* hot/cold cells, optional trend layer and heat picture.

    Parameters
    ----------
    cells : GeoDataFrame
        :func:`gridwatch.analytics.getis_ord` output (``cell_id``, ``label``,
        ``gi_z``, ``p_sim``, ``n_hazards``, ``n_major``, ``weight``,
        ``n_enterprises``); its ``attrs`` (unit, weights, FDR) feed the legend.
    trend : DataFrame, optional
        :func:`gridwatch.analytics.emerging_hotspots` output, indexed by cell_id;
        drawn as a layer that is off at first.
    tiles : str, default "none"
    heat : bool or GeoDataFrame, default False
        A kernel-density picture, off at first; the legend says it is not a
        significance test. A GeoDataFrame of points with ``weight``
        (:func:`gridwatch.analytics.hazard_points`) is drawn as given; ``True``
        uses each cell's centre weighted by its ``weight``.
    towns, communities : GeoDataFrame, optional
    title, subtitle : str
    tiles_datum : str, optional

    Returns
    -------
    folium.Map
    """
    require_columns(cells, ["cell_id", "label", "gi_z", "p_sim", "n_hazards", "n_major",
                          "weight", "n_enterprises", "geometry"], "cells")
    attrs = dict(cells.attrs)
    cells = reproject_to_wgs84(cells, "cells")
    cells.attrs = attrs
    towns = reproject_to_wgs84(towns, "towns")
    fmap, datum = base_map([towns, cells], tiles, tiles_datum, title, subtitle)
    _cell_layer(cells, datum).add_to(fmap)
    if trend is not None:
        _trend_layer(cells, trend, datum).add_to(fmap)
    if heat is True:
        metric_crs = cells.attrs.get("metric_crs", METRIC_CRS)
        centres = cells.to_crs(metric_crs).geometry.centroid.to_crs(WGS84)
        heat = gpd.GeoDataFrame({"weight": cells["weight"].to_numpy(float)},
                                geometry=centres.to_numpy(), crs=WGS84)
        heat = heat[heat["weight"] > 0]
    if heat is False or heat is None or not len(heat):
        heat = None
    else:
        _heat_layer(heat, datum).add_to(fmap)
    add_outlines(fmap, towns, communities, datum)
    has_tiles = resolve_tiles(tiles, tiles_datum)[0] is not None
    Legend(_hotspot_legend(cells, trend, heat, datum, has_tiles)).add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    return fmap


BALANCE_BREAKS = [-0.10, -0.05, 0.05, 0.10]
BALANCE_COLORS = ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"]
BALANCE_LABELS = ["低于平均 10% 以上", "低 5%–10%", "±5% 以内", "高 5%–10%",
                  "高于平均 10% 以上"]


#: What the grids' parent units are called, by the length of their code.
UNIT_LABELS = {12: "村/社区", 9: "镇/街道", 6: "区"}


def unit_label(parent_codes) -> str:
    """The Chinese name of the level the grids were built in (村/社区, 镇/街道, 区;
    joined with 、 when a version mixes levels).

    >>> unit_label(["440604011001"]), unit_label(["440604011", "440604"])
    ('村/社区', '镇/街道、区')
    """
    lengths = {len(str(c)) for c in parent_codes if pd.notna(c)}
    names = [UNIT_LABELS[n] for n in (12, 9, 6) if n in lengths]
    return "、".join(names) or "村/社区"


def grids_map(grids, towns=None, communities=None, tiles="none", *,
              title="网格划分", subtitle="", tiles_datum=None):
    """Grid layout: each grid coloured by its workload against its community's mean.

    Parameters
    ----------
    grids : GeoDataFrame
        ``code``, ``geometry``; optional ``warden``, ``workload``,
        ``parent_code``, ``n`` (enterprises).
    towns, communities : GeoDataFrame, optional
    tiles, title, subtitle, tiles_datum
        As in :func:`hotspot_map`.

    Returns
    -------
    folium.Map
    """
    require_columns(grids, ["code", "geometry"], "grids")
    g = reproject_to_wgs84(grids, "grids").copy()
    towns = reproject_to_wgs84(towns, "towns")
    fmap, datum = base_map([towns, g], tiles, tiles_datum, title, subtitle)
    for col in ("warden", "workload", "parent_code", "n"):
        if col not in g:
            g[col] = None
    work = pd.to_numeric(g["workload"], errors="coerce")
    if work.notna().sum() >= 2 and work.nunique() > 1:
        # balance is what a street office checks: each grid against the mean of its
        # own community (the unit it was balanced within), not against the district
        group = g["parent_code"].fillna("") if g["parent_code"].notna().any() \
            else pd.Series("", index=g.index)
        rel = work / work.groupby(group).transform("mean") - 1.0
        cls = np.digitize(rel.fillna(0).to_numpy(), BALANCE_BREAKS)
        colors = [BALANCE_COLORS[c] if pd.notna(v) else None for c, v in zip(cls, work)]
        rows = legend_rows(list(zip(BALANCE_COLORS, BALANCE_LABELS)))
        heading = f"网格工作量（相对所在{unit_label(g['parent_code'])}平均）"
    else:
        colors, rows = ["#9e9ac8"] * len(g), legend_rows([("#9e9ac8", "网格")])
        heading = "网格"
    g["workload_txt"] = _fmt(work, ".1f")
    fields = [["网格员", "warden"], ["工作量", "workload_txt"], ["企业数", "n"],
              [f"所属{unit_label(g['parent_code'])}", "parent_code"]]
    PolygonLayer(geojson_text(g, ["code", "warden", "workload_txt", "n", "parent_code"],
                              datum, colors), "网格", fields=fields,
                 title_field="code", color="#3f3f3f", weight=0.7,
                 fill_opacity=0.55).add_to(fmap)
    add_outlines(fmap, towns, communities, datum)
    has_tiles = resolve_tiles(tiles, tiles_datum)[0] is not None
    text = (f"<h4>{heading}</h4>{rows}"
            f'<div class="gw-note">网格 {len(g):,} 个，在'
            f"{escape(unit_label(g['parent_code']))}内划分</div>"
            f'<div class="gw-note">{escape(datum_note(datum, has_tiles))}</div>')
    Legend(text).add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    return fmap
