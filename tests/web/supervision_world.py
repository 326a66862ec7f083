"""The supervision rows of the web tests' world (issue 10, street office and
bureau pages): per grid one tip-off escalated to the street (received ten days
ago, its text carrying the grid's marker), one running campaign over the district
defined by the bureau, and one penalty import of office_x with a rejected row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from tempfile import TemporaryDirectory

import sqlalchemy as sa

from gridwatch.services.actor import Actor
from gridwatch.services.supervision import (
    create_campaign,
    import_penalties,
    submit_tipoff,
)
from gridwatch.timeutil import today, utcnow


def add_supervision_rows(ctx, world) -> dict:
    from tests.web.world import GRIDS, MARK, TOWN_X

    out: dict = {"tipoffs": {}}
    received = utcnow() - dt.timedelta(days=10)
    for letter, (_code, _parent, poly) in GRIDS.items():
        p = poly.centroid
        submit_tipoff(
            ctx,
            description=f"{MARK[letter]}旁边堆放杂物堵塞通道",
            lng=p.x,
            lat=p.y,
            contact_name="举报人",
            contact_phone="13800000000",
            client_address=f"10.0.0.{len(out['tipoffs']) + 1}",
            now=received,
        )
        with ctx.engine.connect() as conn:
            out["tipoffs"][letter] = conn.execute(
                sa.text("SELECT max(id) FROM tipoffs")
            ).scalar_one()
    bureau = Actor(world.username("bureau"), "bureau")
    day = today()
    made = create_campaign(
        ctx,
        bureau,
        name="网页测试专项",
        start=day - dt.timedelta(days=30),
        end=day + dt.timedelta(days=30),
    )
    out["campaign"] = made["id"]
    office = Actor(world.username("office_x"), "street_office", scope_code=TOWN_X)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        path.write_text(
            "处罚决定书文号,处罚决定日期,统一社会信用代码,处罚种类,罚款金额(元)\n"
            "测试罚〔2026〕1号,2026-13-40,91440000MA0000001X,罚款,1000\n",
            encoding="utf-8",
        )
        out["import_x"] = import_penalties(ctx, office, path).import_id
    return out
