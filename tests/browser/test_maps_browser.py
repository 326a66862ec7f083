"""The saved maps in headless Chromium with the network blocked.

Each page is served from a local http.server on 127.0.0.1; every request to any
other origin is aborted and recorded (the test fails on any), console errors fail
the test, an enterprise is clicked and its popup read, and an enterprise and a
warden named ``<img src=x onerror=alert(1)>`` must show as that text and run nothing.

Needs Debian's chromium (/usr/bin/chromium). Without it the tests skip, unless
GRIDWATCH_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analytics import (
    aggregate_hazards,
    count_open_hazards,
    enterprise_points,
    enterprise_status,
    getis_ord,
    grid_coverage,
    hazard_points,
)
from gridwatch.maps import coverage_map, grids_map, hotspot_map, save_map

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
XSS = "<img src=x onerror=alert(1)>"
DUE = {"red": 30, "orange": 90, "yellow": 182, "blue": 365}


def _require_browser():
    if Path(CHROMIUM).exists():
        try:
            import playwright.sync_api  # noqa: F401
            return
        except ImportError as exc:
            reason = f"playwright is not installed ({exc})"
    else:
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("GRIDWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GRIDWATCH_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _district():
    rng = np.random.default_rng(0)
    towns = gpd.GeoDataFrame({"code": ["440604001"], "name": ["祖庙街道"]},
                             geometry=[box(113.0, 23.0, 113.03, 23.03)], crs=4326)
    grids = gpd.GeoDataFrame(
        {"code": [f"440604001001{k:03d}" for k in range(1, 10)],
         "parent_code": "440604001001", "warden": [XSS] + ["李四"] * 8,
         "workload": np.arange(9.0)},
        geometry=[box(113.0 + i * 0.01, 23.0 + j * 0.01, 113.01 + i * 0.01,
                      23.01 + j * 0.01) for j in range(3) for i in range(3)], crs=4326)
    n = 200
    xy = rng.uniform([113.001, 23.001], [113.029, 23.029], (n, 2))
    xy[0], xy[1] = (113.015, 23.015), (113.0255, 23.0055)
    ents = gpd.GeoDataFrame({
        "uscc": [f"91440604MA{k:08d}" for k in range(n)],
        "name": ["佛山市禅城区甲陶瓷有限公司", XSS] + [f"企业{k}" for k in range(2, n)],
        "sector": "ceramics", "risk_level": ["red", "orange"] + ["blue"] * (n - 2)},
        geometry=[Point(x, y) for x, y in xy], crs=4326)
    idx = grids.sindex.query(ents.geometry, predicate="intersects")
    ents["grid_code"] = None
    ents.loc[idx[0], "grid_code"] = grids["code"].to_numpy()[idx[1]]
    insp = pd.DataFrame({"uscc": ents["uscc"][:1], "inspected_on": ["2024-03-20"]})
    hz = pd.DataFrame({"uscc": rng.choice(ents["uscc"][:60], 150),
                       "level": "ordinary", "status": "open"})
    st = enterprise_status(ents, insp, "2024-01-01", "2024-03-31", DUE)
    oh = count_open_hazards(hz)
    return towns, grids, ents, hz, grid_coverage(grids, st, oh), \
        enterprise_points(ents, st, oh)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Write the three maps and serve their folder on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("maps")
    towns, grids, ents, hz, gc, pts = _district()
    save_map(coverage_map(gc, pts, towns), folder / "coverage.html")
    cells = getis_ord(aggregate_hazards(hz, ents, grids, h3_resolution=9),
                      permutations=99)
    save_map(hotspot_map(cells, heat=hazard_points(hz, ents), towns=towns),
             folder / "hotspots.html")
    save_map(grids_map(grids, towns), folder / "grids.html")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Watch:
    """Records outside requests, console errors, page errors and dialogs."""

    def __init__(self, page, origin):
        self.outside, self.errors, self.dialogs = [], [], []
        page.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        self.origin = origin

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.origin + "/"):
            return route.continue_()
        self.outside.append(url)
        return route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self):
        assert self.outside == [], f"requests outside the origin: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"


def _open(browser, site, name):
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    watch = _Watch(page, site)
    page.goto(f"{site}/{name}", wait_until="load")
    page.wait_for_selector(".leaflet-container")
    return page, watch


def _click_enterprise(page, uscc):
    page.wait_for_function("() => window.gridwatch && gridwatch.layers.points"
                           " && gridwatch.layers.points._drawn > 0")
    x, y = page.evaluate("""(u) => { const l = gridwatch.layers.points;
        const p = l.containerPointOf(l.indexOf(u)); return [p.x, p.y]; }""", uscc)
    box_ = page.locator(".folium-map").bounding_box()
    page.mouse.click(box_["x"] + x, box_["y"] + y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    return popup.inner_text()


def test_coverage_map_renders_offline_without_errors(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    page.wait_for_function("() => gridwatch.layers.points._drawn === 200")
    assert page.locator(".gw-legend").count() == 1
    assert page.locator("path.leaflet-interactive").count() >= 9  # grid polygons
    watch.check()
    page.close()


def test_coverage_map_click_enterprise_shows_popup(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    text = _click_enterprise(page, "91440604MA00000000")
    for part in ("佛山市禅城区甲陶瓷有限公司", "91440604MA00000000", "陶瓷", "红(重大风险)",
                 "2024-03-20", "按期", "未整改隐患"):
        assert part in text
    watch.check()
    page.close()


def test_coverage_map_escapes_enterprise_name(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    text = _click_enterprise(page, "91440604MA00000001")
    assert XSS in text
    page.wait_for_timeout(300)  # give a would-be onerror handler time to fire
    assert page.locator("img[src='x']").count() == 0
    watch.check()
    page.close()


def test_coverage_map_escapes_grid_tooltip(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    box_ = page.locator(".folium-map").bounding_box()
    # the south-west grid (warden XSS): hover its interior, away from points
    x, y = page.evaluate("""() => { const m = Object.values(window).find(
        v => v instanceof L.Map); const p = m.latLngToContainerPoint([23.009, 113.009]);
        return [p.x, p.y]; }""")
    page.mouse.move(box_["x"] + x, box_["y"] + y)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5000)
    assert XSS in tip.inner_text()
    page.wait_for_timeout(300)
    assert page.locator("img[src='x']").count() == 0
    watch.check()
    page.close()


def test_hotspot_map_renders_offline_with_tooltips(browser, site):
    page, watch = _open(browser, site, "hotspots.html")
    assert page.locator("path.leaflet-interactive").count() > 0
    # hover the cell nearest the map centre (clear of legend and controls)
    x, y = page.evaluate("""() => {
        const m = Object.values(window).find(v => v instanceof L.Map);
        const c = m.getSize().divideBy(2); let best = null, bestD = Infinity;
        m.eachLayer(l => { if (l.feature && l.getTooltip && l.getTooltip()) {
            const p = m.latLngToContainerPoint(l.getCenter());
            const d = p.distanceTo(c); if (d < bestD) { bestD = d; best = p; } } });
        return [best.x, best.y]; }""")
    box_ = page.locator(".folium-map").bounding_box()
    page.mouse.move(box_["x"] + x, box_["y"] + y)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5000)
    assert "Gi* z 值" in tip.inner_text()
    # the heat layer (off at first) still loads from the inlined plugin
    assert page.evaluate("() => typeof L.heatLayer") == "function"
    watch.check()
    page.close()


def test_grids_map_renders_offline(browser, site):
    page, watch = _open(browser, site, "grids.html")
    assert page.locator("path.leaflet-interactive").count() == 9
    watch.check()
    page.close()
