"""The street office's redraw, reassignment and patrol pages and the warden's
route through the test client (the browser story is in tests/browser)."""

from __future__ import annotations

import re
import threading

from gridwatch.services.job_worker import JobWorker
from gridwatch.timeutil import today
from tests.web.conftest import csrf_token
from tests.web.world import XSS


def test_redraw_form_queues_a_job_that_builds_a_draft(app, world, signed_in):
    c = signed_in("office_x")
    token = csrf_token(c, "/s/grids")
    r = c.post(
        "/s/grids",
        data={
            "csrf_token": token,
            "community": "",
            "method": "balanced",
            "grids_per_unit": "2",
            "seed": "0",
        },
    )
    assert r.status_code == 302 and "/s/jobs/" in r.headers["Location"]
    job_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert c.get(f"/api/v1/jobs/{job_id}").get_json()["status"] == "queued"
    worker, ran = JobWorker(world.ctx), []
    while (done := worker.run_once()) is not None:  # the world's queued job too
        ran.append(done)
    assert job_id in ran
    job = c.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "done", job["error"]
    page = c.get(f"/s/grids/{job['result']['version']}").get_data(as_text=True)
    assert "草稿" in page and "redraw-map" in page
    # the other street neither sees the job nor the draft
    other = signed_in("office_y")
    assert other.get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert other.get(f"/s/grids/{job['result']['version']}").status_code == 404


def test_redraw_form_bad_parameters_say_so_and_queue_nothing(app, world, signed_in):
    c = signed_in("office_x")
    token = csrf_token(c, "/s/grids")
    before = len(re.findall(r"/s/jobs/\d+", c.get("/s/grids").get_data(as_text=True)))
    r = c.post("/s/grids", data={"csrf_token": token, "method": "hex", "community": ""})
    assert r.status_code == 200
    assert "A hex redraw takes a cell size in metres" in r.get_data(as_text=True)
    after = len(re.findall(r"/s/jobs/\d+", c.get("/s/grids").get_data(as_text=True)))
    assert after == before


def test_reassign_preview_then_a_stale_confirm_writes_nothing(app, world, signed_in):
    c = signed_in("office_x")
    draft = world.street["draft"]
    page = c.get(f"/s/wardens/assign?version={draft}").get_data(as_text=True)
    assert "变动比例" in page and "confirm-reassign" in page
    token = csrf_token(c, f"/s/wardens/assign?version={draft}")
    r = c.post(
        "/s/wardens/assign",
        data={"csrf_token": token, "version": str(draft), "digest": "0" * 16},
        follow_redirects=True,
    )
    assert "look at the proposal again" in r.get_data(as_text=True)
    assert "草稿" in c.get(f"/s/grids/{draft}").get_data(as_text=True)


def test_patrol_form_refuses_zero_days_in_one_sentence(app, world, signed_in):
    c = signed_in("office_x")
    token = csrf_token(c, "/s/patrol")
    r = c.post(
        "/s/patrol",
        data={"csrf_token": token, "start": today().isoformat(), "days": "0"},
    )
    assert r.status_code == 200
    assert "The plan window must be at least 1 day long" in r.get_data(as_text=True)


def test_warden_route_escapes_names_and_links_navigation(app, world, signed_in):
    body = signed_in("warden_a").get("/w/route").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and XSS not in body
    assert 'href="geo:' in body and 'href="amapuri://route/plan/?' in body
    assert "baidumap://map/direction?" in body
    assert "\\u003cimg" in body  # the route's JSON data block is escaped too
    # each stop links its enterprise file and the record-inspection form
    files = set(re.findall(r'href="/w/enterprises/(\d+)"', body))
    forms = set(re.findall(r'href="/w/enterprises/(\d+)/inspect"', body))
    assert files and files == forms


def test_day_sheet_prints_with_the_apps_own_assets(app, world, signed_in):
    s = world.street
    r = signed_in("office_x").get(
        f"/s/patrol/{s['plan']}/sheet?warden={s['warden']}&day={s['day']}"
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "巡查日单" in html
    assert not re.search(r'(src|href)="https?://', html)
    assert "/static/css/street.css" in html and "<style" not in html
    assert XSS not in html


RELEASE = threading.Event()
STARTED = threading.Event()


def check_wait(ctx, actor, params):
    return params


def run_wait(ctx, actor, params, progress):
    STARTED.set()
    progress(0.5, "等待")
    assert RELEASE.wait(60), "the test never released the job"
    return {"ok": True}


def test_a_running_job_does_not_block_other_requests(world, monkeypatch):
    """The app's own worker thread runs a job that waits for the test; meanwhile
    other users' pages and the job's poll answer, and show it running."""
    from gridwatch.services import jobs
    from gridwatch.web import create_app
    from tests.web.conftest import session_client

    monkeypatch.setitem(
        jobs.KINDS,
        "test.wait",
        jobs.Kind(__name__, "check_wait", "run_wait", ("street_office",)),
    )
    settings = world.ctx.settings.replace(job_worker="thread")
    app = create_app(settings, world.ctx)  # starts its job worker thread
    office = session_client(app, world.users["office_x"])
    from gridwatch.services.actor import Actor
    from tests.web.world import TOWN_X

    actor = Actor(world.username("office_x"), "street_office", scope_code=TOWN_X)
    RELEASE.clear()
    STARTED.clear()
    job = jobs.submit_job(world.ctx, actor, "test.wait", {})
    try:
        # the worker may first run jobs other tests left queued
        while not STARTED.wait(0.2):
            app.extensions["gridwatch_jobs"].wake()
        assert (
            session_client(app, world.users["warden_a"]).get("/w/").status_code == 200
        )
        assert office.get("/s/grids").status_code == 200
        polled = office.get(f"/api/v1/jobs/{job['id']}").get_json()
        assert polled["status"] == "running" and polled["progress_text"] in (
            None,
            "等待",
        )
    finally:
        RELEASE.set()
    for _ in range(300):
        if office.get(f"/api/v1/jobs/{job['id']}").get_json()["status"] == "done":
            break
        STARTED.wait(0.1)
    assert office.get(f"/api/v1/jobs/{job['id']}").get_json()["result"] == {"ok": True}
    app.extensions["gridwatch_jobs"].stop()
