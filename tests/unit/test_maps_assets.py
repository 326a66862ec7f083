"""Vendored assets: present, licensed, recorded, and inlined instead of CDN links."""

from __future__ import annotations

import folium
import pytest

from gridwatch.maps.assets import (
    ASSETS,
    LICENCES,
    MAP_CSS,
    MAP_JS,
    asset_text,
    inline_assets,
    render_html,
    static_dir,
    use_local_assets,
)


def test_assets_every_file_exists_with_licence():
    for key, rel in ASSETS.items():
        path = static_dir() / rel
        assert path.is_file(), key
        if rel.startswith("vendor/"):
            folder = "/".join(rel.split("/")[:2])
            assert (static_dir() / folder / LICENCES[folder]).is_file(), folder


def test_assets_sources_md_records_every_vendored_package():
    sources = (static_dir() / "vendor" / "SOURCES.md").read_text("utf-8")
    for pkg in ("leaflet` | 1.9.3", "leaflet.markercluster` | 1.1.0", "pako` | 2.1.0",
                "jquery` | 3.7.1", "leaflet.heat"):
        assert pkg in sources


def test_asset_text_inlines_leaflet_css_images():
    css = asset_text("leaflet.css")
    assert "url(images/" not in css and "data:image/png;base64," in css


def test_inline_assets_replaces_placeholders():
    fmap = folium.Map(tiles=None)
    use_local_assets(fmap, MAP_JS, MAP_CSS)
    page = render_html(fmap)
    assert "gridwatch-asset:" not in page
    assert "Leaflet" in page and "pako" in page and "gw.PointsLayer" in page


def test_inline_assets_refuses_remote_scripts():
    with pytest.raises(ValueError, match="remote"):
        inline_assets('<script src="https://cdn.jsdelivr.net/npm/x.js"></script>')


def test_render_html_of_plain_folium_map_would_fail():
    # folium's own defaults point at CDNs: the guard must catch them
    with pytest.raises(ValueError, match="remote"):
        render_html(folium.Map(tiles=None))


def test_inline_assets_escapes_closing_script_tags():
    page = inline_assets('<script src="gridwatch-asset:gridwatch.js"></script>')
    assert page.count("</script>") == 1
