"""The demo pipeline on both backends, small: every table filled, all consistent."""

import datetime as dt

import pytest
import sqlalchemy as sa

from gridwatch.services.assignment import responsible_on
from gridwatch.services.demo import build_demo
from tests.actors import SYSTEM

pytestmark = pytest.mark.slow


def test_build_demo_fills_every_table_consistently(ctx):
    today = dt.date(2026, 11, 28)
    summary = build_demo(
        ctx,
        SYSTEM,
        n_enterprises=600,
        seed=7,
        today=today,
        write_maps=False,
        n_address_points=8000,
    )
    counts = summary["counts"]
    for table in (
        "admin_units",
        "gazetteer_points",
        "users",
        "wardens",
        "enterprises",
        "grids",
        "enterprise_grid",
        "grid_warden",
        "inspections",
        "hazards",
        "self_reports",
        "audit_log",
    ):
        assert counts[table] > 0, table
    assert counts["enterprises"] == 600
    assert counts["admin_units"] == 1 + 4 + 147
    # every input row accounted for
    reg = summary["registry"]
    assert reg["rows"] == reg["valid"] + reg["rejected"] + reg["blank"] == 600
    with ctx.engine.connect() as conn:
        # every located enterprise in exactly one open grid row
        dup = conn.execute(
            sa.text(
                "SELECT enterprise_id FROM enterprise_grid WHERE valid_to IS NULL "
                "GROUP BY enterprise_id HAVING count(*) > 1"
            )
        ).all()
        assert dup == []
        located = conn.execute(
            sa.text("SELECT count(*) FROM enterprises WHERE geom IS NOT NULL")
        ).scalar()
        open_rows = conn.execute(
            sa.text("SELECT count(*) FROM enterprise_grid WHERE valid_to IS NULL")
        ).scalar()
        a = summary["assign"]
        assert open_rows == located - a["outside"] - a["unplaced"] == a["assigned"]
        # inspections are done by real users, of real enterprises
        orphans = conn.execute(
            sa.text(
                "SELECT count(*) FROM inspections i LEFT JOIN users u ON u.id = i.inspector_id "
                "WHERE u.id IS NULL"
            )
        ).scalar()
        assert orphans == 0
        uscc = conn.execute(
            sa.text(
                "SELECT e.uscc FROM enterprises e JOIN enterprise_grid g "
                "ON g.enterprise_id = e.id LIMIT 1"
            )
        ).scalar()
    who = responsible_on(ctx, SYSTEM, uscc, today - dt.timedelta(days=100))
    assert who is not None and who["warden"]
    assert len(summary["logins"]) >= 7  # admin, 2 bureau, 4 offices
    assert all(len(u["password"]) >= 12 for u in summary["logins"])


def test_build_demo_twice_rebuilds_not_duplicates(ctx):
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("the rebuild path is backend-neutral; one backend keeps CI short")
    today = dt.date(2026, 11, 28)
    build_demo(
        ctx,
        SYSTEM,
        n_enterprises=300,
        seed=3,
        today=today,
        write_maps=False,
        n_address_points=4000,
    )
    second = build_demo(
        ctx,
        SYSTEM,
        n_enterprises=300,
        seed=3,
        today=today,
        write_maps=False,
        n_address_points=4000,
    )
    assert second["counts"]["enterprises"] == 300
    assert second["counts"]["grid_versions"] == 1
