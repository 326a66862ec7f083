"""The street office's and the bureau's supervision pages in Debian's Chromium
on a small demo district, network blocked (issue 10).

The bureau lists a major hazard (挂牌督办) from its page, a passed
re-inspection is recorded through the services, and the bureau delists it (摘牌);
a street office extends a hazard's deadline with a reason. Every page built for
the two roles is screenshotted into tests/artifacts/supervision/ (not committed):
the street office's at 360 px as well.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.browser.test_bureau_browser import DESKTOP, PHONE, browser  # noqa: F401
from tests.browser.test_maps_browser import _Watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "supervision"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo district served on 127.0.0.1: ``(origin, logins, ctx)``."""
    import socket
    import threading

    from werkzeug.serving import make_server

    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("supervisiondemo")
    settings = load_settings(
        environ={"GRIDWATCH_DATA_DIR": str(folder), "GRIDWATCH_PROGRESS": "0"}
    )
    ctx = open_context(settings)
    summary = build_demo(
        ctx, SYSTEM, n_enterprises=300, write_maps=False, n_address_points=3000
    )
    app = create_app(settings, ctx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    logins = {u["role"]: u for u in summary["logins"]}
    yield f"http://127.0.0.1:{port}", logins, ctx
    server.shutdown()
    ctx.close()


def _open(browser, origin, viewport, role, logins):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    watch = _Watch(page, origin)
    page.goto(origin + "/login")
    page.fill("#username", logins[role]["username"])
    page.fill("#password", logins[role]["password"])
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    return page, watch


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _actors(ctx, logins):
    from gridwatch.services.supervision import actor_for_user

    return {r: actor_for_user(ctx, logins[r]["username"]) for r in
            ("bureau", "warden", "street_office")}  # fmt: skip


def test_bureau_lists_then_delists_a_major_hazard(browser, site):  # noqa: F811
    from gridwatch.services.supervision import (
        create_hazard,
        list_hazards,
        show_hazard,
        transition_hazard,
    )

    origin, logins, ctx = site
    who = _actors(ctx, logins)
    ent = list_hazards(ctx, who["warden"], per_page=1).items[0]["enterprise_id"]
    made = create_hazard(
        ctx, who["bureau"], level="major", category="confined_space",
        description="浏览器测试：有限空间作业无审批", enterprise_id=ent,
    )  # fmt: skip
    hid = made["id"]
    page, watch = _open(browser, origin, DESKTOP, "bureau", logins)
    page.goto(origin + "/b/majors")
    _shot(page, "bureau-majors")
    page.goto(origin + f"/b/hazards/{hid}")
    form = page.locator("#act-list_hazard")
    form.locator("[name=supervising_body]").fill("区安全生产委员会办公室")
    form.locator("[name=responsible_person]").fill("王厂长")
    form.locator("[name=deadline]").fill((TODAY + dt.timedelta(days=60)).isoformat())
    _shot(page, "bureau-hazard-before-listing")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "督办中" in page.locator("#hazard-listing").inner_text()
    page.goto(origin + "/b/listed")
    assert page.locator(f"#hazards a[href='/b/hazards/{hid}']").count() == 1
    _shot(page, "bureau-listed")

    # the rectification and a passed re-inspection, through the services
    transition_hazard(ctx, who["warden"], hid, "record_rectification", note="已整改")
    transition_hazard(ctx, who["bureau"], hid, "reinspect", passed=True, note="合格")
    page.goto(origin + f"/b/hazards/{hid}")
    _shot(page, "bureau-hazard-closed")
    page.locator("#act-delist [name=note]").fill("复查合格，摘牌")
    page.locator("#act-delist button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "已摘牌" in page.locator("#hazard-listing").inner_text()
    assert show_hazard(ctx, who["bureau"], hid)["is_listed"] is False
    page.goto(origin + "/b/listed")
    assert page.locator(f"#hazards a[href='/b/hazards/{hid}']").count() == 0
    for path, name in [("/b/overdue-majors", "bureau-overdue-majors"),
                       ("/b/campaigns", "bureau-campaigns")]:  # fmt: skip
        page.goto(origin + path)
        _shot(page, name)
    page.locator("#campaigns a").first.click()
    page.wait_for_load_state("load")
    _shot(page, "bureau-campaign")
    watch.check()


def test_street_office_extends_a_deadline(browser, site):  # noqa: F811
    from gridwatch.services.supervision import create_hazard, list_hazards

    origin, logins, ctx = site
    who = _actors(ctx, logins)
    ent = list_hazards(ctx, who["street_office"], per_page=1).items[0]
    h = create_hazard(
        ctx, who["street_office"], level="ordinary", category="electrical",
        description="浏览器测试：配电箱未上锁", enterprise_id=ent["enterprise_id"],
    )  # fmt: skip
    assert h["status"] == "rectifying" and not h["is_extended"]
    page, watch = _open(browser, origin, PHONE, "street_office", logins)
    page.goto(origin + "/s/hazards?status=rectifying")
    _shot(page, "street-hazards-360")
    page.goto(origin + f"/s/hazards/{h['id']}")
    new = (TODAY + dt.timedelta(days=45)).isoformat()
    form = page.locator("#act-extend_deadline")
    form.locator("[name=deadline]").fill(new)
    form.locator("[name=note]").fill("企业设备到货延迟，申请延期")
    _shot(page, "street-hazard-extend-360")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert new in page.locator("#hazard-deadline").inner_text()
    assert "已延期" in page.locator("#hazard-deadline").inner_text()
    assert page.locator("#act-extend_deadline").count() == 0
    _shot(page, "street-hazard-extended-360")
    for path, name in [
        ("/s/penalties", "street-penalties-360"),
        ("/s/penalties/totals", "street-penalty-totals-360"),
        ("/s/penalties/import", "street-penalty-import-360"),
        ("/s/self-reports", "street-self-reports-360"),
        ("/s/tipoffs", "street-tipoffs-360"),
        ("/s/campaigns", "street-campaigns-360"),
    ]:
        page.goto(origin + path)
        _shot(page, name)
    if page.locator("#campaigns a").count():
        page.locator("#campaigns a").first.click()
        page.wait_for_load_state("load")
        _shot(page, "street-campaign-360")
    page.set_viewport_size(DESKTOP)
    page.goto(origin + "/s/hazards")
    _shot(page, "street-hazards")
    page.goto(origin + "/s/penalties")
    _shot(page, "street-penalties")
    watch.check()
