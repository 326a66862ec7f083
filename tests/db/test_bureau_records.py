"""The bureau's records on both backends: the safety-foundation import's rules,
accidents placed and checked, targets, and the scheme's versions re-scoring a
past period."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gridwatch.analytics.bureau import year_period
from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.bureau.accidents import list_accidents, record_accident
from gridwatch.services.bureau.assessment import assess, save_scheme, scheme_for
from gridwatch.services.bureau.foundations import (
    enterprise_foundations,
    import_foundations,
    record_foundations,
)
from gridwatch.services.bureau.targets import list_targets, set_target
from tests.actors import SYSTEM
from tests.db.bureau_world import T1, T2, TODAY, _enterprises, _units, code


@pytest.fixture
def district(ctx):
    _units(ctx)
    _enterprises(ctx)
    return ctx


def _import(ctx, tmp_path, rows, name="a.csv", **kw):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return import_foundations(ctx, SYSTEM, path, today=TODAY, **kw)


def test_import_never_erases_and_refuses_to_withdraw_a_declaration(district, tmp_path):
    ctx = district
    first = [
        {
            "统一社会信用代码": code(0),
            "标准化状态": "评审",
            "标准化等级": "二级",
            "标准化日期": "2026-06-01",
        },
        {"统一社会信用代码": code(1), "申报年度": 2026, "申报状态": "应报未报"},
        {
            "统一社会信用代码": code(2),
            "申报年度": 2026,
            "申报状态": "已申报",
            "申报日期": "2026-03-01",
        },
        {"统一社会信用代码": code(3), "安全主任": "王五"},
        {"统一社会信用代码": code(999), "安全主任": "某"},  # not registered
    ]
    s = _import(ctx, tmp_path, first)
    assert (s.rows, s.stored, s.unchanged, s.rejected) == (5, 4, 0, 1)
    assert "registry" in s.rejects[0].reason
    second = [
        # blank level: the stored 二级 stays
        {"统一社会信用代码": code(0), "标准化状态": "评审", "标准化日期": "2026-06-01"},
        {
            "统一社会信用代码": code(1),
            "申报年度": 2026,
            "申报状态": "已申报",
            "申报日期": "2026-05-01",
        },
        {"统一社会信用代码": code(2), "申报年度": 2026, "申报状态": "应报未报"},
        {"统一社会信用代码": code(3), "安全主任": "王五", "培训日期": "2026-04-01"},
        {"统一社会信用代码": code(0), "标准化状态": "无"},
    ]
    s = _import(ctx, tmp_path, second, "b.csv", dry_run=True)
    assert (s.stored, s.unchanged, s.rejected) == (2, 1, 2)
    assert (
        enterprise_foundations(ctx, SYSTEM, code(3))["officers"][0]["trained_on"]
        is None
    )
    s = _import(ctx, tmp_path, second, "b.csv")
    reasons = {r.row: r.reason for r in s.rejects}
    assert "does not withdraw" in reasons[4] and "day it lapsed" in reasons[6]
    rec = enterprise_foundations(ctx, SYSTEM, code(0))
    assert rec["standardisation"][0]["level"] == "level2"
    assert (
        enterprise_foundations(ctx, SYSTEM, code(1))["declarations"][0]["status"]
        == "declared"
    )
    assert enterprise_foundations(ctx, SYSTEM, code(3))["officers"] == [
        {"name": "王五", "trained_on": dt.date(2026, 4, 1)}
    ]
    again = _import(ctx, tmp_path, second[:1] + second[3:4], "c.csv")
    assert (again.stored, again.unchanged) == (0, 2)


def test_form_is_a_one_row_import_with_one_sentence(district):
    with pytest.raises(InvalidInputError, match="std_date"):
        record_foundations(district, SYSTEM, code(4), {"std_status": "self_assessed"})
    out = record_foundations(
        district,
        SYSTEM,
        code(4),
        {"std_status": "self_assessed", "std_date": dt.date(2026, 2, 1)},
        today=TODAY,
    )
    assert out.stored == 1
    office = Actor("o", "street_office", T1)
    with pytest.raises(PermissionDeniedError):
        record_foundations(district, office, code(4), {"officer": "某"})


def test_accidents_are_placed_and_checked(district):
    ctx = district
    out = record_accident(
        ctx,
        SYSTEM,
        today=TODAY,
        occurred_on="2026-03-03",
        place="某仓库",
        lng=113.03,
        lat=23.01,
        grade="一般",
        direct_loss_yuan="15000000",
        ref="A-1",
    )
    assert out["town_code"] == T2 and out["effective_grade"] == "relatively_serious"
    assert "应为较大事故" in out["warning"]
    with pytest.raises(ConflictError):
        record_accident(
            ctx,
            SYSTEM,
            today=TODAY,
            occurred_on="2026-03-04",
            place="x",
            lng=113.03,
            lat=23.01,
            ref="A-1",
        )
    with pytest.raises(InvalidInputError, match="outside every town"):
        record_accident(
            ctx,
            SYSTEM,
            today=TODAY,
            occurred_on="2026-03-04",
            place="x",
            lng=113.5,
            lat=23.5,
        )
    by_ent = record_accident(
        ctx,
        SYSTEM,
        today=TODAY,
        occurred_on="2026-03-05",
        place="测试企业1",
        uscc=code(1),
    )
    assert by_ent["town_code"] == T1 and by_ent["warning"] == ""
    office = Actor("o", "street_office", T1)
    assert [a["town_code"] for a in list_accidents(ctx, office)] == [T1]


def test_targets_for_the_district_or_a_town(district):
    set_target(district, SYSTEM, 2026, "declarations", 40, T1, note="任务书")
    set_target(district, SYSTEM, 2026, "declarations", 55)
    set_target(district, SYSTEM, 2026, "declarations", 60)  # changed, not added
    rows = list_targets(district, SYSTEM, 2026)
    assert [(r["unit_code"], r["value"]) for r in rows] == [("440604", 60), (T1, 40)]
    with pytest.raises(InvalidInputError, match="whole number"):
        set_target(district, SYSTEM, 2026, "declarations", "1.5")
    with pytest.raises(InvalidInputError, match="takes no target"):
        set_target(district, SYSTEM, 2026, "penalties", 3)


def test_scheme_versions_rescore_a_past_period(district):
    import yaml

    ctx = district
    data = scheme_for(ctx, SYSTEM).scheme().to_dict()
    data["indicators"][0]["weight"] += 1
    with pytest.raises(InvalidInputError) as err:
        save_scheme(
            ctx,
            SYSTEM,
            yaml.safe_dump(data, allow_unicode=True),
            fmt="yaml",
            in_force_from=dt.date(2026, 1, 1),
        )
    assert any("add up to 101" in e for e in err.value.details["errors"])
    # move 5 points from the inspection share to the meetings (a manual indicator)
    data["indicators"][0]["weight"] -= 6
    meetings = next(i for i in data["indicators"] if i["key"] == "meetings")
    meetings.update(weight=8, steps=[[4, 8], [2, 5], [1, 2]])
    text = yaml.safe_dump(data, allow_unicode=True)
    v1 = save_scheme(
        ctx,
        SYSTEM,
        text,
        fmt="yaml",
        in_force_from=dt.date(2026, 6, 1),
        note="加重会议",
    )
    assert v1.version == 1
    assert v1.digest != scheme_for(ctx, SYSTEM, dt.date(2025, 12, 31)).digest
    p2025 = year_period(2025, TODAY)
    old = assess(ctx, SYSTEM, p2025, today=TODAY)
    again = assess(ctx, SYSTEM, p2025, scheme_version=1, today=TODAY)
    assert old.version.version is None and again.version.version == 1
    weights = [i.weight for i in again.assessment.scheme.indicators]
    assert sum(weights) == 100 and weights[0] == 8
    assert (
        assess(ctx, SYSTEM, year_period(2026, TODAY), today=TODAY).version.version == 1
    )
    assert {u.unit for u in old.assessment.units} == {T1, T2}
