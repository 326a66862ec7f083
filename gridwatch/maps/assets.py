"""Vendored Leaflet and plugins, and pages that need no network.

folium points every page at public CDNs (jsDelivr, cdnjs, code.jquery.com,
netdna.bootstrapcdn.com) that a government intranet cannot reach. Here each element's
``default_js``/``default_css`` is replaced by ``gridwatch-asset:`` placeholders, and
:func:`render_html` inlines the vendored files (``static/vendor``, see its
``SOURCES.md``) so one HTML file carries everything. jQuery, Bootstrap,
Font Awesome and awesome-markers are dropped: no gridwatch map uses them.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path

SCHEME = "gridwatch-asset:"
#: Asset key → path under ``gridwatch/maps/static``.
ASSETS: dict[str, str] = {
    "leaflet.js": "vendor/leaflet/leaflet.js",
    "leaflet.css": "vendor/leaflet/leaflet.css",
    "pako_inflate.js": "vendor/pako/pako_inflate.min.js",
    "leaflet_heat.js": "vendor/leaflet.heat/leaflet_heat.min.js",
    "markercluster.js": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markercluster.css": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markercluster_default.css": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "jquery.js": "vendor/jquery/jquery.min.js",
    "gridwatch.js": "gridwatch.js",
    "gridwatch.css": "gridwatch.css",
}
#: Licence file beside each vendored asset directory.
LICENCES: dict[str, str] = {
    "vendor/leaflet": "LICENSE",
    "vendor/pako": "LICENSE",
    "vendor/leaflet.heat": "LICENSE",
    "vendor/leaflet.markercluster": "MIT-LICENCE.txt",
    "vendor/jquery": "LICENSE.txt",
}
MAP_JS = [("leaflet", SCHEME + "leaflet.js"), ("pako", SCHEME + "pako_inflate.js"),
          ("gridwatch", SCHEME + "gridwatch.js")]
MAP_CSS = [("leaflet_css", SCHEME + "leaflet.css"),
           ("gridwatch_css", SCHEME + "gridwatch.css")]
HEAT_JS = [("leaflet-heat.js", SCHEME + "leaflet_heat.js")]
CLUSTER_JS = [("markerclusterjs", SCHEME + "markercluster.js")]
#: folium's own Popup template calls jQuery; only pages built with plain folium
#: popups (bench/maps.py's MarkerCluster peer) need it. gridwatch maps do not.
JQUERY_JS = [("jquery", SCHEME + "jquery.js")]
CLUSTER_CSS = [("markerclustercss", SCHEME + "markercluster.css"),
               ("markerclusterdefaultcss", SCHEME + "markercluster_default.css")]

_SCRIPT = re.compile(r'<script src="' + re.escape(SCHEME) + r'([^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="' + re.escape(SCHEME)
                   + r'([^"]+)"\s*/?>')
_REMOTE = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="'
                     r'(?:https?:)?//[^"]*"', re.IGNORECASE)


def static_dir() -> Path:
    """Folder of gridwatch's map assets (for a web app that serves them)."""
    return Path(str(resources.files("gridwatch.maps").joinpath("static")))


@cache
def asset_text(key: str) -> str:
    """Text of a vendored asset by key (see :data:`ASSETS`)."""
    if key not in ASSETS:
        raise KeyError(f"unknown map asset {key!r}; known: {sorted(ASSETS)}")
    text = (static_dir() / ASSETS[key]).read_text("utf-8")
    if key == "leaflet.css":
        text = _inline_css_images(text, static_dir() / "vendor" / "leaflet")
    return text


def _inline_css_images(css: str, folder: Path) -> str:
    """Turn ``url(images/x.png)`` into data URIs so the page requests nothing."""

    def repl(m):
        path = folder / m.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", repl, css)


def use_local_assets(element, js=(), css=()) -> None:
    """Point a folium element's ``default_js``/``default_css`` at vendored files."""
    element.default_js = list(js)
    element.default_css = list(css)


def _safe_inline(text: str, tag: str) -> str:
    # a literal "</script" or "</style" inside the file would end the element early
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_assets(html: str) -> str:
    """Replace ``gridwatch-asset:`` script and stylesheet links by inline copies.

    Raises
    ------
    ValueError
        If the page still loads a script, stylesheet, image or frame from another
        host: every asset must come from the project.
    """
    html = _SCRIPT.sub(lambda m: "<script>" + _safe_inline(asset_text(m.group(1)),
                                                          "script") + "</script>", html)
    html = _LINK.sub(lambda m: "<style>" + _safe_inline(asset_text(m.group(1)),
                                                       "style") + "</style>", html)
    remote = _REMOTE.findall(html)
    if remote:
        raise ValueError(f"map page would load remote assets: {remote[:3]}")
    return html


def render_html(fmap) -> str:
    """Render a folium map to one self-contained HTML page (assets inlined)."""
    return inline_assets(fmap.get_root().render())


def save_map(fmap, path) -> Path:
    """Write ``fmap`` as a self-contained HTML page; return the path written.

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`gridwatch.maps.coverage_map` and friends.
    path : str or Path
        Target file; its folder must exist.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.write_text(render_html(fmap), encoding="utf-8")
    return path
