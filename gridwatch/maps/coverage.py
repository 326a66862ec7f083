"""The coverage map: grid choropleth of on-time inspection and every enterprise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import folium
import numpy as np
import pandas as pd
import shapely

from gridwatch.analytics.coverage import STATUS_LABELS, STATUSES
from gridwatch.errors import InvalidInputError
from gridwatch.frames import reproject_to_wgs84, require_columns
from gridwatch.maps.base import (
    add_outlines,
    base_map,
    datum_note,
    escape,
    resolve_tiles,
)
from gridwatch.maps.layers import (
    Legend,
    PointsLayer,
    PolygonLayer,
    geojson_text,
    legend_rows,
    point_payload,
)
from gridwatch.maps.precision import (
    IMPRECISE,
    IMPRECISE_LABELS,
    imprecision,
    stack_ranks,
)
from gridwatch.vocab import RISK_LEVELS, SECTORS

#: Class breaks of the on-time share (fixed, so maps of different towns and
#: periods compare): < 50 %, 50-70 %, 70-85 %, 85-95 %, >= 95 %.
SHARE_BREAKS: tuple[float, ...] = (0.5, 0.7, 0.85, 0.95)
#: ColorBrewer "Blues" (5 classes): light = low coverage, dark = high. Blue keeps
#: the choropleth apart from the red/orange/green/purple status points.
SHARE_COLORS: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
SHARE_LABELS: tuple[str, ...] = ("低于 50%", "50%–70%", "70%–85%", "85%–95%",
                                 "95% 及以上")
NO_ENTERPRISE = "无企业"
#: Status colours in :data:`STATUSES` order (on time, due soon, overdue, never).
STATUS_COLORS: tuple[str, ...] = ("#1a9850", "#f39c12", "#d73027", "#6a3d9a")
#: Draw order: urgent statuses last, i.e. on top.
STATUS_DRAW_ORDER: tuple[int, ...] = (0, 1, 3, 2)
_BASE_DATE = dt.date(2000, 1, 1)


def share_colors(shares) -> list:
    """Fill colour per share (None where the grid has no enterprise)."""
    s = pd.Series(shares, dtype=float).to_numpy()
    idx = np.digitize(np.nan_to_num(s, nan=0.0), SHARE_BREAKS)
    return [None if np.isnan(v) else SHARE_COLORS[i] for v, i in zip(s, idx)]


def _grid_layer(grids_cov, datum) -> PolygonLayer:
    g = grids_cov.copy()
    share = g["share_on_time"].astype(float)
    g["on_time_txt"] = [f"{o}（{s:.0%}）" if np.isfinite(s) else "—"
                        for o, s in zip(g["on_time"], share)]
    g["warden_txt"] = g.get("warden", None)
    props = ["code", "warden_txt", "n", "on_time_txt", "overdue", "open_hazards"]
    fields = [["网格编码", "code"], ["网格员", "warden_txt"], ["企业数", "n"],
              ["按期检查", "on_time_txt"], ["逾期未检", "overdue"],
              ["未整改隐患", "open_hazards"]]
    return PolygonLayer(geojson_text(g, props, datum, share_colors(share)),
                        "网格覆盖率", fields=fields, title_field="code",
                        color="#4d4d4d", weight=0.6, fill_opacity=0.65)


def _codes(values: pd.Series, keys: list[str], default: str) -> np.ndarray:
    """Category index per row (unknown values get ``default``'s index)."""
    idx = pd.Index(keys).get_indexer(values).astype(np.int64)
    idx[idx < 0] = keys.index(default)
    return idx


def _chars(idx: np.ndarray) -> str:
    """Small non-negative ints as one character each ('0' + i), JSON-safe below 44."""
    if len(idx) and idx.max() >= 44:  # chr(48 + 44) is a backslash
        raise ValueError("too many categories for one-character codes")
    return (idx.astype(np.uint8) + 48).tobytes().decode("ascii")


def _text_column(values: pd.Series) -> str:
    """Strings joined by newlines (missing → empty; inner line breaks → spaces)."""
    arr = values.to_numpy(dtype=object, na_value="")
    text = "\n".join(map(str, arr.tolist()))
    if "\r" in text or text.count("\n") != max(len(arr) - 1, 0):
        text = "\n".join(" ".join(str(v).splitlines()) for v in arr.tolist())
    return text


def _precision_payload(pts, towns, communities) -> dict:
    """``imp`` (0 precise, 1.. IMPRECISE), ``ring`` metres and stack rank ``k``;
    only the keys that carry something (old pages and peers stay as they were)."""
    levels, radius = imprecision(pts, towns, communities)
    ranks = stack_ranks(pts.geometry.to_numpy())
    out = {}
    if levels.any():
        out.update(imp=_chars(levels), ring=radius.tolist(),
                   imprecise=[IMPRECISE_LABELS[p] for p in IMPRECISE])
    if ranks.any():
        out["k"] = ranks.tolist()
    return out


def points_payload(points, datum, towns=None,
                   communities=None) -> tuple[dict, int, np.ndarray]:
    """Compact arrays for the enterprise layer; returns (payload, n_unlocated, counts).

    With a ``precision`` column, points placed no better than their village
    carry ``imp``/``ring`` (drawn hollow with a ring of the unit's size; the
    ring from ``towns``/``communities`` polygons when given); points sharing
    coordinates carry their rank ``k`` (spread apart when drawn).
    """
    geom = points.geometry
    located = ~(geom.isna() | geom.is_empty).to_numpy()
    pts = points.loc[located]
    payload = point_payload(shapely.get_x(pts.geometry.to_numpy()),
                            shapely.get_y(pts.geometry.to_numpy()), datum)
    order = payload.pop("_order")
    pts = pts.iloc[order]
    st = pd.Index(STATUSES).get_indexer(pts["status"])
    if (st < 0).any():
        bad = pts["status"].to_numpy()[st < 0][0]
        raise InvalidInputError(f"Unknown enterprise status {bad!r}; use {STATUSES}.")
    last = pd.to_datetime(pts["last_inspected_on"], errors="coerce").to_numpy()
    last = last.astype("datetime64[D]")
    last_days = (last - np.datetime64(_BASE_DATE, "D")).astype(np.int64)
    last_days[np.isnat(last)] = -1
    payload.update(
        st=_chars(st.astype(np.int64)),
        risk=_chars(_codes(pts["risk_level"], list(RISK_LEVELS), "blue")),
        sec=_chars(_codes(pts["sector"], list(SECTORS), "other")),
        last=last_days.tolist(), base=_BASE_DATE.isoformat(),
        haz=pts["open_hazards"].fillna(0).astype(int).tolist(),
        name=_text_column(pts["name"]), uscc=_text_column(pts["uscc"]),
        statuses=[STATUS_LABELS[s] for s in STATUSES],
        risks=list(RISK_LEVELS.values()), sectors=list(SECTORS.values()))
    payload.update(_precision_payload(pts, towns, communities))
    counts = np.bincount(st.astype(np.int64), minlength=len(STATUSES))
    return payload, int((~located).sum()), counts


def _precision_legend(payload) -> str:
    """Legend lines for hollow (imprecise) and spread (stacked) points."""
    text = ""
    if "imp" in payload:
        levels = np.frombuffer(payload["imp"].encode("ascii"), np.uint8) - 48
        counts = np.bincount(levels, minlength=len(IMPRECISE) + 1)[1:]
        parts = "、".join(f"{IMPRECISE_LABELS[p]} {int(c):,} 家"
                         for p, c in zip(IMPRECISE, counts) if c)
        text += ('<div class="gw-row"><span class="gw-dot gw-hollow"></span>'
                 f"空心圆：位置不确切（{escape(parts)}），虚线圈为可能范围，"
                 "需人工核实</div>")
    if "k" in payload:
        text += ('<div class="gw-note">同一位置的多家企业沿螺旋错开显示，'
                 "不会相互遮挡</div>")
    return text


def _legend(counts, n_unlocated, datum, has_tiles, period, due_days,
            payload=None) -> str:
    rows = legend_rows(list(zip(SHARE_COLORS, SHARE_LABELS)))
    rows += legend_rows([("#ffffff00", NO_ENTERPRISE)])
    boxes = "".join(
        f'<div class="gw-row"><label><input type="checkbox" checked '
        f'data-gw-layer="points" data-gw-status="{k}"> <span class="gw-dot" '
        f'style="background:{STATUS_COLORS[k]}"></span> {escape(STATUS_LABELS[s])}'
        f"（{int(counts[k]):,}）</label></div>" for k, s in enumerate(STATUSES))
    note = "覆盖率：统计期内始终在风险等级规定周期内接受检查的企业占比"
    if due_days:
        parts = "/".join(f"{RISK_LEVELS.get(k, k)[0]}{int(v)}天"
                         for k, v in due_days.items())
        note += f"（周期：{parts}）"
    text = f"<h4>网格检查覆盖率</h4>{rows}<h4>企业检查状态（点击圆点查看）</h4>{boxes}"
    text += _precision_legend(payload or {})
    if period:
        text += f'<div class="gw-note">统计期：{escape(period[0])} 至 {escape(period[1])}</div>'
    text += f'<div class="gw-note">{escape(note)}</div>'
    if n_unlocated:
        text += f'<div class="gw-note">{n_unlocated:,} 家企业无坐标，未在图上显示</div>'
    return text + f'<div class="gw-note">{escape(datum_note(datum, has_tiles))}</div>'


def coverage_map(grids_cov, enterprise_points, towns=None, communities=None,
                 tiles="none", title="安全生产检查覆盖率", *, tiles_datum=None,
                 period=None, due_days: Mapping[str, float] | None = None):
    """Coverage map: grid choropleth, outlines and every enterprise as a point.

    Parameters
    ----------
    grids_cov : GeoDataFrame
        :func:`gridwatch.analytics.grid_coverage` output (``code``, ``warden``,
        ``n``, ``on_time``, ``share_on_time``, ``overdue``, ``open_hazards``).
    enterprise_points : GeoDataFrame
        :func:`gridwatch.analytics.enterprise_points` output (``uscc``, ``name``,
        ``sector``, ``risk_level``, ``status``, ``last_inspected_on``,
        ``open_hazards``, Point geometry or None). Optional ``precision`` (with
        ``town_code``/``community_code``): enterprises placed only at their
        village, town or district are drawn hollow with a dashed ring of that
        unit's size; points sharing coordinates are spread so none is hidden.
    towns, communities : GeoDataFrame, optional
        Outlines (any CRS).
    tiles : str, default "none"
        ``none``, ``osm``, ``amap`` or a URL template (see
        :func:`gridwatch.maps.base.resolve_tiles`); a GCJ-02 basemap shifts every
        layer for display.
    title : str
    tiles_datum : str, optional
        Datum of a custom tile URL (wgs84 or gcj02).
    period : (date, date), optional
        Shown in the legend.
    due_days : mapping, optional
        Shown in the legend.

    Returns
    -------
    folium.Map
        Save with :func:`gridwatch.maps.save_map` (self-contained page).
    """
    require_columns(grids_cov, ["code", "n", "on_time", "share_on_time", "overdue",
                              "open_hazards", "geometry"], "grids_cov")
    require_columns(enterprise_points, ["uscc", "name", "sector", "risk_level", "status",
                                      "last_inspected_on", "open_hazards", "geometry"],
                  "enterprise_points")
    grids_cov = reproject_to_wgs84(grids_cov, "grids_cov")
    points = reproject_to_wgs84(enterprise_points, "enterprise_points")
    towns = reproject_to_wgs84(towns, "towns")
    sub = f"{period[0]} 至 {period[1]}" if period else ""
    fmap, datum = base_map([towns, grids_cov, points], tiles, tiles_datum, title, sub)
    _grid_layer(grids_cov, datum).add_to(fmap)
    add_outlines(fmap, towns, communities, datum)
    payload, n_unlocated, counts = points_payload(points, datum, towns, communities)
    PointsLayer(payload, "企业", list(STATUS_COLORS),
                list(STATUS_DRAW_ORDER)).add_to(fmap)
    has_tiles = resolve_tiles(tiles, tiles_datum)[0] is not None
    Legend(_legend(counts, n_unlocated, datum, has_tiles, period,
                   due_days, payload)).add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    return fmap
