"""Distance functions: straight line in the metric CRS, saved tables (CSV, OSRM,
Valhalla), all read from files; no network."""

import io
import json

import numpy as np
import pytest
from pyproj import Geod

from gridwatch.errors import InvalidInputError
from gridwatch.patrol.distances import (
    parse_osrm_table,
    parse_valhalla_matrix,
    read_matrix_csv,
    straight_line_m,
)


def test_straight_line_matches_geodesic_within_a_metre_per_km():
    pts = np.array([[113.00, 23.00], [113.05, 23.03], [113.12, 22.98]])
    m = straight_line_m(None, pts)
    geod = Geod(ellps="GRS80")
    for i in range(3):
        for j in range(3):
            _, _, d = geod.inv(*pts[i], *pts[j])
            assert m[i, j] == pytest.approx(d, rel=1e-3, abs=1e-6)
    assert np.allclose(m, m.T) and np.all(np.diag(m) == 0)


def test_read_matrix_csv_long_chinese_headers_gbk(tmp_path):
    path = tmp_path / "距离.csv"
    path.write_bytes("起点,终点,距离米\nbase,A,1200\nA,base,1300\n".encode("gbk"))
    t = read_matrix_csv(path)
    assert t(["base", "A"]).tolist() == [[0.0, 1200.0], [1300.0, 0.0]]


def test_read_matrix_csv_square():
    text = "id,base,7,8\nbase,0,10,20\n7,11,0,5\n8,21,6,0\n"
    t = read_matrix_csv(io.StringIO(text))
    assert t(["base", 8, 7]).tolist() == [[0, 20, 10], [21, 0, 6], [11, 5, 0]]


def test_read_matrix_csv_missing_pair_refused_when_needed():
    t = read_matrix_csv(io.StringIO("from_id,to_id,distance_m\nbase,A,10\n"))
    with pytest.raises(InvalidInputError, match="no route from 'A' to 'base'"):
        t(["base", "A"])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("from_id,to_id,distance_m\nbase,A,far\n", "line 2"),
        ("from_id,to_id,distance_m\nbase,A,-5\n", "negative"),
        ("id,a,b\nb,0,1\na,1,0\n", "row ids differ"),
        ("from_id,to_id,distance_m\n", "no distances"),
    ],
)
def test_read_matrix_csv_bad(text, needle):
    with pytest.raises(InvalidInputError, match=needle):
        read_matrix_csv(io.StringIO(text))


def test_parse_osrm_table_from_file(tmp_path):
    path = tmp_path / "table.json"
    path.write_text(
        json.dumps(
            {
                "code": "Ok",
                "distances": [[0, 812.4, None], [790.1, 0, 50], [None, 55, 0]],
            }
        )
    )
    t = parse_osrm_table(path, ["base", "A", "B"])
    assert t(["base", "A"]).tolist() == [[0.0, 812.4], [790.1, 0.0]]
    with pytest.raises(InvalidInputError, match="no route from 'base' to 'B'"):
        t(["base", "B"])


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"code": "NoTable", "message": "x"}, "OSRM error"),
        ({"code": "Ok", "durations": [[0]]}, "annotations=distance"),
        ({"code": "Ok", "distances": [[0, 1], [1, 0]]}, "3 point ids"),
    ],
)
def test_parse_osrm_table_bad(payload, needle):
    with pytest.raises(InvalidInputError, match=needle):
        parse_osrm_table(payload, ["a", "b", "c"])


def test_parse_valhalla_verbose_miles():
    resp = {
        "units": "miles",
        "sources_to_targets": [
            [
                {"distance": 0, "from_index": 0, "to_index": 0},
                {"distance": 1.0, "from_index": 0, "to_index": 1},
            ],
            [
                {"distance": 2.0, "from_index": 1, "to_index": 0},
                {"distance": 0, "from_index": 1, "to_index": 1},
            ],
        ],
    }
    t = parse_valhalla_matrix(io.StringIO(json.dumps(resp)), ["base", "A"])
    assert t(["base", "A"])[0, 1] == pytest.approx(1609.344)
    assert t(["A", "base"])[0, 1] == pytest.approx(3218.688)


def test_parse_valhalla_concise_kilometres():
    resp = {
        "sources_to_targets": {
            "distances": [[0, 1.5], [1.4, 0]],
            "durations": [[0, 90], [80, 0]],
        }
    }
    t = parse_valhalla_matrix(resp, ["base", "A"])
    assert t(["base", "A"]).tolist() == [[0.0, 1500.0], [1400.0, 0.0]]


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"trip": {}}, "not a Valhalla matrix"),
        ({"units": "furlongs", "sources_to_targets": [[{"distance": 0}]]}, "units"),
        ({"sources_to_targets": [[{"distance": 0}]]}, "2 point ids"),
    ],
)
def test_parse_valhalla_bad(payload, needle):
    with pytest.raises(InvalidInputError, match=needle):
        parse_valhalla_matrix(payload, ["a", "b"])


def test_parse_json_file_that_is_not_json(tmp_path):
    path = tmp_path / "t.json"
    path.write_text("<html>502 Bad Gateway</html>")
    with pytest.raises(InvalidInputError, match="not JSON"):
        parse_osrm_table(path, ["a"])
