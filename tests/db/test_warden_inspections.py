"""Recording inspections with a check-in, reporting hazards, moving a pin."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gridwatch.db.models import AuditLog, Enterprise, Hazard, Inspection
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.fieldwork.checkin import Position
from gridwatch.services.actor import Actor
from gridwatch.services.assignment import set_override
from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.inspections import (
    correct_location,
    credit_rows,
    record_inspection,
    report_hazard,
)
from gridwatch.services.todo import todo
from gridwatch.services.warden import my_grids
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.warden_helpers import expected_ids, office, one_sentence, staffed, warden


@pytest.fixture
def district(small_district):
    return staffed(small_district)


def _site(ctx, w):
    """(enterprise id, lng, lat) of the warden's first enterprise."""
    ents = my_grids(ctx, w).enterprises.sort_values("id")
    row = ents.iloc[0]
    return int(row["id"]), row.geometry.x, row.geometry.y


def _record(ctx, actor, eid, position, **kw):
    args = {"inspected_on": today(), "kind": "patrol", "result": "pass"}
    return record_inspection(ctx, actor, eid, position=position, **{**args, **kw})


def _east(lng, metres):
    return lng + metres / 102_470.0  # metres of longitude at 23 N


def test_record_inspection_near_checkin_is_verified_and_stored(district):
    w = warden(district)
    eid, lng, lat = _site(district, w)
    r = _record(
        district, w, eid, Position(_east(lng, 80), lat, 12.0), notes="消防通道畅通"
    )
    assert r["checkin"]["status"] == "verified" and not r["checkin"]["is_flagged"]
    assert 75 < r["checkin"]["distance_m"] < 85
    with Session(district.engine) as s:
        row = s.get(Inspection, r["id"])
    assert row.checkin_status == "verified" and row.checkin_accuracy_m == 12.0
    assert row.checkin_lng == pytest.approx(_east(lng, 80)) and row.checkin_lat == lat
    assert row.checkin_distance_m == r["checkin"]["distance_m"]
    assert row.inspector_id == w.user_id and row.notes == "消防通道畅通"


def test_record_inspection_far_checkin_is_flagged_not_refused(district):
    w = warden(district)
    eid, lng, lat = _site(district, w)
    r = _record(district, w, eid, Position(_east(lng, 1500), lat, 20.0))
    assert r["checkin"]["status"] == "far" and r["checkin"]["is_flagged"]
    f = enterprise_file(district, w, eid)
    assert f["inspections"][0]["checkin_flagged"] is True
    assert f["inspections"][0]["checkin_distance_m"] > 1400


def test_record_inspection_without_position_is_kept_unverified(district):
    w = warden(district)
    eid, _, _ = _site(district, w)
    r = _record(district, w, eid, None)
    assert r["checkin"]["status"] == "unverified" and r["checkin"]["lng"] is None
    assert enterprise_file(district, w, eid)["n_inspections"] == 1


def test_record_inspection_at_an_imprecise_enterprise_cannot_verify(district):
    w = warden(district)
    eid, lng, lat = _site(district, w)
    with district.engine.begin() as conn:
        conn.execute(
            sa.update(Enterprise)
            .where(Enterprise.id == eid)
            .values(precision="community")
        )
    r = _record(district, w, eid, Position(_east(lng, 3000), lat, 10.0))
    assert r["checkin"]["status"] == "site_imprecise"
    assert r["checkin"]["distance_m"] is None and not r["checkin"]["is_flagged"]


def test_record_inspection_changes_the_map_status(district):
    w = warden(district)
    eid, _, _ = _site(district, w)
    before = my_grids(district, w).enterprises.set_index("id").loc[eid, "status"]
    _record(district, w, eid, None)
    after = my_grids(district, w).enterprises.set_index("id").loc[eid, "status"]
    assert before == "never" and after == "on_time"
    assert eid not in {it["id"] for it in todo(district, w).items}


def test_record_inspection_is_credited_to_who_was_responsible_that_day(district):
    w0 = warden(district, "zc_warden_000")
    eid, _, _ = _site(district, w0)
    grid = my_grids(district, w0).enterprises.set_index("id").loc[eid, "grid_code"]
    handover = today() - dt.timedelta(days=10)
    set_override(district, SYSTEM, grid, "zc_warden_003", today=handover)
    w3 = warden(district, "zc_warden_003")
    # recorded today by the new warden, about a visit before the handover
    old = _record(district, w3, eid, None, inspected_on=handover - dt.timedelta(days=3))
    new = _record(district, w3, eid, None, inspected_on=today())
    assert old["credited"]["warden"] == "zc_warden_000"
    assert new["credited"]["warden"] == "zc_warden_003"
    assert old["credited"]["grid_code"] == new["credited"]["grid_code"] == grid
    with district.engine.connect() as conn:
        rows = credit_rows(conn, Inspection.id.in_([old["id"], new["id"]]))
    assert rows.set_index("inspection_id")["warden"].to_dict() == {
        old["id"]: "zc_warden_000",
        new["id"]: "zc_warden_003",
    }
    # the former warden no longer sees it
    with pytest.raises(NotFoundError):
        _record(district, w0, eid, None)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"inspected_on": today() + dt.timedelta(days=1)}, "is in the future"),
        ({"inspected_on": "2026-13-01"}, "not a date"),
        ({"kind": "audit"}, "Unknown inspection kind 'audit'"),
        ({"result": "ok"}, "Unknown inspection result 'ok'"),
        ({"notes": "x" * 2001}, "at most 2000"),
    ],
)
def test_record_inspection_refuses_bad_input_in_one_sentence(district, change, words):
    w = warden(district)
    eid, _, _ = _site(district, w)
    with pytest.raises(InvalidInputError) as exc:
        _record(district, w, eid, None, **change)
    assert words in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    assert enterprise_file(district, w, eid)["n_inspections"] == 0  # nothing stored


def test_record_inspection_refuses_a_date_before_registration(district):
    w = warden(district)
    eid, _, _ = _site(district, w)
    registered = today() - dt.timedelta(days=30)
    with district.engine.begin() as conn:
        conn.execute(
            sa.update(Enterprise)
            .where(Enterprise.id == eid)
            .values(registered_on=registered)
        )
    with pytest.raises(InvalidInputError) as exc:
        _record(district, w, eid, None, inspected_on=registered - dt.timedelta(days=1))
    assert "before" in exc.value.user_msg and "registered" in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    assert _record(district, w, eid, None, inspected_on=registered)["id"]


def test_record_inspection_out_of_scope_or_wrong_role(district):
    w = warden(district, "zc_warden_000")
    theirs = min(set(range(1, 62)) - expected_ids(district, w))
    with pytest.raises(NotFoundError):
        _record(district, w, theirs, None)
    with pytest.raises(PermissionDeniedError):
        _record(district, Actor("bureau1", "bureau"), theirs, None)
    # the street office records in its street
    assert _record(district, office(), theirs, None)["id"]


def test_report_hazard_gets_the_default_deadline_by_level(district):
    w = warden(district)
    eid, _, _ = _site(district, w)
    found = today() - dt.timedelta(days=2)
    insp = _record(district, w, eid, None, inspected_on=found)
    ordinary = report_hazard(
        district,
        w,
        insp["id"],
        level="ordinary",
        category="fire",
        description="灭火器过期",
    )
    major = report_hazard(
        district,
        w,
        insp["id"],
        level="major",
        category="dust",
        description="除尘系统失效",
    )
    assert ordinary["found_on"] == found and ordinary["deadline_is_default"]
    assert ordinary["deadline"] == found + dt.timedelta(days=30)
    assert ordinary["status"] == "rectifying"
    # a major hazard a warden reports waits for the street office or bureau to
    # set its deadline (the machine of gridwatch.supervision)
    assert (major["status"], major["deadline"]) == ("found", None)
    assert ordinary["inspection_result"] == "hazards_found"  # no longer a pass
    f = enterprise_file(district, w, eid)
    assert {h["id"] for h in f["hazards"]} == {ordinary["id"], major["id"]}
    assert f["inspections"][0]["result"] == "hazards_found"
    assert f["status"]["open_hazards"] == 2


def test_report_hazard_deadline_setting_and_explicit_deadline(district):
    ctx = district
    ctx.settings = ctx.settings.replace(
        hazard_deadline_days={"ordinary": 7.0, "major": 60.0}
    )
    w = warden(ctx)
    eid, _, _ = _site(ctx, w)
    insp = _record(ctx, w, eid, None)
    h = report_hazard(
        ctx, w, insp["id"], level="ordinary", category="fire", description="x"
    )
    assert h["deadline"] == today() + dt.timedelta(days=7)
    explicit = today() + dt.timedelta(days=3)
    h2 = report_hazard(
        ctx,
        w,
        insp["id"],
        level="ordinary",
        category="fire",
        description="y",
        deadline=explicit.isoformat(),
    )
    assert h2["deadline"] == explicit and not h2["deadline_is_default"]
    # a warden may not set a major hazard's deadline: one sentence, nothing stored
    with pytest.raises(PermissionDeniedError) as exc:
        report_hazard(ctx, w, insp["id"], level="major", category="fire",
                      description="z", deadline=explicit.isoformat())  # fmt: skip
    assert one_sentence(exc.value.user_msg)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"deadline": today() - dt.timedelta(days=1)}, "before the hazard was found"),
        ({"level": "minor"}, "Unknown hazard level 'minor'"),
        ({"category": "noise"}, "Unknown hazard category 'noise'"),
        ({"description": "  "}, "is empty"),
    ],
)
def test_report_hazard_refuses_bad_input(district, change, words):
    w = warden(district)
    eid, _, _ = _site(district, w)
    insp = _record(district, w, eid, None)
    args = {"level": "ordinary", "category": "fire", "description": "d", **change}
    with pytest.raises(InvalidInputError) as exc:
        report_hazard(district, w, insp["id"], **args)
    assert words in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    with district.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Hazard)).scalar() == 0
        )


def test_report_hazard_on_another_wardens_inspection_is_not_found(district):
    w0, w1 = warden(district, "zc_warden_000"), warden(district, "zc_warden_001")
    eid, _, _ = _site(district, w1)
    insp = _record(district, w1, eid, None)
    with pytest.raises(NotFoundError):
        report_hazard(
            district, w0, insp["id"], level="ordinary", category="fire", description="d"
        )


def test_correct_location_audits_datum_and_old_new_positions(district):
    from gridwatch.crs import from_wgs84

    w = warden(district)
    eid, lng, lat = _site(district, w)
    target = (113.0123, 23.0111)
    gcj = from_wgs84(*target, "gcj02")
    r = correct_location(district, w, eid, str(gcj[0]), str(gcj[1]), "gcj02")
    assert r["precision"] == "manual"
    assert r["lng"] == pytest.approx(target[0], abs=1e-6)
    with Session(district.engine) as s:
        logs = s.scalars(
            sa.select(AuditLog)
            .where(AuditLog.entity == "enterprises", AuditLog.action == "update")
            .order_by(AuditLog.id.desc())
            .limit(10)
        ).all()
    # the move, then the town/community codes and registry flags it brings: all
    # audited as the warden
    log = next(g for g in logs if g.new and "geom" in g.new)
    assert all(g.actor == w.username for g in logs if g.id >= log.id)
    assert log.old["geom"] == f"POINT ({lng:.7f} {lat:.7f})"
    assert log.new["geom"] == f"POINT ({target[0]:.7f} {target[1]:.7f})"
    assert log.new["source_datum"] == "gcj02" and log.new["precision"] == "manual"
    assert log.new["source_lng"] == pytest.approx(gcj[0])


def test_correct_location_defaults_to_the_maps_datum(district):
    w = warden(district)
    eid, _, _ = _site(district, w)
    r = correct_location(district, w, eid, 113.02, 23.01)  # tiles none: WGS-84
    assert (r["lng"], r["lat"]) == (113.02, 23.01)
    district.settings = district.settings.replace(tiles="amap")
    r = correct_location(district, w, eid, 113.02, 23.01)  # Amap tiles: GCJ-02
    assert r["lng"] != 113.02 and abs(r["lng"] - 113.02) < 0.01


def test_correct_location_out_of_scope_and_bad_numbers(district):
    w = warden(district, "zc_warden_000")
    theirs = min(set(range(1, 62)) - expected_ids(district, w))
    with pytest.raises(NotFoundError):
        correct_location(district, w, theirs, 113.02, 23.01)
    mine, _, _ = _site(district, w)
    with pytest.raises(InvalidInputError):
        correct_location(district, w, mine, "east", 23.01)
