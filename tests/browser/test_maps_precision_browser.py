"""Imprecise enterprises in Chromium: hollow, ringed, spread, never stacked."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from gridwatch.maps import coverage_map, save_map
from tests.browser.test_maps_browser import (
    ARGS,
    CHROMIUM,
    _click_enterprise,
    _open,
    _QuietHandler,
    _require_browser,
)
from tests.unit.test_maps_precision import _frames

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("precision")
    towns, comms, gc, pts = _frames()
    save_map(coverage_map(gc, pts, towns, comms), folder / "coverage.html")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_stacked_town_points_are_all_drawn_apart(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    page.wait_for_function(
        "() => gridwatch.layers.points && gridwatch.layers.points._drawn === 12"
    )
    points = page.evaluate("""() => { const l = gridwatch.layers.points;
        return [...Array(6).keys()].map(k => {
          const p = l.containerPointOf(l.indexOf('91440604MA' + String(k).padStart(8, '0')));
          return [p.x, p.y]; }); }""")
    gaps = [
        ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
        for i, a in enumerate(points)
        for b in points[i + 1 :]
    ]
    radius = page.evaluate("() => gridwatch.layers.points._radius()")
    assert min(gaps) >= 2 * max(radius, 3)  # six distinct markers, none covered
    assert "空心圆" in page.locator(".gw-legend").inner_text()
    watch.check()
    page.close()


def test_clicking_a_spread_point_opens_its_own_popup(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    text = _click_enterprise(page, "91440604MA00000004")
    assert "企业4" in text and "仅定位到镇/街道" in text and "需人工核实" in text
    watch.check()
    page.close()


def test_clicking_a_precise_point_shows_no_precision_warning(browser, site):
    page, watch = _open(browser, site, "coverage.html")
    text = _click_enterprise(page, "91440604MA00000010")
    assert "企业10" in text and "定位精度" not in text
    watch.check()
    page.close()
