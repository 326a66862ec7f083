"""Export → import round trips for CSV, XLSX and GeoJSON; the rejects file."""

import csv
import datetime as dt
import json

import pytest

from gridwatch.errors import InvalidInputError
from gridwatch.registry import (
    ImportSummary,
    Reject,
    make_uscc,
    read_registry,
    validate_rows,
    write_registry,
    write_rejects,
)


def code(n):
    return make_uscc(f"{n:08d}")


RECORDS = [
    {"uscc": code(1), "name": "=HYPERLINK(\"x\") 陶瓷厂<b>🏭</b>", "address": "南庄镇吉利村季华西路11号",
     "sector": "ceramics", "risk_level": "orange", "is_three_in_one": True,
     "has_hazchem": False, "employees": 35, "registered_on": dt.date(2021, 3, 5),
     "lng": 113.0123456, "lat": 23.0212345, "source_datum": "gcj02", "precision": "door"},
    {"uscc": code(2), "name": "某某五金加工店", "address": "张槎街道兴业路8号之一",
     "sector": None, "risk_level": None, "is_three_in_one": None, "has_hazchem": None,
     "employees": None, "registered_on": None, "lng": None, "lat": None,
     "source_datum": None, "precision": "none"},
]


def _reimport(path):
    summary = ImportSummary()
    out = [rec for _, rec, _ in validate_rows(read_registry(path), summary)]
    assert summary.rejected == 0, summary.rejects
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_write_registry_round_trips(tmp_path, fmt):
    path = tmp_path / f"export.{fmt}"
    assert write_registry(RECORDS, path, fmt) == 2
    back = _reimport(path)
    for want, got in zip(RECORDS, back, strict=True):
        for key, value in want.items():
            if key in ("lng", "lat") and value is not None:
                assert got[key] == pytest.approx(value, abs=1e-7)
            else:
                assert got[key] == value, (key, got[key], value)


def test_write_registry_csv_is_utf8_bom_with_chinese_headers(tmp_path):
    path = tmp_path / "e.csv"
    write_registry(RECORDS, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header[:3] == ["统一社会信用代码", "企业名称", "地址"]


def test_write_registry_geojson_points_wgs84(tmp_path):
    path = tmp_path / "e.geojson"
    write_registry(RECORDS, path)
    data = json.loads(path.read_text("utf-8"))
    assert data["features"][0]["geometry"]["coordinates"] == [113.0123456, 23.0212345]
    assert data["features"][1]["geometry"] is None


def test_write_registry_unknown_format(tmp_path):
    with pytest.raises(InvalidInputError, match="csv, xlsx or geojson"):
        write_registry(RECORDS, tmp_path / "e.shp")


def test_write_registry_reimport_is_idempotent(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_registry(RECORDS, first)
    write_registry(_reimport(first), second)
    assert first.read_bytes() == second.read_bytes()


def test_write_rejects_lists_row_field_reason(tmp_path):
    path = tmp_path / "rejects.csv"
    n = write_rejects([Reject(5, "uscc", "123", "credit code has 3 characters")], path)
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    assert n == 1 and rows[1] == ["5", "uscc", "123", "credit code has 3 characters",
                                "拒绝 rejected"]


def test_write_registry_blank_for_nan_and_na(tmp_path):
    import math

    import pandas as pd

    rec = dict(RECORDS[1], lng=math.nan, lat=math.nan, employees=pd.NA,
               registered_on=pd.NaT)
    path = tmp_path / "n.csv"
    write_registry([rec], path)
    assert "nan" not in path.read_text("utf-8-sig").lower()
    assert _reimport(path)[0]["lng"] is None
