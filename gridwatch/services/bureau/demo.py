"""Add the bureau's records to a demo district, through the bureau's use cases.

The standardisation, declaration and safety-officer rows arrive the way a
bureau's would: as a CSV file with Chinese headers through
:func:`~gridwatch.services.bureau.foundations.import_foundations` (every row
stored or rejected); accidents through
:func:`~gridwatch.services.bureau.accidents.record_accident`, targets through
:func:`~gridwatch.services.bureau.targets.set_target` and the manual assessment
figures through :func:`~gridwatch.services.bureau.assessment.set_manual_figure`.
Kept apart from the demo pipeline (one call after its build), so that module
can change without touching these records.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import sqlalchemy as sa

from gridwatch.analytics.bureau import year_period
from gridwatch.db.models import AdminUnit, Enterprise
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.bureau.accidents import record_accident
from gridwatch.services.bureau.assessment import set_manual_figure
from gridwatch.services.bureau.foundations import import_foundations
from gridwatch.services.bureau.targets import set_target
from gridwatch.services.context import Context

__all__ = ["add_bureau_demo"]


def _enterprises(ctx: Context):
    import pandas as pd

    e = Enterprise
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                e.uscc, e.name, e.town_code, e.sector, e.risk_level, e.is_three_in_one
            )
            .where(e.town_code.isnot(None))
            .order_by(e.uscc)
        ).all()
        towns = list(
            conn.execute(
                sa.select(AdminUnit.code)
                .where(AdminUnit.level == "town")
                .order_by(AdminUnit.code)
            ).scalars()
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "uscc",
            "name",
            "town_code",
            "sector",
            "risk_level",
            "is_three_in_one",
        ],
    )
    return frame, towns


def add_bureau_demo(
    ctx: Context, actor: Actor, *, seed: int = 20131, today: dt.date
) -> dict:
    """Generate and store the bureau's records for this and last year.

    Returns counts: ``foundations`` (the import's summary), ``accidents``,
    ``flagged_accidents`` (grade recorded too low), ``targets``, ``manual``.
    """
    require_role(actor, action="Adding the bureau's demo records")
    from gridwatch.demo.bureau import build_bureau_records

    ents, towns = _enterprises(ctx)
    demo = build_bureau_records(ents, towns, today, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "企业安全基础台账.csv"
        demo.foundations.to_csv(path, index=False, encoding="utf-8")
        summary = import_foundations(ctx, actor, path, today=today)
    flagged = 0
    for acc in demo.accidents:
        flagged += bool(record_accident(ctx, actor, today=today, **acc)["warning"])
    for year, indicator, unit, value in demo.targets:
        set_target(ctx, actor, year, indicator, value, unit, note="示范数据")
    for year, town, indicator, value, note in demo.manual:
        set_manual_figure(
            ctx, actor, year_period(year, today), town, indicator, value, note
        )
    return {
        "foundations": summary.to_dict()
        | {"rejects": summary.to_dict()["rejects"][:5]},
        "accidents": len(demo.accidents),
        "flagged_accidents": flagged,
        "targets": len(demo.targets),
        "manual": len(demo.manual),
    }
