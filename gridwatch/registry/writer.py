"""Write enterprise records as CSV, XLSX or GeoJSON that import reads back.

CSV is UTF-8 with a BOM (Excel on Chinese Windows opens it correctly) and
Chinese headers; XLSX has the same headers; GeoJSON has WGS-84 points
(RFC 7946) and the records as properties. Coordinates are written in WGS-84
with 坐标系 = wgs84, so a re-import does not convert them a second time; the
datum they first arrived in is kept in 原始坐标系.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from gridwatch.errors import InvalidInputError
from gridwatch.registry.headers import EXPORT_HEADERS
from gridwatch.registry.validate import RECORD_FIELDS, Reject
from gridwatch.vocab import RISK_LEVELS, SECTORS

__all__ = ["EXPORT_FIELDS", "write_registry", "write_rejects"]

#: Export columns, in order (``datum`` is always wgs84 on export).
EXPORT_FIELDS = ("uscc", "name", "address", "sector", "risk_level", "is_three_in_one",
                 "has_hazchem", "employees", "registered_on", "lng", "lat", "datum",
                 "source_datum", "precision")
FORMATS = ("csv", "xlsx", "geojson")


def _cell(field: str, value):
    if not _present(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if field in ("lng", "lat"):
        return round(float(value), 7)   # 1e-7 degree ≈ 1 cm
    if field == "sector":
        return SECTORS.get(value, value)          # 陶瓷: what the bureau reads
    if field == "risk_level" and value in RISK_LEVELS:
        return RISK_LEVELS[value][0]              # 红/橙/黄/蓝
    return value


def _present(value) -> bool:
    """False for None, NaN, NaT and pandas.NA (records from a DataFrame)."""
    if value is None:
        return False
    try:
        return bool(value == value)  # noqa: PLR0124 (NaN and NaT are not equal to themselves)
    except TypeError:   # pandas.NA: "boolean value of NA is ambiguous"
        return False


def _rows(records: Iterable[dict]):
    for rec in records:
        if hasattr(rec, "_asdict"):
            rec = rec._asdict()
        has_point = _present(rec.get("lng")) and _present(rec.get("lat"))
        out = {f: rec.get(f) for f in RECORD_FIELDS}
        out["datum"] = "wgs84" if has_point else None
        yield rec, [_cell(f, out.get(f)) for f in EXPORT_FIELDS]


def write_registry(records: Iterable[dict], path, fmt: str | None = None) -> int:
    """Write enterprise records to ``path``; return the number written.

    Parameters
    ----------
    records : iterable of dict
        Keys :data:`~gridwatch.registry.validate.RECORD_FIELDS` (missing keys are
        written blank); lng/lat WGS-84. A DataFrame's ``to_dict("records")`` works.
    path : str or Path
    fmt : {"csv", "xlsx", "geojson"}, optional
        Default from the file suffix.

    Returns
    -------
    int

    Raises
    ------
    InvalidInputError
        If the format is unknown.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "json":
        fmt = "geojson"
    if fmt not in FORMATS:
        raise InvalidInputError(f"Unknown export format {fmt!r}; use csv, xlsx or geojson.")
    headers = [EXPORT_HEADERS[f] for f in EXPORT_FIELDS]
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            n = 0
            for _, row in _rows(records):
                w.writerow(row)
                n += 1
        return n
    if fmt == "xlsx":
        return _write_xlsx(records, path, headers)
    return _write_geojson(records, path)


def _write_xlsx(records, path: Path, headers) -> int:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(headers)
    n = 0
    for _, row in _rows(records):
        ws.append([_text_cell(ws, v, WriteOnlyCell) for v in row])
        n += 1
    wb.save(path)
    return n


def _text_cell(ws, value, cell_type):
    """A name starting with "=" stays text: openpyxl would store a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = cell_type(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _write_geojson(records, path: Path) -> int:
    features = []
    for rec, row in _rows(records):
        props = {EXPORT_HEADERS[f]: v for f, v in zip(EXPORT_FIELDS, row, strict=True)
                 if f not in ("lng", "lat", "datum")}
        geom = None
        if _present(rec.get("lng")) and _present(rec.get("lat")):
            geom = {"type": "Point",
                    "coordinates": [round(float(rec["lng"]), 7), round(float(rec["lat"]), 7)]}
        features.append({"type": "Feature", "geometry": geom, "properties": props})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), "utf-8")
    return len(features)


def write_rejects(rejects: Iterable[Reject], path) -> int:
    """Write rejects as CSV (UTF-8 with BOM): 行号, 字段, 值, 原因."""
    path = Path(path)
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["行号 row", "字段 field", "值 value", "原因 reason"])
        for r in rejects:
            w.writerow([r.row, r.field, r.value, r.reason])
            n += 1
    return n
