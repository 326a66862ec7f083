"""The street office's and the bureau's supervision pages (issue 10): each page
through the Flask test client, the office's scope (office_y never sees street
X's rows), every change through the service, bad input as a 4xx with the
service's sentence."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from gridwatch.services.actor import Actor
from gridwatch.services.supervision import (
    create_hazard,
    show_hazard,
    transition_hazard,
)
from tests.web.conftest import csrf_token
from tests.web.world import MARK, TOWN_X, _code

pytestmark = pytest.mark.slow
TODAY = dt.date.today()


def _post(client, path, data, page=None, **kw):
    data = {"csrf_token": csrf_token(client, page or path), **data}
    return client.post(path, data=data, **kw)


def _office_x(world):
    return Actor(world.username("office_x"), "street_office", scope_code=TOWN_X)


def test_hazard_list_is_the_streets_own_filtered_and_paged(signed_in, world):
    x = signed_in("office_x").get("/s/hazards").get_data(as_text=True)
    assert MARK["A"] in x and MARK["B"] in x and MARK["C"] not in x
    y = signed_in("office_y").get("/s/hazards").get_data(as_text=True)
    assert MARK["C"] in y and MARK["A"] not in y
    grid_a = world.grid_codes["A"]
    only_a = signed_in("office_x").get(f"/s/hazards?grid={grid_a}").get_data(True)
    assert MARK["A"] in only_a and MARK["B"] not in only_a
    none_overdue = signed_in("office_x").get("/s/hazards?overdue=yes").get_data(True)
    assert MARK["A"] not in none_overdue  # the world's deadlines are ahead
    closed = signed_in("office_x").get("/s/hazards?status=closed").get_data(True)
    assert MARK["A"] not in closed


def test_hazard_list_bad_filter_is_a_400_and_a_foreign_grid_a_404(signed_in, world):
    r = signed_in("office_x").get("/s/hazards?level=huge")
    assert r.status_code == 400
    assert "筛选条件有误" in r.get_data(as_text=True)
    other = signed_in("office_x").get(f"/s/hazards?grid={world.grid_codes['C']}")
    assert other.status_code == 404


def test_office_y_cannot_open_or_act_on_office_xs_hazard(signed_in, world):
    c = signed_in("office_y")
    hid = world.hazards["A"]
    assert c.get(f"/s/hazards/{hid}").status_code == 404
    token = csrf_token(c, "/s/penalties")
    r = c.post(
        f"/s/hazards/{hid}",
        data={"csrf_token": token, "action": "extend_deadline",
              "deadline": (TODAY + dt.timedelta(days=60)).isoformat(),
              "note": "越权"},
    )  # fmt: skip
    assert r.status_code == 404
    assert show_hazard(world.ctx, _office_x(world), hid)["is_extended"] is False


def test_office_extends_a_deadline_once_with_a_reason(signed_in, world):
    c = signed_in("office_x")
    hid = world.hazards["B"]
    page = c.get(f"/s/hazards/{hid}").get_data(as_text=True)
    assert 'id="act-extend_deadline"' in page and "延期理由" in page
    new = (TODAY + dt.timedelta(days=75)).isoformat()
    blank = _post(c, f"/s/hazards/{hid}",
                  {"action": "extend_deadline", "deadline": new, "note": ""})  # fmt: skip
    assert blank.status_code == 400  # the machine wants the reason
    r = _post(c, f"/s/hazards/{hid}",
              {"action": "extend_deadline", "deadline": new, "note": "设备到货延迟"})  # fmt: skip
    assert r.status_code == 303
    after = c.get(f"/s/hazards/{hid}").get_data(as_text=True)
    assert new in after and "设备到货延迟" in after and "已延期" in after
    assert 'id="act-extend_deadline"' not in after  # once only
    again = _post(c, f"/s/hazards/{hid}",
                  {"action": "extend_deadline", "deadline": new, "note": "再延"})  # fmt: skip
    assert again.status_code in (403, 409)
    assert show_hazard(world.ctx, _office_x(world), hid)["deadline"] == new


def test_office_sets_the_deadline_of_a_major_hazard(signed_in, world):
    office = _office_x(world)
    made = create_hazard(
        world.ctx, office, level="major", category="fire",
        description="甲网格企业的重大隐患", enterprise_id=world.enterprises["A"][1],
        order_rectification=False,
    )  # fmt: skip
    assert made["status"] == "found"
    c = signed_in("office_x")
    day = (TODAY + dt.timedelta(days=80)).isoformat()
    r = _post(c, f"/s/hazards/{made['id']}",
              {"action": "start_rectification", "deadline": day, "note": "限期整改"})  # fmt: skip
    assert r.status_code == 303
    assert show_hazard(world.ctx, office, made["id"])["deadline"] == day


def test_penalty_add_list_totals_and_refusals(signed_in, world):
    c = signed_in("office_x")
    good = {
        "decision_no": "测罚〔2026〕7号",
        "decided_on": TODAY.isoformat(),
        "uscc": _code(1),
        "kind": "fine",
        "amount_yuan": "12000",
        "hazard_id": "",
        "inspection_id": "",
    }
    r = _post(c, "/s/penalties", good)
    assert r.status_code == 303
    page = c.get("/s/penalties").get_data(as_text=True)
    assert "测罚〔2026〕7号" in page and "12,000.00" in page
    assert _post(c, "/s/penalties", good).status_code == 409  # the number is taken
    bad = _post(c, "/s/penalties", {**good, "decision_no": "测罚8", "amount_yuan": "x"})
    assert bad.status_code == 400
    foreign = _post(c, "/s/penalties", {**good, "decision_no": "测罚9",
                                        "uscc": _code(20)})  # fmt: skip
    assert foreign.status_code == 404  # grid C is street Y's
    totals = c.get("/s/penalties/totals").get_data(as_text=True)
    assert TODAY.strftime("%Y-%m") in totals and "12,000.00" in totals
    assert "测罚〔2026〕7号" not in signed_in("office_y").get("/s/penalties").get_data(
        as_text=True
    )
    assert signed_in("office_x").get("/s/penalties?start=2026-99-01").status_code == 400


def test_penalty_import_reports_every_row_and_the_rejects_download(signed_in, world):
    c = signed_in("office_x")
    text = (
        "处罚决定书文号,处罚决定日期,统一社会信用代码,处罚种类,罚款金额(元)\n"
        f"导入罚1号,{TODAY.isoformat()},{_code(2)},罚款,500\n"
        f"导入罚2号,{TODAY.isoformat()},{_code(21)},罚款,500\n"
        f"导入罚3号,明天,{_code(0)},罚款,500\n"
    )
    data = {"file": (io.BytesIO(text.encode("utf-8")), "处罚.csv")}
    r = _post(c, "/s/penalties/import", data, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert 'id="rejected-count">2<' in body
    link = body.split('id="rejects-download" href="')[1].split('"')[0]
    got = c.get(link)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["行号", "字段", "值", "原因"] and len(rows) == 3
    assert signed_in("office_y").get(link).status_code == 404
    empty = _post(c, "/s/penalties/import", {}, content_type="multipart/form-data")
    assert empty.status_code == 400


def test_self_report_import_and_non_reporters(signed_in, world):
    c = signed_in("office_x")
    month = (TODAY.replace(day=1) - dt.timedelta(days=40)).strftime("%Y-%m")
    text = (
        "统一社会信用代码,企业名称,报送月份,报送日期,填报人\n"
        f"{_code(0)},甲,{month},{month}-05,张三\n"
        f"{_code(20)},丙,{month},{month}-05,李四\n"
    )
    data = {"file": (io.BytesIO(text.encode("utf-8")), "自查自报.csv")}
    r = _post(c, "/s/self-reports/import", data, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="rejected-count">1<' in body  # street Y's
    page = c.get(f"/s/self-reports?month={month}").get_data(as_text=True)
    assert MARK["B"] in page and MARK["C"] not in page
    assert f">{MARK['A']}0<" not in page  # it reported
    assert c.get("/s/self-reports?month=13-2026").status_code == 400


def test_escalated_tipoffs_and_triage(signed_in, world):
    c = signed_in("office_x")
    page = c.get("/s/tipoffs").get_data(as_text=True)
    assert MARK["A"] in page and MARK["C"] not in page
    tid = world.supervision["tipoffs"]["B"]
    assert signed_in("office_y").get(f"/s/tipoffs/{tid}").status_code == 404
    one = c.get(f"/s/tipoffs/{tid}").get_data(as_text=True)
    assert 'id="act-dismiss"' in one and "13800000000" in one
    blank = _post(c, f"/s/tipoffs/{tid}", {"action": "dismiss", "reason": ""})
    assert blank.status_code == 400
    r = _post(c, f"/s/tipoffs/{tid}", {"action": "dismiss", "reason": "现场已清理"})
    assert r.status_code == 303
    after = c.get(f"/s/tipoffs/{tid}").get_data(as_text=True)
    assert "现场已清理" in after and 'id="act-dismiss"' not in after
    assert MARK["B"] not in c.get("/s/tipoffs").get_data(as_text=True)


def test_campaign_progress_pages_and_xlsx(signed_in, world):
    cid = world.supervision["campaign"]
    x = signed_in("office_x")
    assert "网页测试专项" in x.get("/s/campaigns").get_data(as_text=True)
    page = x.get(f"/s/campaigns/{cid}").get_data(as_text=True)
    assert world.grid_codes["A"] in page and world.grid_codes["C"] not in page
    got = x.get(f"/s/campaigns/{cid}/progress.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(got.get_data()))
    assert "按网格" in wb.sheetnames
    b = signed_in("bureau").get(f"/b/campaigns/{cid}?by=street").get_data(True)
    assert TOWN_X in b
    assert x.get(f"/s/campaigns/{cid}?by=planet").status_code == 400


def test_bureau_defines_a_campaign_and_bad_dates_are_a_400(signed_in, world):
    c = signed_in("bureau")
    start, end = TODAY.isoformat(), (TODAY + dt.timedelta(days=60)).isoformat()
    r = _post(c, "/b/campaigns",
              {"preset": "", "name": "陶瓷行业专项", "start": start, "end": end,
               "sectors": ["ceramics"], "risk_levels": ["red"],
               "min_inspections": "1", "areas": ""})  # fmt: skip
    assert r.status_code == 303, r.get_data(as_text=True)
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "陶瓷行业专项" in page
    assert 'id="campaign-total"' in page
    bad = _post(c, "/b/campaigns",
                {"name": "倒序", "start": end, "end": start, "min_inspections": "1"})  # fmt: skip
    assert bad.status_code == 400
    assert "before it starts" in bad.get_data(as_text=True)
    assert signed_in("office_x").post("/b/campaigns").status_code in (400, 403)


def _warden_a(world):
    from gridwatch.services.supervision import actor_for_user

    return actor_for_user(world.ctx, world.username("warden_a"))


def test_bureau_lists_and_delists_after_a_passed_reinspection(signed_in, world):
    office = _office_x(world)
    made = create_hazard(
        world.ctx, office, level="major", category="fire",
        description="甲网格企业的待挂牌重大隐患",
        enterprise_id=world.enterprises["A"][0],
    )  # fmt: skip
    c = signed_in("bureau")
    assert "待挂牌重大隐患" in c.get("/b/majors").get_data(as_text=True)
    hid = made["id"]
    deadline = (TODAY + dt.timedelta(days=90)).isoformat()
    missing = _post(c, f"/b/hazards/{hid}", {"action": "list_hazard",
                    "supervising_body": "", "responsible_person": "王厂长",
                    "deadline": deadline})  # fmt: skip
    assert missing.status_code == 400
    r = _post(c, f"/b/hazards/{hid}", {"action": "list_hazard",
              "supervising_body": "区安委办", "responsible_person": "王厂长",
              "deadline": deadline, "note": "挂牌"})  # fmt: skip
    assert r.status_code == 303
    listed = c.get("/b/listed").get_data(as_text=True)
    assert "待挂牌重大隐患" in listed and "挂牌督办" in listed
    early = _post(c, f"/b/hazards/{hid}", {"action": "delist"})
    assert early.status_code in (403, 409)  # not closed yet
    transition_hazard(world.ctx, _warden_a(world), hid, "record_rectification",
                      note="已整改")  # fmt: skip
    bureau = Actor(world.username("bureau"), "bureau")
    transition_hazard(world.ctx, bureau, hid, "reinspect", passed=True, note="合格")
    ok = _post(c, f"/b/hazards/{hid}", {"action": "delist", "note": "摘牌"})
    assert ok.status_code == 303
    assert show_hazard(world.ctx, bureau, hid)["is_listed"] is False
    assert "待挂牌重大隐患" not in c.get("/b/listed").get_data(as_text=True)
    assert "待挂牌重大隐患" in c.get("/b/listed?all=1").get_data(as_text=True)
    # the office cannot list (no button, and a post is refused)
    office_page = signed_in("office_x").get(f"/s/hazards/{hid}").get_data(True)
    assert 'id="act-list_hazard"' not in office_page


def test_overdue_majors_page(signed_in, world):
    page = signed_in("bureau").get("/b/overdue-majors")
    assert page.status_code == 200 and "全区逾期重大隐患" in page.get_data(True)
