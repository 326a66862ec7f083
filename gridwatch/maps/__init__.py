"""Maps: GeoDataFrames → folium maps that work offline at district scale.

Pure domain code: no Flask or database. Every asset is vendored
(``static/vendor``, ``SOURCES.md``) and inlined by :func:`save_map`.
"""

from gridwatch.maps.assets import render_html, save_map, static_dir
from gridwatch.maps.base import TILE_PRESETS, resolve_tiles
from gridwatch.maps.coverage import coverage_map
from gridwatch.maps.hotspots import grids_map, hotspot_map

__all__ = [
    "TILE_PRESETS",
    "coverage_map",
    "grids_map",
    "hotspot_map",
    "render_html",
    "resolve_tiles",
    "save_map",
    "static_dir",
]
