"""The public tip-off page (/tipoff, no sign-in): the form and its map frame,
a report with a photo routed to the right warden with the receipt's code, the
refusals (no place, a bad photo, CSRF) with nothing stored, user text escaped in
the warden's queue, and both limits (the service's per-address daily limit and
Flask-Limiter's POST throttle)."""

from __future__ import annotations

import io
import json
import re

import sqlalchemy as sa

from tests.db.warden_helpers import jpeg_bytes
from tests.web.conftest import csrf_token, session_client
from tests.web.world import XSS

XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _anon(app, address: str):
    client = session_client(app, None)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _send(client, **fields):
    data = {"csrf_token": csrf_token(client, "/tipoff"), **fields}
    return client.post("/tipoff", data=data, content_type="multipart/form-data")


def _count(world) -> int:
    with world.ctx.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM tipoffs")).scalar()


def test_the_form_is_public_and_shows_only_the_streets(app):
    r = _anon(app, "192.0.2.1").get("/tipoff")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="tipoff-form"' in page
    assert "<script>" not in page and "onclick" not in page  # CSP: files only
    outlines = json.loads(
        re.search(r'data-outlines="([^"]+)"', page).group(1).replace("&#34;", '"')
    )
    codes = {f["properties"]["code"] for f in outlines["features"]}
    assert codes == {"440604011", "440604003"}  # streets, never a grid or a name
    assert "甲网格企业" not in page and "440604011001001" not in page


def test_a_report_with_a_photo_reaches_the_warden_of_its_grid(app, world, signed_in):
    from gridwatch.services.supervision.tipoffs import receipt_code

    client, before = _anon(app, "192.0.2.2"), _count(world)
    r = _send(
        client,
        description=f"仓库门口堆满纸箱 {XSS}",
        lng="113.031",  # grid B (113.02–113.04), WGS-84: no tiles configured
        lat="23.012",
        datum="wgs84",
        contact_phone="13900000000",
        photos=(io.BytesIO(jpeg_bytes()), "box.jpg"),
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/tipoff/received")
    receipt = client.get("/tipoff/received").get_data(as_text=True)
    code = re.search(r'id="receipt-code">(JB\w+)<', receipt).group(1)
    assert _count(world) == before + 1
    with world.ctx.engine.connect() as conn:
        tid, grid = conn.execute(
            sa.text("SELECT id, grid_code FROM tipoffs ORDER BY id DESC LIMIT 1")
        ).one()
    assert grid == "440604011002001" and code == receipt_code(world.ctx, tid)
    queue = signed_in("warden_b").get("/w/tipoffs").get_data(as_text=True)
    assert code in queue and XSS_ESCAPED in queue and XSS not in queue
    detail = signed_in("warden_b").get(f"/w/tipoffs/{tid}").get_data(as_text=True)
    assert "/photos/" in detail and XSS not in detail
    assert code not in signed_in("warden_a").get("/w/tipoffs").get_data(as_text=True)


def test_refusals_store_nothing(app, world):
    client, before = _anon(app, "192.0.2.3"), _count(world)
    r = _send(client, description="有人在居民楼里存放液化气罐")
    assert r.status_code == 400
    assert 'id="tipoff-error"' in r.get_data(as_text=True)  # the service's sentence
    r = _send(client, description="x", address="某路1号",
              photos=(io.BytesIO(b"not a photo"), "a.jpg"))  # fmt: skip
    assert r.status_code == 400 and 'id="tipoff-error"' in r.get_data(as_text=True)
    r = client.post("/tipoff", data={"description": "x", "address": "某路1号"})
    assert r.status_code == 400  # no CSRF token
    r = _send(client, description="", address="某路1号")
    assert r.status_code == 400  # the form's required field
    assert _count(world) == before


def test_the_services_daily_limit_is_a_429(app, world):
    limit = world.ctx.settings.tipoff_daily_limit
    client = _anon(app, "192.0.2.4")
    answers = [
        _send(client, description=f"第{k}次", lng="113.01", lat="23.01")
        for k in range(limit + 1)
    ]
    assert [a.status_code for a in answers] == [302] * limit + [429]
    assert 'id="tipoff-error"' in answers[-1].get_data(as_text=True)


def test_the_post_throttle_counts_refused_posts_too(app):
    client = _anon(app, "192.0.2.5")
    statuses = [_send(client, description="").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert client.get("/tipoff").status_code == 200  # reading is not throttled


def test_an_address_alone_places_the_report(app, world):
    """No pin: the address is geocoded offline with the worker's cached
    gazetteer (loaded once), and the report is stored with its routing."""
    client = _anon(app, "192.0.2.6")
    for text in ("张槎街道某工业园3号楼后门", "张槎街道某工业园5号楼"):
        r = _send(client, description="楼道堆放油漆桶", address=text)
        assert r.status_code == 302
    assert "gw_gazetteer" in app.extensions  # cached for the next report
    with world.ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT address, routed_by FROM tipoffs ORDER BY id DESC LIMIT 2")
        ).all()
    assert {r.address for r in rows} == {
        "张槎街道某工业园3号楼后门",
        "张槎街道某工业园5号楼",
    }
    assert all(r.routed_by in ("address", "street", "none") for r in rows)
