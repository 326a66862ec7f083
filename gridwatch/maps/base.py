"""The base map: offline Leaflet, base tiles, display datum, outlines, legends."""

from __future__ import annotations

import html

import folium
import numpy as np

from gridwatch.crs import Datum, from_wgs84, parse_datum
from gridwatch.errors import InvalidInputError
from gridwatch.frames import reproject_to_wgs84
from gridwatch.maps.assets import MAP_CSS, MAP_JS, use_local_assets
from gridwatch.maps.layers import Legend, PolygonLayer, Title, geojson_text

#: Named base tiles: URL template, attribution, datum, subdomains.
TILE_PRESETS: dict[str, tuple[str, str, Datum, str]] = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "&copy; OpenStreetMap contributors", Datum.WGS84, "abc"),
    "amap": (("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1"
              "&scale=1&style=8&x={x}&y={y}&z={z}"), "&copy; 高德地图", Datum.GCJ02,
             "1234"),
}
_GCJ_HOSTS = ("autonavi.com", "amap.com", "gtimg.com", "qq.com")


def resolve_tiles(tiles: str | None, tiles_datum=None) -> tuple:
    """``tiles`` setting → (URL template or None, attribution, datum, subdomains).

    ``"none"`` (the default, no network): no tiles, boundaries are the basemap.
    ``"osm"``, ``"amap"`` (GCJ-02), or a URL template with ``{z}``, ``{x}``,
    ``{y}`` (a local tile server); a template on an Amap/Tencent host is taken as
    GCJ-02, any other as WGS-84 unless ``tiles_datum`` says otherwise.
    """
    key = (tiles or "none").strip()
    if key.lower() == "none":
        return None, "", Datum.WGS84, ""
    if key.lower() in TILE_PRESETS:
        url, attr, datum, subs = TILE_PRESETS[key.lower()]
    elif all(f"{{{c}}}" in key for c in "zxy"):
        datum = Datum.GCJ02 if any(h in key for h in _GCJ_HOSTS) else Datum.WGS84
        url, attr, subs = key, "底图服务", "abc"
    else:
        raise InvalidInputError(
            f"Unknown tiles {tiles!r}; use none, osm, amap or a URL template with "
            "{z}/{x}/{y}.")
    if tiles_datum is not None:
        datum = parse_datum(tiles_datum)
        datum = Datum.WGS84 if datum is Datum.CGCS2000 else datum
    if datum is Datum.BD09:
        raise InvalidInputError("BD-09 (Baidu) tiles are not supported; use GCJ-02 or "
                                "WGS-84 tiles.")
    return url, attr, datum, subs


def datum_note(datum: Datum, has_tiles: bool) -> str:
    """One Chinese line for the legend saying which datum the map shows."""
    if datum is Datum.GCJ02:
        return "坐标系：GCJ-02（底图为 GCJ-02，图层已由 WGS-84 偏移显示）"
    if has_tiles:
        return "坐标系：WGS-84"
    return "坐标系：WGS-84（无在线底图，以行政边界为底图）"


def base_map(frames, tiles="none", tiles_datum=None, title="", subtitle=""):
    """A folium map with local assets, fitted to the union of ``frames``' bounds.

    Returns ``(map, datum)``; every layer added later must be shifted to ``datum``.
    """
    url, attr, datum, subs = resolve_tiles(tiles, tiles_datum)
    bounds = [f.total_bounds for f in frames if f is not None and len(f)]
    bounds = [b for b in bounds if np.all(np.isfinite(b))]
    if not bounds:
        raise InvalidInputError("Nothing to map: every frame is empty.")
    b = np.array(bounds)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    (x0, x1), (y0, y1) = from_wgs84(np.array([x0, x1]), np.array([y0, y1]), datum)
    # maxZoom on the map itself: with no tile layer Leaflet would zoom forever
    fmap = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=12,
                      tiles=None, control_scale=True, maxZoom=19)
    use_local_assets(fmap, MAP_JS, MAP_CSS)
    if url is None:
        fmap.get_root().html.add_child(folium.Element(
            "<script>document.addEventListener('DOMContentLoaded',function(){"
            "document.querySelectorAll('.folium-map').forEach(function(e){"
            "e.classList.add('gw-nobase');});});</script>"))
    else:
        folium.TileLayer(url, attr=attr, name="底图", subdomains=subs,
                         max_zoom=18, control=False).add_to(fmap)
    fmap.fit_bounds([[y0, x0], [y1, x1]])
    if title:
        Title(title, subtitle).add_to(fmap)
    return fmap, datum


def _illustrative(frame) -> bool:
    return (frame is not None and len(frame) > 0 and "is_illustrative" in frame.columns
            and bool(frame["is_illustrative"].fillna(False).astype(bool).any()))


def add_outlines(fmap, towns, communities, datum: Datum) -> None:
    """Town (solid) and community (dashed) boundaries, not interactive.

    Boundaries flagged ``is_illustrative`` (no official polygons exist for them)
    are named 示意边界 in the layer list and in a note on the map.
    """
    mark = "（示意边界）"
    if communities is not None and len(communities):
        communities = reproject_to_wgs84(communities, "communities")
        name = "村/社区界" + (mark if _illustrative(communities) else "")
        PolygonLayer(geojson_text(communities, [], datum), name,
                     color="#6b6b6b", weight=0.8, dash_array="4 3").add_to(fmap)
    if towns is not None and len(towns):
        towns = reproject_to_wgs84(towns, "towns")
        name = "镇/街道界" + (mark if _illustrative(towns) else "")
        PolygonLayer(geojson_text(towns, [], datum), name, color="#222",
                     weight=2.2).add_to(fmap)
    if _illustrative(towns) or _illustrative(communities):
        Legend("示意边界：镇街、村居界线为示意，非官方行政界线", position="bottomleft",
               css_class="gw-legend gw-note").add_to(fmap)


def escape(text) -> str:
    """HTML-escape for legend text."""
    return html.escape("" if text is None else str(text))
