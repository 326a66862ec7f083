"""The printable day sheet (巡查日单): one template, two ways of loading its assets.

``templates/patrol/day_sheet.html`` is rendered

* by the web app (:func:`web_assets`): stylesheets and scripts from the app's own
  URLs (the Content-Security-Policy allows nothing else), the route as a JSON
  data block that ``static/js/route_map.js`` draws;
* into a file by ``gridwatch patrol sheet`` (:func:`render_sheet_file`): the same
  page with Leaflet, the stylesheets and the script inlined, so the file opens
  and prints with no server and no network. Its text is Chinese (the message ids).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from gridwatch import vocab

_HERE = Path(__file__).resolve().parent
TEMPLATE = "patrol/day_sheet.html"


def web_assets() -> dict:
    """Asset URLs for a sheet served by the app (call inside a request)."""
    from flask import url_for

    return {
        "inline": False,
        "leaflet_css": url_for(
            "maps_static.static", filename="vendor/leaflet/leaflet.css"
        ),
        "leaflet_js": url_for(
            "maps_static.static", filename="vendor/leaflet/leaflet.js"
        ),
        "base_css": url_for("static", filename="css/gridwatch.css"),
        "street_css": url_for("static", filename="css/street.css"),
        "route_js": url_for("static", filename="js/route_map.js"),
    }


@cache
def _file_assets() -> dict:
    from gridwatch.maps.assets import asset_text

    static = _HERE / "static"
    return {
        "inline": True,
        "leaflet_css": asset_text("leaflet.css"),
        "leaflet_js": asset_text("leaflet.js"),
        "base_css": (static / "css" / "gridwatch.css").read_text("utf-8"),
        "street_css": (static / "css" / "street.css").read_text("utf-8"),
        "route_js": (static / "js" / "route_map.js").read_text("utf-8"),
    }


def _label(kind: str, code) -> str:
    if code is None:
        return ""
    return getattr(vocab, kind).get(code, str(code))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # message ids are the Chinese
    env.globals.update(label=_label)
    return env


def render_sheet_file(route: dict) -> str:
    """A self-contained HTML day sheet of one warden-day
    (:func:`gridwatch.services.patrol.day_route`'s dict)."""
    return _environment().get_template(TEMPLATE).render(r=route, assets=_file_assets())
