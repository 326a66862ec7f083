"""Self-report imports account for every row; reported hazards enter the machine."""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from gridwatch.db.hazard_rows import event_from_row, hazard_from_row
from gridwatch.db.models import Hazard, HazardEvent, SelfReport, SupervisionImport
from gridwatch.errors import InvalidInputError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.supervision import (
    import_self_reports,
    list_hazards,
    missing_reports,
    supervision_todo,
)
from gridwatch.services.todo import todo
from gridwatch.supervision import replay
from tests.actors import SYSTEM
from tests.data.selfreports.make_sample import ROWS
from tests.db.conftest import make_code
from tests.db.supervision_world import build_world

DATA = Path(__file__).resolve().parents[1] / "data" / "selfreports"
ON = dt.date(2026, 3, 20)


@pytest.fixture
def world(ctx):
    return build_world(ctx)


def _expected():
    """Bucket per data row from the sample's own comments (row 3 on)."""
    out = {}
    for i, (_, what) in enumerate(ROWS, start=3):
        out[i] = what.split(":")[0]
    return out


@pytest.mark.parametrize("name", ["sample.csv", "sample.xlsx"])
def test_a_self_report_import_with_rejects_accounts_for_every_row(world, name):
    ctx = world.ctx
    res = import_self_reports(ctx, world.office, DATA / name, on=ON)
    want = _expected()
    assert res.rows == len(ROWS)
    assert (
        res.rows == res.stored + res.updated + res.unchanged + res.rejected + res.blank
    )
    rejected = {r.row for r in res.rejects}
    assert rejected == {n for n, w in want.items() if w == "rejected"}
    assert res.blank == sum(w == "blank" for w in want.values())
    assert res.stored == sum(w == "stored" for w in want.values())
    assert res.unchanged == sum(w == "unchanged" for w in want.values())
    assert res.hazards == 3
    reasons = {r.row: r for r in res.rejects}
    assert reasons[7].field == "uscc" and reasons[8].field == "month"
    assert (
        reasons[13].field == "submitted_on" and "never replaced" in reasons[13].reason
    )
    # the machine's own sentence for a rectification dated before the hazard
    assert "before" in reasons[11].reason and reasons[11].reason.endswith(".")
    with ctx.engine.connect() as conn:
        reports = dict(
            conn.execute(
                sa.select(SelfReport.enterprise_id, SelfReport.n_hazards)
            ).all()
        )
        stored_import = conn.execute(sa.select(SupervisionImport)).first()
    assert len(reports) == 4 and sorted(reports.values()) == [0, 0, 1, 2]
    assert stored_import is not None
    # the hazards are the enterprise's own, in the machine, marked self-reported
    page = list_hazards(ctx, world.office, source="self_report", on=ON)
    states = sorted((i["level"], i["status"]) for i in page.items)
    assert states == [
        ("major", "found"),
        ("ordinary", "rectified"),
        ("ordinary", "rectifying"),
    ]
    with ctx.engine.connect() as conn:
        for item in page.items:
            row = conn.execute(
                sa.select(Hazard.__table__).where(Hazard.id == item["id"])
            ).first()
            events = [
                event_from_row(e)
                for e in conn.execute(
                    sa.select(HazardEvent.__table__)
                    .where(HazardEvent.hazard_id == item["id"])
                    .order_by(HazardEvent.id)
                )
            ]
            assert replay(events) == hazard_from_row(row)
            assert {e.role for e in events} == {"enterprise"}
            assert hazard_from_row(row).is_self_reported


def test_importing_the_same_export_again_changes_nothing(world):
    ctx = world.ctx
    first = import_self_reports(ctx, world.office, DATA / "sample.csv", on=ON)
    again = import_self_reports(ctx, world.office, DATA / "sample.csv", on=ON)
    assert again.stored == 0 and again.hazards == 0
    assert again.rows == first.rows
    assert again.rejected >= first.rejected - 1  # the conflicting date stays rejected
    with ctx.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Hazard)).scalar() == 3
        )


def test_a_later_export_brings_a_rectification_through_the_machine(world, tmp_path):
    ctx = world.ctx
    import_self_reports(ctx, world.office, DATA / "sample.csv", on=ON)
    later = tmp_path / "march.csv"
    later.write_text(
        "统一社会信用代码,报送月份,报送日期,隐患编号,隐患描述,隐患等级,隐患类别,"
        "整改完成日期,整改措施\n"
        f"{make_code(1)},2026-03,2026-03-25,ZC-2026-0001,配电箱无防护门,一般,电气安全,"
        "2026-03-24,已加装防护门\n",
        encoding="utf-8",
    )
    res = import_self_reports(ctx, world.office, later, on=dt.date(2026, 3, 28))
    assert (res.stored, res.updated, res.rejected) == (0, 1, 0)
    page = list_hazards(ctx, world.office, source="self_report", status="rectified")
    assert len(page.items) == 2


def test_street_office_cannot_import_another_streets_enterprises(world):
    other = Actor("sw_office", "street_office", "440604003")
    res = import_self_reports(world.ctx, other, DATA / "sample.csv", on=ON)
    assert res.stored == 0 and res.rejected == res.rows - res.blank
    with pytest.raises(PermissionDeniedError):
        import_self_reports(world.ctx, world.wardens[0], DATA / "sample.csv", on=ON)


def test_a_file_without_the_expected_columns_is_refused_whole(world, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("名称,地址\n甲,乙\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        import_self_reports(world.ctx, SYSTEM, bad, on=ON)
    assert "header" in info.value.user_msg


def test_non_reporters_per_grid_and_month(world):
    ctx = world.ctx
    import_self_reports(ctx, world.office, DATA / "sample.csv", on=ON)
    out = missing_reports(ctx, world.office, month="2026-02", on=ON)
    assert out["due_on"] == "2026-03-10"
    # the street's 60 placed enterprises (the unplaced one has no town), all
    # legal persons; 4 reports of which one records no submission
    assert (out["expected"], out["submitted"], out["missing"]) == (60, 3, 57)
    assert len(out["items"]) == 57
    assert sum(g["missing"] for g in out["by_grid"]) == 57
    codes = {i["uscc"] for i in out["items"]}
    assert make_code(3) in codes and make_code(0) not in codes
    # a warden sees their own non-reporters in the to-do
    w = world.warden_of(world.enterprise_ids()[10])
    items = todo(ctx, w, on=ON, per_page=200).items
    mine = {i["uscc"] for i in items if "no_report" in i["reasons"]}
    assert mine and mine <= codes
    assert all(
        i["missing_report_month"] == "2026-02"
        for i in items
        if "no_report" in i["reasons"]
    )
    own = missing_reports(ctx, w, month="2026-02", on=ON)["items"]
    assert mine == {i["uscc"] for i in own}
    assert supervision_todo(ctx, w, on=ON)["counts"]["non_reporters"] == len(mine)
