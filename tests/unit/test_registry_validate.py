"""Row validation: each field, duplicates, and the summary accounting."""

import datetime as dt

import pytest
from shapely.geometry import box

from gridwatch.crs import from_wgs84
from gridwatch.registry import (
    ImportSummary,
    make_uscc,
    read_registry,
    validate_row,
    validate_rows,
)

DISTRICT = box(112.98, 22.92, 113.17, 23.09)   # Chancheng, roughly


def code(n: int) -> str:
    return make_uscc(f"{n:08d}")


def row(**kw):
    base = {"uscc": code(1), "name": "佛山市禅城区某陶瓷有限公司", "address": "南庄镇吉利村"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def reasons(rejects):
    return {r.field: r.reason for r in rejects}


def test_validate_row_minimal_valid():
    rec, rej = validate_row(2, row())
    assert rej == [] and rec["uscc"] == code(1) and rec["precision"] == "none"
    assert rec["lng"] is None and rec["source_datum"] is None


def test_validate_row_bad_credit_code():
    rec, rej = validate_row(7, row(uscc=code(1)[:17] + "X"))
    assert rec is None and rej[0].row == 7 and "check character" in rej[0].reason


def test_validate_row_name_required():
    _, rej = validate_row(2, row(name="  \x00 "))
    assert reasons(rej) == {"name": "name is empty"}


def test_validate_row_emoji_and_html_kept_as_text():
    name = "<script>alert(1)</script>🏭👨‍🔧陶瓷厂"
    rec, rej = validate_row(2, row(name=name + "\x07\u200b"))
    assert rej == [] and rec["name"] == name


def test_validate_row_ten_megabyte_address_rejected():
    rec, rej = validate_row(2, row(address="吉" * 10_000_000))
    assert rec is None and "10,000,000 characters" in reasons(rej)["address"]
    assert len(rej[0].value) <= 100


def test_validate_row_address_or_coordinates_required():
    _, rej = validate_row(2, {"uscc": code(1), "name": "某厂"})
    assert "address or coordinates" in reasons(rej)["address"]


@pytest.mark.parametrize(("value", "expected"), [
    ("陶瓷", "ceramics"), ("ceramics", "ceramics"), ("五金", "metal_products"),
    ("危险化学品经营", "hazchem"), ("家具制造业", "furniture")])
def test_validate_row_sector_spellings(value, expected):
    assert validate_row(2, row(sector=value))[0]["sector"] == expected


def test_validate_row_unknown_sector():
    _, rej = validate_row(2, row(sector="航天发射"))
    assert "unknown sector" in reasons(rej)["sector"]


@pytest.mark.parametrize(("value", "expected"), [
    ("红", "red"), ("较大风险", "orange"), ("Yellow", "yellow"), ("低风险", "blue"),
    ("蓝色", "blue")])
def test_validate_row_risk_aliases(value, expected):
    assert validate_row(2, row(risk_level=value))[0]["risk_level"] == expected


def test_validate_row_unknown_risk():
    assert "unknown risk" in reasons(validate_row(2, row(risk_level="紫"))[1])["risk_level"]


@pytest.mark.parametrize(("value", "expected"), [
    ("2021年3月5日", dt.date(2021, 3, 5)), ("2021/3/5", dt.date(2021, 3, 5)),
    ("2021-03-05", dt.date(2021, 3, 5)), ("20210305", dt.date(2021, 3, 5)),
    (44260, dt.date(2021, 3, 5)), (dt.datetime(2021, 3, 5, 8), dt.date(2021, 3, 5))])
def test_validate_row_date_formats(value, expected):
    assert validate_row(2, row(registered_on=value))[0]["registered_on"] == expected


@pytest.mark.parametrize("value", ["2021-02-30", "去年", "1850-01-01"])
def test_validate_row_bad_dates(value):
    assert "registered_on" in reasons(validate_row(2, row(registered_on=value))[1])


@pytest.mark.parametrize(("value", "expected"), [("35", 35), ("35人", 35), (35.0, 35),
                                                 ("0", 0)])
def test_validate_row_employees(value, expected):
    assert validate_row(2, row(employees=value))[0]["employees"] == expected


@pytest.mark.parametrize("value", ["-3", "3.5", "很多"])
def test_validate_row_bad_employees(value):
    assert "employees" in reasons(validate_row(2, row(employees=value))[1])


def test_validate_row_yes_no_fields():
    rec, _ = validate_row(2, row(is_three_in_one="是", has_hazchem="否"))
    assert rec["is_three_in_one"] is True and rec["has_hazchem"] is False


@pytest.mark.parametrize("datum", ["wgs84", "cgcs2000", "gcj02", "bd09", "高德", "百度"])
def test_validate_row_converts_datum_once(datum):
    lng, lat = 113.1, 23.01
    d_lng, d_lat = from_wgs84(lng, lat, datum)
    rec, rej = validate_row(2, row(lng=str(d_lng), lat=d_lat, datum=datum),
                            district=DISTRICT)
    assert rej == [] and rec["precision"] == "supplied"
    assert abs(rec["lng"] - lng) < 1e-6 and abs(rec["lat"] - lat) < 1e-6


def test_validate_row_gcj_really_shifts():
    rec, _ = validate_row(2, row(lng=113.1, lat=23.01, datum="gcj02"))
    assert abs(rec["lng"] - 113.1) > 1e-3      # ~500 m: the conversion happened


def test_validate_row_coordinates_need_datum():
    assert "坐标系" in reasons(validate_row(2, row(lng=113.1, lat=23.0))[1])["datum"]
    assert validate_row(2, row(lng=113.1, lat=23.0), default_datum="wgs84")[0]


def test_validate_row_unknown_datum():
    assert "Unknown coordinate datum" in reasons(
        validate_row(2, row(lng=113.1, lat=23.0, datum="北京54"))[1])["datum"]


def test_validate_row_coordinates_both_or_neither():
    assert "both" in reasons(validate_row(2, row(lng=113.1, datum="wgs84"))[1])["lat"]


def test_validate_row_coordinates_not_numbers():
    assert "not a number" in reasons(
        validate_row(2, row(lng="东经113", lat=23, datum="wgs84"))[1])["lng"]


def test_validate_row_coordinates_swapped():
    assert "swapped" in reasons(
        validate_row(2, row(lng=23.0, lat=113.1, datum="wgs84"))[1])["lng"]


def test_validate_row_coordinates_outside_district():
    _, rej = validate_row(2, row(lng=116.4, lat=39.9, datum="wgs84"), district=DISTRICT)
    assert "outside the district" in reasons(rej)["lng"]


def test_validate_row_district_as_bounds():
    rec, _ = validate_row(2, row(lng=113.1, lat=23.0, datum="wgs84"),
                          district=DISTRICT.bounds)
    assert rec is not None


def test_validate_row_lists_every_problem():
    _, rej = validate_row(9, row(uscc="123", risk_level="紫", employees="-1"))
    assert {r.field for r in rej} == {"uscc", "risk_level", "employees"}
    assert {r.row for r in rej} == {9}


def test_validate_rows_duplicate_code_names_first_row():
    rows = [(2, row()), (3, row(name="另一个名称")), (4, row(uscc=code(2)))]
    summary = ImportSummary()
    out = list(validate_rows(rows, summary))
    assert [r is not None for _, r, _ in out] == [True, False, True]
    assert "row 2" in out[1][2][0].reason


def test_validate_rows_summary_adds_up(tmp_path):
    lines = ["统一社会信用代码,企业名称,地址,风险等级"]
    for i in range(30):
        if i % 7 == 0:
            lines.append("")                                   # blank
        elif i % 5 == 0:
            lines.append(f"{code(i)[:17]}Z,坏代码{i},地址,红")    # bad code
        elif i % 6 == 0:
            lines.append(f"{code(1)},重复{i},地址,红")          # duplicate of i=1
        else:
            lines.append(f"{code(i)},企业{i},地址,{'紫' if i % 11 == 0 else '黄'}")
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    summary = ImportSummary()
    out = list(validate_rows(read_registry(path), summary))
    assert summary.rows == 30 and summary.balanced
    assert summary.blank == 5 and len(out) == 25
    rejected_rows = {r.row for r in summary.rejects}
    assert len(rejected_rows) == summary.rejected
    assert summary.valid == sum(1 for _, rec, _ in out if rec is not None)
    assert summary.valid + summary.rejected + summary.blank == 30


def test_import_summary_unbalanced_detected():
    s = ImportSummary(rows=3, valid=1, rejected=1)
    assert not s.balanced
    assert ImportSummary(rows=3, valid=2, rejected=1, inserted=1, updated=1).balanced
