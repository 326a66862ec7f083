"""The warden's pages: my grids, to-do and the enterprise file hold exactly their rows."""

import datetime as dt

import pytest

from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services.enterprise_file import enterprise_file
from gridwatch.services.maps import coverage_frames, load_map_data
from gridwatch.services.todo import todo
from gridwatch.services.warden import my_grids
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.warden_helpers import (
    add_hazards,
    add_inspections,
    enterprises,
    expected_ids,
    office,
    one_sentence,
    staffed,
    warden,
)


@pytest.fixture
def district(small_district):
    return staffed(small_district)


def _ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def test_my_grids_hold_exactly_the_wardens_enterprises(district):
    for i in range(4):
        w = warden(district, f"zc_warden_{i:03d}")
        mg = my_grids(district, w)
        expected = expected_ids(district, w)
        assert expected and set(mg.enterprises["id"]) == expected
        assert len(mg.enterprises) == len(expected)  # no row twice
        assert set(mg.grids["code"]) == set(mg.enterprises["grid_code"])
        assert int(mg.grids["n"].sum()) == len(expected)
        assert sum(
            mg.counts[s] for s in ("on_time", "due_soon", "overdue", "never")
        ) == (len(expected))


def test_my_grids_status_equals_the_coverage_map(district):
    ids = enterprises(district)["id"].tolist()
    add_inspections(district, [(i, _ago(5 + 7 * (i % 9))) for i in ids[:40]])
    w = warden(district, "zc_warden_001")
    mg = my_grids(district, w)
    data = load_map_data(district, w, end=today())
    grids_cov, points, _ = coverage_frames(district, data)
    mine = mg.enterprises.set_index("uscc")["status"].sort_index()
    theirs = points.set_index("uscc")["status"].sort_index()
    assert mine.to_dict() == theirs.to_dict()
    cols = ["n", "on_time", "never", "overdue", "due_soon"]
    assert (
        mg.grids.set_index("code")[cols].sort_index().to_dict()
        == grids_cov.set_index("code")[cols].sort_index().to_dict()
    )


def test_my_grids_geojson_is_json_safe(district):
    import json

    w = warden(district)
    add_inspections(district, [(min(expected_ids(district, w)), _ago(3))])
    out = my_grids(district, w).to_json()
    text = json.dumps(out, allow_nan=False)  # dates as ISO text, no NaN
    assert out["enterprises"]["features"] and _ago(3).isoformat() in text
    page = json.loads(json.dumps(todo(district, w).to_json(), allow_nan=False))
    assert page["items"] and page["on"] == today().isoformat()
    from gridwatch.services.geojson import plain

    eid = min(expected_ids(district, w))
    assert json.dumps(plain(enterprise_file(district, w, eid)), allow_nan=False)


def test_my_grids_is_for_wardens_only(district):
    with pytest.raises(PermissionDeniedError):
        my_grids(district, office())
    with pytest.raises(PermissionDeniedError):
        my_grids(district, SYSTEM)


def _urgent_setup(ctx, w):
    """Give the warden's enterprises a known urgency; return the ids by role."""
    ents = enterprises(ctx)
    mine = ents[ents["id"].isin(expected_ids(ctx, w))]
    reds = mine[mine["risk_level"] == "red"]["id"].tolist()
    others = mine[mine["risk_level"] != "red"]["id"].tolist()
    late10, late70, soon = reds[:3]  # red: due every 30 days
    hz_soon, hz_past = others[:2]
    special = {late10: 40, late70: 100, soon: 20}
    rows = [(i, _ago(special.get(i, 5))) for i in mine["id"]]
    add_inspections(ctx, rows)
    add_hazards(
        ctx,
        [
            (hz_soon, _ago(20), today() + dt.timedelta(days=3), "open"),
            (hz_past, _ago(40), _ago(2), "overdue"),
            (others[2], _ago(20), today() + dt.timedelta(days=60), "open"),  # not yet
            (others[3], _ago(50), _ago(30), "closed"),  # closed: not in the to-do
        ],
    )
    return late10, late70, soon, hz_soon, hz_past, len(mine)


def test_todo_orders_by_urgency(district):
    w = warden(district, "zc_warden_002")
    late10, late70, soon, hz_soon, hz_past, n = _urgent_setup(district, w)
    page = todo(district, w)
    assert [it["id"] for it in page.items] == [late70, late10, soon, hz_past, hz_soon]
    assert [it["urgency"] for it in page.items] == [
        "overdue",
        "overdue",
        "due_soon",
        "hazard_due",
        "hazard_due",
    ]
    assert page.items[0]["days_overdue"] == 70 and page.items[1]["days_overdue"] == 10
    assert page.items[3]["days_to_hazard_deadline"] == -2
    assert page.counts == {
        "overdue": 2,
        "due_soon": 1,
        "hazard_due": 2,
        "campaign": 0,  # no campaign runs
        "no_report": 0,  # no self-report export imported: nobody is flagged
        "on_time": n - 5,
    }
    assert page.total == 5


def test_todo_with_everything_holds_exactly_the_wardens_enterprises(district):
    for i in range(4):
        w = warden(district, f"zc_warden_{i:03d}")
        page = todo(district, w, include_on_time=True, per_page=200)
        ids = [it["id"] for it in page.items]
        assert len(ids) == len(set(ids)) == page.total
        assert set(ids) == expected_ids(district, w)


def test_todo_pages_and_filters(district):
    w = warden(district, "zc_warden_002")
    _urgent_setup(district, w)
    full = todo(district, w, include_on_time=True, per_page=200)
    p1 = todo(district, w, include_on_time=True, per_page=4, page=1)
    p2 = todo(district, w, include_on_time=True, per_page=4, page=2)
    assert [it["id"] for it in p1.items + p2.items] == [
        it["id"] for it in full.items[:8]
    ]
    assert p1.pages == -(-full.total // 4)
    assert todo(district, w, page=99).items == []
    reds = todo(district, w, include_on_time=True, risk="red", per_page=200)
    assert reds.items and {it["risk_level"] for it in reds.items} == {"red"}
    grid = full.items[0]["grid_code"]
    in_grid = todo(district, w, include_on_time=True, grid=grid, per_page=200)
    assert {it["grid_code"] for it in in_grid.items} == {grid}
    assert todo(district, w, sector="furniture").total == 0


def test_todo_refuses_bad_filters_and_other_grids(district):
    w = warden(district, "zc_warden_000")
    other = warden(district, "zc_warden_001")
    their_grid = my_grids(district, other).grids["code"].iloc[0]
    with pytest.raises(NotFoundError):
        todo(district, w, grid=their_grid)
    with pytest.raises(InvalidInputError) as exc:
        todo(district, w, risk="purple")
    assert "Unknown risk level 'purple'" in exc.value.user_msg
    assert one_sentence(exc.value.user_msg)
    with pytest.raises(InvalidInputError):
        todo(district, w, per_page=0)
    with pytest.raises(PermissionDeniedError):
        todo(district, SYSTEM.__class__("bureau1", "bureau"))


def test_todo_of_a_street_office_is_its_street(district):
    page = todo(district, office(), include_on_time=True, per_page=200)
    assert page.total == 60  # the unplaced enterprise has no town and no grid
    from tests.db.warden_helpers import OTHER_TOWN

    assert todo(district, office(OTHER_TOWN), include_on_time=True).total == 0
    grid = page.items[0]["grid_code"]
    assert todo(district, office(), grid=grid, include_on_time=True).total > 0
    with pytest.raises(NotFoundError):
        todo(district, office(OTHER_TOWN), grid=grid)


def test_enterprise_file_in_scope_and_not_found_outside(district):
    w = warden(district, "zc_warden_000")
    mine = expected_ids(district, w)
    all_ids = set(enterprises(district)["id"])
    for eid in sorted(mine)[:3]:
        f = enterprise_file(district, w, eid)
        assert f["enterprise"]["id"] == eid
        assert f["responsible"]["warden"] == "zc_warden_000"
    for eid in sorted(all_ids - mine)[:3]:
        with pytest.raises(NotFoundError):
            enterprise_file(district, w, eid)
    with pytest.raises(NotFoundError):
        enterprise_file(district, w, 10**6)


def test_enterprise_file_sections(district):
    w = warden(district, "zc_warden_000")
    eid = min(expected_ids(district, w))
    add_inspections(district, [(eid, _ago(60)), (eid, _ago(10))])
    add_hazards(district, [(eid, _ago(10), today() + dt.timedelta(days=20), "open")])
    f = enterprise_file(district, w, eid)
    assert [i["inspected_on"] for i in f["inspections"]] == [_ago(10), _ago(60)]
    assert f["n_inspections"] == 2
    assert f["inspections"][0]["credited_warden"] == "zc_warden_000"
    assert f["hazards"][0]["days_to_deadline"] == 20 and f["hazards"][0]["is_open"]
    assert f["status"]["status"] in ("on_time", "due_soon")
    assert f["status"]["last_inspected_on"] == _ago(10)
    assert f["location"]["is_imprecise"] is False and f["location"]["note"]
    assert f["penalties"] == [] and f["self_reports"] == []


def test_enterprise_file_says_when_the_location_is_only_town_level(district):
    import sqlalchemy as sa

    from gridwatch.db.models import Enterprise

    w = warden(district, "zc_warden_000")
    eid = min(expected_ids(district, w))
    with district.engine.begin() as conn:
        conn.execute(
            sa.update(Enterprise).where(Enterprise.id == eid).values(precision="town")
        )
    loc = enterprise_file(district, w, eid)["location"]
    assert loc["is_imprecise"] is True and "镇街" in loc["note"]
    mg = my_grids(district, w).enterprises.set_index("id")
    assert bool(mg.loc[eid, "is_imprecise"]) is True
