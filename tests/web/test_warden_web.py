"""The warden's pages through the test client: to-do, my grids' data, the file,
recording an inspection with a check-in and photos, reporting a hazard, moving the
pin, photos by scope, and user text escaped everywhere."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from gridwatch.maps.layers import unpack
from gridwatch.timeutil import today
from tests.db.warden_helpers import jpeg_bytes
from tests.web.conftest import csrf_token
from tests.web.world import MARK, XSS

XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _post(client, url, data, page=None, **kw):
    data = {**data, "csrf_token": csrf_token(client, page or url)}
    return client.post(url, data=data, **kw)


def _count(world, table: str, where: str = "1=1") -> int:
    with world.ctx.engine.connect() as conn:
        return conn.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE {where}")
        ).scalar()


def _site(world, grid="A", k=0):
    """(id, lng, lat) of an enterprise of the world (points as built)."""
    eid = world.enterprises[grid][k]
    with world.ctx.engine.connect() as conn:
        lng, lat = conn.execute(
            sa.text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises WHERE id = :i"),
            {"i": eid},
        ).one()
    return eid, lng, lat


def test_todo_lists_only_the_wardens_enterprises_escaped(signed_in, world):
    page = signed_in("warden_a").get("/w/todo").get_data(as_text=True)
    # A0 was inspected yesterday (on time); A1 and A2 were never inspected
    for eid in world.enterprises["A"][1:]:
        assert f"/w/enterprises/{eid}" in page
    assert MARK["B"] not in page and MARK["C"] not in page
    assert XSS_ESCAPED in page and XSS not in page  # the hostile name is text
    assert "从未检查" in page or "逾期" in page


def test_todo_filters_by_risk_and_refuses_unknown_values(signed_in, world):
    client = signed_in("warden_a")
    page = client.get("/w/todo?risk=yellow").get_data(as_text=True)
    ids = set(map(int, re.findall(r"/w/enterprises/(\d+)\"", page)))
    assert ids == {world.enterprises["A"][1]}  # the yellow one of grid A
    bad = client.get("/w/todo?risk=purple")
    assert bad.status_code == 400 and "purple" in bad.get_data(as_text=True)
    other = client.get(f"/w/todo?grid={world.grid_codes['B']}")
    assert other.status_code == 404


def test_my_grids_data_hold_only_the_wardens_grids_and_points(signed_in, world):
    data = signed_in("warden_a").get("/w/grids.json").get_json()
    grids = unpack(data["grids"])
    assert [f["properties"]["code"] for f in grids["features"]] == [
        world.grid_codes["A"]
    ]
    points = unpack(data["points"])
    names = points["name"].split("\n")
    assert len(names) == data["n_points"] == 3 and XSS in names
    assert not any(MARK["B"] in n or MARK["C"] in n for n in names)
    assert set(data["ids"].values()) == set(world.enterprises["A"])
    assert sum(data["counts"][s] for s in data["statuses"]) == 3


def test_enterprise_file_shows_history_hazards_photos_and_responsible(signed_in, world):
    eid = world.enterprises["A"][0]
    page = signed_in("warden_a").get(f"/w/enterprises/{eid}").get_data(as_text=True)
    assert f"{MARK['A']}的检查记录" in page and f"{MARK['A']}的消防隐患" in page
    assert f"/photos/{world.photos['A']}" in page
    assert "已入格" in page and "gw_warden_a" in page  # placement and warden
    assert "位置为登记时提供的坐标" in page  # precision in words
    assert "消防安全" in page and "整改中" in page  # category and machine state


def _record(client, eid, **fields):
    data = {
        "inspected_on": today().isoformat(),
        "kind": "inspection",
        "result": "pass",
        "notes": "",
        "lng": "",
        "lat": "",
        "accuracy": "",
        "position_at": "",
        "geo": "",
        **fields,
    }
    url = f"/w/enterprises/{eid}/inspect"
    return _post(client, url, data, content_type="multipart/form-data")


def test_record_inspection_with_checkin_and_photo(signed_in, world):
    client = signed_in("warden_a")
    eid, lng, lat = _site(world, "A", 1)
    before = _count(world, "photos")
    r = _record(
        client,
        eid,
        notes=XSS,
        lng=str(lng + 0.0002),
        lat=str(lat),
        accuracy="15",
        geo="ok",
        photos=[(__import__("io").BytesIO(jpeg_bytes()), "site.jpg")],
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    iid = int(r.headers["Location"].rsplit("/", 1)[1])
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已核验(在企业附近)" in page and "距企业" in page
    assert XSS_ESCAPED in page and XSS not in page
    assert _count(world, "photos") == before + 1
    with world.ctx.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT checkin_status, checkin_accuracy_m, inspector_id, notes "
                "FROM inspections WHERE id = :i"
            ),
            {"i": iid},
        ).one()
        actor = conn.execute(
            sa.text(
                "SELECT actor FROM audit_log WHERE entity = 'inspections' "
                "ORDER BY id DESC LIMIT 1"
            )
        ).scalar()
    assert row[0] == "verified" and row[1] == 15.0 and row[3] == XSS
    assert row[2] == world.users["warden_a"]["id"] and actor == "gw_warden_a"
    # the file lists it, escaped, with the photo behind the scope-checked route
    file_page = client.get(f"/w/enterprises/{eid}").get_data(as_text=True)
    assert XSS_ESCAPED in file_page and XSS not in file_page


def test_record_inspection_without_position_is_kept_unverified(signed_in, world):
    client = signed_in("warden_a")
    eid = world.enterprises["A"][2]
    r = _record(client, eid, geo="denied", kind="patrol")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "未获取定位,未核验" in page
    assert "您拒绝了定位授权" in page  # the page says why there is no position


def test_record_inspection_bad_photo_stores_nothing_and_keeps_the_notes(
    signed_in, world
):
    client = signed_in("warden_a")
    eid = world.enterprises["A"][1]
    before = _count(world, "inspections")
    r = _record(
        client,
        eid,
        notes="消防通道被堵，已口头提醒",
        photos=[(__import__("io").BytesIO(b"not a picture"), "fake.jpg")],
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "消防通道被堵，已口头提醒" in page
    assert 'class="flash error"' in page
    assert _count(world, "inspections") == before


def test_record_inspection_refuses_future_date_with_one_sentence(signed_in, world):
    client = signed_in("warden_a")
    eid = world.enterprises["A"][1]
    future = (today() + dt.timedelta(days=3)).isoformat()
    r = _record(client, eid, inspected_on=future)
    assert r.status_code == 200 and "in the future" in r.get_data(as_text=True)


def test_report_hazard_defaults_the_deadline_by_level_and_shows_in_file(
    signed_in, world
):
    client = signed_in("warden_a")
    eid, lng, lat = _site(world, "A", 1)
    r = _record(client, eid, result="pass", lng=str(lng), lat=str(lat), accuracy="8")
    iid = int(r.headers["Location"].rsplit("/", 1)[1])
    form = client.get(f"/w/inspections/{iid}/hazard").get_data(as_text=True)
    # a warden sets the deadline of an ordinary hazard; a major one waits for the
    # street office or bureau (SAWS Order No. 16), and the form says so
    assert 'data-deadline-ordinary="' in form and 'data-deadline-major' not in form
    assert "整改期限由街道安监办或区应急管理局确定" in form
    r = _post(
        client,
        f"/w/inspections/{iid}/hazard",
        {
            "level": "major",
            "category": "dust",
            "description": "除尘系统未接地",
            "deadline": "",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#hazards")
    with world.ctx.engine.connect() as conn:
        found, deadline, _status = conn.execute(
            sa.text(
                "SELECT found_on, deadline, status FROM hazards "
                "WHERE inspection_id = :i"
            ),
            {"i": iid},
        ).one()
        result = conn.execute(
            sa.text("SELECT result FROM inspections WHERE id = :i"), {"i": iid}
        ).scalar()
    assert deadline is None and _status == "found" and found is not None
    r = _post(
        client,
        f"/w/inspections/{iid}/hazard",
        {"level": "ordinary", "category": "fire", "description": "灭火器过期",
         "deadline": ""},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    with world.ctx.engine.connect() as conn:
        found, deadline = conn.execute(
            sa.text(
                "SELECT found_on, deadline FROM hazards WHERE inspection_id = :i "
                "AND level = 'ordinary'"
            ),
            {"i": iid},
        ).one()
    days = world.ctx.settings.hazard_deadline_days["ordinary"]
    assert _as_date(deadline) - _as_date(found) == dt.timedelta(days=days)
    assert result == "hazards_found"  # a hazard was found: it did not pass
    page = client.get(f"/w/enterprises/{eid}").get_data(as_text=True)
    assert "除尘系统未接地" in page and "重大隐患" in page


def _as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def test_move_pin_stores_manual_with_datum_and_audit(signed_in, world):
    client = signed_in("warden_a")
    eid, lng, lat = _site(world, "A", 2)
    page = client.get(f"/w/enterprises/{eid}/location").get_data(as_text=True)
    assert 'data-datum="wgs84"' in page and XSS_ESCAPED in page
    r = _post(
        client,
        f"/w/enterprises/{eid}/location",
        {"lng": f"{lng + 0.001:.7f}", "lat": f"{lat:.7f}"},
    )
    assert r.status_code == 302
    with world.ctx.engine.connect() as conn:
        precision, x, datum = conn.execute(
            sa.text(
                "SELECT precision, ST_X(geom), source_datum FROM enterprises "
                "WHERE id = :i"
            ),
            {"i": eid},
        ).one()
        audit = conn.execute(
            sa.text(
                "SELECT actor, new FROM audit_log WHERE entity = 'enterprises' "
                "ORDER BY id DESC LIMIT 3"
            )
        ).all()
    assert precision == "manual" and abs(x - (lng + 0.001)) < 1e-6
    assert datum == "wgs84"  # the page's map datum (no tiles: WGS-84)
    # the move, and the town/community codes it brings, are audited as the warden
    assert all(a[0] == "gw_warden_a" for a in audit[:2])
    assert any("source_lng" in str(a[1]) for a in audit[:2])


def test_move_pin_outside_scope_is_404_and_bad_position_one_sentence(signed_in, world):
    client = signed_in("warden_a")
    eid = world.enterprises["A"][0]
    r = _post(client, f"/w/enterprises/{eid}/location", {"lng": "500", "lat": "23"})
    assert r.status_code == 200 and "not longitude, latitude" in r.get_data(
        as_text=True
    )
    other = world.enterprises["B"][0]
    assert client.get(f"/w/enterprises/{other}/location").status_code == 404


def test_photos_are_served_by_scope_with_type_and_nosniff(signed_in, world):
    url = f"/photos/{world.photos['A']}"
    r = signed_in("warden_a").get(url)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.data[:3] == b"\xff\xd8\xff"
    assert "private" in r.headers["Cache-Control"]
    assert signed_in("warden_b").get(url).status_code == 404
    assert signed_in("office_y").get(url).status_code == 404
    assert signed_in("office_x").get(url).status_code == 200
