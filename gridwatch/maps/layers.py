"""folium elements for gridwatch maps: compact data blobs, polygons, points, legends.

Data reach the page as one zlib-compressed, base64-encoded JSON blob per layer,
inflated in the browser by the vendored pako. A 70,000-enterprise registry with
names and credit codes is about 5 MB as plain JSON and about 1.5 MB this way, and
base64 cannot contain ``</script>``, so user text never meets the HTML parser.
"""

from __future__ import annotations

import base64
import html
import json
import zlib

import folium
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer
from folium.template import Template

from gridwatch.crs import Datum, from_wgs84, transform_geometry

#: Compression level. On the 70,000-enterprise payload (measured): level 6 takes
#: 0.35-0.66 s for 1.18 MB, level 4 0.12-0.22 s for 1.26 MB, level 1 0.14 s for
#: 1.38 MB. Level 4 keeps the build well under 1.5 s for 7 % more bytes.
ZLIB_LEVEL = 4


def pack(obj) -> str:
    """JSON → zlib → base64 (what ``gridwatch.decode`` undoes in the browser)."""
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"),
                     allow_nan=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, ZLIB_LEVEL)).decode("ascii")


def unpack(blob: str):
    """Inverse of :func:`pack` (tests and debugging)."""
    return json.loads(zlib.decompress(base64.b64decode(blob)).decode("utf-8"))


def _json_value(v):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def display_geometries(geoms, datum: Datum) -> np.ndarray:
    """WGS-84 geometries → display datum, rounded to 1e-5 degrees (about 1 m)."""
    arr = np.asarray(geoms, dtype=object)
    if datum is Datum.GCJ02:
        arr = np.array([transform_geometry(g, Datum.WGS84, Datum.GCJ02)
                        if g is not None else None for g in arr], dtype=object)
    return shapely.transform(arr, lambda c: np.round(c, 5))


def geojson_text(frame, props: list[str], datum: Datum, colors=None) -> dict:
    """FeatureCollection (as a dict) of ``frame`` in the display datum.

    ``frame`` must be in EPSG:4326. ``colors`` (one per row or None) goes into the
    ``_c`` property that ``gridwatch.polygons`` uses as fill colour.
    """
    geoms = display_geometries(frame.geometry.to_numpy(), datum)
    records = frame[props].to_dict("records") if props else [{}] * len(frame)
    feats = []
    for k, (g, rec) in enumerate(zip(geoms, records)):
        if g is None or g.is_empty:
            continue
        p = {key: _json_value(val) for key, val in rec.items()}
        if colors is not None:
            p["_c"] = colors[k]
        feats.append({"type": "Feature", "properties": p,
                      "geometry": json.loads(shapely.to_geojson(g))})
    return {"type": "FeatureCollection", "features": feats}


class PolygonLayer(Layer):
    """Polygons from a packed GeoJSON blob, optional fill colours and tooltips.

    ``fields`` is a list of (Chinese label, property) pairs shown in the tooltip,
    built with ``textContent`` in the browser; ``title_field`` heads it.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = gridwatch.polygons({{ this._parent.get_name() }},
            {{ this.blob|tojson }}, {{ this.options|tojson }});
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """)

    def __init__(self, collection: dict, name: str, *, fields=None, title_field=None,
                 color="#555", weight=1.0, dash_array=None, fill_opacity=0.6,
                 overlay=True, control=True, show=True):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GridwatchPolygons"
        self.blob = pack(collection)
        self.options = {"fields": fields, "titleField": title_field, "color": color,
                        "weight": weight, "dashArray": dash_array,
                        "fillOpacity": fill_opacity}


class PointsLayer(Layer):
    """The canvas point layer of ``gridwatch.PointsLayer`` (see gridwatch.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new gridwatch.PointsLayer({{ this.blob|tojson }}, {
            colors: {{ this.colors|tojson }}, drawOrder: {{ this.draw_order|tojson }},
            id: {{ this.layer_id|tojson }}, popup: gridwatch.{{ this.popup }}
        });
        {%- if this.show %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """)

    def __init__(self, payload: dict, name: str, colors: list[str],
                 draw_order: list[int], popup="enterprisePopup", layer_id="points",
                 overlay=True, control=True, show=True):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GridwatchPoints"
        self.blob = pack(payload)
        self.colors, self.draw_order = colors, draw_order
        self.popup, self.layer_id = popup, layer_id


def point_payload(lng: np.ndarray, lat: np.ndarray, datum: Datum) -> dict:
    """Delta-encoded integer coordinates (1e-5 degrees) in a locality order.

    Returns the payload dict (``lat0``, ``lng0``, ``scale``, ``dlat``, ``dlng``)
    and, under ``"_order"``, the row order used (apply it to every column).
    """
    if datum is Datum.GCJ02:
        lng, lat = from_wgs84(lng, lat, Datum.GCJ02)
    scale = 100_000
    qx = np.round(np.asarray(lng) * scale).astype(np.int64)
    qy = np.round(np.asarray(lat) * scale).astype(np.int64)
    order = _z_order(qx, qy)
    qx, qy = qx[order], qy[order]
    x0, y0 = (int(qx.min()), int(qy.min())) if len(qx) else (0, 0)
    dx = np.diff(qx - x0, prepend=0)
    dy = np.diff(qy - y0, prepend=0)
    return {"lng0": x0 / scale, "lat0": y0 / scale, "scale": scale,
            "dlng": dx.tolist(), "dlat": dy.tolist(), "_order": order}


def _z_order(qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
    """Morton (z-order) permutation: neighbours on the map stay near in the arrays,
    so the coordinate deltas are small and compress well."""
    if len(qx) == 0:
        return np.arange(0)
    x = ((qx - qx.min()) >> 4).astype(np.uint64)  # ~1.6 m cells are plenty
    y = ((qy - qy.min()) >> 4).astype(np.uint64)
    key = np.zeros(len(qx), np.uint64)
    for bit in range(20):
        key |= ((x >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit)
        key |= ((y >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + 1)
    return np.argsort(key, kind="stable")


class Legend(folium.MacroElement):
    """A Leaflet control holding trusted, pre-escaped legend HTML.

    Checkboxes with ``data-gw-layer`` / ``data-gw-status`` attributes toggle point
    statuses of the named points layer.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var ctl = L.control({position: {{ this.position|tojson }}});
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            div.querySelectorAll("input[data-gw-status]").forEach(function (box) {
              box.addEventListener("change", function () {
                var layer = gridwatch.layers[box.getAttribute("data-gw-layer")];
                if (layer) layer.setStatusShown(+box.getAttribute("data-gw-status"),
                                                box.checked);
              });
            });
            return div;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """)

    def __init__(self, html_text: str, position="bottomright", css_class="gw-legend"):
        super().__init__()
        self._name = "GridwatchLegend"
        self.html, self.position, self.css_class = html_text, position, css_class


class Title(Legend):
    """Map title box (top left)."""

    def __init__(self, title: str, subtitle: str = ""):
        text = f"<div>{html.escape(title)}</div>"
        if subtitle:
            text += f'<div class="gw-sub">{html.escape(subtitle)}</div>'
        super().__init__(text, position="topleft", css_class="gw-title-box")
        self._name = "GridwatchTitle"


def legend_rows(items, shape="swatch") -> str:
    """HTML rows ``[(colour, label)]`` (labels escaped)."""
    cls = "gw-dot" if shape == "dot" else "gw-swatch"
    return "".join(
        f'<div class="gw-row"><span class="{cls}" style="background:{html.escape(c)}">'
        f"</span>{html.escape(label)}</div>" for c, label in items)
