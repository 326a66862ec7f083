"""The services added for the pages: the SQL inspection summary, inspection and
hazard reads, the my-grids map payloads, the move-the-pin map, the to-do's grid
list and the street overview's overdue pages (both backends)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from gridwatch.analytics.coverage import enterprise_status
from gridwatch.analytics.coverage import inspection_summary as pandas_summary
from gridwatch.db.models import Enterprise, Inspection
from gridwatch.db.queries import inspection_summary, rows_frame
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.fieldwork.checkin import Position
from gridwatch.maps.layers import unpack
from gridwatch.services.actor import Actor
from gridwatch.services.hazards_in_scope import list_hazards
from gridwatch.services.inspection_reads import list_inspections, read_inspection
from gridwatch.services.inspections import record_inspection, report_hazard
from gridwatch.services.maps import coverage_figures, load_map_data
from gridwatch.services.overview import street_overview
from gridwatch.services.todo import todo
from gridwatch.services.warden import my_grids
from gridwatch.services.warden_map import location_for_edit, my_grids_map
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.conftest import COMMS, TOWN
from tests.db.warden_helpers import (
    add_hazards,
    add_inspections,
    enterprises,
    expected_ids,
    office,
    staffed,
    warden,
)

BUREAU = Actor("bureau1", "bureau")


@pytest.fixture
def district(small_district):
    ctx = staffed(small_district)
    ids = enterprises(ctx)["id"].tolist()
    rng = np.random.default_rng(7)
    # 0-6 inspections each over the last 700 days, same-day repeats included
    pairs = [
        (i, today() - dt.timedelta(days=int(d)))
        for i in ids
        for d in rng.integers(0, 700, rng.integers(0, 7))
    ]
    pairs += [pairs[0], pairs[1]]  # exact duplicates
    add_inspections(ctx, pairs)
    return ctx


def test_sql_inspection_summary_equals_the_pandas_one(district):
    end = today() - dt.timedelta(days=3)
    start = end - dt.timedelta(days=364)
    ids = sa.select(Enterprise.id).scalar_subquery()
    with district.engine.connect() as conn:
        sql = inspection_summary(conn, ids, start, end)
        raw = rows_frame(
            conn.execute(
                sa.select(Inspection.enterprise_id, Inspection.inspected_on)
            ).all(),
            ["uscc", "inspected_on"],
        )
    expected = pandas_summary(raw, start, end).set_index("uscc").sort_index()
    got = sql.rename(columns={"enterprise_id": "uscc"}).set_index("uscc").sort_index()
    epoch = dt.date(1970, 1, 1)
    for c in ("last_on", "anchor_on", "first_after"):
        expected[c] = [
            float((d - epoch).days) if d is not None else np.nan for d in expected[c]
        ]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert len(got) > 30 and got["max_gap_after"].notna().any()


def test_map_figures_equal_the_status_of_every_inspection_row(district):
    data = load_map_data(district, SYSTEM, end=today())
    _grids, status = coverage_figures(district, data)
    rows = data.inspections  # read on first use
    assert {"uscc", "inspected_on", "kind"} <= set(rows.columns) and len(rows) > 60
    direct = enterprise_status(
        data.enterprises, rows, data.start, data.end, district.settings.due_days
    )
    cols = [
        "uscc",
        "status",
        "last_inspected_on",
        "due_on",
        "days_overdue",
        "is_on_time",
        "n_inspections",
    ]
    pd.testing.assert_frame_equal(
        status[cols].sort_values("uscc").reset_index(drop=True),
        direct[cols].sort_values("uscc").reset_index(drop=True),
    )


def test_figures_only_load_has_no_points_and_refuses_hotspots(district):
    from gridwatch.services.maps import hotspot_frames

    data = load_map_data(district, SYSTEM, points=False, hazards=False)
    assert data.enterprises.geometry.isna().all() and data.hazards is None
    with pytest.raises(ValueError, match="without hazards"):
        hotspot_frames(district, data)


def _first_mine(ctx, w):
    return min(expected_ids(ctx, w))


def test_inspection_reads_page_and_scope(district):
    w = warden(district)
    eid = _first_mine(district, w)
    for _ in range(3):
        record_inspection(
            district,
            w,
            eid,
            inspected_on=today(),
            kind="patrol",
            result="pass",
            position=None,
        )
    full = list_inspections(district, w, eid, limit=500)
    page = list_inspections(district, w, eid, limit=2, offset=1)
    assert [r["id"] for r in page["items"]] == [r["id"] for r in full["items"][1:3]]
    assert page["total"] == full["total"] >= 3
    other = warden(district, "zc_warden_001")
    with pytest.raises(NotFoundError):
        list_inspections(district, other, eid)
    with pytest.raises(InvalidInputError):
        list_inspections(district, w, eid, limit=0)


def test_read_inspection_gives_hazards_and_default_deadlines(district):
    w = warden(district)
    eid = _first_mine(district, w)
    done = record_inspection(
        district,
        w,
        eid,
        inspected_on=today(),
        kind="inspection",
        result="pass",
        position=Position(113.0, 23.0, 5000.0),
    )
    report_hazard(
        district,
        w,
        done["id"],
        level="ordinary",
        category="fire",
        description="灭火器过期",
    )
    d = read_inspection(district, w, done["id"])
    assert d["inspection"]["result"] == "hazards_found"
    assert [h["description"] for h in d["hazards"]] == ["灭火器过期"]
    assert d["hazards"][0]["state"] == "rectifying"  # 'open' read as the machine's
    days = district.settings.hazard_deadline_days
    # a warden gives an ordinary hazard its deadline; a major one's is the street
    # office's or the bureau's to set (the supervision rules)
    assert d["default_deadlines"] == {
        "ordinary": today() + dt.timedelta(days=days["ordinary"])
    }
    assert d["deadline_by_office"] == ["major"]
    assert d["can_report"] and d["checkin_max_m"] == district.settings.checkin_max_m
    assert not read_inspection(district, BUREAU, done["id"])["can_report"]
    with pytest.raises(NotFoundError):
        read_inspection(district, warden(district, "zc_warden_001"), done["id"])


def test_list_hazards_in_scope_paged_and_open_only(district):
    ids = enterprises(district)["id"].tolist()
    add_hazards(
        district,
        [(i, today() - dt.timedelta(days=5), today(), "open") for i in ids[:10]]
        + [(i, today() - dt.timedelta(days=9), None, "closed") for i in ids[10:14]],
    )
    everything = list_hazards(district, BUREAU, limit=500)
    assert everything["total"] == 14
    assert len(list_hazards(district, BUREAU, open_only=True)["items"]) == 10
    page = list_hazards(district, BUREAU, limit=5, offset=5)
    assert [h["id"] for h in page["items"]] == [
        h["id"] for h in everything["items"][5:10]
    ]
    w = warden(district)
    mine = list_hazards(district, w, limit=500)
    assert {h["enterprise_id"] for h in mine["items"]} <= expected_ids(district, w)
    assert mine["total"] == len(mine["items"])
    assert {h["state"] for h in everything["items"]} == {"rectifying", "closed"}
    with pytest.raises(InvalidInputError):
        list_hazards(district, BUREAU, level="huge")


def test_my_grids_map_payloads_hold_the_wardens_enterprises(district):
    w = warden(district)
    data = my_grids_map(district, w)
    mine = my_grids(district, w).enterprises
    points = unpack(data["points"])
    located = mine[mine.geometry.notna()]
    assert sorted(points["uscc"].split("\n")) == sorted(located["uscc"])
    assert set(data["ids"].values()) == expected_ids(district, w)
    grids = unpack(data["grids"])["features"]
    assert {f["properties"]["code"] for f in grids} == set(
        my_grids(district, w).grids["code"]
    )
    statuses = "".join(sorted(points["st"]))
    assert len(statuses) == len(located) and data["datum"] == "wgs84"
    with pytest.raises(PermissionDeniedError):
        my_grids_map(district, office())


def test_location_for_edit_scope_roles_and_point(district):
    w = warden(district)
    eid = _first_mine(district, w)
    loc = location_for_edit(district, w, eid)
    kinds = [f["properties"]["kind"] for f in loc["outlines"]["features"]]
    assert kinds == ["grid"]  # the small district's enterprises carry no codes
    with district.engine.begin() as conn:
        conn.execute(
            sa.update(Enterprise)
            .where(Enterprise.id == eid)
            .values(community_code=COMMS[0], town_code=TOWN)
        )
    loc = location_for_edit(district, w, eid)
    outlines = {
        f["properties"]["kind"]: f["properties"]["code"]
        for f in loc["outlines"]["features"]
    }
    assert outlines["unit"] == COMMS[0]  # the community, not the town
    assert loc["point"] == loc["centre"]
    assert loc["datum"] == "wgs84" and loc["enterprise"]["id"] == eid
    with pytest.raises(PermissionDeniedError):
        location_for_edit(district, BUREAU, eid)
    with pytest.raises(NotFoundError):
        location_for_edit(district, warden(district, "zc_warden_001"), eid)


def test_todo_lists_the_scopes_grids(district):
    w = warden(district)
    assert todo(district, w).grids == sorted(my_grids(district, w).grids["code"])
    assert len(todo(district, office()).grids) == 4


def test_overdue_page_filters_by_grid_and_warden(district):
    ov = street_overview(district, office())
    grid = ov.overdue["grid_code"].dropna().iloc[0]
    by_grid = ov.overdue_page(grid=grid, per=500)
    assert by_grid["total"] == int((ov.overdue["grid_code"] == grid).sum())
    who = ov.overdue["warden_username"].iloc[0]
    by_warden = ov.overdue_page(warden=who, per=3, page=2)
    assert by_warden["pages"] == -(
        -int((ov.overdue["warden_username"] == who).sum()) // 3
    )
    assert all(r["warden_username"] == who for r in by_warden["items"])
    assert all(r["id"] for r in ov.overdue_page()["items"])
    with pytest.raises(NotFoundError):
        ov.overdue_page(grid="440604003001001")
