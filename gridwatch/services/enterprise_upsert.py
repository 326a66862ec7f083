"""The registry upsert, split into a plan (what would change) and its application.

A dry run computes the same plan on a read-only connection and applies nothing,
so "would import: 3 new, 1 updated, 5 unchanged" is the real answer.

The plan is set-based so 100,000 rows stay well under a minute on SpatiaLite:
one query loads the existing rows, the differences are computed in Python, then
new rows are bulk-inserted, changed rows updated with one executemany per shape
of change, and every insert and change goes to the audit log with its old values.

What a file can never do (replace-by-empty): a cell left empty (None) never
erases a stored value; an extra column's empty cell never removes the stored
attribute; a file with no valid rows changes nothing. Nothing is ever deleted by
an import: an enterprise missing from the file stays as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely
import sqlalchemy as sa

from gridwatch.db.models import Enterprise
from gridwatch.db.queries import bulk_insert
from gridwatch.services.audit import entry, record_rows

#: Columns the demo generator and every registry set (kept for the demo's rows).
DATA_FIELDS = (
    "name",
    "address",
    "sector",
    "risk_level",
    "is_three_in_one",
    "has_hazchem",
    "employees",
    "registered_on",
)
#: The GB/T 4754 code and the contact people a registry may set.
PROFILE_FIELDS = (
    "industry_code",
    "legal_representative",
    "principal",
    "safety_officer",
    "contact_phone",
)
#: A hint's text and the code it resolved to move together: a new text with no
#: resolvable code clears the old code rather than leave it beside the new text.
HINT_PAIRS = (
    ("town_hint", "town_hint_code"),
    ("community_hint", "community_hint_code"),
)
#: Columns a record may set; None in a record never erases a stored value.
UPSERT_FIELDS = DATA_FIELDS + PROFILE_FIELDS
#: Defaults for a new enterprise whose file row left these empty. Risk defaults to
#: yellow (一般), not blue: an unassessed enterprise should not look low-risk.
DEFAULTS = {
    "sector": "other",
    "risk_level": "yellow",
    "is_three_in_one": False,
    "has_hazchem": False,
}
#: Flags the registry data itself raises (hint flags come from the placed point).
DATA_FLAGS = ("hazchem_without_hazchem",)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _plain(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def parse_flags(text: str | None) -> set[str]:
    return {f for f in (text or "").split(",") if f}


def join_flags(flags: set[str]) -> str | None:
    return ",".join(sorted(flags)) or None


def data_flags(sector: str | None, has_hazchem: bool | None) -> set[str]:
    """Contradictions in the registry data (vocab.REGISTRY_FLAGS)."""
    return (
        {"hazchem_without_hazchem"}
        if sector == "hazchem" and has_hazchem is False
        else set()
    )


def _existing(conn, usccs: list[str]) -> dict[str, dict]:
    cols = [
        Enterprise.id,
        Enterprise.uscc,
        *[getattr(Enterprise, f) for f in UPSERT_FIELDS],
        *[getattr(Enterprise, f) for pair in HINT_PAIRS for f in pair],
        Enterprise.extra_attrs,
        Enterprise.registry_flags,
        Enterprise.precision,
        Enterprise.source_datum,
        sa.func.ST_X(Enterprise.geom).label("lng"),
        sa.func.ST_Y(Enterprise.geom).label("lat"),
    ]
    out: dict[str, dict] = {}
    for start in range(0, len(usccs), 900):  # SQLite bound-parameter limit
        chunk = usccs[start : start + 900]
        for row in conn.execute(sa.select(*cols).where(Enterprise.uscc.in_(chunk))):
            out[row.uscc] = dict(row._mapping)
    return out


def _location_change(rec: dict, old: dict) -> dict | None:
    """New location values when the record supplies a point that may replace the old."""
    if rec.get("lng") is None or rec.get("lat") is None:
        return None
    if old.get("precision") == "manual":  # a person placed it: never overwritten
        return None
    # exports round to 1e-7 degree (~1 cm); a re-import of one is not a move
    same = (
        old.get("lng") is not None
        and abs(old["lng"] - rec["lng"]) < 5e-7
        and abs(old["lat"] - rec["lat"]) < 5e-7
        and old.get("precision") == rec.get("precision")
    )
    if same:
        return None
    return {
        "lng": rec["lng"],
        "lat": rec["lat"],
        "precision": rec.get("precision") or "supplied",
        "source_datum": rec.get("source_datum"),
    }


@dataclass
class UpsertPlan:
    """What an upsert will do: rows to insert, updates, audit rows and counts."""

    new_rows: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    unchanged: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "inserted": len(self.new_rows),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }


def _new_row(rec: dict, now: dt.datetime) -> dict:
    row = {
        f: rec.get(f) if rec.get(f) is not None else DEFAULTS.get(f)
        for f in UPSERT_FIELDS
    }
    for text, code in HINT_PAIRS:
        row[text], row[code] = rec.get(text), rec.get(code) if rec.get(text) else None
    has_point = rec.get("lng") is not None and rec.get("lat") is not None
    row.update(
        uscc=rec["uscc"],
        extra_attrs=rec.get("extra_attrs") or None,
        registry_flags=join_flags(data_flags(row["sector"], row["has_hazchem"])),
        created_at=now,
        updated_at=now,
        precision=(rec.get("precision") or "supplied") if has_point else "none",
        source_datum=rec.get("source_datum") if has_point else None,
        geom=shapely.Point(rec["lng"], rec["lat"]) if has_point else None,
    )
    return row


def _changes(rec: dict, old: dict) -> dict:
    """Column → new value for an existing enterprise (empty when nothing changes)."""
    changes = {
        f: rec[f]
        for f in UPSERT_FIELDS
        if rec.get(f) is not None and rec[f] != old.get(f)
    }
    for text, code in HINT_PAIRS:
        if rec.get(text) is not None and (
            rec[text] != old.get(text) or rec.get(code) != old.get(code)
        ):
            changes[text], changes[code] = rec[text], rec.get(code)
    new_extra = {k: v for k, v in (rec.get("extra_attrs") or {}).items() if v}
    if new_extra:
        merged = {**(old.get("extra_attrs") or {}), **new_extra}
        if merged != (old.get("extra_attrs") or {}):
            changes["extra_attrs"] = merged
    final = {**old, **changes}
    flags = parse_flags(old.get("registry_flags")) - set(DATA_FLAGS)
    flags |= data_flags(final.get("sector"), final.get("has_hazchem"))
    if join_flags(flags) != old.get("registry_flags"):
        changes["registry_flags"] = join_flags(flags)
    loc = _location_change(rec, old)
    if loc:
        changes.update(loc)
    return changes


def plan_upsert(
    conn, records: Iterable[dict], actor: str, now: dt.datetime
) -> UpsertPlan:
    """Compare records (keys of ``registry.validate.RECORD_FIELDS``, lng/lat
    WGS-84) with the stored enterprises; change nothing."""
    recs = list(records)
    existing = _existing(conn, [r["uscc"] for r in recs])
    plan = UpsertPlan()
    for rec in recs:
        old = existing.get(rec["uscc"])
        if old is None:
            row = _new_row(rec, now)
            plan.new_rows.append(row)
            # the values set (an empty column is no news)
            plan.audit.append(
                _audit(
                    now,
                    actor,
                    "insert",
                    rec["uscc"],
                    None,
                    {
                        k: _plain(v)
                        for k, v in row.items()
                        if v is not None
                        and k not in ("geom", "created_at", "updated_at")
                    },
                )
            )
            continue
        changes = _changes(rec, old)
        if not changes:
            plan.unchanged += 1
            continue
        plan.updates.append({"id": old["id"], **changes})
        plan.audit.append(
            _audit(
                now,
                actor,
                "update",
                rec["uscc"],
                {k: _plain(old.get(k)) for k in changes},
                {k: _plain(v) for k, v in changes.items()},
            )
        )
    return plan


def _audit(now, actor, action, key, old, new) -> dict:
    return entry(actor, action, "enterprises", key, old, new, at=now)


def apply_plan(conn, plan: UpsertPlan, now: dt.datetime) -> dict[str, int]:
    """Write a plan made by :func:`plan_upsert` on the same connection."""
    if plan.new_rows:
        # columns empty in every new row are left to the table's NULL default:
        # binding 20 empty columns per row doubled the time of a large import
        frame = pd.DataFrame(plan.new_rows)
        empty = [c for c in frame.columns if frame[c].isna().all()]
        bulk_insert(conn, "enterprises", frame.drop(columns=empty))
    _apply_updates(conn, plan.updates, now)
    record_rows(conn, plan.audit)
    return plan.counts


def _apply_updates(conn, updates: list[dict], now: dt.datetime) -> None:
    by_shape: dict[tuple, list[dict]] = {}
    for u in updates:
        by_shape.setdefault(tuple(sorted(k for k in u if k != "id")), []).append(u)
    tbl = Enterprise.__table__
    for keys, rows in by_shape.items():
        values: dict[str, Any] = {
            k: sa.bindparam(f"v_{k}", type_=tbl.c[k].type)
            for k in keys
            if k not in ("lng", "lat")
        }
        if "lng" in keys:
            values["geom"] = sa.func.ST_GeomFromWKB(
                sa.bindparam("v_wkb", type_=sa.LargeBinary), 4326
            )
        values["updated_at"] = sa.bindparam("v_updated_at")
        stmt = tbl.update().where(tbl.c.id == sa.bindparam("b_id")).values(values)
        params = []
        for r in rows:
            p = {
                "b_id": r["id"],
                "v_updated_at": now,
                **{f"v_{k}": r[k] for k in keys if k not in ("lng", "lat")},
            }
            if "lng" in keys:
                p["v_wkb"] = shapely.to_wkb(shapely.Point(r["lng"], r["lat"]))
            params.append(p)
        conn.execute(stmt, params)


HINT_FLAGS = {"town": "town_hint_mismatch", "community": "community_hint_mismatch"}


def check_hints(
    conn, actor: str, usccs: Iterable[str] | None = None
) -> dict[str, list[tuple]]:
    """Flag placed enterprises whose point lies outside the town/community their
    registry row names (所属镇街/所属村居 resolved to a code), and clear the flag
    where they now agree; return ``{uscc: [(level, hint_code, placed_code)]}`` of
    the mismatches among ``usccs`` (all enterprises when None).

    Call it after anything places enterprises (import with coordinates, batch
    geocoding, manual placement): the placed codes are ``town_code`` /
    ``community_code``; an enterprise not placed yet is left alone. Each change
    of flags is audited as ``actor`` (an audit name).
    """
    e = Enterprise
    stmt = sa.select(
        e.id,
        e.uscc,
        e.town_code,
        e.community_code,
        e.town_hint_code,
        e.community_hint_code,
        e.registry_flags,
    ).where(
        sa.or_(
            e.town_hint_code.isnot(None),
            e.community_hint_code.isnot(None),
            e.registry_flags.isnot(None),
        )
    )
    wanted = set(usccs) if usccs is not None else None
    updates, audit, found = [], [], {}
    for r in conn.execute(stmt):
        flags = parse_flags(r.registry_flags) - set(HINT_FLAGS.values())
        misses = []
        for level, hint, placed in (
            ("town", r.town_hint_code, r.town_code),
            ("community", r.community_hint_code, r.community_code),
        ):
            if hint and placed and hint != placed:
                flags.add(HINT_FLAGS[level])
                misses.append((level, hint, placed))
        if join_flags(flags) != r.registry_flags:
            updates.append({"b_id": r.id, "v_flags": join_flags(flags)})
            audit.append(
                entry(
                    actor,
                    "update",
                    "enterprises",
                    r.uscc,
                    {"registry_flags": r.registry_flags},
                    {"registry_flags": join_flags(flags)},
                )
            )
        if misses and (wanted is None or r.uscc in wanted):
            found[r.uscc] = misses
    if updates:
        tbl = Enterprise.__table__
        conn.execute(
            tbl.update()
            .where(tbl.c.id == sa.bindparam("b_id"))
            .values(registry_flags=sa.bindparam("v_flags")),
            updates,
        )
        record_rows(conn, audit)
    return found
