"""Patrol plans through the services on both backends: stored, regenerated,
matched to recorded inspections, scoped, and refused with one sentence."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from gridwatch.db.queries import bulk_insert
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.patrol import (
    day_route,
    list_plans,
    plan_overview,
    plan_patrols,
    plan_progress,
    warden_today,
)
from tests.actors import SYSTEM
from tests.db.conftest import TOWN
from tests.db.street_helpers import MONDAY, OFFICE, OTHER_OFFICE, build_street


@pytest.fixture
def street(ctx):
    return build_street(ctx)


def _plan(ctx, **kw):
    kw.setdefault("visits_per_day", 4)
    return plan_patrols(ctx, OFFICE, start=MONDAY, days=7, today=MONDAY, **kw)


def _count(ctx, table):
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def _warden_actor(ctx, username):
    with ctx.engine.connect() as conn:
        r = conn.execute(
            sa.text(
                "SELECT w.id, u.id AS uid FROM wardens w JOIN users u ON u.id = "
                "w.user_id WHERE u.username = :u"
            ),
            {"u": username},
        ).one()
    return Actor(username, "warden", scope_code=TOWN, user_id=r.uid, warden_id=r.id)


def test_plan_patrols_stores_every_due_visit_planned_or_unplanned(ctx, street):
    out = _plan(ctx)
    c = out["counts"]
    assert c["due"] == c["planned"] + c["unplanned"] > 0
    assert _count(ctx, "patrol_stops") == c["planned"]
    assert _count(ctx, "patrol_unplanned") == c["unplanned"]
    # 4 wardens x 5 working days (Mon-Fri), at most 4 stops a day
    assert _count(ctx, "patrol_days") == 20
    with ctx.engine.connect() as conn:
        worst = conn.execute(
            sa.text("SELECT max(n_planned), max(capacity) FROM patrol_days")
        ).one()
        per_day = (
            conn.execute(sa.text("SELECT count(*) FROM patrol_stops GROUP BY day_id"))
            .scalars()
            .all()
        )
    assert worst == (4, 4) and max(per_day) <= 4
    assert out["due_reasons"]["hazard"] == 1


def test_plan_patrols_route_starts_at_the_base_and_orders_stops(ctx, street):
    out = _plan(ctx)
    ov = plan_overview(ctx, OFFICE, out["plan"], today=MONDAY)
    d = next(x for x in ov["days_detail"] if x["planned"] >= 3)
    route = day_route(ctx, OFFICE, out["plan"], d["warden"], d["day"], today=MONDAY)
    assert [s["seq"] for s in route["stops"]] == list(range(1, d["planned"] + 1))
    legs = [s["leg_m"] for s in route["stops"]]
    assert route["total_m"] == pytest.approx(sum(legs) + route["return_m"], abs=2)
    kinds = [f["properties"]["kind"] for f in route["geojson"]["features"]]
    assert kinds[0] == "base" and kinds[-1] == "route"
    line = route["geojson"]["features"][-1]["geometry"]["coordinates"]
    assert line[0] == line[-1]  # from the base and back
    assert route["stops"][0]["nav"]["amap"].startswith("amapuri://route/plan/")


def test_regenerating_the_same_window_replaces_the_plan_and_is_audited(ctx, street):
    first = _plan(ctx)
    again = _plan(ctx, visits_per_day=2)
    assert again["plan"] == first["plan"] and again["revision"] == 2
    assert again["replaced"] is True
    assert _count(ctx, "patrol_plans") == 1
    assert _count(ctx, "patrol_stops") == again["counts"]["planned"]
    with ctx.engine.connect() as conn:
        audit = conn.execute(
            sa.text(
                "SELECT actor, old, new FROM audit_log WHERE action = 'replace' "
                "AND entity = 'patrol_plans'"
            )
        ).all()
    assert len(audit) == 1 and audit[0].actor == "office_zc"
    other = plan_patrols(ctx, OFFICE, start=MONDAY, days=3, today=MONDAY)
    assert other["plan"] != first["plan"] and _count(ctx, "patrol_plans") == 2


def test_recorded_inspections_match_planned_stops(ctx, street):
    out = _plan(ctx)
    stops = plan_progress(ctx, OFFICE, out["plan"], today=MONDAY)
    first, second = stops[0], stops[1]
    wed = MONDAY + dt.timedelta(days=2)
    with ctx.engine.begin() as conn:
        bulk_insert(
            conn,
            "inspections",
            pd.DataFrame(
                [
                    {
                        "enterprise_id": first["enterprise_id"],
                        "kind": "patrol",
                        "inspected_on": first["day"],
                        "result": "ok",
                    },
                    {
                        "enterprise_id": second["enterprise_id"],
                        "kind": "patrol",
                        "inspected_on": wed,
                        "result": "ok",
                    },
                ]
            ),
        )
    later = plan_progress(ctx, OFFICE, out["plan"], today=wed + dt.timedelta(days=1))
    status = {(s["enterprise_id"], s["day"]): s["status"] for s in later}
    assert status[(first["enterprise_id"], first["day"])] == "done"
    expect = "done" if second["day"] == wed else "done_other_day"
    assert status[(second["enterprise_id"], second["day"])] == expect
    # a day gone by without a visit is missed; today's and later ones pending
    rest = [
        s
        for s in later
        if s["enterprise_id"] not in (first["enterprise_id"], second["enterprise_id"])
    ]
    assert {s["status"] for s in rest if s["day"] <= wed} <= {"missed"}
    assert {s["status"] for s in rest if s["day"] > wed} <= {"pending"}
    ov = plan_overview(ctx, OFFICE, out["plan"], today=wed + dt.timedelta(days=1))
    assert ov["totals"]["done"] + ov["totals"]["done_other_day"] == 2


def test_warden_sees_only_their_own_days_and_today(ctx, street):
    out = _plan(ctx)
    ov = plan_overview(ctx, OFFICE, out["plan"], today=MONDAY)
    mine = ov["days_detail"][0]
    w = _warden_actor(ctx, mine["warden"])
    today = warden_today(ctx, w, today=MONDAY)
    assert today["plan"]["plan"] == out["plan"]
    assert len(today["stops"]) == mine["planned"]
    theirs = next(d for d in ov["days_detail"] if d["warden"] != mine["warden"])
    with pytest.raises(NotFoundError):
        day_route(ctx, w, out["plan"], theirs["warden"], theirs["day"], today=MONDAY)
    assert {d["warden"] for d in plan_overview(ctx, w, out["plan"])["days_detail"]} == {
        mine["warden"]
    }
    sunday = warden_today(ctx, w, day=MONDAY - dt.timedelta(days=1), today=MONDAY)
    assert sunday["plan"] is None and sunday["stops"] == []


def test_another_street_sees_no_plan(ctx, street):
    out = _plan(ctx)
    with pytest.raises(NotFoundError):
        plan_overview(ctx, OTHER_OFFICE, out["plan"])
    assert list_plans(ctx, OTHER_OFFICE) == []
    with pytest.raises(PermissionDeniedError):
        plan_patrols(ctx, OTHER_OFFICE, street=TOWN, start=MONDAY, days=7, today=MONDAY)


def test_enterprise_without_location_is_listed_unplanned(ctx, street):
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE enterprises SET town_code = :t WHERE geom IS NULL"),
            {"t": TOWN},
        )
    out = _plan(ctx)
    assert out["counts"]["unplanned_reasons"].get("no_location") == 1
    ov = plan_overview(ctx, OFFICE, out["plan"], today=MONDAY)
    row = next(u for u in ov["unplanned"] if u["not_planned"] == "no_location")
    assert row["name"] == "无坐标厂" and "坐标" in row["not_planned_text"]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"days": 0}, "at least 1 day"),
        ({"start": MONDAY - dt.timedelta(days=1)}, "before today"),
        ({"visits_per_day": 0}, "zero capacity"),
        ({"start": "next monday"}, "not a date"),
        ({"wardens": ["nobody"]}, "not an active warden"),
    ],
)
def test_plan_patrols_bad_input_is_one_sentence(ctx, street, kwargs, words):
    args = {"start": MONDAY, "days": 7, "today": MONDAY, "visits_per_day": 4}
    args.update(kwargs)
    with pytest.raises((InvalidInputError, NotFoundError)) as err:
        plan_patrols(ctx, OFFICE, **args)
    msg = err.value.user_msg
    assert words in msg and msg.count(". ") == 0 and msg.endswith(".")


def test_plan_patrols_refuses_a_named_warden_with_no_grids(ctx, street):
    from gridwatch.services.users import add_user

    add_user(
        ctx,
        SYSTEM,
        "zc_new_warden",
        "新网格员",
        "warden",
        TOWN,
        password="correct horse battery",
    )
    with pytest.raises(InvalidInputError, match="has no grids"):
        _plan(ctx, wardens=["zc_new_warden"])
    out = _plan(ctx)  # the whole street: left out with a warning
    assert any("zc_new_warden" in w for w in out["warnings"])


def test_plan_patrols_unknown_holiday_year_says_how_to_fix(ctx, street, tmp_path):
    with pytest.raises(InvalidInputError, match="holiday file"):
        plan_patrols(
            ctx,
            OFFICE,
            start=dt.date(2031, 3, 3),
            days=3,
            today=dt.date(2031, 3, 3),
            visits_per_day=4,
        )
    f = tmp_path / "h.csv"
    f.write_text("日期,是否上班,名称\n2031-03-04,0,区停电\n", "utf-8")
    out = plan_patrols(
        ctx,
        OFFICE,
        start=dt.date(2031, 3, 3),
        days=3,
        today=dt.date(2031, 3, 3),
        visits_per_day=4,
        holidays=str(f),
    )
    ov = plan_overview(ctx, OFFICE, out["plan"], today=dt.date(2031, 3, 3))
    assert dt.date(2031, 3, 4) not in {d["day"] for d in ov["days_detail"]}
