"""A small street ready for redraws and patrol plans (on top of small_district):
balanced grids (2 per community) active since 30 days ago, enterprises and four
wardens assigned, a history of inspections and one open hazard."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.queries import bulk_insert
from gridwatch.services.actor import Actor
from gridwatch.services.assignment import assign_enterprises_to_grids, assign_wardens
from gridwatch.services.grids import activate_version, build_version
from tests.actors import SYSTEM
from tests.db.conftest import TOWN, build_small_district

OFFICE = Actor("office_zc", "street_office", scope_code=TOWN)
OTHER_OFFICE = Actor("office_other", "street_office", scope_code="440604003")
#: a Monday with working days after it (chinese-calendar knows 2026)
MONDAY = dt.date(2026, 12, 7)


def holidays_csv(path, days) -> str:
    """A holiday file marking ``days`` as working days (for any year)."""
    lines = ["date,is_workday,name"] + [f"{d.isoformat()},1,加班" for d in days]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return str(path)


def build_street(ctx, since: dt.date | None = None) -> dict:
    """small_district + grids, assignment and history; facts about it."""
    build_small_district(ctx)
    since = since or (MONDAY - dt.timedelta(days=30))
    built = build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, town=TOWN)
    activate_version(ctx, SYSTEM, built["version"])
    assign_enterprises_to_grids(ctx, SYSTEM, today=since)
    assign_wardens(ctx, SYSTEM, street=TOWN, today=since)
    with ctx.engine.begin() as conn:
        ents = conn.execute(
            sa.text("SELECT id, risk_level FROM enterprises ORDER BY id")
        ).all()
        wardens = conn.execute(
            sa.text("SELECT id, user_id FROM wardens ORDER BY id")
        ).all()
        # every third enterprise inspected 400 days ago, so interval visits fall due
        rows = [
            {
                "enterprise_id": e.id,
                "kind": "patrol",
                "inspected_on": since - dt.timedelta(days=400),
                "inspector_id": wardens[0].user_id,
                "result": "ok",
            }
            for e in ents[::3]
        ]
        bulk_insert(conn, "inspections", pd.DataFrame(rows))
        bulk_insert(
            conn,
            "hazards",
            pd.DataFrame(
                [
                    {
                        "enterprise_id": ents[1].id,
                        "level": "ordinary",
                        "category": "fire",
                        "found_on": since,
                        "deadline": MONDAY + dt.timedelta(days=2),
                        "status": "rectifying",
                    }
                ]
            ),
        )
    return {"version": built["version"], "since": since}
