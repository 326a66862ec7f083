"""Issue 10's warden pages through the test client: a hazard's page and its steps
to closure (a failed and a passed re-inspection), refusals as the service's one
sentence with a 4xx and nothing stored, CSRF, "my hazards" overdue first, the
tip-off queue and its triage, the to-do's campaign and self-report reasons."""

from __future__ import annotations

import datetime as dt
import io
import re

import sqlalchemy as sa

from gridwatch.timeutil import today
from tests.db.warden_helpers import jpeg_bytes
from tests.web.conftest import csrf_token


def _post(client, url, data, page=None, **kw):
    data = {**data, "csrf_token": csrf_token(client, page or url)}
    return client.post(url, data=data, **kw)


def _one(world, sql: str, **params):
    with world.ctx.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def _events(world, hazard_id: int) -> list[tuple]:
    with world.ctx.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT action, from_state, to_state, passed FROM hazard_events "
                    "WHERE hazard_id = :h ORDER BY id"
                ),
                {"h": hazard_id},
            )
        ]


def test_hazard_page_shows_history_photos_and_the_allowed_steps(signed_in, world):
    hid = world.hazards["A"]
    page = signed_in("warden_a").get(f"/w/hazards/{hid}").get_data(as_text=True)
    assert "甲网格企业的消防隐患" in page
    assert 'id="hazard-history"' in page and "排查发现" in page
    assert re.search(r'src="/photos/\d+"', page)  # the hazard's photo
    steps = re.findall(r'data-step="(\w+)"', page)
    # rectifying, ordinary: the warden records the rectification or closes it
    # on the spot only on the day found (the machine's rule, from the service)
    assert steps[0] == "record_rectification"
    assert ">记录整改完成</a>" in page  # the page's own label of the step
    assert "reinspect_pass" not in steps
    # another grid's hazard looks absent
    assert signed_in("warden_b").get(f"/w/hazards/{hid}").status_code == 404


def test_a_hazard_goes_to_closure_through_a_failed_reinspection(signed_in, world):
    client, hid = signed_in("warden_b"), world.hazards["B"]
    base = f"/w/hazards/{hid}"
    # a re-inspection before the rectification: the machine's sentence, 409
    r = _post(
        client,
        f"{base}/reinspect_pass",
        {"note": "看过"},
        page=base + "/record_rectification",
    )
    assert r.status_code == 409
    assert 'id="step-error"' in r.get_data(as_text=True)
    assert len(_events(world, hid)) == 1
    # the rectification needs what was done: the service's one sentence, 400
    r = _post(client, f"{base}/record_rectification", {"note": ""})
    assert r.status_code == 400 and 'id="step-error"' in r.get_data(as_text=True)
    assert len(_events(world, hid)) == 1
    r = _post(
        client,
        f"{base}/record_rectification",
        {"note": "清理了通道", "photos": (io.BytesIO(jpeg_bytes()), "fixed.jpg")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(base)
    # a failed re-inspection needs a new deadline and what is still wrong
    r = _post(client, f"{base}/reinspect_fail", {"note": "仍有杂物"})
    assert r.status_code == 400 and _events(world, hid)[-1][0] == "record_rectification"
    later = (today() + dt.timedelta(days=7)).isoformat()
    r = _post(client, f"{base}/reinspect_fail", {"note": "仍有杂物", "deadline": later})
    assert r.status_code == 302
    r = _post(client, f"{base}/record_rectification", {"note": "全部清走"})
    assert r.status_code == 302
    r = _post(client, f"{base}/reinspect_pass", {"note": "合格"})
    assert r.status_code == 302
    assert _events(world, hid) == [
        ("discover", None, "rectifying", None),
        ("record_rectification", "rectifying", "rectified", None),
        ("reinspect", "rectified", "rectifying", False),
        ("record_rectification", "rectifying", "rectified", None),
        ("reinspect", "rectified", "closed", True),
    ]
    page = client.get(base).get_data(as_text=True)
    assert "隐患已销号" in page and 'data-step="' not in page
    status, actor = _one(
        world,
        "SELECT h.status, e.actor FROM hazards h JOIN hazard_events e "
        "ON e.hazard_id = h.id WHERE h.id = :h ORDER BY e.id DESC LIMIT 1",
        h=hid,
    )
    assert (status, actor) == ("closed", world.username("warden_b"))
    # the rectification photo is on its event and shown
    assert len(re.findall(r'src="/photos/\d+"', page)) >= 3  # found + fixed, twice


def test_steps_refuse_without_csrf_and_for_other_grids(signed_in, world):
    hid = world.hazards["A"]
    client = signed_in("warden_a")
    r = client.post(f"/w/hazards/{hid}/record_rectification", data={"note": "x"})
    assert r.status_code == 400
    other = signed_in("warden_b")
    token = csrf_token(other, "/w/hazards")
    r = other.post(
        f"/w/hazards/{hid}/record_rectification",
        data={"note": "x", "csrf_token": token},
    )
    assert r.status_code == 404
    assert _events(world, hid)[-1][0] == "discover"


def test_my_hazards_lists_overdue_first_and_only_my_grids(signed_in, world):
    ctx, eid = world.ctx, world.enterprises["A"][1]
    from gridwatch.services.supervision import actor_for_user, create_hazard

    me = actor_for_user(ctx, world.username("warden_a"))
    late = create_hazard(
        ctx, me, level="ordinary", category="electrical", description="电线裸露",
        enterprise_id=eid, found_on=today() - dt.timedelta(days=40),
    )  # fmt: skip
    assert late["is_overdue"]  # found 40 days ago with the 30-day default
    page = signed_in("warden_a").get("/w/hazards").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'href="/w/hazards/(\d+)"', page)]
    assert ids[0] == late["id"] and world.hazards["A"] in ids
    assert world.hazards["B"] not in ids and world.hazards["C"] not in ids
    assert "已逾期" in page
    only = signed_in("warden_a").get("/w/hazards?overdue=1").get_data(as_text=True)
    assert re.findall(r'href="/w/hazards/(\d+)"', only) == [str(late["id"])]


def test_tipoff_queue_shows_my_grids_tipoffs_with_receipt(signed_in, world):
    from gridwatch.services.supervision.tipoffs import receipt_code

    page = signed_in("warden_a").get("/w/tipoffs").get_data(as_text=True)
    mine = world.tipoffs["A"]
    code = receipt_code(world.ctx, mine["id"])  # under this copy's secret key
    assert f'href="/w/tipoffs/{mine["id"]}"' in page and code in page
    assert "乙网格企业" not in page and "丙网格企业" not in page
    detail = signed_in("warden_a").get(f"/w/tipoffs/{mine['id']}")
    text = detail.get_data(as_text=True)
    assert "13800000000" in text  # contact, for the staff in scope
    photo = f"/w/tipoffs/{mine['id']}/photos/{mine['photo']}"
    assert photo in text
    r = signed_in("warden_a").get(photo)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert signed_in("warden_b").get(photo).status_code == 404


def test_triage_refuses_in_one_sentence_then_converts(signed_in, world):
    client, tid = signed_in("warden_a"), world.tipoffs["A"]["id"]
    url = f"/w/tipoffs/{tid}"
    r = _post(client, url, {"action": "dismiss", "reason": ""})
    assert r.status_code == 400 and 'id="triage-error"' in r.get_data(as_text=True)
    r = _post(client, url, {"action": "convert_to_hazard", "level": "ordinary"})
    # no enterprise picked: the service's sentence on the page, nothing stored
    assert r.status_code in (400, 404) and 'id="triage-error"' in r.get_data(
        as_text=True
    )
    assert _one(world, "SELECT status FROM tipoffs WHERE id = :t", t=tid)[0] == "new"
    eid = world.enterprises["A"][2]
    r = _post(
        client,
        url,
        {"action": "convert_to_hazard", "enterprise_id": eid, "level": "ordinary",
         "category": "fire"},
    )  # fmt: skip
    assert r.status_code == 302
    status, hazard_id = _one(
        world, "SELECT status, hazard_id FROM tipoffs WHERE id = :t", t=tid
    )
    assert status == "converted" and hazard_id
    page = client.get(url).get_data(as_text=True)
    assert f'href="/w/hazards/{hazard_id}"' in page and 'id="convert-form"' not in page
    # triaged once: a second try is the machine's refusal
    r = _post(client, url, {"action": "dismiss", "reason": "重复"}, page="/w/tipoffs")
    assert r.status_code == 409


def test_pass_a_tipoff_to_the_street(signed_in, world):
    client, tid = signed_in("warden_b"), world.tipoffs["B"]["id"]
    r = _post(
        client,
        f"/w/tipoffs/{tid}",
        {"action": "refer", "department": "街道办事处（安全生产监管）"},
    )
    assert r.status_code == 302
    status, to = _one(
        world, "SELECT status, referred_to FROM tipoffs WHERE id = :t", t=tid
    )
    assert status == "referred" and to.startswith("街道办事处")


def test_todo_shows_campaign_and_self_report_reasons(signed_in, world):
    from gridwatch.services.supervision import actor_for_user, create_campaign

    ctx = world.ctx
    bureau = actor_for_user(ctx, world.username("bureau"))
    create_campaign(
        ctx, bureau, name="消防专项整治", start=today() - dt.timedelta(days=1),
        end=today() + dt.timedelta(days=20), selectors=[{"sectors": []}],
    )  # fmt: skip
    page = signed_in("warden_a").get("/w/todo").get_data(as_text=True)
    assert 'id="todo-supervision"' in page
    assert "专项整治“消防专项整治”" in page
    assert "专项整治待检查" in page


def test_the_pages_speak_english_when_asked(signed_in, world):
    """Only user data (the world's Chinese names and texts) stays Chinese."""
    client = signed_in("warden_a")
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    hid, tid = world.hazards["A"], world.tipoffs["A"]["id"]
    for url in (f"/w/hazards/{hid}", "/w/hazards", "/w/tipoffs", f"/w/tipoffs/{tid}",
                f"/w/hazards/{hid}/record_rectification"):  # fmt: skip
        body = client.get(url).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", body[body.find("<main") :])
        for data in (
            "甲网格企业旁边堆放易燃物",
            "甲网格企业旁边堆放杂物堵塞通道",  # the office pages' world (supervision_world)
            "甲网格企业的消防隐患",
            "甲网格企业",
            "电线裸露",
        ):
            text = text.replace(data, "")
        assert not re.findall(r"[\u4e00-\u9fff（）]", text), url
    assert "History" in client.get(f"/w/hazards/{hid}").get_data(as_text=True)
