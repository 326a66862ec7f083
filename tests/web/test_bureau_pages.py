"""The bureau's pages: forms that change records, downloads, bad input as 4xx."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.web.conftest import csrf_token
from tests.web.world import TOWN_X, TOWN_Y, _code

pytestmark = pytest.mark.slow
TODAY = dt.date.today()


def _post(client, path, data, page=None):
    data = {"csrf_token": csrf_token(client, page or path), **data}
    return client.post(path, data=data)


def test_accident_recorded_too_low_is_flagged_and_a_bad_one_is_a_400(signed_in):
    c = signed_in("bureau")
    r = _post(
        c,
        "/b/accidents",
        {
            "occurred_on": TODAY.isoformat(),
            "place": '=HYPERLINK("http://x")厂',
            "uscc": _code(0),
            "grade": "ordinary",
            "deaths": "4",
            "serious_injuries": "0",
            "direct_loss_yuan": "0",
            "datum": "wgs84",
        },
    )
    assert r.status_code == 302
    page = c.get("/b/accidents").get_data(as_text=True)
    assert "应为较大事故" in page  # the flash, and the list's flag
    bad = _post(
        c,
        "/b/accidents",
        {
            "occurred_on": TODAY.isoformat(),
            "place": "某处",
            "deaths": "x",
            "serious_injuries": "0",
            "direct_loss_yuan": "0",
            "datum": "wgs84",
        },
    )
    assert bad.status_code == 400
    assert "Deaths" in bad.get_data(as_text=True) or "死亡" in bad.get_data(
        as_text=True
    )


def test_dashboard_table_xlsx_neutralises_formulas(signed_in):
    c = signed_in("bureau")
    r = c.get(f"/dash/table/accidents.xlsx?period={TODAY.year}")
    assert r.status_code == 200
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert any(str(v).startswith("'=HYPERLINK") for v in cells)
    assert not any(str(v).startswith("=") for v in cells)


def test_dashboard_bad_period_is_one_sentence_400(signed_in):
    r = signed_in("bureau").get("/dash/?custom=2026-13-45")
    assert r.status_code == 400
    assert "is not a period" in r.get_data(as_text=True)


def test_street_office_dashboard_is_its_own_street(signed_in):
    page = signed_in("office_y").get("/dash/").get_data(as_text=True)
    assert "丙网格企业事故" in page and "甲网格企业事故" not in page
    api = signed_in("office_y").get("/api/v1/dashboard/towns").get_json()
    assert [f["properties"]["code"] for f in api["features"]] == [TOWN_Y]


def test_scheme_save_refuses_a_bad_scheme_with_every_problem(signed_in):
    c = signed_in("admin")
    r = _post(
        c,
        "/assess/scheme",
        {
            "text": '[scheme]\nname = "x"\n[[indicators]]\nkey = "A"\n',
            "fmt": "toml",
            "in_force_from": "2026-01-01",
        },
    )
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "key must be lower-case" in body and "rule must be linear" in body


def test_manual_figure_needs_its_note(signed_in):
    c = signed_in("bureau")
    page = f"/assess/manual?period={TODAY.year}"
    ok = _post(
        c,
        "/assess/manual",
        {
            "town_code": TOWN_X,
            "indicator": "drills",
            "value": "2",
            "note": "演练记录2份",
            "period": str(TODAY.year),
        },
        page,
    )
    assert ok.status_code == 302
    assert "演练记录2份" in c.get(page).get_data(as_text=True)
    bad = _post(
        c,
        "/assess/manual",
        {
            "town_code": TOWN_X,
            "indicator": "inspected",
            "value": "2",
            "note": "x",
            "period": str(TODAY.year),
        },
        page,
    )
    assert bad.status_code == 400
    assert "not a manual indicator" in bad.get_data(as_text=True)


def test_safety_import_reports_every_row(signed_in):
    c = signed_in("bureau")
    csv = (
        "统一社会信用代码,标准化状态,标准化日期,安全主任\n"
        f"{_code(0)},自评,{TODAY.isoformat()},<script>x</script>\n"
        f"{_code(1)},自评,,\n"
    ).encode("gb18030")
    r = c.post(
        "/b/safety",
        data={
            "csrf_token": csrf_token(c, "/b/safety"),
            "file": (io.BytesIO(csv), "台账.csv"),
        },
        content_type="multipart/form-data",
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "needs its 标准化日期" in body
    assert "<script>x</script>" not in body  # a name is text, never markup


def test_annual_report_download_is_the_bureaus(signed_in):
    r = signed_in("bureau").get(f"/dash/report/{TODAY.year}.docx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert r.mimetype.endswith("wordprocessingml.document")
    assert (
        signed_in("office_x").get(f"/dash/report/{TODAY.year}.docx").status_code == 403
    )


def test_targets_form_refuses_a_fraction(signed_in):
    c = signed_in("bureau")
    r = _post(
        c,
        "/b/targets",
        {
            "year": str(TODAY.year),
            "indicator": "declarations",
            "unit_code": "",
            "value": "1.5",
        },
    )
    assert r.status_code == 400
    ok = _post(
        c,
        "/b/targets",
        {
            "year": str(TODAY.year),
            "indicator": "declarations",
            "unit_code": TOWN_X,
            "value": "12",
        },
    )
    assert ok.status_code == 302
