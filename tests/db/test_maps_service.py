"""Maps from the database: same numbers as the analytics, offline, filtered."""

import datetime as dt
import re

import pandas as pd
import pytest

from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services import grids as gsvc
from gridwatch.services.assignment import assign_enterprises_to_grids, assign_wardens
from gridwatch.services.maps import coverage_frames, load_map_data, write_map
from tests.actors import SYSTEM


@pytest.fixture
def inspected(small_district):
    ctx = small_district
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=dt.date(2026, 1, 1))
    assign_wardens(ctx, SYSTEM, today=dt.date(2026, 1, 1))
    import sqlalchemy as sa

    from gridwatch.db.queries import bulk_insert

    with ctx.engine.begin() as conn:
        ids = [
            r[0]
            for r in conn.execute(sa.text("SELECT id FROM enterprises ORDER BY id"))
        ]
        bulk_insert(
            conn,
            "inspections",
            pd.DataFrame(
                {
                    "enterprise_id": ids[:30],
                    "kind": "patrol",
                    "inspected_on": [dt.date(2026, 6, 1)] * 30,
                    "result": "pass",
                    "created_at": dt.datetime(2026, 6, 1),
                }
            ),
        )
        bulk_insert(
            conn,
            "hazards",
            pd.DataFrame(
                {
                    "enterprise_id": ids[:10],
                    "level": ["major"] * 2 + ["ordinary"] * 8,
                    "category": "fire",
                    "found_on": [dt.date(2026, 6, 1)] * 10,
                    "status": "open",
                    "is_listed": False,
                }
            ),
        )
    return ctx


def test_coverage_numbers_add_up_across_levels(inspected):
    data = load_map_data(inspected, SYSTEM, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    grids_cov, points, _status = coverage_frames(inspected, data)
    assert int(grids_cov["n"].sum()) == 60  # every located enterprise counted once
    assert int(grids_cov["never"].sum()) == 30
    assert int(grids_cov["open_hazards"].sum()) == 10
    assert len(points) == 61 and int(points.geometry.notna().sum()) == 60


def test_write_map_is_self_contained(inspected, tmp_path):
    for kind in ("coverage", "grids"):
        out = write_map(
            inspected,
            SYSTEM,
            kind,
            tmp_path / "sub" / f"{kind}.html",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        )
        html = out.read_text("utf-8")
        assert not re.search(
            r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", html
        ), kind


def test_map_filters_and_bad_input(inspected, tmp_path):
    data = load_map_data(
        inspected,
        SYSTEM, dt.date(2026, 1, 1), dt.date(2026, 12, 31), grid="440604011001001"
    )
    assert set(data.grids["code"]) == {"440604011001001"}
    assert set(data.enterprises["grid_code"]) == {"440604011001001"}
    with pytest.raises(NotFoundError):
        load_map_data(inspected, SYSTEM, grid="440604011009001")
    with pytest.raises(InvalidInputError, match="swap them"):
        load_map_data(inspected, SYSTEM, dt.date(2026, 5, 1), dt.date(2026, 1, 1))


def test_hotspot_advice_fits_the_cause(inspected, small_district, tmp_path):
    """Nothing recorded yet says so; nothing in the period names when there is."""
    out = tmp_path / "h.html"
    with pytest.raises(InvalidInputError) as info:
        write_map(
            inspected,
            SYSTEM,
            "hotspots",
            out,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
    err = info.value
    assert err.details["reason"] == "none_in_period"
    assert "between 2026-06-01 and 2026-06-01" in err.user_msg
    assert "--from" not in err.user_msg  # flags only in the hint
    assert err.details["hint"] == "--from 2026-06-01 --to 2026-06-01"


def test_hotspot_advice_when_no_hazard_was_ever_recorded(small_district, tmp_path):
    ctx = small_district
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="No hazards have been recorded") as e:
        write_map(ctx, SYSTEM, "hotspots", tmp_path / "h.html")
    assert e.value.details["reason"] == "no_hazards"
