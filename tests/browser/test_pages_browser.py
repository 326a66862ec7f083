"""The warden's, street office's and bureau's pages in Debian's Chromium, on demo data.

The warden works on a 360×740 phone with the position permission granted: opens
the to-do list, an enterprise's file, records an inspection with a photo and a
check-in near the enterprise, reports a hazard, and sees both in the file and the
enterprise's colour change on the map. One enterprise of the warden's grids is
renamed to a hostile name and the warden writes a hostile note: both show as text
in the pages and in the map popup, and nothing runs. The street office sees its
overdue list and its grids map; the bureau sees coverage by town and the hotspot
map. Every page is screenshotted into tests/artifacts/pages/. Requests to any other
host, console errors (a CSP violation is one) and dialogs fail the test.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.browser.test_maps_browser import (
    ARGS,
    CHROMIUM,
    XSS,
    _require_browser,
    _Watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "pages"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
NOTE = "消防通道畅通。" + XSS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo district served on 127.0.0.1; one of the logged-in warden's
    enterprises renamed to a hostile name (through the registry service)."""
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("pagesdemo")
    settings = load_settings(
        environ={"GRIDWATCH_DATA_DIR": str(folder), "GRIDWATCH_PROGRESS": "0"}
    )
    ctx = open_context(settings)
    summary = build_demo(
        ctx, SYSTEM, n_enterprises=300, write_maps=False, n_address_points=3000
    )
    logins = {u["role"]: u for u in summary["logins"]}
    # the street office of the warden's street (it sees the renamed enterprise)
    logins["street_office"] = next(
        u
        for u in summary["logins"]
        if u["role"] == "street_office" and u["scope"] == logins["warden"]["scope"]
    )
    hostile = _rename_one(ctx, logins["warden"]["username"])
    app = create_app(settings, ctx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {
        "origin": f"http://127.0.0.1:{port}",
        "logins": logins,
        "ctx": ctx,
        "hostile": hostile,
    }
    server.shutdown()
    ctx.close()


def _rename_one(ctx, username: str) -> str:
    """Give one precisely placed, overdue enterprise of the warden a hostile name;
    its uscc."""
    from gridwatch.services.enterprises import upsert_enterprises
    from gridwatch.services.warden import my_grids
    from tests.actors import SYSTEM
    from tests.db.warden_helpers import warden

    ents = my_grids(ctx, warden(ctx, username)).enterprises
    # one that is not on time, so recording an inspection changes its colour
    late = ents[~ents["is_imprecise"] & ents["status"].isin(["overdue", "never"])]
    row = late.sort_values("uscc").iloc[-1]
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(s, [{"uscc": row["uscc"], "name": XSS}])
    return row["uscc"]


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _context(browser, viewport, **kw):
    return browser.new_context(viewport=viewport, locale="zh-CN", **kw)


def _shot(page, name: str) -> None:
    # lazy images load once scrolled to: show them in the full-page picture
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(200)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    got = page.evaluate("document.documentElement.scrollWidth")
    assert got <= width, f"{page.url} scrolls sideways ({got}px > {width}px)"


def _sign_in(page, origin, login):
    """Sign in; the demo's accounts choose their own password at the first
    sign-in, which then becomes the login's password for the next tests."""
    page.goto(origin + "/login")
    page.fill("#username", login["username"])
    page.fill("#password", login["password"])
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    if page.url.endswith("/account/password"):
        new = login["password"] + "-own"
        page.fill("#current", login["password"])
        page.fill("#new", new)
        page.fill("#confirm", new)
        page.click("button[type=submit].primary")
        page.wait_for_load_state("load")
        login["password"] = new
    assert "/account/password" not in page.url and "/login" not in page.url


def _site(ctx, enterprise_id: int) -> tuple[float, float]:
    with ctx.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises WHERE id = :i"),
            {"i": enterprise_id},
        ).one()


def _photo(tmp_path) -> Path:
    """A phone-sized JPEG above the page's shrink threshold (1.5 MB)."""
    from PIL import Image

    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 255, (1500, 2000, 3), dtype=np.uint8)
    path = tmp_path / "site.jpg"
    Image.fromarray(pixels).save(path, "JPEG", quality=95)
    assert path.stat().st_size > 1_500_000
    return path


def _map_status(page, uscc: str) -> int:
    """The status index (0 on time … 3 never) of ``uscc`` on the my-grids map."""
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_function(
        "() => gridwatch.layers.points && gridwatch.layers.points._d"
    )
    return page.evaluate(
        "(u) => { const l = gridwatch.layers.points; return +l._d.st.charAt(l.indexOf(u)); }",
        uscc,
    )


def _open_popup(page, uscc: str) -> str:
    page.evaluate(
        "(u) => { const l = gridwatch.layers.points; l.openPopup(l.indexOf(u)); }", uscc
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    return popup.inner_text()


def _enterprise_id(ctx, uscc: str) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT id FROM enterprises WHERE uscc = :u"), {"u": uscc}
        ).scalar()


def test_warden_records_inspection_and_hazard_on_a_phone(browser, demo, tmp_path):
    origin, ctx = demo["origin"], demo["ctx"]
    context = _context(
        browser,
        PHONE,
        permissions=["geolocation"],
        geolocation={"latitude": 0.0, "longitude": 0.0, "accuracy": 15},
    )
    page = context.new_page()
    watch = _Watch(page, origin)
    _sign_in(page, origin, demo["logins"]["warden"])

    # to-do: the hostile name is text
    page.goto(origin + "/w/todo")
    assert "逾期" in page.inner_text("main")
    _fits(page, PHONE["width"])
    _shot(page, "warden_todo")
    uscc = demo["hostile"]
    eid = _enterprise_id(ctx, uscc)
    lng, lat = _site(ctx, eid)

    # my grids: the enterprise's status before; its popup shows the name as text
    page.goto(origin + "/w/grids")
    before = _map_status(page, uscc)
    assert XSS in _open_popup(page, uscc)
    _fits(page, PHONE["width"])
    _shot(page, "warden_grids")
    context.set_geolocation({"latitude": lat, "longitude": lng, "accuracy": 15})
    page.click("#where-am-i")
    page.wait_for_selector("#geo-status.ok")
    _shot(page, "warden_grids_where_am_i")

    # the file
    page.goto(f"{origin}/w/enterprises/{eid}")
    assert XSS in page.inner_text("h1")
    _fits(page, PHONE["width"])
    _shot(page, "warden_file_before")

    # record an inspection with a check-in beside the enterprise and a photo
    context.set_geolocation(
        {"latitude": lat, "longitude": lng + 0.0003, "accuracy": 12}
    )
    page.click("a.button.primary:has-text('记录检查')")
    page.wait_for_selector("#geo-status.ok")
    assert page.input_value("input[name=geo]") == "ok"
    page.select_option("#kind", "inspection")
    page.fill("#notes", NOTE)
    page.set_input_files("#photos", str(_photo(tmp_path)))
    page.wait_for_selector("#photo-note.ok")
    _fits(page, PHONE["width"])
    _shot(page, "warden_record")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    assert "/w/inspections/" in page.url
    text = page.inner_text("main")
    assert "已核验(在企业附近)" in text and NOTE in text
    assert page.locator(".photos img").count() == 1
    _fits(page, PHONE["width"])
    _shot(page, "warden_inspection")

    # report a hazard: an ordinary one's deadline follows the level's default; a
    # major one waits for the street office or bureau (SAWS Order No. 16)
    page.click("a.button.primary:has-text('报告隐患')")
    page.select_option("#level", "ordinary")
    ordinary = page.get_attribute("#hazard-form", "data-deadline-ordinary")
    assert ordinary and page.input_value("#deadline") == ordinary
    page.select_option("#level", "major")
    assert page.input_value("#deadline") == ""
    assert "整改期限由街道安监办或区应急管理局确定" in page.inner_text("main")
    page.select_option("#category", "fire")
    page.fill("#description", "安全出口上锁" + XSS)
    _fits(page, PHONE["width"])
    _shot(page, "warden_hazard")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/w/enterprises/{eid}#hazards")
    hazards = page.inner_text("#hazards")
    assert "安全出口上锁" + XSS in hazards and "重大隐患" in hazards
    assert "已排查待整改" in hazards  # found, no deadline until the office sets it
    assert NOTE in page.inner_text("#inspections")
    _shot(page, "warden_file_after")

    # the map: the colour changed to on time
    page.goto(origin + "/w/grids")
    after = _map_status(page, uscc)
    assert before != 0 and after == 0, (before, after)
    _shot(page, "warden_grids_after")

    # move the pin: a tap on the map, saved as placed by hand
    page.goto(f"{origin}/w/enterprises/{eid}/location")
    page.wait_for_selector(".leaflet-marker-icon")
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2)
    assert page.is_enabled("#save-pin")
    _fits(page, PHONE["width"])
    _shot(page, "warden_location")
    page.click("#save-pin")
    page.wait_for_load_state("load")
    assert "人工标注" in page.inner_text("#location")

    page.wait_for_timeout(300)  # a would-be onerror handler would have fired
    assert page.locator("img[src='x']").count() == 0
    watch.check()
    context.close()


def test_warden_pages_in_english(browser, demo):
    origin = demo["origin"]
    context = _context(browser, PHONE)
    page = context.new_page()
    watch = _Watch(page, origin)
    _sign_in(page, origin, demo["logins"]["warden"])
    page.click("form.lang button")
    page.wait_for_load_state("load")
    for path, name in [("/w/todo", "warden_todo_en"), ("/w/grids", "warden_grids_en")]:
        page.goto(origin + path)
        if "grids" in path:
            page.wait_for_selector("#map[data-ready='1']")
        _fits(page, PHONE["width"])
        _shot(page, name)
    assert "To do" in page.inner_text("nav")
    watch.check()
    context.close()


def test_street_office_sees_overdue_list_and_grid_map(browser, demo):
    origin, ctx = demo["origin"], demo["ctx"]
    for viewport, suffix in ((DESK, ""), (PHONE, "_phone")):
        context = _context(browser, viewport)
        page = context.new_page()
        watch = _Watch(page, origin)
        _sign_in(page, origin, demo["logins"]["street_office"])
        page.goto(origin + "/s/overview")
        page.wait_for_selector("#map[data-ready='1']")
        assert page.locator("#overdue li a").count() > 0
        assert page.locator("#wardens tbody tr").count() > 0
        _fits(page, viewport["width"])
        _shot(page, "street_overview" + suffix)
        watch.check()
        context.close()
    # zoomed in, the enterprises of the view come from the bounding-box API;
    # the hostile name is text in the popup
    context = _context(browser, DESK)
    page = context.new_page()
    watch = _Watch(page, origin)
    _sign_in(page, origin, demo["logins"]["street_office"])
    page.goto(origin + "/s/overview")
    page.wait_for_selector("#map[data-ready='1']")
    lng, lat = _site(ctx, _enterprise_id(ctx, demo["hostile"]))
    page.evaluate(
        "([lat, lng]) => { gwpage.maps.map.setView([lat, lng], 18); }", [lat, lng]
    )
    _click_marker_near(page, lat, lng)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert XSS in popup.inner_text()
    _shot(page, "street_overview_zoomed")
    page.wait_for_timeout(300)
    assert page.locator("img[src='x']").count() == 0
    # a grid's overdue list
    page.goto(origin + "/s/overview")
    first = page.locator("#grids tbody a").first
    page.click("#grids summary")
    first.click()
    page.wait_for_load_state("load")
    assert "grid=" in page.url
    _shot(page, "street_overview_grid")
    watch.check()
    context.close()


def _click_marker_near(page, lat, lng):
    page.wait_for_function(
        "() => { let n = 0; gwpage.maps.map.eachLayer(l => {"
        " if (l instanceof L.CircleMarker) n++; }); return n > 0; }"
    )
    x, y = page.evaluate(
        "([lat, lng]) => { const p = gwpage.maps.map.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [lat, lng],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def _features(page) -> int:
    """GeoJSON features drawn on the page's map."""
    return page.evaluate(
        "() => { let n = 0; gwpage.maps.map.eachLayer(l => { if (l.feature) n++; });"
        " return n; }"
    )


def test_bureau_sees_coverage_by_town_and_hotspots(browser, demo):
    origin = demo["origin"]
    context = _context(browser, DESK)
    page = context.new_page()
    watch = _Watch(page, origin)
    _sign_in(page, origin, demo["logins"]["bureau"])
    page.goto(origin + "/b/coverage")
    page.wait_for_selector("#map[data-ready='1']")
    rows = page.locator("table.figures tbody tr")
    assert rows.count() >= 5  # four towns/streets and the district
    assert "全区" in page.inner_text("table.figures")
    assert _features(page) >= 4  # town polygons (drawn on the canvas)
    _shot(page, "bureau_coverage")
    page.goto(origin + "/b/hotspots")
    page.wait_for_selector("#map[data-ready='1']", timeout=120_000)
    assert _features(page) > 0
    _shot(page, "bureau_hotspots")
    watch.check()
    context.close()
    context = _context(browser, PHONE)
    page = context.new_page()
    watch = _Watch(page, origin)
    _sign_in(page, origin, demo["logins"]["bureau"])
    page.goto(origin + "/b/coverage")
    page.wait_for_selector("#map[data-ready='1']")
    _fits(page, PHONE["width"])
    _shot(page, "bureau_coverage_phone")
    watch.check()
    context.close()
