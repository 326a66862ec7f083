"""Campaigns: targets (SQL narrowing agrees with select_targets), progress equals a
direct count, the to-do shows outstanding targets, the XLSX export."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from gridwatch.db.models import Campaign, CampaignTarget, Enterprise, Inspection
from gridwatch.errors import PermissionDeniedError
from gridwatch.services.supervision import (
    campaign_progress,
    create_campaign,
    create_hazard,
    export_campaign_xlsx,
    list_campaigns,
    supervision_todo,
)
from gridwatch.services.supervision.campaigns import _frame, _hazards_for
from gridwatch.services.todo import todo
from gridwatch.supervision import CampaignSpec, select_targets
from tests.actors import SYSTEM
from tests.db.conftest import TOWN
from tests.db.supervision_world import build_world

START, END = dt.date(2026, 2, 1), dt.date(2026, 4, 30)
ON = dt.date(2026, 3, 15)
SELECTORS = [{"sectors": ["furniture"]}, {"has_hazchem": True},
             {"hazard_categories": ["dust"]}]  # fmt: skip


@pytest.fixture
def world(ctx):
    w = build_world(ctx)
    ids = w.enterprise_ids()
    t = Enterprise.__table__
    with ctx.engine.begin() as conn:
        conn.execute(t.update().where(t.c.id.in_(ids[0:10])).values(sector="furniture"))
        conn.execute(t.update().where(t.c.id.in_(ids[10:15])).values(has_hazchem=True))
        conn.execute(
            t.update().where(t.c.id.in_(ids[20:25])).values(is_three_in_one=True)
        )
    for n, found in (
        (30, dt.date(2026, 1, 10)),
        (31, dt.date(2025, 6, 1)),
        (32, dt.date(2026, 2, 5)),
        (33, dt.date(2024, 12, 1)),
    ):
        create_hazard(ctx, w.warden_of(ids[n]), enterprise_id=ids[n], level="ordinary",
                      category="dust", description="积尘", found_on=found)  # fmt: skip
    w.ids = ids
    return w


def _inspect(ctx, rows):
    with ctx.transaction(SYSTEM) as s:
        for ent, day, kind in rows:
            s.add(Inspection(enterprise_id=ent, kind=kind, inspected_on=day,
                             result="pass"))  # fmt: skip


def _campaign(world, **kw):
    args = {"name": "粉尘与危化品专项检查", "start": START, "end": END,
            "selectors": SELECTORS, "area_prefixes": [TOWN], "min_inspections": 2,
            "inspection_kinds": ["inspection", "spot_check"], **kw}  # fmt: skip
    return create_campaign(world.ctx, world.bureau, **args)


def test_targets_narrowed_in_sql_are_those_select_targets_picks(world):
    out = _campaign(world)
    ids = world.ids
    want = set(ids[0:15]) | {ids[30], ids[31]}  # not 32 (after start), 33 (too old)
    with world.ctx.engine.connect() as conn:
        got = set(conn.execute(sa.select(CampaignTarget.enterprise_id)).scalars())
        stored = conn.execute(sa.select(Campaign.spec)).scalar_one()
        spec = CampaignSpec.from_dict(stored)
        everything = _frame(conn, [sa.true()])  # no narrowing in SQL
        unfiltered = select_targets(
            everything, spec, _hazards_for(conn, everything["id"], spec)
        )
    assert got == want == set(unfiltered["id"])
    assert out["targets"] == 17
    with pytest.raises(PermissionDeniedError):
        create_campaign(world.ctx, world.office, name="街道自定专项", start=START,
                        end=END)  # fmt: skip


def _direct(ctx, campaign_id, until):
    """Per target: counted inspections the long way (no service code)."""
    with ctx.engine.connect() as conn:
        targets = list(
            conn.execute(
                sa.select(CampaignTarget.enterprise_id).where(
                    CampaignTarget.campaign_id == campaign_id
                )
            ).scalars()
        )
        rows = conn.execute(
            sa.select(
                Inspection.enterprise_id, Inspection.inspected_on, Inspection.kind
            )
        ).all()
    counts = dict.fromkeys(targets, 0)
    for ent, day, kind in rows:
        if (
            ent in counts
            and START <= day <= until
            and kind in ("inspection", "spot_check")
        ):
            counts[ent] += 1
    return counts


def test_campaign_progress_equals_a_direct_count(world, tmp_path):
    ctx = world.ctx
    ids = world.ids
    c = _campaign(world)
    _inspect(ctx, [
        (ids[0], dt.date(2026, 2, 3), "inspection"), (ids[0], dt.date(2026, 3, 1), "inspection"),
        (ids[1], dt.date(2026, 2, 10), "inspection"), (ids[1], dt.date(2026, 2, 11), "patrol"),
        (ids[10], dt.date(2026, 1, 20), "spot_check"), (ids[10], dt.date(2026, 3, 2), "spot_check"),
        (ids[30], dt.date(2026, 3, 20), "inspection"),  # after ON: not yet counted
        (ids[40], dt.date(2026, 2, 20), "inspection"),  # not a target
    ])  # fmt: skip
    counts = _direct(ctx, c["id"], ON)
    total = campaign_progress(ctx, world.bureau, c["id"], by="district", on=ON)["total"]
    assert total["targets"] == len(counts) == 17
    assert total["inspections"] == sum(counts.values()) == 4
    assert total["inspected"] == sum(v > 0 for v in counts.values()) == 3
    assert total["reached"] == sum(v >= 2 for v in counts.values()) == 1
    assert total["remaining"] == 16
    grid = campaign_progress(ctx, world.bureau, c["id"], by="grid", on=ON)
    assert sum(r["targets"] for r in grid["rows"]) == 17
    assert sum(r["reached"] for r in grid["rows"]) == 1
    ents = campaign_progress(ctx, world.bureau, c["id"], by="enterprise", on=ON)
    assert {r["id"]: r["inspections"] for r in ents["rows"]} == counts
    # a warden sees only their own targets, and the outstanding ones in the to-do
    w = world.warden_of(ids[1])
    mine = campaign_progress(ctx, w, c["id"], by="enterprise", on=ON)["rows"]
    assert ids[1] in {r["id"] for r in mine} and len(mine) < 17
    items = {i["id"]: i for i in todo(ctx, w, on=ON, per_page=200).items}
    assert "campaign" in items[ids[1]]["reasons"]
    assert items[ids[1]]["campaigns"][0]["still_needed"] == 1
    assert ids[0] not in items or "campaign" not in items[ids[0]]["reasons"]
    assert supervision_todo(ctx, w, on=ON)["counts"]["campaign_targets"] >= 1
    after = todo(ctx, w, on=dt.date(2026, 5, 2), per_page=200).items
    assert not any(i["campaigns"] for i in after)
    assert [x["id"] for x in list_campaigns(ctx, w, running_on=ON)] == [c["id"]]
    # the XLSX holds the same figures
    path = tmp_path / "campaign.xlsx"
    out = export_campaign_xlsx(ctx, world.bureau, c["id"], path, on=ON)
    assert out["sheets"] == ["概况", "按网格", "按街道", "企业明细"]
    wb = openpyxl.load_workbook(path)
    facts = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert facts["目标企业数"] == 17 and facts["达标企业数"] == 1
    detail = pd.DataFrame(list(wb["企业明细"].iter_rows(min_row=2, values_only=True)))
    assert len(detail) == 17 and (detail[6] == "是").sum() == 1


def test_a_preset_campaign_targets_its_sector(world):
    c = create_campaign(world.ctx, world.bureau, preset="furniture", start=START,
                        end=END)  # fmt: skip
    assert c["name"] == "家具行业专项整治" and c["targets"] == 10
    assert c["preset"] == "furniture" and c["is_running"] is False  # judged today
