"""Enterprises' safety foundations: standardisation, declarations, safety officers.

Imported from a CSV/XLSX file with Chinese headers (rules of each row in
:mod:`gridwatch.registry.foundations`) or entered for one enterprise on a form;
both go through :func:`_apply`, so a form is a one-row import. Every row is
stored, unchanged or rejected with its reason; nothing is replaced by an empty
cell. Storing rules (against what is already stored):

* standardisation: a step (enterprise, status, date) is stored once; a level
  given for a stored step is updated, never erased. 无 with a date records the
  lapse; 无 without a date is accepted only for an enterprise with no
  standardisation on record (nothing changes), otherwise rejected: the date of
  the lapse is needed;
* declaration: one per enterprise and year; 应报未报 then 已申报 updates it (and a
  later date corrects the date); 已申报 then 应报未报 is rejected: an import does
  not withdraw a declaration;
* safety officer: (enterprise, name, training date) is stored once; a date for
  an officer on record without one fills it in; another date adds a training.

Every change goes through the ORM in one transaction, so the audit log names
the acting user.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from gridwatch.db.models import Enterprise
from gridwatch.db.models_bureau import (
    HazardDeclaration,
    SafetyOfficer,
    StandardisationRecord,
)
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.registry.foundations import (
    FoundationRow,
    FoundationSummary,
    columns_of,
    validate_foundation_rows,
)
from gridwatch.registry.validate import Reject
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.timeutil import today as local_today

__all__ = ["enterprise_foundations", "import_foundations", "record_foundations"]

_HEADER_SEARCH_ROWS = 10


def _read(path: Path, sheet: str | None):
    """(row number, raw) pairs of a CSV/XLSX file, header found in the first rows."""
    from gridwatch.registry import reader

    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist or is not a file.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if path.suffix.lower() == ".xls":
        raise InvalidInputError(
            f"{path.name} is an old .xls workbook; save it as .xlsx or CSV."
        )
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        rows = reader._xlsx_rows(path, sheet)
    else:
        rows = reader._csv_rows(path, reader.detect_encoding(path))
    first_error = None
    for _ in range(_HEADER_SEARCH_ROWS):
        head = next(rows, None)
        if head is None:
            break
        try:
            cols = columns_of(head[1], path.name)
        except InvalidInputError as exc:
            first_error = first_error or exc
            continue
        return _raw_rows(rows, cols)
    raise first_error or InvalidInputError(f"{path.name} is empty; nothing to import.")


def _raw_rows(rows, cols: dict[int, str]):
    for number, cells in rows:
        raw = {}
        for i, name in cols.items():
            if i < len(cells):
                v = cells[i]
                if v is not None and not (isinstance(v, str) and not v.strip()):
                    raw[name] = v
        yield number, raw


class _Stored:
    """What is stored for the file's enterprises, updated as rows apply."""

    def __init__(self, s, ids: list[int]):
        self.std: dict[int, list[StandardisationRecord]] = {}
        self.decl: dict[tuple[int, int], HazardDeclaration] = {}
        self.off: dict[int, list[SafetyOfficer]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for r in s.scalars(
                sa.select(StandardisationRecord).where(
                    StandardisationRecord.enterprise_id.in_(chunk)
                )
            ):
                self.std.setdefault(r.enterprise_id, []).append(r)
            for r in s.scalars(
                sa.select(HazardDeclaration).where(
                    HazardDeclaration.enterprise_id.in_(chunk)
                )
            ):
                self.decl[(r.enterprise_id, r.year)] = r
            for r in s.scalars(
                sa.select(SafetyOfficer).where(SafetyOfficer.enterprise_id.in_(chunk))
            ):
                self.off.setdefault(r.enterprise_id, []).append(r)


def _std_plan(st: _Stored, eid: int, part: dict, who: str):
    """(action, reason) for a standardisation part: ('add', obj), ('set', fn),
    ('same', None) or ('reject', sentence)."""
    steps = st.std.get(eid, [])
    if part["status"] == "none" and part["done_on"] is None:
        latest = max(steps, key=lambda r: r.done_on, default=None)
        if latest is None or latest.status == "none":
            return "same", None
        return "reject", (
            f"the enterprise has standardisation ({latest.status}) since "
            f"{latest.done_on}; give 标准化日期, the day it lapsed, to record 无"
        )
    for r in steps:
        if r.status == part["status"] and r.done_on == part["done_on"]:
            if part["level"] and part["level"] != r.level:
                return "set", lambda r=r: setattr(r, "level", part["level"])
            return "same", None
    obj = StandardisationRecord(
        enterprise_id=eid,
        status=part["status"],
        level=part["level"],
        done_on=part["done_on"],
        recorded_by=who,
    )
    return "add", obj


def _decl_plan(st: _Stored, eid: int, part: dict, who: str):
    old = st.decl.get((eid, part["year"]))
    if old is None:
        obj = HazardDeclaration(
            enterprise_id=eid,
            year=part["year"],
            status=part["status"],
            declared_on=part["declared_on"],
            recorded_by=who,
        )
        return "add", obj
    if old.status == "declared" and part["status"] == "missing":
        return "reject", (
            f"the enterprise declared for {old.year} on {old.declared_on}; an "
            "import does not withdraw a declaration"
        )
    if (old.status, old.declared_on) == (part["status"], part["declared_on"]):
        return "same", None

    def update(old=old):
        old.status, old.declared_on = part["status"], part["declared_on"]

    return "set", update


def _officer_plan(st: _Stored, eid: int, part: dict, who: str):
    mine = [o for o in st.off.get(eid, []) if o.name == part["name"]]
    if any(o.trained_on == part["trained_on"] for o in mine):
        return "same", None
    if part["trained_on"] is None and mine:
        return "same", None
    untrained = [o for o in mine if o.trained_on is None]
    if untrained:
        return "set", lambda o=untrained[0]: setattr(
            o, "trained_on", part["trained_on"]
        )
    obj = SafetyOfficer(
        enterprise_id=eid,
        name=part["name"],
        trained_on=part["trained_on"],
        recorded_by=who,
    )
    return "add", obj


_PLANS = (
    ("standardisation", "std_status", _std_plan),
    ("declaration", "decl_status", _decl_plan),
    ("officer", "officer", _officer_plan),
)


def _remember(st: _Stored, kind: str, obj) -> None:
    if kind == "standardisation":
        st.std.setdefault(obj.enterprise_id, []).append(obj)
    elif kind == "declaration":
        st.decl[(obj.enterprise_id, obj.year)] = obj
    else:
        st.off.setdefault(obj.enterprise_id, []).append(obj)


def _apply(s, actor: Actor, rows: list[FoundationRow], summary: FoundationSummary):
    """Store the rows' facts (or reject a row that conflicts with what is stored)."""
    usccs = sorted({r.uscc for r in rows})
    ids: dict[str, int] = {}
    for start in range(0, len(usccs), 900):
        chunk = usccs[start : start + 900]
        ids.update(
            s.execute(
                sa.select(Enterprise.uscc, Enterprise.id).where(
                    Enterprise.uscc.in_(chunk), enterprise_clause(actor)
                )
            ).all()
        )
    st = _Stored(s, sorted(ids.values()))
    who = actor.audit_name
    changes = summary.changes
    for row in rows:
        eid = ids.get(row.uscc)
        if eid is None:
            _reject(
                summary,
                row,
                "uscc",
                row.uscc,
                (
                    "no enterprise with this credit code is in the registry of your "
                    "area; import the enterprise first"
                ),
            )
            continue
        plans, bad = [], None
        for kind, field_, plan in _PLANS:
            part = getattr(row, kind)
            if part is None:
                continue
            action, what = plan(st, eid, part, who)
            if action == "reject":
                bad = (field_, what)
                break
            plans.append((kind, action, what))
        if bad:
            _reject(summary, row, bad[0], row.uscc, bad[1])
            continue
        acted = False
        for kind, action, what in plans:
            if action == "add":
                s.add(what)
                _remember(st, kind, what)
            elif action == "set":
                what()
            if action != "same":
                acted = True
                changes[kind] = changes.get(kind, 0) + 1
        if acted:
            summary.stored += 1
        else:
            summary.unchanged += 1


def _reject(summary: FoundationSummary, row: FoundationRow, field_, value, reason):
    summary.valid -= 1
    summary.rejected += 1
    summary.rejects.append(Reject(row.row, field_, str(value), reason))


def import_foundations(
    ctx: Context,
    actor: Actor,
    path: str | Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> FoundationSummary:
    """Import a safety-foundation file; every row is stored, unchanged or rejected.

    With ``dry_run`` the rows are checked against what is stored and counted,
    and nothing is written (the transaction is rolled back).

    Raises
    ------
    InvalidInputError
        An unreadable file, no header row with a 统一社会信用代码 column.
    PermissionDeniedError
        Anyone but the bureau (and the command line).
    """
    require_role(actor, "bureau", action="Importing enterprises' safety records")
    summary = FoundationSummary()
    rows = list(
        validate_foundation_rows(
            _read(Path(path), sheet), summary, today or local_today()
        )
    )
    _store(ctx, actor, rows, summary, dry_run)
    return summary


class _DryRun(Exception):
    pass


def _store(ctx, actor, rows, summary, dry_run) -> None:
    try:
        with ctx.transaction(actor) as s:
            _apply(s, actor, rows, summary)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if not summary.balanced:  # every row is stored or reported: never lost
        raise RuntimeError(f"import accounting is off: {summary.to_dict()}")


def record_foundations(
    ctx: Context,
    actor: Actor,
    uscc: str,
    values: dict,
    *,
    today: dt.date | None = None,
) -> FoundationSummary:
    """Record one enterprise's facts from a form, as a one-row import.

    ``values`` uses the file's field names (``std_status``, ``std_level``,
    ``std_date``, ``decl_year``, ``decl_status``, ``decl_date``, ``officer``,
    ``trained_on``); empty values set nothing.

    Raises
    ------
    InvalidInputError
        The row's first problem, in one sentence (all of them in
        ``details["rejects"]``).
    """
    require_role(actor, "bureau", action="Recording enterprises' safety records")
    raw = {k: v for k, v in values.items() if v not in (None, "")}
    raw["uscc"] = uscc
    summary = FoundationSummary()
    rows = list(validate_foundation_rows([(1, raw)], summary, today or local_today()))
    _store(ctx, actor, rows, summary, False)
    if summary.rejects:
        first = summary.rejects[0]
        raise InvalidInputError(
            f"{first.field}: {first.reason}.",
            details={"rejects": summary.to_dict()["rejects"], "field": first.field},
        )
    return summary


def enterprise_foundations(ctx: Context, actor: Actor, uscc: str) -> dict:
    """One enterprise's standardisation steps, declarations and officers.

    Raises
    ------
    NotFoundError
        No such enterprise in the actor's scope.
    """
    require_role(
        actor, "bureau", "street_office", action="Reading enterprises' safety records"
    )
    with ctx.engine.connect() as conn:
        ent = conn.execute(
            sa.select(Enterprise.id, Enterprise.uscc, Enterprise.name).where(
                Enterprise.uscc == uscc.strip().upper(), enterprise_clause(actor)
            )
        ).first()
        if ent is None:
            raise NotFoundError(f"There is no enterprise {uscc} in your area.")
        std = conn.execute(
            sa.select(
                StandardisationRecord.status,
                StandardisationRecord.level,
                StandardisationRecord.done_on,
            )
            .where(StandardisationRecord.enterprise_id == ent.id)
            .order_by(StandardisationRecord.done_on)
        ).all()
        decl = conn.execute(
            sa.select(
                HazardDeclaration.year,
                HazardDeclaration.status,
                HazardDeclaration.declared_on,
            )
            .where(HazardDeclaration.enterprise_id == ent.id)
            .order_by(HazardDeclaration.year)
        ).all()
        off = conn.execute(
            sa.select(SafetyOfficer.name, SafetyOfficer.trained_on)
            .where(SafetyOfficer.enterprise_id == ent.id)
            .order_by(SafetyOfficer.name, SafetyOfficer.trained_on)
        ).all()
    return {
        "uscc": ent.uscc,
        "name": ent.name,
        "standardisation": [dict(r._mapping) for r in std],
        "declarations": [dict(r._mapping) for r in decl],
        "officers": [dict(r._mapping) for r in off],
    }
