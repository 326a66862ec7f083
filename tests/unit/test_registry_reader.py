"""Reading registry files: encodings, header spellings, bad files, row numbers."""

import datetime as dt
import sys

import openpyxl
import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.registry import detect_encoding, read_registry, recognise_headers
from gridwatch.registry.fields import parse_date

HEADER = "统一社会信用代码,企业名称,地址,风险等级\n"
ROW = "91440300708461136T,佛山市禅城区某陶瓷厂,南庄镇吉利村季华西路11号,橙\n"


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
    ("gb18030", "gb18030")])
def test_detect_encoding_variants(tmp_path, encoding, expected):
    path = _write(tmp_path, "r.csv", HEADER + ROW * 3, encoding)
    assert detect_encoding(path) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_read_registry_decodes_each_encoding(tmp_path, encoding):
    path = _write(tmp_path, "r.csv", HEADER + ROW, encoding)
    rows = list(read_registry(path))
    assert rows == [(2, {"uscc": "91440300708461136T", "name": "佛山市禅城区某陶瓷厂",
                         "address": "南庄镇吉利村季华西路11号", "risk_level": "橙"})]


def test_read_registry_gb18030_only_character(tmp_path):
    # 𠮷 (U+20BB7) exists in GB18030 but not in GBK
    path = _write(tmp_path, "r.csv", HEADER + ROW.replace("某", "𠮷"), "gb18030")
    assert next(iter(read_registry(path)))[1]["name"] == "佛山市禅城区𠮷陶瓷厂"


HEADER_VARIANTS = {
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码", "USCC", "credit_code"],
    "name": ["企业名称", "单位名称", "name", "Name "],
    "address": ["地址", "详细地址", "经营地址", "注册地址", "address"],
    "sector": ["行业", "行业类别", "所属行业", "sector"],
    "risk_level": ["风险等级", "风险分级", "risk", "risk_level"],
    "lng": ["经度", "lng", "lon", "longitude", "x", "经度（WGS84）"],
    "lat": ["纬度", "lat", "latitude", "y"],
    "datum": ["坐标系", "datum"],
    "employees": ["从业人数", "员工人数", "employees"],
    "is_three_in_one": ["三合一", "是否三合一"],
    "has_hazchem": ["危化品", "涉危化品"],
    "registered_on": ["成立日期", "登记日期"],
}


@pytest.mark.parametrize(("field", "header"), [
    (f, h) for f, hs in HEADER_VARIANTS.items() for h in hs])
def test_recognise_headers_variant(field, header):
    base = {"uscc": "信用代码", "name": "企业名称"}
    base[field] = header
    columns, unknown = recognise_headers(list(base.values()))
    assert field in columns.values() and unknown == []


def test_recognise_headers_reports_unknown():
    _, unknown = recognise_headers(["信用代码", "企业名称", "备注", "法人手机"])
    assert unknown == ["备注", "法人手机"]


def test_recognise_headers_missing_required_named():
    with pytest.raises(InvalidInputError, match=r"统一社会信用代码 \(uscc\)"):
        recognise_headers(["企业名称", "地址"])


def test_recognise_headers_duplicate_field():
    with pytest.raises(InvalidInputError, match="both hold address"):
        recognise_headers(["信用代码", "企业名称", "地址", "详细地址"])


def test_recognise_headers_mapping_option():
    columns, _ = recognise_headers(["代码", "企业", "门牌"],
                                   {"代码": "uscc", "企业": "name", "门牌": "address"})
    assert columns == {0: "uscc", 1: "name", 2: "address"}


def test_recognise_headers_mapping_unknown_field():
    with pytest.raises(InvalidInputError, match="unknown field"):
        recognise_headers(["代码"], {"代码": "telephone"})


def test_read_registry_empty_file(tmp_path):
    with pytest.raises(InvalidInputError, match="empty"):
        read_registry(_write(tmp_path, "e.csv", ""))


def test_read_registry_whitespace_only_file(tmp_path):
    with pytest.raises(InvalidInputError, match="empty"):
        read_registry(_write(tmp_path, "e.csv", "\r\n \n"))


def test_read_registry_header_only(tmp_path):
    with pytest.raises(InvalidInputError, match="no data rows"):
        read_registry(_write(tmp_path, "h.csv", HEADER))


def test_read_registry_binary_named_csv(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(InvalidInputError, match="looks binary"):
        read_registry(path)


def test_read_registry_zip_named_csv_is_refused(tmp_path, engine):
    path = tmp_path / "a.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InvalidInputError, match="not a readable XLSX"):
        read_registry(path)


def test_read_registry_ten_megabyte_cell_does_not_crash(tmp_path):
    big = "吉" * (10 * 1024 * 1024 // 3)
    path = _write(tmp_path, "big.csv", HEADER + ROW.replace("季华西路11号", big) + ROW)
    rows = list(read_registry(path))
    assert [n for n, _ in rows] == [2, 3] and len(rows[0][1]["address"]) > 3_000_000


def test_read_registry_row_numbers_with_multiline_cell_and_blank(tmp_path):
    text = HEADER + '91440300708461136T,"两行\n名称",地址,橙\n\n' + ROW
    rows = list(read_registry(_write(tmp_path, "m.csv", text)))
    assert [(n, bool(r)) for n, r in rows] == [(2, True), (4, False), (5, True)]


def test_read_registry_skips_title_rows(tmp_path):
    text = "禅城区企业名录（2024年）,,,\n\n" + HEADER + ROW
    src = read_registry(_write(tmp_path, "t.csv", text))
    assert src.header_row == 3 and [n for n, _ in src] == [4]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_read_registry_other_separators(tmp_path, sep):
    text = (HEADER + ROW).replace(",", sep)
    assert next(iter(read_registry(_write(tmp_path, "s.csv", text))))[1]["risk_level"] == "橙"


def test_read_registry_english_headers(tmp_path):
    text = "USCC,Name,Address,Risk Level,Longitude,Latitude,Datum\n" \
           "91440300708461136T,Foshan Tiles,南庄镇,red,113.1,23.0,gcj02\n"
    src = read_registry(_write(tmp_path, "en.csv", text))
    raw = next(iter(src))[1]
    assert raw["lng"] == "113.1" and raw["datum"] == "gcj02" and src.unknown_headers == []


def _xlsx(tmp_path, rows, title=None, sheet="名录"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["这张表是说明"])
    ws2 = wb.create_sheet(sheet)
    if title:
        ws2.append([title])
    for r in rows:
        ws2.append(r)
    wb.move_sheet(sheet, offset=-1)
    path = tmp_path / "r.xlsx"
    wb.save(path)
    return path


@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request, monkeypatch):
    """Run XLSX tests with python-calamine and with the openpyxl fallback."""
    if request.param == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    else:
        pytest.importorskip("python_calamine")
    return request.param


def test_read_registry_xlsx_first_sheet_and_types(tmp_path, engine):
    path = _xlsx(tmp_path, [["信用代码", "企业名称", "成立日期", "从业人数"],
                            ["91440300708461136T", "某厂", dt.datetime(2021, 3, 5), 12]],
                 title="禅城区企业名录")
    src = read_registry(path)
    rows = list(src)
    assert src.format == "xlsx" and src.header_row == 2
    (number, raw), = rows
    assert number == 3 and raw["uscc"] == "91440300708461136T" and raw["name"] == "某厂"
    assert parse_date(raw["registered_on"]) == dt.date(2021, 3, 5)
    assert raw["employees"] == 12 and isinstance(raw["employees"], int)


def test_read_registry_xlsx_named_sheet(tmp_path, engine):
    path = _xlsx(tmp_path, [["信用代码", "企业名称"], ["91440300708461136T", "某厂"]])
    with pytest.raises(InvalidInputError, match="no sheet '企业'"):
        read_registry(path, sheet="企业")
    with pytest.raises(InvalidInputError, match="统一社会信用代码"):
        read_registry(path, sheet="说明")


def test_read_registry_xlsx_row_numbers_skip_empty_rows(tmp_path, engine):
    path = _xlsx(tmp_path, [["信用代码", "企业名称"], ["A", "x"], [None, None], ["B", "y"]])
    numbers = [n for n, r in read_registry(path) if r]
    assert numbers == [2, 4]


def test_read_registry_tab_separated_under_title_row(tmp_path):
    text = "禅城区企业名录\n" + (HEADER + ROW).replace(",", "\t")
    src = read_registry(_write(tmp_path, "t.tsv", text))
    assert src.header_row == 2 and next(iter(src))[1]["risk_level"] == "橙"


def test_read_registry_header_map_keeps_every_row(tmp_path):
    lines = ["代码,企业,门牌"] + [f"91440300708461136T,厂{i},地址{i}" for i in range(15)]
    path = _write(tmp_path, "m.csv", "\n".join(lines) + "\n")
    src = read_registry(path, header_map={"代码": "uscc", "企业": "name", "门牌": "address"})
    rows = list(src)
    assert [n for n, _ in rows] == list(range(2, 17)) and rows[0][1]["name"] == "厂0"


def test_read_registry_unrecognised_header_keeps_rows_for_error(tmp_path):
    lines = ["甲,乙"] + [f"{i},{i}" for i in range(12)]
    with pytest.raises(InvalidInputError, match="统一社会信用代码"):
        read_registry(_write(tmp_path, "u.csv", "\n".join(lines) + "\n"))
