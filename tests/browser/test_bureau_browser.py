"""The bureau in Debian's Chromium on a small demo district, network blocked.

The bureau opens the dashboard (charts and maps drawn, no console error: a CSP
violation is one), switches the period, downloads a table as XLSX, opens the
assessment and drills into one town's indicator, and downloads the annual report,
whose pages are rendered to PNG. A street office opens its dashboard at 360 px.
Screenshots go to tests/artifacts/bureau/ (not committed).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from werkzeug.serving import make_server

from tests.browser.test_maps_browser import ARGS, CHROMIUM, _require_browser, _Watch
from tests.report_pages import render_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "bureau"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("bureaudemo")
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
    yield f"http://127.0.0.1:{port}", logins
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


def _open(browser, origin, viewport, role, logins):
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    watch = _Watch(page, origin)
    page.goto(origin + "/login")
    page.fill("#username", logins[role]["username"])
    page.fill("#password", logins[role]["password"])
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    return page, watch


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _drawn(page):
    page.wait_for_selector('[data-chart="coverage"] canvas', timeout=60_000)
    page.wait_for_selector(
        '[data-map="towns"] path.leaflet-interactive', timeout=60_000
    )
    # locators, not wait_for_function: a string evaluated in the page is eval,
    # which the CSP refuses
    status = page.locator("#hotspot-status")
    status.filter(has_text="分析指标").or_(status.filter(has_text="无")).wait_for(
        timeout=120_000
    )


def test_bureau_dashboard_period_xlsx_assessment_and_report(browser, site, tmp_path):
    origin, logins = site
    page, watch = _open(browser, origin, DESKTOP, "bureau", logins)
    page.goto(origin + "/dash/")
    _drawn(page)
    cards = page.locator("ul.cards li.figure")
    assert cards.count() >= 15
    assert "上年同期" in cards.first.inner_text()
    _shot(page, "dashboard")

    # switch the period to last year
    last = str(dt.date.today().year - 1)
    page.select_option("#period", last)
    page.click("form.period-form button[type=submit]")
    page.wait_for_load_state("load")
    assert f"period={last}" in page.url
    assert page.locator("#period-label").inner_text() == f"{last}年"
    _drawn(page)
    page.select_option("#measure", "rate_per_inspected")
    page.locator("#hotspot-status").filter(has_text="隐患率").wait_for(timeout=120_000)
    assert "经验贝叶斯" in page.locator('[data-legend="hotspots"]').inner_text()
    _shot(page, "dashboard_last_year_rate")

    # download a table as XLSX
    with page.expect_download() as got:
        page.locator("p.download a").first.click()
    xlsx = tmp_path / "table.xlsx"
    got.value.save_as(xlsx)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws.cell(1, 1).value == "镇（街道）"

    # the assessment, one town, one indicator's items
    page.goto(origin + "/assess/")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 4
    _shot(page, "assessment")
    rows.first.locator("a").click()
    page.wait_for_load_state("load")
    assert page.locator("#indicators tbody tr").count() >= 10
    _shot(page, "assessment_town")
    page.locator("#indicators tbody a").first.click()
    page.wait_for_load_state("load")
    assert page.locator("#items tbody tr").count() >= 1
    assert "统一社会信用代码" in page.locator("#items thead").inner_text()
    _shot(page, "assessment_items")

    # the annual report from the dashboard, rendered to PNG
    page.goto(origin + "/dash/")
    with page.expect_download(timeout=180_000) as got:
        page.click("#report-docx")
    docx = tmp_path / "annual_report.docx"
    got.value.save_as(docx)
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "年度安全生产工作报告" in text and "一票否决" in text
    watch.check()
    page.context.close()
    pdf_text, pages = render_pages(docx, ARTIFACTS / "report", tmp_path)
    assert "安全生产责任制考核" in "".join(pdf_text.split())
    assert len(pages) >= 5


def test_street_office_dashboard_at_360px(browser, site):
    origin, logins = site
    page, watch = _open(browser, origin, PHONE, "street_office", logins)
    page.goto(origin + "/dash/")
    _drawn(page)
    _shot(page, "dashboard_street_360")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard scrolls sideways ({width}px)"
    assert page.locator("#report-docx").count() == 0  # the report is the bureau's
    watch.check()
    page.context.close()
