"""The street office's overview (grids, wardens, overdue list by grid and warden)
and the bureau's coverage by town and hotspot map, through the test client."""

from __future__ import annotations

from tests.web.world import MARK, XSS


def test_street_overview_lists_wardens_grids_and_overdue(signed_in, world):
    page = signed_in("office_x").get("/s/overview").get_data(as_text=True)
    for letter in "AB":
        assert world.grid_codes[letter] in page
    assert "warden_a姓名" in page and "warden_b姓名" in page  # warden per grid
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and XSS not in page
    assert MARK["C"] not in page
    assert "/api/v1/coverage/grids" in page  # the map's data
    assert f"/s/enterprises/{world.enterprises['A'][1]}" in page


def test_street_overview_filters_overdue_by_grid_and_warden(signed_in, world):
    client = signed_in("office_x")
    page = client.get(f"/s/overview?grid={world.grid_codes['B']}").get_data(
        as_text=True
    )
    overdue = page.split('id="overdue"', 1)[1]
    assert MARK["B"] in overdue and f"{MARK['A']}1" not in overdue
    page = client.get("/s/overview?warden=gw_warden_a").get_data(as_text=True)
    overdue = page.split('id="overdue"', 1)[1]
    assert f"{MARK['A']}1" in overdue and MARK["B"] not in overdue
    assert client.get("/s/overview?grid=440604003001001").status_code == 404


def test_street_office_reads_a_file_of_its_street_only(signed_in, world):
    client = signed_in("office_y")
    eid = world.enterprises["C"][0]
    page = client.get(f"/s/enterprises/{eid}").get_data(as_text=True)
    assert f"{MARK['C']}的检查记录" in page and "记录检查" not in page
    assert client.get(f"/s/enterprises/{world.enterprises['A'][0]}").status_code == 404


def test_bureau_coverage_table_by_town(signed_in, world):
    page = signed_in("bureau").get("/b/coverage").get_data(as_text=True)
    assert "张槎街道" in page and "祖庙街道" in page and "全区" in page
    assert "/api/v1/coverage/towns" in page
    bad = signed_in("bureau").get("/b/coverage?start=2026-13-01")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_bureau_hotspot_data_and_page(signed_in, world):
    client = signed_in("bureau")
    assert "/b/hotspots.json" in client.get("/b/hotspots").get_data(as_text=True)
    body = client.get("/b/hotspots.json").get_json()
    assert body["n_hazards"] >= 3 and body["cells"]["features"]
    empty = client.get(
        "/b/hotspots.json?start=2001-01-01&end=2001-12-31",
        headers={"Accept": "application/json"},  # as the page's script asks
    )
    assert empty.status_code == 400
    assert "hazards" in empty.get_json()["error"]["message"]
