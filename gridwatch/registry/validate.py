"""Validate registry rows into enterprise records, or reject them with reasons.

Nothing is lost (:mod:`gridwatch.registry.summary`): every data row ends as
exactly one of *valid*, *rejected*, *blank* or *totals*. A row with any bad
field is rejected as a whole, with one :class:`Reject` per problem, so the user
fixes the file and imports it again (the import is idempotent on the credit
code). Columns gridwatch has no field for are kept in ``extra_attrs``.

Duplicate credit codes in one file: the first row wins; later rows are rejected
with a reason naming the first row, so nothing is silently overwritten.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import shapely

from gridwatch.crs import Datum, parse_datum, to_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.registry import cells as C
from gridwatch.registry import fields as F
from gridwatch.registry.summary import ImportSummary, Note, Reject
from gridwatch.registry.units import UnitResolver
from gridwatch.registry.uscc import explain_uscc, explain_uscc_cell, normalise_uscc
from gridwatch.vocab import PRECISIONS

__all__ = [
    "RECORD_FIELDS",
    "ImportSummary",
    "Note",
    "Reject",
    "RowRules",
    "validate_row",
    "validate_rows",
]

NAME_LIMIT = 200
ADDRESS_LIMIT = 500
OTHER_LIMIT = 200
#: Rows validated together so their coordinates convert in one numpy call.
BATCH_ROWS = 2000
RECORD_FIELDS = (
    "uscc",
    "name",
    "address",
    "sector",
    "risk_level",
    "is_three_in_one",
    "has_hazchem",
    "employees",
    "registered_on",
    "lng",
    "lat",
    "source_datum",
    "precision",
    "industry_code",
    *C.CONTACT_FIELDS,
    "town_hint",
    "town_hint_code",
    "community_hint",
    "community_hint_code",
    "extra_attrs",
)


@dataclass
class RowRules:
    """How to read rows beyond the cells themselves.

    default_datum : datum of coordinates in rows with no 坐标系 value; without it
        such rows are rejected (guessing wrong moves a point ~500 m).
    units : the loaded towns and communities, to resolve 所属镇街/所属村居.
    value_map : ``{field or extra header: {old value: new value}}`` applied to
        cells before they are read (values compared after NFKC and trimming).
    """

    default_datum: str | None = None
    units: UnitResolver | None = None
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)


def _rules(rules: RowRules | None, default_datum: str | None) -> RowRules:
    """The caller's rules (never changed), with ``default_datum`` when given."""
    rules = rules or RowRules()
    if default_datum is not None:
        rules = replace(rules, default_datum=default_datum)
    return rules


def _short(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 100 else text[:97] + "…"


def _in_district(lng: np.ndarray, lat: np.ndarray, district) -> np.ndarray:
    """The one rule for a point against an area: the area *covers* the point, so a
    point exactly on the outline is inside (as in placement and assignment). For
    a point, covers = intersects; shapely has ``intersects_xy``, not covers_xy."""
    if district is None:
        return np.ones(lng.shape, bool)
    if isinstance(district, tuple):
        x0, y0, x1, y1 = district
        return (x0 <= lng) & (lng <= x1) & (y0 <= lat) & (lat <= y1)
    return shapely.intersects_xy(district, lng, lat)


@dataclass(slots=True)
class _Pending:
    """A row whose coordinates still need the datum shift and district test."""

    rec: dict
    rejects: list
    notes: list
    x: float = math.nan
    y: float = math.nan
    datum: Datum | None = None
    shown: str = ""


def _coords(raw: dict, default_datum, bad, row: _Pending) -> None:
    """Check coordinates; leave them on ``row`` for the batched conversion."""
    lng, lat = raw.get("lng"), raw.get("lat")
    row.rec.update(lng=None, lat=None, source_datum=None, precision="none")
    if lng is None and lat is None:
        return
    if lng is None or lat is None:
        bad(
            "lng" if lng is None else "lat",
            lng if lng is None else lat,
            "give both longitude and latitude, or neither",
        )
        return
    shown = f"{lng}, {lat}"
    try:
        x, y = F.parse_float(lng), F.parse_float(lat)
    except ValueError as exc:
        bad("lng", shown, str(exc))
        return
    if abs(x) <= 90 < abs(y) <= 180:
        bad("lng", shown, "longitude and latitude look swapped")
        return
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        bad("lng", shown, "coordinates out of range")
        return
    datum = raw.get("datum", default_datum)
    if datum is None:
        bad(
            "datum",
            shown,
            "coordinates without a datum: add a 坐标系 column (wgs84, "
            "cgcs2000, gcj02 or bd09) or give the datum of the whole file",
            "datum",
        )
        return
    try:
        datum = parse_datum(str(datum))
    except InvalidInputError as exc:
        bad("datum", datum, exc.user_msg)
        return
    source = raw.get("source_datum")
    try:
        source = parse_datum(str(source)).value if source is not None else datum.value
    except InvalidInputError:
        source = datum.value
    precision = str(raw.get("precision", "")).strip().lower()
    row.rec.update(
        source_datum=source,
        precision=precision
        if precision in PRECISIONS and precision != "none"
        else "supplied",
    )
    row.x, row.y, row.datum, row.shown = x, y, datum, shown


def _convert(rows: list[_Pending], district) -> None:
    """Shift every pending point to WGS-84 once, per datum, in one numpy call,
    and reject those outside the district (scalar calls cost ~0.3 ms a GCJ-02
    point; a 100,000-row file spent most of its time there)."""
    by_datum: dict = {}
    for row in rows:
        if row.datum is not None:
            by_datum.setdefault(row.datum, []).append(row)
    for datum, group in by_datum.items():
        x = np.fromiter((r.x for r in group), float, len(group))
        y = np.fromiter((r.y for r in group), float, len(group))
        lng, lat = to_wgs84(x, y, datum)
        inside = _in_district(lng, lat, district)
        for r, a, b, ok in zip(
            group, lng.tolist(), lat.tolist(), inside.tolist(), strict=True
        ):
            if ok:
                r.rec["lng"], r.rec["lat"] = a, b
            else:
                r.rejects.append(
                    Reject(
                        r.rec["_row"],
                        "lng",
                        r.shown,
                        f"the point ({datum.value}) lies outside the district",
                    )
                )


_OPTIONAL = (
    ("risk_level", F.parse_risk),
    ("is_three_in_one", F.parse_bool),
    ("has_hazchem", F.parse_bool),
    ("employees", F.parse_employees),
    ("registered_on", F.parse_date),
)


def validate_row(
    row_number: int,
    raw: dict,
    district=None,
    default_datum: str | None = None,
    *,
    rules: RowRules | None = None,
) -> tuple[dict | None, list[Reject]]:
    """Check one row and build its enterprise record.

    Parameters
    ----------
    row_number : int
        The row's number in the file (for the rejects).
    raw : dict
        Field → cell value, as yielded by :func:`read_registry` (with its
        optional ``_extra``, ``_merged`` and ``_split`` entries).
    district : shapely geometry or (minx, miny, maxx, maxy), optional
        WGS-84 outline or bounds; supplied coordinates must fall inside it or on
        its outline.
    default_datum : str, optional
        Datum of coordinates in rows with no 坐标系 value (see :class:`RowRules`).
    rules : RowRules, optional
        Unit names for the town/community hints and value mappings.

    Returns
    -------
    record : dict or None
        Keys :data:`RECORD_FIELDS`; lng/lat WGS-84; ``precision`` "supplied"
        when coordinates were given, else "none". None when rejected.
    rejects : list of Reject
        Empty when the row is valid.

    Examples
    --------
    >>> rec, rej = validate_row(2, {"uscc": "91350100M000100Y43", "name": "佛山某陶瓷厂",
    ...                             "address": "南庄镇吉利村", "risk_level": "橙"})
    >>> rec["risk_level"], rej
    ('orange', [])
    """
    row = _check(row_number, raw, _rules(rules, default_datum))
    _convert([row], district)
    return _result(row)[:2]


def _check(row_number: int, raw: dict, rules: RowRules) -> _Pending:
    """Every check but the datum shift and district test."""
    rejects: list[Reject] = []
    notes: list[Note] = []

    def bad(name, value, reason, hint=None):
        rejects.append(Reject(row_number, name, _short(value), reason, hint))

    def note(name, value, reason, hint=None):
        notes.append(Note(row_number, name, _short(value), reason, hint))

    raw = C.apply_value_map(raw, rules.value_map) if rules.value_map else raw
    rec = dict.fromkeys(RECORD_FIELDS)
    rec["_row"] = row_number
    row = _Pending(rec, rejects, notes)
    for name, ref in raw.get("_split", {}).items():
        bad(
            name,
            ref,
            f"cell is covered by the merged range {ref}, which spans "
            "columns (or the header) and so holds no value for it; unmerge the "
            "cells and fill in each one",
        )
    if C.repeats_header(raw):
        bad(
            "",
            raw.get("uscc", ""),
            "the row repeats the header row (tables pasted "
            "one under another?); delete it",
        )
        return row
    _uscc(raw, rec, bad)
    for name, limit, required in (
        ("name", NAME_LIMIT, True),
        ("address", ADDRESS_LIMIT, False),
    ):
        value = raw.get(name)
        try:
            rec[name] = F.clean_text(value, limit) if value is not None else ""
        except ValueError as exc:
            bad(name, value, f"{name} {exc}")
            continue
        if required and not rec[name]:
            bad(name, "", f"{name} is empty")
    _optional(raw, rec, bad)
    C.read_sector(raw, rec, bad, note)
    C.read_contacts(raw, rec, bad, note)
    C.read_hints(raw, rec, bad, note, rules.units)
    C.read_extras(raw, rec, bad, note)
    _coords(raw, rules.default_datum, bad, row)
    if not rec["address"] and row.datum is None and not rejects:
        bad(
            "address",
            "",
            "give an address or coordinates so the enterprise can be placed",
        )
    for name, ref in raw.get("_merged", {}).items():
        note(name, ref, f"filled from the merged range {ref} (its top-left cell)")
    if rec["sector"] == "hazchem" and rec["has_hazchem"] is False:
        note(
            "has_hazchem",
            "否",
            "sector is 危险化学品 but 涉危化品 says 否: stored and "
            "flagged for a person to check",
        )
    return row


def _uscc(raw: dict, rec: dict, bad) -> None:
    value = raw.get("uscc")
    why = explain_uscc_cell(value)
    code = normalise_uscc(value) if why is None else ""
    if why is None:
        why = explain_uscc(code) if len(code) < 100 else "credit code is far too long"
    if why:
        bad("uscc", value if value is not None else "", why)
    rec["uscc"] = code


def _optional(raw: dict, rec: dict, bad) -> None:
    for name, parse in _OPTIONAL:
        value = raw.get(name)
        if value is None:
            continue
        try:
            if isinstance(value, str):
                if len(value) > OTHER_LIMIT:
                    raise ValueError(
                        f"is {len(value):,} characters long; the limit is {OTHER_LIMIT}"
                    )
                value = value.strip()  # the parsers refuse anything else odd
            rec[name] = parse(value) if value != "" else None
        except ValueError as exc:
            bad(name, value, str(exc))


def _result(row: _Pending) -> tuple[dict | None, list[Reject], list[Note]]:
    row.rec.pop("_row", None)
    if row.rejects:
        order = {f: i for i, f in enumerate(RECORD_FIELDS)}
        return None, sorted(row.rejects, key=lambda r: order.get(r.field, 99)), []
    return row.rec, [], row.notes


def validate_rows(
    rows: Iterable[tuple[int, dict]],
    summary: ImportSummary,
    district=None,
    default_datum: str | None = None,
    *,
    rules: RowRules | None = None,
) -> Iterator[tuple[int, dict | None, list[Reject]]]:
    """Validate a stream of rows, rejecting repeated credit codes; count all.

    Parameters
    ----------
    rows : iterable of (row_number, raw)
        Typically a :class:`RegistrySource`.
    summary : ImportSummary
        Updated in place as rows go by (rejects and notes are appended to it).
    district, default_datum, rules
        As for :func:`validate_row`.

    Yields
    ------
    (row_number, record or None, rejects)
        Blank rows and totals rows (合计/总计/小计) are counted and not yielded.
    """
    rules = _rules(rules, default_datum)
    first_seen: dict[str, int] = {}
    batch: list[tuple[int, _Pending]] = []
    for number, raw in rows:
        summary.rows += 1
        if not raw:
            summary.blank += 1
            continue
        word = C.totals_word(raw)
        if word:
            summary.totals += 1
            summary.notes.append(
                Note(
                    number,
                    "",
                    word,
                    "totals row (合计/总计/小计): skipped, not an enterprise",
                    kind="totals",
                )
            )
            continue
        batch.append((number, _check(number, raw, rules)))
        if len(batch) >= BATCH_ROWS:
            yield from _flush(batch, summary, first_seen, district)
            batch = []
    yield from _flush(batch, summary, first_seen, district)


def _flush(batch, summary: ImportSummary, first_seen: dict, district):
    _convert([row for _, row in batch], district)
    for number, row in batch:
        rec, rejects, notes = _result(row)
        if rec is not None:
            first = first_seen.setdefault(rec["uscc"], number)
            if first != number:
                merged = next((n.value for n in notes if n.field == "uscc"), None)
                why = f"duplicate credit code; row {first} already has it" + (
                    f" (this cell was filled from the merged range {merged}: unmerge "
                    "the credit-code column)"
                    if merged
                    else ""
                )
                rejects = [Reject(number, "uscc", rec["uscc"], why)]
                rec, notes = None, []
        if rec is None:
            summary.rejected += 1
            summary.rejects.extend(rejects)
        else:
            summary.valid += 1
            summary.notes.extend(notes)
        yield number, rec, rejects
