"""What a page's map needs from the settings: base tiles and the display datum.

Map pages draw with Leaflet from static scripts (the CSP allows no inline
script); the template puts these values in ``data-`` attributes of the map
element (``map_settings()`` is a Jinja global, see ``app.build_app``).
"""

from __future__ import annotations

from flask import current_app

from gridwatch.maps.base import resolve_tiles


def map_settings() -> dict:
    """``tiles`` (URL template, "" for none), ``attribution``, ``subdomains`` and
    ``datum`` (``wgs84``/``gcj02``: GCJ-02 tiles need layers shifted to match)."""
    settings = current_app.extensions["gridwatch"].settings
    url, attribution, datum, subdomains = resolve_tiles(settings.tiles)
    return {
        "tiles": url or "",
        "attribution": attribution,
        "subdomains": subdomains,
        "datum": datum.value,
    }


#: Marker colours of the risk levels 红/橙/黄/蓝 (安全风险分级管控's four colours).
RISK_COLORS = {
    "red": "#d7191c",
    "orange": "#f07c1b",
    "yellow": "#e3b505",
    "blue": "#2c7bb6",
}


def map_palette() -> dict:
    """Colours shared with the offline maps, for the page scripts: ``share_colors``
    and ``share_breaks`` (coverage choropleth), ``risk_colors`` (by risk code,
    vocab order), ``risk_labels`` (translated, vocab order)."""
    from gridwatch.maps.coverage import SHARE_BREAKS, SHARE_COLORS
    from gridwatch.vocab import RISK_LEVELS
    from gridwatch.web.i18n import label

    return {
        "share_colors": list(SHARE_COLORS),
        "share_breaks": list(SHARE_BREAKS),
        "risk_colors": [RISK_COLORS[c] for c in RISK_LEVELS],
        "risk_labels": [label("RISK_LEVELS", c) for c in RISK_LEVELS],
    }


def install(app) -> None:
    """Jinja globals ``map_settings()`` and ``map_palette()``."""
    app.jinja_env.globals.update(map_settings=map_settings, map_palette=map_palette)
