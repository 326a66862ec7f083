"""Assignment carries the geocode's precision; churn after a redraw; wardens list."""

import datetime as dt

import pytest
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid
from gridwatch.errors import PermissionDeniedError
from gridwatch.services import grids as gsvc
from gridwatch.services.actor import Actor
from gridwatch.services.assignment import (
    assign_enterprises_to_grids,
    assign_wardens,
    enterprise_wardens_on,
    list_unplaced,
    list_wardens,
    responsible_on,
)
from tests.actors import SYSTEM
from tests.db.conftest import TOWN, make_code

D1, D2 = dt.date(2026, 1, 5), dt.date(2026, 3, 2)


def _set_precision(ctx, numbers, precision, town_code=TOWN):
    with ctx.transaction(SYSTEM) as s:
        s.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc.in_([make_code(n) for n in numbers]))
            .values(precision=precision, town_code=town_code)
        )


def _active(ctx, k=2):
    return gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=k, activate=True)[
        "version"
    ]


def test_town_level_enterprise_gets_no_grid_and_is_listed_with_its_town(
    small_district,
):
    ctx = small_district
    _active(ctx)
    _set_precision(ctx, [3, 4], "town")
    _set_precision(ctx, [5], "district", town_code="440604012")  # filled from a point
    r = assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assert r["assigned"] == 57
    unplaced = {u["uscc"]: u for u in r["unplaced"]}
    assert set(unplaced) == {make_code(3), make_code(4), make_code(5)}
    assert unplaced[make_code(3)]["town_code"] == TOWN
    assert unplaced[make_code(3)]["town_name"] == "张槎街道"
    assert unplaced[make_code(5)]["town_code"] is None  # district level: town unknown
    # every enterprise is accounted for exactly once
    listed = len(r["outside"]) + len(r["unplaced"]) + len(r["no_location"])
    assert r["assigned"] + listed == r["enterprises"] == 61
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(sa.func.count())
            .select_from(EnterpriseGrid)
            .join(Enterprise, Enterprise.id == EnterpriseGrid.enterprise_id)
            .where(Enterprise.uscc.in_(list(unplaced)))
        ).scalar()
    assert rows == 0


def test_responsible_on_says_in_town_grid_unknown_for_a_town_level_enterprise(
    small_district,
):
    ctx = small_district
    _active(ctx)
    _set_precision(ctx, [3], "town")
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assign_wardens(ctx, SYSTEM, today=D1)
    r = responsible_on(ctx, SYSTEM, make_code(3), D1)
    assert r["placement"] == "unplaced" and r["grid_code"] is None
    assert r["warden"] is None and r["town_code"] == TOWN
    ok = responsible_on(ctx, SYSTEM, make_code(1), D1)
    assert ok["placement"] == "definite" and ok["warden"]
    assert responsible_on(ctx, SYSTEM, make_code(99), D1)["placement"] == "no_location"


def test_a_town_level_enterprise_loses_the_grid_it_had(small_district):
    ctx = small_district
    _active(ctx)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    before = responsible_on(ctx, SYSTEM, make_code(3), D1)
    _set_precision(ctx, [3], "town")  # re-geocoded: only the town is known now
    r = assign_enterprises_to_grids(ctx, SYSTEM, today=D2)
    assert r["rows_closed"] == 1 and r["rows_opened"] == 0
    past = responsible_on(ctx, SYSTEM, make_code(3), D1)  # history stays
    grid_keys = ["placement", "version", "grid_code", "warden", "deputies"]
    assert [past[k] for k in grid_keys] == [before[k] for k in grid_keys]
    assert responsible_on(ctx, SYSTEM, make_code(3), D2)["placement"] == "unplaced"


def test_community_level_enterprise_is_assigned_but_flagged_imprecise(small_district):
    ctx = small_district
    _active(ctx)
    _set_precision(ctx, [7], "community")
    r = assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assert r["assigned"] == 60 and r["imprecise"] == 1
    assert [x["uscc"] for x in r["imprecise_list"]] == [make_code(7)]
    assign_wardens(ctx, SYSTEM, today=D1)
    who = responsible_on(ctx, SYSTEM, make_code(7), D1)
    assert who["placement"] == "imprecise" and who["warden"] and who["grid_code"]
    # a person places it: the next run opens a confident row, history keeps the guess
    _set_precision(ctx, [7], "manual")
    again = assign_enterprises_to_grids(ctx, SYSTEM, today=D2)
    assert again["imprecise"] == 0 and again["rows_opened"] == 1
    assert responsible_on(ctx, SYSTEM, make_code(7), D2)["placement"] == "definite"
    assert responsible_on(ctx, SYSTEM, make_code(7), D1)["placement"] == "imprecise"


def test_list_unplaced_is_scoped_to_the_street_office(small_district):
    ctx = small_district
    _set_precision(ctx, [3], "town")
    _set_precision(ctx, [4], "town", town_code="440604012")
    own = Actor("zc_office", "street_office", TOWN)
    assert [u["uscc"] for u in list_unplaced(ctx, own)] == [make_code(3)]
    assert {u["uscc"] for u in list_unplaced(ctx, SYSTEM)} == {
        make_code(3),
        make_code(4),
    }
    assert [u["uscc"] for u in list_unplaced(ctx, SYSTEM, "440604012")] == [
        make_code(4)
    ]


def test_same_day_redraw_reports_churn_as_a_number(small_district):
    """The onboarding run: grids, assignment and a redraw all on one day printed
    'churn None'; the churn is measured against the wardens before the run."""
    ctx = small_district
    _active(ctx, 2)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    first = assign_wardens(ctx, SYSTEM, today=D1)
    assert first["churn"] is None and first["churn_compared"] == 0  # nobody before
    with ctx.engine.connect() as conn:
        old = enterprise_wardens_on(conn, D1)
    _active(ctx, 3)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    r = assign_wardens(ctx, SYSTEM, today=D1)
    with ctx.engine.connect() as conn:
        new = enterprise_wardens_on(conn, D1)
    assert r["churn_compared"] == len(old) == len(new) == 60
    changed = int((old[new.index] != new).sum())
    assert r["churn_changed"] == changed
    assert r["churn"] == pytest.approx(changed / 60, abs=1e-4)
    rerun = assign_wardens(ctx, SYSTEM, today=D1)
    assert rerun["churn"] == 0.0 and rerun["rows_opened"] == 0


def test_list_wardens_gives_grids_and_risk_weighted_workload(small_district):
    ctx = small_district
    _active(ctx, 3)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assign_wardens(ctx, SYSTEM, today=D1)
    rows = list_wardens(ctx, SYSTEM, on=D1)
    assert [w["username"] for w in rows] == [f"zc_warden_{i:03d}" for i in range(4)]
    grids = [g for w in rows for g in w["grids"]]
    assert len(grids) == len(set(grids)) == 6  # every grid held by one warden
    assert sum(w["enterprises"] for w in rows) == 60
    # risk levels cycle red, blue, yellow over the 60 enterprises: 20 of each
    weights = ctx.settings.risk_weights
    total = 20 * (weights["red"] + weights["blue"] + weights["yellow"])
    assert sum(w["workload"] for w in rows) == pytest.approx(total)
    mean = total / 4
    for w in rows:
        assert w["workload_over_street_mean"] == pytest.approx(
            w["workload"] / mean, abs=1e-3
        )


def test_list_wardens_street_office_sees_only_its_street(small_district):
    ctx = small_district
    own = Actor("zc_office", "street_office", TOWN)
    assert len(list_wardens(ctx, own)) == 4  # no active grids yet: no grids each
    assert all(w["grids"] == [] for w in list_wardens(ctx, own))
    other = Actor("sw_office", "street_office", "440604003")
    assert list_wardens(ctx, other) == []
    with pytest.raises(PermissionDeniedError):
        list_wardens(ctx, other, street=TOWN)


def test_metric_crs_setting_reaches_the_outside_distance(ctx):
    """Services pass settings.metric_crs: Web Mercator measures 1/cos(23°) longer."""
    from gridwatch.services.enterprises import upsert_enterprises
    from tests.db.conftest import build_small_district

    build_small_district(ctx)
    _active(ctx)
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(
            s,
            [
                {
                    "uscc": make_code(300),
                    "name": "界外厂",
                    "sector": "other",
                    "risk_level": "blue",
                    "lng": 113.045,
                    "lat": 23.01,
                    "precision": "supplied",
                    "source_datum": "wgs84",
                }
            ],
        )
    gk = assign_enterprises_to_grids(ctx, SYSTEM, today=D1)["outside"][0]
    merc_ctx = type(ctx)(ctx.settings.replace(metric_crs="EPSG:3857"), ctx.engine)
    merc = assign_enterprises_to_grids(merc_ctx, SYSTEM, today=D1)["outside"][0]
    assert merc["distance_m"] / gk["distance_m"] == pytest.approx(1.086, abs=0.003)
