"""The web app in Debian's Chromium at 360×740, on demo data, network blocked.

Each role signs in through the form and sees its home page; the admin adds a
warden, who must change the password at the first sign-in; every page visited is
screenshotted into tests/artifacts/web/ (not committed). Any request to another
host, any console error (a CSP violation is one) or any dialog fails the test.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.test_maps_browser import (
    ARGS,
    CHROMIUM,
    XSS,
    _require_browser,
    _Watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
PHONE = {"width": 360, "height": 740}
HOME = {"warden": "/w/", "street_office": "/s/", "bureau": "/b/", "admin": "/admin/"}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """A small demo district served by the app on 127.0.0.1 (one thread)."""
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("webdemo")
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
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


def _page(browser, origin):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    return page, _Watch(page, origin)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page, origin, username, password):
    page.goto(origin + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")


@pytest.mark.parametrize("role", ["warden", "street_office", "bureau", "admin"])
def test_each_role_signs_in_to_its_home(browser, demo_site, role):
    origin, logins = demo_site
    page, watch = _page(browser, origin)
    if role == "warden":
        page.goto(origin + "/login")
        _shot(page, "sign_in")
    _sign_in(page, origin, logins[role]["username"], logins[role]["password"])
    assert page.url == origin + HOME[role]
    assert page.locator("h1").first.inner_text().strip()
    nav = page.locator("nav.nav")
    assert nav.is_visible() and "退出" in nav.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{role} home scrolls sideways ({width}px)"
    _shot(page, f"home_{role}")
    page.goto(origin + "/account")
    assert "API" in page.inner_text("main")
    _shot(page, f"account_{role}")
    watch.check()
    page.context.close()


def test_admin_adds_a_warden_who_must_change_password(browser, demo_site):
    origin, logins = demo_site
    page, watch = _page(browser, origin)
    _sign_in(page, origin, logins["admin"]["username"], logins["admin"]["password"])
    page.goto(origin + "/admin/users/new")
    page.fill("#username", "browser_warden")
    page.fill("#full_name", "新来的网格员")
    page.select_option("#role", "warden")
    page.select_option("#scope_code", logins["street_office"]["scope"])
    page.fill("#phone", "13800138000")
    _shot(page, "admin_user_new")
    page.click("button[type=submit].primary")
    password = page.locator("code.secret").inner_text()
    assert len(password) >= 10
    _shot(page, "admin_password_once")
    page.goto(origin + "/account")
    page.fill("#name", "巡查脚本")
    page.click("form.row button[type=submit]")
    assert page.locator("code.secret").inner_text().startswith("gw_")
    _shot(page, "account_token_once")
    page.goto(origin + "/admin/users/import")
    csv_path = ARTIFACTS / "users_import.csv"
    csv_path.write_text(
        "用户名,姓名,角色,所属镇街,手机\n"
        f"imp_ok,{XSS},网格员,{logins['street_office']['scope']},13800138001\n"
        "imp_bad,某,厨师,,\n",
        encoding="gb18030",
    )
    page.set_input_files("#file", str(csv_path))
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    body = page.inner_text("main")
    assert "imp_ok" in body and XSS in body and "厨师" in body  # shown as text
    assert page.locator("img[src='x']").count() == 0
    _shot(page, "admin_import_result")
    for path, name in [
        ("/admin/", "admin_users"),
        ("/admin/users/browser_warden", "admin_user"),
        ("/admin/users/import", "admin_import"),
    ]:
        page.goto(origin + path)
        _shot(page, name)
    page.click("nav .who button")  # sign out
    _sign_in(page, origin, "browser_warden", password)
    assert page.url.endswith("/account/password")
    _shot(page, "change_password_forced")
    page.fill("#current", password)
    page.fill("#new", "my own new password")
    page.fill("#confirm", "my own new password")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    assert page.url.endswith("/w/") and "新来的网格员" in page.inner_text("h1")
    _shot(page, "home_new_warden")
    page.wait_for_timeout(300)  # a would-be onerror handler would have fired
    watch.check()
    page.context.close()


def test_english_switch_and_error_page(browser, demo_site):
    origin, _logins = demo_site
    page, watch = _page(browser, origin)
    page.goto(origin + "/login")
    page.click("form.lang button")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Sign in"
    _shot(page, "sign_in_en")
    page.goto(origin + "/no/such/page")
    assert "404" in page.locator("h1").inner_text()
    _shot(page, "error_404_en")
    watch.errors = [e for e in watch.errors if "404" not in e]  # the page's own status
    watch.check()
    page.context.close()
