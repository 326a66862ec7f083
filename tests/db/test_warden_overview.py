"""Street office and bureau first reads equal the maps' figures for the same grids."""

import datetime as dt
import json

import pytest

from gridwatch.analytics.coverage import coverage_by
from gridwatch.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from gridwatch.services.actor import Actor
from gridwatch.services.maps import coverage_frames, load_map_data
from gridwatch.services.overview import (
    COVERAGE_COLUMNS,
    bureau_coverage,
    bureau_hotspots,
    hotspot_map,
    street_overview,
)
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.conftest import TOWN
from tests.db.warden_helpers import (
    OTHER_TOWN,
    add_hazards,
    add_inspections,
    enterprises,
    office,
    staffed,
    warden,
)

BUREAU = Actor("bureau1", "bureau")
COUNTS = ["n", "on_time", "never", "overdue", "due_soon"]


@pytest.fixture
def district(small_district):
    ctx = staffed(small_district)
    ids = enterprises(ctx)["id"].tolist()
    ago = [today() - dt.timedelta(days=d) for d in (3, 25, 45, 120, 200, 400)]
    add_inspections(ctx, [(i, ago[i % 6]) for i in ids[:48]])
    add_hazards(
        ctx,
        [(i, ago[1], today() + dt.timedelta(days=10), "open") for i in ids[:12]]
        + [(i, ago[3], ago[2], "overdue") for i in ids[12:15]],
    )
    return ctx


def _maps_grids(ctx):
    data = load_map_data(ctx, SYSTEM, end=today())
    grids, _points, status = coverage_frames(ctx, data)
    return grids.set_index("code"), status


def test_street_overview_grid_figures_equal_the_coverage_map(district):
    ov = street_overview(district, office())
    maps, _ = _maps_grids(district)
    mine = ov.grids.set_index("code")
    assert set(mine.index) == set(maps.index)
    for col in COUNTS:
        assert mine[col].to_dict() == maps.loc[mine.index, col].to_dict(), col
    assert mine["warden"].to_dict() == maps.loc[mine.index, "warden"].to_dict()
    assert ov.totals["n"] == 60 and ov.totals["overdue"] == int(mine["overdue"].sum())
    out = json.loads(json.dumps(ov.to_json()))
    assert len(out["grids"]["features"]) == len(mine) and out["totals"]["n"] == 60


def test_street_overview_wardens_and_overdue_list(district):
    ov = street_overview(district, office())
    # each grid's responsible warden is the one the warden pages see
    for username in ov.grids["warden_username"]:
        w = warden(district, username)
        from gridwatch.services.warden import my_grids

        held = set(my_grids(district, w).grids["code"])
        assert (
            set(ov.grids.loc[ov.grids["warden_username"] == username, "code"]) <= held
        )
    late = ov.overdue
    assert len(late) == int(ov.grids["overdue"].sum())
    assert set(late["status"]) <= {"overdue", "never"}
    assert late["days_overdue"].is_monotonic_decreasing
    by = ov.by_warden.set_index("warden_username")
    per_grid = ov.grids.groupby("warden_username")["overdue"].sum()
    assert by["overdue"].to_dict() == per_grid.to_dict()
    assert late.groupby("warden_username").size().to_dict() == by["overdue"].to_dict()


def test_street_overview_open_hazards_count_every_open_hazard(district):
    ov = street_overview(district, office())
    assert int(ov.grids["open_hazards"].sum()) == 15  # 12 open + 3 overdue


def test_street_overview_roles_and_scope(district):
    with pytest.raises(PermissionDeniedError):
        street_overview(district, warden(district))
    with pytest.raises(NotFoundError):
        street_overview(district, office(), OTHER_TOWN)
    with pytest.raises(InvalidInputError):
        street_overview(district, BUREAU)
    assert street_overview(district, BUREAU, TOWN).totals["n"] == 60


def test_bureau_coverage_by_town_adds_up_to_the_maps_figures(district):
    bc = bureau_coverage(district, BUREAU)
    table = bc.table.set_index("code")
    maps, status = _maps_grids(district)
    town_grids = maps[maps.index.str.startswith(TOWN)]
    for col in COUNTS:
        assert table.loc[TOWN, col] == int(town_grids[col].sum()), col
    district_row = coverage_by(status).iloc[0]
    for col in COVERAGE_COLUMNS:
        assert table.loc["district", col] == pytest.approx(district_row[col]), col
    # the unplaced enterprise is counted, not dropped
    assert table.loc["", "n"] == 1 and table.loc["district", "n"] == 61
    assert table.loc["district", "open_hazards"] == 15
    assert bc.towns.set_index("code").loc[TOWN, "n"] == 60
    rows = json.loads(json.dumps(bc.to_json()))["table"]
    assert [r["code"] for r in rows] == [TOWN, "", "district"]


def test_bureau_pages_refuse_other_roles(district):
    for actor in (office(), warden(district)):
        with pytest.raises(PermissionDeniedError):
            bureau_coverage(district, actor)
        with pytest.raises(PermissionDeniedError):
            bureau_hotspots(district, actor)


def test_bureau_hotspots_build_on_the_maps_loader(district):
    view = bureau_hotspots(district, BUREAU)
    assert view.n_hazards == 15
    assert {"cell_id", "gi_z", "label"} <= set(view.cells.columns)
    assert view.cells.crs.to_epsg() == 4326
    assert json.dumps(view.to_json()) and view.to_json()["cells"]["features"]
    towns = view.to_json()["towns"]["features"]
    assert [t["properties"]["code"] for t in towns] == [TOWN]
    html = hotspot_map(district, view).get_root().render()
    assert "leaflet" in html.lower()
