"""The inspections, hazards and coverage API: scope, roles, shapes, the same
figures as the pages' services."""

from __future__ import annotations

import pytest

from gridwatch.services.actor import Actor
from gridwatch.services.overview import bureau_coverage
from gridwatch.services.tokens import create_token
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.web.conftest import csrf_token
from tests.web.world import MARK, TOWN_X


@pytest.fixture(scope="module")
def token(world):
    def make(persona: str) -> dict:
        got = create_token(world.ctx, SYSTEM, world.username(persona), "api test")
        return {"Authorization": f"Bearer {got['token']}"}

    return make


def _site(world, grid="A", k=0):
    import sqlalchemy as sa

    eid = world.enterprises[grid][k]
    with world.ctx.engine.connect() as conn:
        lng, lat = conn.execute(
            sa.text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises WHERE id = :i"),
            {"i": eid},
        ).one()
    return eid, lng, lat


def test_inspections_list_is_scoped_with_checkin_and_photo_urls(signed_in, world):
    eid = world.enterprises["A"][0]
    body = (
        signed_in("warden_a").get(f"/api/v1/enterprises/{eid}/inspections").get_json()
    )
    assert body["total"] >= 1 and body["items"][0]["notes"] == f"{MARK['A']}的检查记录"
    assert body["items"][0]["photos"][0]["url"] == f"/photos/{world.photos['A']}"
    assert body["items"][0]["checkin"]["status"] == "unverified"
    assert (
        signed_in("warden_b").get(f"/api/v1/enterprises/{eid}/inspections").status_code
        == 404
    )


def test_create_inspection_by_token_with_position(app, world, token):
    eid, lng, lat = _site(world, "A", 1)
    client = app.test_client()
    r = client.post(
        f"/api/v1/enterprises/{eid}/inspections",
        json={
            "inspected_on": today().isoformat(),
            "kind": "spot_check",
            "result": "pass",
            "notes": "API 抽查",
            "position": {"lng": lng + 0.02, "lat": lat, "accuracy_m": 10},
        },
        headers=token("warden_a"),
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["checkin"]["status"] == "far" and body["checkin"]["is_flagged"]
    assert body["credited_grid"] == world.grid_codes["A"]
    assert body["credited_warden"] == "gw_warden_a"


def test_create_inspection_refusals(app, world, token, signed_in):
    eid = world.enterprises["A"][1]
    client = app.test_client()
    good = {"inspected_on": today().isoformat(), "kind": "patrol", "result": "pass"}
    url = f"/api/v1/enterprises/{eid}/inspections"
    # another grid's warden: absent; the bureau reads but does not record
    assert client.post(url, json=good, headers=token("warden_b")).status_code == 404
    r = client.post(url, json=good, headers=token("bureau"))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    bad = client.post(url, json={**good, "kind": "visit"}, headers=token("warden_a"))
    assert (
        bad.status_code == 422
        and "kind" in bad.get_json()["error"]["details"]["fields"]["json"]
    )
    # a session needs the CSRF token on a POST
    session = signed_in("warden_a")
    assert session.post(url, json=good).status_code == 400
    ok = session.post(
        url, json=good, headers={"X-CSRFToken": csrf_token(session, "/account")}
    )
    assert ok.status_code == 201 and ok.get_json()["checkin"]["status"] == "unverified"


def test_hazards_list_in_scope_and_paged(signed_in, world):
    body = signed_in("warden_a").get("/api/v1/hazards?open=true").get_json()
    assert {h["enterprise_id"] for h in body["items"]} <= set(world.enterprises["A"])
    assert body["items"] and all(h["state"] == "rectifying" for h in body["items"])
    everyone = signed_in("bureau").get("/api/v1/hazards?limit=2").get_json()
    assert everyone["total"] >= 3 and len(everyone["items"]) == 2
    office = signed_in("office_y").get("/api/v1/hazards").get_json()
    assert {h["uscc"] for h in office["items"]} and all(
        MARK["C"] in h["enterprise_name"] for h in office["items"]
    )
    other = world.enterprises["C"][0]
    r = signed_in("warden_a").get(f"/api/v1/hazards?enterprise_id={other}")
    assert r.status_code == 404


def test_grid_coverage_equals_the_street_overview(signed_in, world):
    body = signed_in("office_x").get("/api/v1/coverage/grids").get_json()
    assert body["town_code"] == TOWN_X
    codes = {f["id"] for f in body["features"]}
    assert codes == {world.grid_codes["A"], world.grid_codes["B"]}
    n = sum(f["properties"]["n"] for f in body["features"])
    assert n == body["totals"]["n"] == 6
    assert (
        signed_in("office_x").get("/api/v1/coverage/grids?town=440604003").status_code
        == 404
    )
    assert signed_in("bureau").get("/api/v1/coverage/grids").status_code == 400
    assert signed_in("warden_a").get("/api/v1/coverage/grids").status_code == 403


def test_town_coverage_equals_the_bureau_table(signed_in, world):
    body = signed_in("bureau").get("/api/v1/coverage/towns").get_json()
    table = bureau_coverage(world.ctx, Actor("b", "bureau")).table
    rows = {r["code"]: r for r in body["table"]}
    for rec in table.itertuples():
        assert rows[rec.code]["n"] == rec.n and rows[rec.code]["overdue"] == rec.overdue
    assert {f["id"] for f in body["features"]} == {TOWN_X, "440604003"}
    assert signed_in("office_x").get("/api/v1/coverage/towns").status_code == 403
    bad = signed_in("bureau").get("/api/v1/coverage/towns?start=2026-02-30")
    assert bad.status_code == 422
