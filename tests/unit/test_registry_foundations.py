"""Rows of the enterprise safety-foundation file: every row valid, rejected or blank."""

from __future__ import annotations

import datetime as dt

import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.registry.foundations import (
    FoundationSummary,
    columns_of,
    validate_foundation_row,
    validate_foundation_rows,
)
from gridwatch.registry.uscc import make_uscc

TODAY = dt.date(2026, 11, 30)


def _code(n: int) -> str:
    return make_uscc(f"MA{n:06d}")


def test_columns_of_reads_chinese_headers_and_needs_the_credit_code():
    cols = columns_of(["信用代码", "标准化状态", "达标等级", "评审日期", "备注"])
    assert cols == {0: "uscc", 1: "std_status", 2: "std_level", 3: "std_date"}
    with pytest.raises(InvalidInputError, match="统一社会信用代码"):
        columns_of(["企业名称", "标准化状态"])
    with pytest.raises(InvalidInputError, match="nothing to import"):
        columns_of(["统一社会信用代码", "企业名称"])


def test_a_row_sets_up_to_three_facts():
    row, rejects = validate_foundation_row(
        2,
        {
            "uscc": _code(1),
            "std_status": "评审",
            "std_level": "三级",
            "std_date": "2026年6月1日",
            "decl_year": "2026.0",
            "decl_status": "已申报",
            "decl_date": 46000,
            "officer": " 张三 ",
            "trained_on": "2026/5/1",
        },
        TODAY,
    )
    assert not rejects
    assert row.standardisation == {
        "status": "reviewed",
        "level": "level3",
        "done_on": dt.date(2026, 6, 1),
    }
    assert row.declaration["year"] == 2026 and row.declaration["status"] == "declared"
    assert row.officer == {"name": "张三", "trained_on": dt.date(2026, 5, 1)}


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ({"std_status": "自评"}, "std_date", "needs its 标准化日期"),
        ({"std_status": "达标了"}, "std_status", "unknown standardisation status"),
        (
            {"decl_year": 2026, "decl_status": "应报未报", "decl_date": "2026-01-02"},
            "decl_date",
            "takes no",
        ),
        ({"decl_status": "已申报", "decl_date": "2026-01-02"}, "decl_year", "申报年度"),
        ({"trained_on": "2026-01-02"}, "trained_on", "name"),
        ({"officer": "李四", "trained_on": "2027-01-02"}, "trained_on", "future"),
        ({}, "uscc", "sets no"),
    ],
)
def test_bad_rows_are_rejected_with_the_reason(raw, field, reason):
    row, rejects = validate_foundation_row(3, {"uscc": _code(2), **raw}, TODAY)
    assert row is None
    assert any(r.field == field and reason in r.reason for r in rejects), rejects


def test_every_row_is_accounted_for_and_repeats_name_the_first_row():
    rows = [
        (2, {"uscc": _code(1), "officer": "张三", "trained_on": "2026-05-01"}),
        (3, {}),
        (4, {"uscc": "not a code", "officer": "李四"}),
        (5, {"uscc": _code(1), "officer": "张三", "trained_on": "2026-05-01"}),
    ]
    summary = FoundationSummary()
    valid = list(validate_foundation_rows(rows, summary, TODAY))
    assert [r.row for r in valid] == [2]
    assert (summary.rows, summary.valid, summary.rejected, summary.blank) == (
        4,
        1,
        2,
        1,
    )
    assert any("repeats row 2" in r.reason for r in summary.rejects)
    summary.stored = 1
    assert summary.balanced
