"""The street office's rows in the web tests' world: a draft redraw of street X,
a queued build job of office_x, and a patrol plan of street X from today."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gridwatch.services.actor import Actor
from gridwatch.services.grids import build_version
from gridwatch.services.jobs import submit_job
from gridwatch.services.patrol import plan_patrols
from gridwatch.timeutil import today
from tests.actors import SYSTEM


def working_days(start: dt.date, n: int) -> pd.DataFrame:
    """A holiday frame making ``n`` days from ``start`` working days (so the
    plan has stops today whatever the weekday or the year)."""
    days = [start + dt.timedelta(days=i) for i in range(n)]
    return pd.DataFrame({"date": days, "is_workday": True, "name": "测试加班"})


def add_street_rows(ctx, world) -> dict:
    from tests.web.world import TOWN_X

    office = Actor(world.username("office_x"), "street_office", scope_code=TOWN_X)
    draft = build_version(ctx, office, "balanced", grids_per_unit=1, town=TOWN_X)
    job = submit_job(
        ctx, office, "grids.build", {"method": "balanced", "grids_per_unit": 2}
    )
    start = today()
    plan = plan_patrols(
        ctx,
        SYSTEM,
        TOWN_X,
        start,
        3,
        visits_per_day=5,
        holidays=working_days(start, 3),
        today=start,
    )
    return {
        "draft": draft["version"],
        "active": 1,
        "job": job["id"],
        "plan": plan["plan"],
        "day": start.isoformat(),
        "warden": world.username("warden_a"),
    }
