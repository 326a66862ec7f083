"""Penalties: record, import (every row), totals equal a direct count."""

import datetime as dt

import openpyxl
import pytest
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, Penalty
from gridwatch.errors import ConflictError, InvalidInputError, NotFoundError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor
from gridwatch.services.supervision import (
    add_penalty,
    import_penalties,
    list_penalties,
    penalty_totals_by,
)
from tests.db.conftest import TOWN, make_code
from tests.db.supervision_world import build_world


@pytest.fixture
def world(ctx):
    return build_world(ctx)


def _fine(world, n, day, amount, kind="罚款"):
    return add_penalty(world.ctx, world.office, uscc=make_code(n),
                       decision_no=f"禅安监罚〔2026〕{n}-{day}号", decided_on=day,
                       kind=kind, amount_yuan=amount)  # fmt: skip


def test_add_penalty_checks_and_keeps_numbers_unique(world):
    out = _fine(world, 1, "2026-03-02", "12,000.50")
    assert out["kind"] == "fine" and out["amount_yuan"] == 12000.5
    with pytest.raises(ConflictError):
        _fine(world, 1, "2026-03-02", 100)
    with pytest.raises(InvalidInputError):
        _fine(world, 2, "2026-03-02", 0)  # a fine needs an amount
    with pytest.raises(InvalidInputError):
        _fine(world, 2, "2026-03-02", 100, kind="警告")  # a warning carries none
    with pytest.raises(NotFoundError):
        add_penalty(world.ctx, Actor("sw_office", "street_office", "440604003"),
                    uscc=make_code(3), decision_no="x1", decided_on="2026-03-02",
                    kind="warning")  # fmt: skip


def test_penalty_totals_equal_a_direct_count(world):
    ctx = world.ctx
    t = Enterprise.__table__
    with ctx.engine.begin() as conn:  # one without a town code: its grid's town
        conn.execute(t.update().where(t.c.uscc == make_code(0)).values(town_code=None))
    for i, (day, amount, kind) in enumerate([
        ("2026-01-05", 1000.10, "罚款"), ("2026-01-20", 2000.20, "罚款"),
        ("2026-02-03", 0, "警告"), ("2026-02-09", 3000.30, "罚款"),
        ("2026-02-11", 500, "没收违法所得"), ("2026-03-01", 0, "责令停产停业整顿"),
    ]):  # fmt: skip
        _fine(world, i, day, amount, kind)
    totals = penalty_totals_by(ctx, world.bureau)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Enterprise.town_code, EnterpriseGrid.grid_code,
                      Penalty.decided_on, Penalty.kind, Penalty.amount_yuan)
            .join(Enterprise, Enterprise.id == Penalty.enterprise_id)
            .join(EnterpriseGrid, EnterpriseGrid.enterprise_id == Enterprise.id)
        ).all()  # fmt: skip
    direct = {}
    for town, grid, day, kind, amount in rows:
        key = (town or town_of(grid), day.strftime("%Y-%m"))
        d = direct.setdefault(key, [0, 0, 0])
        d[0] += 1
        if kind == "fine":
            d[1] += 1
            d[2] += round(amount * 100)
    got = {(r["town_code"], r["month"]): [r["penalties"], r["fines"],
                                         round(r["fines_yuan"] * 100)]
           for r in totals.to_dict("records")}  # fmt: skip
    assert got == direct
    assert got[(TOWN, "2026-01")] == [2, 2, 300030]
    overall = penalty_totals_by(ctx, world.office, by=())
    assert overall.iloc[0]["penalties"] == 6 and overall.iloc[0]["fines_yuan"] == 6000.6
    page = list_penalties(ctx, world.office, per_page=2)
    assert page.total == 6 and page.items[0]["decided_on"] == "2026-03-01"
    other = Actor("sw_office", "street_office", "440604003")
    assert penalty_totals_by(ctx, other, by=()).iloc[0]["penalties"] == 0


def test_penalty_import_stores_or_rejects_every_row_and_never_replaces(world, tmp_path):
    ctx = world.ctx
    _fine(world, 9, "2026-02-01", 5000)
    path = tmp_path / "处罚.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年行政处罚台账"])
    ws.append(["处罚决定书文号", "处罚决定日期", "统一社会信用代码", "企业名称", "处罚种类",
               "罚款金额(元)", "备注"])  # fmt: skip
    rows = [
        ["禅安监罚〔2026〕101号", dt.date(2026, 3, 1), make_code(1), "企业1", "罚款", 20000, ""],
        ["禅安监罚〔2026〕102号", "2026/3/2", make_code(2), "企业2", "警告", None, ""],
        ["禅安监罚〔2026〕9-2026-02-01号", "2026-02-01", make_code(9), "企业9", "罚款", 5000, ""],
        ["禅安监罚〔2026〕9-2026-02-01号", "2026-02-01", make_code(9), "企业9", "罚款", 9000, ""],
        ["禅安监罚〔2026〕103号", "2026-03-02", "91440604MA9999999X", "?", "罚款", 100, ""],
        ["禅安监罚〔2026〕104号", "三月二日", make_code(3), "企业3", "罚款", 100, ""],
        [None, None, None, None, None, None, None],
        ["禅安监罚〔2026〕105号", "2026-03-02", make_code(4), "企业4", "吊销", 100, ""],
        ["禅安监罚〔2026〕101号", "2026-03-01", make_code(1), "企业1", "罚款", 20000, ""],
    ]  # fmt: skip
    for r in rows:
        ws.append(r)
    wb.save(path)
    res = import_penalties(ctx, world.office, path, rejects_path=tmp_path / "rej.csv")
    assert res.rows == 9 and res.blank == 1
    assert (res.stored, res.unchanged, res.rejected) == (2, 2, 4)
    assert {r.row: r.field for r in res.rejects} == {
        6: "decision_no", 7: "uscc", 8: "decided_on", 10: "kind"}  # fmt: skip
    assert res.unknown_headers == ["备注"]
    text = (tmp_path / "rej.csv").read_text("utf-8-sig")
    assert text.splitlines()[0] == "行号,字段,值,原因" and len(text.splitlines()) == 5
    with ctx.engine.connect() as conn:
        amount = conn.execute(
            sa.select(Penalty.amount_yuan).where(
                Penalty.decision_no == "禅安监罚〔2026〕9-2026-02-01号"
            )
        ).scalar_one()
        assert amount == 5000  # the stored record was not replaced
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Penalty)).scalar() == 3
        )
    dry = import_penalties(ctx, world.office, path, dry_run=True)
    assert dry.import_id is None and dry.stored == 0 and dry.unchanged == 4
