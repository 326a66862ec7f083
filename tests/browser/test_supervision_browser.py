"""Issue 10's warden and public pages in Debian's Chromium, on demo data.

(a) A warden on a 360×740 phone opens "my hazards", a rectifying hazard of their
grids, records the rectification with a photo, re-inspects it (first failed, with
a new deadline, then passed after a second rectification) and sees it closed with
its five steps in the history. (b) A signed-out visitor on a phone files a
tip-off with a photo at a point of that warden's grid (picked on the page's map),
gets a tracking code, and the warden finds it by that code in their queue and
converts it to a hazard. Every page is screenshotted into
tests/artifacts/supervision/. Requests to any other host, console errors (a CSP
violation is one) and dialogs fail the test.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

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
from tests.browser.test_pages_browser import _fits, _photo, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "supervision"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo district served on 127.0.0.1, with one warden's login."""
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("supdemo")
    settings = load_settings(
        environ={"GRIDWATCH_DATA_DIR": str(folder), "GRIDWATCH_PROGRESS": "0"}
    )
    ctx = open_context(settings)
    summary = build_demo(
        ctx, SYSTEM, n_enterprises=300, write_maps=False, n_address_points=3000
    )
    logins = {u["role"]: u for u in summary["logins"]}
    app = create_app(settings, ctx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"origin": f"http://127.0.0.1:{port}", "logins": logins, "ctx": ctx}
    server.shutdown()
    ctx.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(200)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    return context, context.new_page()


def _rectifying_hazard(ctx, username: str) -> dict:
    """An ordinary rectifying hazard of the warden's grids, found three days ago
    by the warden (through the service; the report page has its own test)."""
    import datetime as dt

    from gridwatch.services.supervision import actor_for_user, create_hazard
    from gridwatch.timeutil import today

    eid = _warden_site(ctx, username)[0]
    return create_hazard(
        ctx,
        actor_for_user(ctx, username),
        level="ordinary",
        category="fire",
        description="消防通道堵塞",
        enterprise_id=eid,
        found_on=today() - dt.timedelta(days=3),
    )


def _step(page, step: str, note: str, photo: Path | None = None) -> None:
    page.click(f"a[data-step='{step}']")
    page.wait_for_selector("#step-form")
    page.fill("#note", note)
    if photo is not None:
        page.set_input_files("#photos", str(photo))
        page.wait_for_selector("#photo-note.ok")
    _fits(page, PHONE["width"])
    _shot(page, f"warden_step_{step}")
    page.click("#step-submit")
    page.wait_for_load_state("load")
    assert "/step" not in page.url and page.locator("#step-error").count() == 0


def test_a_warden_rectifies_and_reinspects_to_closure(browser, demo, tmp_path):
    origin, ctx = demo["origin"], demo["ctx"]
    login = demo["logins"]["warden"]
    hazard = _rectifying_hazard(ctx, login["username"])
    context, page = _phone(browser)
    watch = _Watch(page, origin)
    _sign_in(page, origin, login)

    # the to-do carries the campaign and self-report reasons and links here
    page.goto(origin + "/w/todo")
    assert page.locator("#todo-supervision").count() == 1
    _fits(page, PHONE["width"])
    _shot(page, "warden_todo")
    page.click("main a.button[href='/w/hazards']")
    page.wait_for_load_state("load")
    assert page.locator("#hazard-list li").count() >= 1
    _fits(page, PHONE["width"])
    _shot(page, "warden_my_hazards")
    page.goto(f"{origin}/w/hazards/{hazard['id']}")
    assert page.inner_text("#hazard-status") == "整改中"
    _fits(page, PHONE["width"])
    _shot(page, "warden_hazard_before")

    _step(page, "record_rectification", "已清理消防通道" + XSS, _photo(tmp_path))
    assert page.inner_text("#hazard-status") == "已整改待复查"
    assert XSS in page.inner_text("#hazard-history")  # a hostile note is text
    # the failed re-inspection: the deadline is prefilled with the default
    page.click("a[data-step='reinspect_fail']")
    assert page.input_value("#deadline")
    page.fill("#note", "通道仍有杂物")
    _shot(page, "warden_step_reinspect_fail")
    page.click("#step-submit")
    page.wait_for_load_state("load")
    assert page.inner_text("#hazard-status") == "整改中"
    _step(page, "record_rectification", "杂物全部清走")
    _step(page, "reinspect_pass", "复查合格")
    assert page.inner_text("#hazard-status") == "已销号"
    history = page.inner_text("#hazard-history")
    for text in ("整改完成", "复查", "不合格", "合格", "通道仍有杂物"):
        assert text in history
    assert page.locator("#hazard-history > li").count() >= 5
    assert page.locator("#hazard-steps").count() == 0
    _fits(page, PHONE["width"])
    _shot(page, "warden_hazard_closed")
    watch.check()
    context.close()


def _warden_site(ctx, username: str) -> tuple[int, float, float, str]:
    """An enterprise of a grid the warden is responsible for, and a point well
    inside that grid: (enterprise id, lng, lat, grid code)."""
    from gridwatch.services.warden import my_grids
    from tests.db.warden_helpers import warden

    mine = my_grids(ctx, warden(ctx, username))
    grids = mine.grids[mine.grids["role"] == "responsible"]
    ents = mine.enterprises[mine.enterprises["grid_code"].isin(grids["code"])]
    row = ents.sort_values("uscc").iloc[0]
    shape = grids.set_index("code").geometry[row["grid_code"]]
    inside = shape.buffer(-0.0002).representative_point()  # ≈ 20 m from any edge
    return int(row["id"]), inside.x, inside.y, row["grid_code"]


def test_a_visitor_files_a_tipoff_and_the_right_warden_sees_it(browser, demo, tmp_path):
    origin, ctx = demo["origin"], demo["ctx"]
    login = demo["logins"]["warden"]
    eid, lng, lat, grid = _warden_site(ctx, login["username"])

    context, page = _phone(browser)
    watch = _Watch(page, origin)
    page.goto(origin + "/tipoff")
    page.wait_for_selector("#map.leaflet-container")
    _fits(page, PHONE["width"])
    _shot(page, "public_tipoff_empty")
    page.fill("#description", "厂房后门堆放大量油桶" + XSS)
    # a tap on the map drops the pin and fills the point ...
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#pin-text.ok")
    assert page.input_value("input[name=lng]") and page.input_value("input[name=datum]")
    # ... then the exact place inside the warden's grid (the same handler)
    page.evaluate(
        "([lat, lng]) => gwpage.maps.map.fire('click', {latlng: L.latLng(lat, lng)})",
        [lat, lng],
    )
    page.set_input_files("#photos", str(_photo(tmp_path)))
    page.wait_for_selector("#photo-note.ok")
    page.fill("#contact_phone", "13912345678")
    _shot(page, "public_tipoff_filled")
    page.click("#send-tipoff")
    page.wait_for_load_state("load")
    assert page.url.endswith("/tipoff/received")
    code = page.inner_text("#receipt-code").strip()
    assert code.startswith("JB")
    _fits(page, PHONE["width"])
    _shot(page, "public_tipoff_receipt")
    watch.check()
    context.close()

    with ctx.engine.connect() as conn:
        routed = conn.execute(
            sa.text("SELECT grid_code FROM tipoffs ORDER BY id DESC LIMIT 1")
        ).scalar()
    assert routed == grid

    context, page = _phone(browser)
    watch = _Watch(page, origin)
    _sign_in(page, origin, login)
    page.goto(origin + "/w/tipoffs")
    item = page.locator("#tipoff-list li", has_text=code)
    assert item.count() == 1
    _fits(page, PHONE["width"])
    _shot(page, "warden_tipoffs")
    item.locator("a.name").click()
    page.wait_for_load_state("load")
    assert XSS in page.inner_text("#tipoff-text")
    assert page.locator(".photos img").count() == 1
    _fits(page, PHONE["width"])
    _shot(page, "warden_tipoff")
    page.select_option("#enterprise_id", str(eid))
    page.select_option("#category", "fire")
    page.click("#convert-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.inner_text("#tipoff-status") == "已转为隐患"
    _shot(page, "warden_tipoff_converted")
    page.click("text=查看转成的隐患")
    page.wait_for_load_state("load")
    assert "/w/hazards/" in page.url
    _shot(page, "warden_hazard_from_tipoff")
    watch.check()
    context.close()
