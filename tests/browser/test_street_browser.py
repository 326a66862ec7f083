"""The street office and a warden in Chromium, on a small demo district served
with its job worker thread (as in production), network blocked.

One story, in order (the module shares one database):

1. the office of 张槎街道 redraws one community (a job; the page polls it), sees
   the draft beside the active grids on the map, splits a grid and undoes it;
2. looks at the wardens' proposal (churn) and confirms it, which activates the
   draft;
3. plans next week, and also from today (so a warden has a route today);
4. a warden opens today's route on a 360×740 phone viewport; an inspection is
   recorded at the first stop (through the inspections service when it is
   installed, else straight into the inspections table: the record-inspection
   page is not on main yet), and the warden's page and the office's plan view
   show the stop done.

Screenshots go to tests/artifacts/street/ (not committed).
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.test_maps_browser import ARGS, CHROMIUM, _require_browser, _Watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "street"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
STREET = "440604011"  # 张槎街道
STATE: dict = {}


def _holiday_file(path: Path, today: dt.date) -> Path:
    """Today and tomorrow are working days; next week's year is covered too."""
    rows = ["date,is_workday,name"]
    rows += [f"{today + dt.timedelta(days=i)},1,测试加班" for i in range(2)]
    for year in {today.year, (today + dt.timedelta(days=14)).year}:
        rows.append(f"{year}-01-01,0,元旦")
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.demo import build_demo
    from gridwatch.timeutil import today
    from gridwatch.web import create_app
    from tests.actors import SYSTEM

    folder = tmp_path_factory.mktemp("streetdemo")
    holidays = _holiday_file(folder / "holidays.csv", today())
    settings = load_settings(
        environ={
            "GRIDWATCH_DATA_DIR": str(folder),
            "GRIDWATCH_PROGRESS": "0",
            "GRIDWATCH_HOLIDAYS_FILE": str(holidays),
            "GRIDWATCH_PATROL_VISITS_PER_DAY": "4",
        }
    )
    ctx = open_context(settings)
    summary = build_demo(
        ctx, SYSTEM, n_enterprises=1000, write_maps=False, n_address_points=4000
    )
    app = create_app(settings, ctx)  # starts its job worker thread
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    logins = {
        u["role"]: u for u in summary["logins"] if u.get("scope") in (STREET, None)
    }
    yield f"http://127.0.0.1:{port}", logins, ctx
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


def _page(browser, origin, viewport):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    return page, _Watch(page, origin)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page, origin, login):
    page.goto(origin + "/login")
    page.fill("#username", login["username"])
    page.fill("#password", login["password"])
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")


def _no_sideways(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_office_redraws_one_community_splits_and_undoes(browser, site):
    origin, logins, _ctx = site
    page, watch = _page(browser, origin, DESK)
    _sign_in(page, origin, logins["street_office"])
    page.goto(origin + "/s/grids")
    options = page.locator("#community option").all()
    community = options[1].get_attribute("value")  # the first community
    page.select_option("#community", community)
    page.select_option("#method", "balanced")
    page.fill("#grids_per_unit", "3")
    _shot(page, "office_grids")
    page.click("#start-redraw")
    page.wait_for_url(re.compile(r"/s/jobs/\d+"))
    _shot(page, "office_job")
    page.wait_for_url(re.compile(r"/s/grids/\d+$"), timeout=60_000)
    page.wait_for_selector("#redraw-map[data-ready='1']")
    page.wait_for_selector("#redraw-map path.leaflet-interactive")
    STATE["version"] = int(page.url.rsplit("/", 1)[1])
    assert "草稿" in page.inner_text("h1")
    rows = page.locator("#grid-table tbody tr")
    new_rows = page.locator("#changed-grids tbody tr").all()
    assert len(new_rows) == 3
    assert all(community in r.inner_text() for r in new_rows)
    _shot(page, "office_draft_map")
    before = rows.count()
    # a split the grids cannot balance is refused and changes nothing; split
    # the first new grid that can be split in two
    codes = [r.locator("code").inner_text() for r in new_rows]
    for code in codes:
        page.select_option("#split-code", code)
        page.fill("#split-parts", "2")
        page.click("#split-button")
        page.wait_for_load_state("load")
        if "已拆分" in page.inner_text(".flash"):
            break
        assert page.locator("#grid-table tbody tr").count() == before
    else:
        pytest.fail(f"none of {codes} could be split in two")
    assert page.locator("#grid-table tbody tr").count() == before + 1
    assert page.locator("#changed-grids tbody tr").count() == 4
    page.wait_for_selector("#redraw-map[data-ready='1']")
    _shot(page, "office_split")
    page.click("text=撤销最近一次调整")
    page.wait_for_load_state("load")
    assert "已撤销" in page.inner_text(".flash")
    assert page.locator("#grid-table tbody tr").count() == before
    watch.check()
    page.context.close()


def test_office_sees_churn_then_activates_and_reassigns(browser, site):
    origin, logins, ctx = site
    page, watch = _page(browser, origin, DESK)
    _sign_in(page, origin, logins["street_office"])
    page.goto(origin + f"/s/grids/{STATE['version']}")
    page.click("#to-reassign")
    page.wait_for_load_state("load")
    churn = page.inner_text("#churn")
    assert churn.endswith("%")
    assert page.locator("#warden-table tbody tr").count() >= 1
    _shot(page, "office_reassign_preview")
    with ctx.engine.connect() as conn:
        import sqlalchemy as sa

        status = conn.execute(
            sa.text("SELECT status FROM grid_versions WHERE id = :v"),
            {"v": STATE["version"]},
        ).scalar()
    assert status == "draft"  # seeing the proposal wrote nothing
    page.click("#confirm-reassign")
    page.wait_for_load_state("load")
    assert "已启用网格版本" in page.inner_text(".flash")
    assert "现行" in page.inner_text("h1")
    page.wait_for_selector("#redraw-map[data-ready='1']")
    _shot(page, "office_activated")
    watch.check()
    page.context.close()


def _plan(page, origin, start: dt.date, days: int) -> int:
    page.goto(origin + "/s/patrol")
    page.fill("#start", start.isoformat())
    page.fill("#days", str(days))
    page.click("#make-plan")
    page.wait_for_url(re.compile(r"/s/patrol/\d+$"), timeout=120_000)
    return int(page.url.rsplit("/", 1)[1])


def test_office_plans_next_week_and_today(browser, site):
    from gridwatch.timeutil import today

    origin, logins, _ctx = site
    page, watch = _page(browser, origin, DESK)
    _sign_in(page, origin, logins["street_office"])
    page.goto(origin + "/s/patrol")
    default = dt.date.fromisoformat(page.input_value("#start"))
    assert default.weekday() == 0 and default > today()  # next Monday
    _shot(page, "office_patrol_form")
    STATE["next_week"] = _plan(page, origin, default, 7)
    assert page.locator("#plan-days tbody tr").count() > 0
    _shot(page, "office_plan_next_week")
    STATE["plan"] = _plan(page, origin, today(), 2)
    link = page.locator("#plan-days a", has_text="路线").first
    link.click()
    page.wait_for_selector(".route-pin")
    _shot(page, "office_route_day")
    page.click("text=打印日单")
    page.wait_for_selector(".route-pin")
    _shot(page, "office_day_sheet")
    watch.check()
    page.context.close()


def _record_first_stop(ctx, warden_login, enterprise_id, day):
    """Record the inspection the record-inspection page will record."""
    import sqlalchemy as sa

    with ctx.engine.connect() as conn:
        who = conn.execute(
            sa.text(
                "SELECT u.id, w.id AS wid, u.scope_code FROM users u JOIN wardens w "
                "ON w.user_id = u.id WHERE u.username = :u"
            ),
            {"u": warden_login["username"]},
        ).one()
    try:
        from gridwatch.services.inspections import record_inspection
    except ImportError:
        record_inspection = None
    if record_inspection is not None:
        from gridwatch.services.actor import Actor

        actor = Actor(
            warden_login["username"],
            "warden",
            scope_code=who.scope_code,
            user_id=who.id,
            warden_id=who.wid,
        )
        record_inspection(
            ctx, actor, enterprise_id, inspected_on=day, kind="patrol", result="pass"
        )
        return
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO inspections (enterprise_id, kind, inspected_on, "
                "inspector_id, result, created_at) VALUES (:e, 'patrol', :d, :u, "
                "'pass', :now)"
            ),
            {"e": enterprise_id, "d": day, "u": who.id, "now": dt.datetime.now()},
        )


def _warden_with_stops_today(ctx, logins, day: dt.date) -> dict:
    """The demo's sample warden if today's plan gives them stops, else a warden it
    does (the demo's activity decides who is due today), given a known password."""
    import sqlalchemy as sa

    from gridwatch.services.users import hash_password

    with ctx.engine.begin() as conn:
        names = conn.execute(
            sa.text(
                "SELECT u.username FROM patrol_days d JOIN wardens w ON w.id = "
                "d.warden_id JOIN users u ON u.id = w.user_id WHERE d.plan_id = :p "
                "AND d.day = :d AND d.n_planned > 0 ORDER BY u.username"
            ),
            {"p": STATE["plan"], "d": day},
        ).scalars().all()
        assert names, "today's plan gives no warden a stop"
        if logins["warden"]["username"] in names:
            return logins["warden"]
        login = {"username": names[0], "password": "route-test-Pw1", "role": "warden"}
        conn.execute(
            sa.text(
                "UPDATE users SET password_hash = :h, must_change_password = :f "
                "WHERE username = :u"
            ),
            {"h": hash_password(login["password"]), "f": False, "u": names[0]},
        )
    return login


def test_warden_opens_today_records_first_stop_office_sees_it_done(browser, site):
    from gridwatch.timeutil import today

    origin, logins, ctx = site
    warden = _warden_with_stops_today(ctx, logins, today())
    page, watch = _page(browser, origin, PHONE)
    _sign_in(page, origin, warden)
    page.goto(origin + "/w/route")
    page.wait_for_selector(".route-pin")
    stops = page.locator("#stops > li")
    assert stops.count() >= 1, "the warden has no stop today"
    first = stops.first
    assert first.get_attribute("data-status") == "pending"
    assert first.locator(".nav-links a").count() == 3
    assert first.locator("a[href^='geo:']").count() == 1
    _no_sideways(page, PHONE["width"])
    _shot(page, "warden_today")
    name = first.locator(".name").inner_text()
    with ctx.engine.connect() as conn:
        import sqlalchemy as sa

        eid = conn.execute(
            sa.text(
                "SELECT s.enterprise_id FROM patrol_stops s JOIN patrol_days d ON "
                "d.id = s.day_id JOIN enterprises e ON e.id = s.enterprise_id "
                "WHERE d.plan_id = :p AND d.day = :d AND s.seq = 1 AND e.name = :n"
            ),
            {"p": STATE["plan"], "d": today(), "n": name},
        ).scalar_one()
    _record_first_stop(ctx, warden, eid, today())
    page.reload()
    page.wait_for_selector(".route-pin")
    assert page.locator("#stops > li").first.get_attribute("data-status") == "done"
    _shot(page, "warden_today_done")
    watch.check()
    page.context.close()
    office, watch2 = _page(browser, origin, DESK)
    _sign_in(office, origin, logins["street_office"])
    office.goto(origin + f"/s/patrol/{STATE['plan']}")
    assert int(office.inner_text("#done-count")) >= 1
    _shot(office, "office_plan_done")
    watch2.check()
    office.context.close()
