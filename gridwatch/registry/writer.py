"""Write enterprise records as CSV, XLSX or GeoJSON that import reads back.

CSV is UTF-8 with a BOM (Excel on Chinese Windows opens it correctly) and
Chinese headers; XLSX has the same headers; GeoJSON has WGS-84 points
(RFC 7946) and the records as properties. Coordinates are written in WGS-84
with 坐标系 = wgs84, so a re-import does not convert them a second time; the
datum they first arrived in is kept in 原始坐标系. The extra columns a registry
brought (``extra_attrs``) follow the standard ones under their own headers, so
an export → import round trip keeps them.

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
CR first; OWASP CSV injection) is neutralised: an apostrophe in CSV (removed
again on import, :mod:`gridwatch.spreadsheets`), a text cell with Excel's quote
prefix in XLSX (the value itself unchanged). GeoJSON is not a spreadsheet and
stays raw. The rejects file is neutralised too: it echoes the input's values.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from gridwatch.errors import InvalidInputError
from gridwatch.registry.headers import EXPORT_HEADERS
from gridwatch.registry.summary import Note, Reject
from gridwatch.registry.validate import RECORD_FIELDS
from gridwatch.spreadsheets import neutralise
from gridwatch.vocab import RISK_LEVELS, SECTORS

__all__ = ["EXPORT_FIELDS", "write_registry", "write_rejects"]

#: Export columns, in order (``datum`` is always wgs84 on export), before the
#: extra columns.
EXPORT_FIELDS = ("uscc", "name", "address", "sector", "industry_code", "risk_level",
                 "is_three_in_one", "has_hazchem", "employees", "registered_on",
                 "legal_representative", "principal", "safety_officer",
                 "contact_phone", "town_hint", "community_hint", "lng", "lat",
                 "datum", "source_datum", "precision")
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


def _records(records: Iterable) -> list[dict]:
    return [rec._asdict() if hasattr(rec, "_asdict") else rec for rec in records]


def _extra_headers(records: list[dict]) -> dict[str, str]:
    """Extra attribute key → its export header, in first-seen order; a key that
    equals a standard header gets "(附加)" so it cannot shadow that column."""
    standard = {EXPORT_HEADERS[f] for f in EXPORT_FIELDS}
    out: dict[str, str] = {}
    for rec in records:
        extra = rec.get("extra_attrs")
        if isinstance(extra, dict):
            for key in extra:
                if key not in out:
                    out[key] = f"{key}(附加)" if key in standard else key
    return out


def _rows(records: list[dict], extra_keys):
    for rec in records:
        has_point = _present(rec.get("lng")) and _present(rec.get("lat"))
        out = {f: rec.get(f) for f in RECORD_FIELDS}
        out["datum"] = "wgs84" if has_point else None
        extra = rec.get("extra_attrs") if isinstance(rec.get("extra_attrs"), dict) else {}
        yield rec, [_cell(f, out.get(f)) for f in EXPORT_FIELDS] + [
            extra.get(k) or "" for k in extra_keys]


def write_registry(records: Iterable[dict], path, fmt: str | None = None) -> int:
    """Write enterprise records to ``path``; return the number written.

    Parameters
    ----------
    records : iterable of dict
        Keys :data:`~gridwatch.registry.validate.RECORD_FIELDS` (missing keys are
        written blank); lng/lat WGS-84; ``extra_attrs`` a ``{header: text}`` dict
        or None. A DataFrame's ``to_dict("records")`` works.
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
    records = _records(records)
    extra = _extra_headers(records)
    headers = [EXPORT_HEADERS[f] for f in EXPORT_FIELDS] + list(extra.values())
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([neutralise(h) for h in headers])
            n = 0
            for _, row in _rows(records, list(extra)):
                w.writerow([neutralise(v) for v in row])
                n += 1
        return n
    if fmt == "xlsx":
        return _write_xlsx(records, path, headers, list(extra))
    return _write_geojson(records, path, list(extra))


def _write_xlsx(records, path: Path, headers, extra_keys) -> int:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append([_text_cell(ws, h, WriteOnlyCell) for h in headers])
    n = 0
    for _, row in _rows(records, extra_keys):
        ws.append([_text_cell(ws, v, WriteOnlyCell) for v in row])
        n += 1
    wb.save(path)
    return n


def _text_cell(ws, value, cell_type):
    """Text a spreadsheet would run as a formula stays text: a string cell with
    Excel's quote prefix (openpyxl would otherwise store "=…" as a formula). The
    value stays the real text, except that a real leading apostrophe before a
    formula sign is doubled, as in CSV, since import removes one (a CSV opened in
    Excel and saved as XLSX keeps the CSV's apostrophe)."""
    if isinstance(value, str) and neutralise(value) is not value:
        text = neutralise(value) if value.startswith("'") else value
        cell = cell_type(ws, value=text)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def _write_geojson(records, path: Path, extra_keys) -> int:
    features = []
    names = [EXPORT_HEADERS[f] for f in EXPORT_FIELDS] + list(extra_keys)
    skip = {EXPORT_HEADERS[f] for f in ("lng", "lat", "datum")}
    for rec, row in _rows(records, extra_keys):
        props = {h: v for h, v in zip(names, row, strict=True) if h not in skip}
        geom = None
        if _present(rec.get("lng")) and _present(rec.get("lat")):
            geom = {"type": "Point",
                    "coordinates": [round(float(rec["lng"]), 7), round(float(rec["lat"]), 7)]}
        features.append({"type": "Feature", "geometry": geom, "properties": props})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), "utf-8")
    return len(features)


#: What happened to the row, per kind of entry in the rejects file.
OUTCOMES = {"rejected": "拒绝 rejected", "note": "已导入，请核对 stored, check",
            "totals": "合计行，跳过 totals row, skipped"}


def write_rejects(rejects: Iterable[Reject], path, notes: Iterable[Note] = ()) -> int:
    """Write rejects, then notes, as CSV (UTF-8 with BOM): 行号, 字段, 值, 原因,
    处理; return the number of lines written.

    Values and reasons echo the input file, so they are neutralised against
    formula injection like an export.
    """
    path = Path(path)
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["行号 row", "字段 field", "值 value", "原因 reason", "处理 outcome"])
        for r in [*rejects, *notes]:
            outcome = OUTCOMES[r.kind if isinstance(r, Note) else "rejected"]
            w.writerow([r.row, neutralise(r.field), neutralise(r.value),
                        neutralise(r.reason), outcome])
            n += 1
    return n
