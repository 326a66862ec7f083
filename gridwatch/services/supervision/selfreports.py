"""Monthly self-inspection reports (自查自报): import the city's export, find
the enterprises that have not reported.

The export (CSV or XLSX, headers :data:`SELF_REPORT_HEADERS`; a sample with its
generating script is in ``tests/data/selfreports/``) has one row per report, or
one row per hazard the enterprise reported that month (the report's columns
repeated). Each row is stored, updated, unchanged or rejected with its reason:

* the report (enterprise × month, unique): stored new; a stored report without a
  submission date takes the file's date (updated); the same date again is
  unchanged; a different date is rejected (never replaced);
* a hazard (隐患描述 filled) enters the machine as the enterprise's own
  ``discover`` (role ``enterprise``, actor its credit code, source
  ``self_report``), with its own deadline for an ordinary hazard (a major one
  waits for the street office or bureau to set it; the proposed date is kept in
  the event's note), and ``record_rectification`` by the enterprise when the
  row gives its completion date. A hazard seen before (same 隐患编号, or the same
  description and date in that report) is unchanged, or updated when the file
  now brings its completion;
* the machine's refusal (e.g. a completion date before it was found) is the
  row's reject reason, word for word.

Non-reporters (:func:`missing_reports`) follow
:func:`gridwatch.supervision.non_reporters` (expected: legal-person enterprises
registered by the month's end; due by the ``self_report_due_day``-th of the next
month).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.db.hazard_rows import event_values, hazard_from_row, hazard_values
from gridwatch.db.models import Enterprise, Hazard, HazardEvent, SelfReport
from gridwatch.db.queries import bulk_insert
from gridwatch.errors import GridwatchError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.audit import record
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.supervision.hazard_acts import store_new_hazard
from gridwatch.services.supervision.imports import (
    check_output,
    finish_import,
    run_import,
)
from gridwatch.services.supervision.sheets import (
    ImportResult,
    cell_date,
    cell_month,
    read_sheet,
)
from gridwatch.supervision import discover, perform

IMPORTERS = ("street_office", "bureau")
SELF_REPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "name": ("企业名称", "单位名称"),
    "month": ("报送月份", "所属月份", "自查月份"),
    "submitted_on": ("报送日期", "填报日期", "上报日期"),
    "reporter": ("填报人", "报送人"),
    "hazard_ref": ("隐患编号",),
    "description": ("隐患描述", "隐患内容"),
    "level": ("隐患等级", "隐患级别"),
    "category": ("隐患类别", "隐患类型"),
    "found_on": ("发现日期",),
    "deadline": ("整改期限",),
    "rectified_on": ("整改完成日期",),
    "measures": ("整改措施",),
}
SELF_REPORT_REQUIRED = ("uscc", "month", "submitted_on")
_LEVELS = {
    **{v: k for k, v in vocab.HAZARD_LEVELS.items()},
    "一般": "ordinary",
    "重大": "major",
    **{k: k for k in vocab.HAZARD_LEVELS},
}
_CATEGORIES = {
    **{v: k for k, v in vocab.HAZARD_CATEGORIES.items()},
    **{k: k for k in vocab.HAZARD_CATEGORIES},
}
MAX_REF = 64


class _Reject(Exception):
    def __init__(self, field: str, value, reason: str):
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


@dataclasses.dataclass
class _Row:
    number: int
    raw: dict
    ent_id: int
    uscc: str
    month: str
    submitted_on: dt.date | None
    reporter: str | None
    hazard: dict | None
    known_id: int | None = None


def _date(raw, key, label):
    if key not in raw:
        return None
    try:
        return cell_date(raw[key])
    except ValueError:
        raise _Reject(key, raw[key], f"The {label} {raw[key]!r} is not a date; "
                      "write it as YYYY-MM-DD.") from None  # fmt: skip


def _hazard_part(raw: dict, submitted: dt.date | None) -> dict | None:
    if "description" not in raw and "hazard_ref" not in raw:
        return None
    desc = str(raw.get("description", "")).strip()
    if not desc:
        raise _Reject("description", "", "A reported hazard needs its description.")
    level = _LEVELS.get(str(raw.get("level", "")).strip())
    if level is None:
        raise _Reject("level", raw.get("level"), "The hazard level must be 一般 or "
                      "重大 (一般隐患/重大隐患).")  # fmt: skip
    category = _CATEGORIES.get(str(raw.get("category", "")).strip())
    if category is None:
        names = "、".join(vocab.HAZARD_CATEGORIES.values())
        raise _Reject("category", raw.get("category"),
                      f"The hazard category must be one of {names}.")  # fmt: skip
    found = _date(raw, "found_on", "found date") or submitted
    if found is None:
        raise _Reject("found_on", None, "A reported hazard needs its found date or "
                      "the report's submission date.")  # fmt: skip
    ref = str(raw["hazard_ref"]).strip() if "hazard_ref" in raw else None
    if ref and len(ref) > MAX_REF:
        raise _Reject("hazard_ref", ref, f"The hazard number is longer than {MAX_REF} "
                      "characters.")  # fmt: skip
    return {
        "description": desc, "level": level, "category": category, "found_on": found,
        "deadline": _date(raw, "deadline", "deadline"),
        "rectified_on": _date(raw, "rectified_on", "completion date"),
        "measures": raw.get("measures"), "ref": ref,
    }  # fmt: skip


def _parse(number, raw, ents: dict, on: dt.date) -> _Row:
    uscc = str(raw.get("uscc", "")).strip().upper()
    if uscc not in ents:
        raise _Reject("uscc", uscc, f"No enterprise in your area has credit code "
                      f"{uscc or '(blank)'}.")  # fmt: skip
    try:
        month = cell_month(raw.get("month", ""))
    except ValueError as exc:
        raise _Reject("month", raw.get("month"), f"{str(exc)[0].upper()}"
                      f"{str(exc)[1:]}.") from None  # fmt: skip
    submitted = _date(raw, "submitted_on", "submission date")
    if submitted is not None and submitted > on:
        raise _Reject(
            "submitted_on",
            submitted,
            f"The submission date {submitted} is in the future.",
        )
    if submitted is not None and submitted.strftime("%Y-%m") < month:
        raise _Reject(
            "submitted_on",
            submitted,
            f"The report of {month} cannot have "
            f"been submitted on {submitted}, before the month began.",
        )
    reporter = str(raw["reporter"]).strip()[:100] if "reporter" in raw else None
    return _Row(number, raw, ents[uscc], uscc, month, submitted, reporter,
                _hazard_part(raw, submitted))  # fmt: skip


def _simulate(conn, row: _Row) -> None:
    """Find a hazard reported before, and run the row's steps through the machine
    (no id yet), so a refusal rejects the row before anything is stored."""
    if row.hazard is None:
        return
    known = _known_hazard(conn, row)
    if known is None:
        _transitions(row, None)
        return
    row.known_id = known.id
    state = hazard_from_row(known)
    if row.hazard["rectified_on"] is not None and state.state == "rectifying":
        _rectification(state, row)


def _transitions(row: _Row, hazard_id):
    """The ``discover`` (and ``record_rectification``) of a row's hazard."""
    hz = row.hazard
    deadline = hz["deadline"] if hz["level"] == "ordinary" else None
    note = hz["description"]
    if hz["level"] == "major" and hz["deadline"] is not None:
        note += f"(企业拟定整改期限 {hz['deadline'].isoformat()})"
    t = discover(hazard_id=hazard_id, level=hz["level"], found_on=hz["found_on"],
                 actor=row.uscc, role="enterprise", in_scope=True,
                 deadline=deadline, note=note)  # fmt: skip
    out = [t]
    if hz["rectified_on"] is not None:
        out.append(_rectification(t.hazard, row))
    return out


def _rectification(hazard, row: _Row):
    hz = row.hazard
    return perform(
        hazard, "record_rectification", actor=row.uscc, role="enterprise",
        in_scope=True, on=hz["rectified_on"],
        note=str(hz["measures"] or "企业自报整改完成").strip(),
    )  # fmt: skip


def _enterprises(conn, actor: Actor, usccs) -> dict[str, int]:
    out = {}
    usccs = sorted({str(u).strip().upper() for u in usccs if u})
    for i in range(0, len(usccs), 500):
        out.update(conn.execute(
            sa.select(Enterprise.uscc, Enterprise.id).where(
                Enterprise.uscc.in_(usccs[i:i + 500]), enterprise_clause(actor))
        ).all())  # fmt: skip
    return out


def _existing_reports(conn, keys) -> dict[tuple, tuple]:
    """(enterprise_id, month) → (id, submitted_on, reporter) of stored reports.

    One query per month (a month's reports are at most one per enterprise), then
    kept to the keys asked: cheaper than long IN lists when an export covers the
    whole district.
    """
    out = {}
    months = sorted({m for _, m in keys})
    for month in months:
        rows = conn.execute(
            sa.select(SelfReport.enterprise_id, SelfReport.id,
                      SelfReport.submitted_on, SelfReport.reporter)
            .where(SelfReport.month == month)
        ).all()  # fmt: skip
        out.update({(r[0], month): (r[1], r[2], r[3]) for r in rows})
    return {k: v for k, v in out.items() if k in keys}


def _report_outcome(key, r: _Row, stored: dict, new: dict, updates: dict):
    """What row ``r`` does to its report: stored, updated or unchanged (and the
    pending inserts/updates), or a reject reason."""
    have = new.get(key) or stored.get(key)
    date = have[1] if have else None
    if have and date is not None and r.submitted_on not in (None, date):
        return None, (f"The report of {r.month} is already recorded as submitted on "
                      f"{date}; a stored date is never replaced.")  # fmt: skip
    if have is None:
        new[key] = (None, r.submitted_on, r.reporter)
        return "stored", None
    merged = (have[0], date or r.submitted_on, have[2] or r.reporter)
    if key in new:
        new[key] = merged
        return "unchanged", None  # the same report, from an earlier row
    if merged != have:
        stored[key] = updates[key] = merged
        return "updated", None
    return "unchanged", None


def _reports(s, rows: list[_Row], result, import_id) -> dict:
    """Store the rows' reports; count the report-only rows; return key → id."""
    conn = s.connection()
    keys = {(r.ent_id, r.month) for r in rows}
    stored = _existing_reports(conn, keys)
    new, updates = {}, {}
    for r in rows:
        outcome, reason = _report_outcome((r.ent_id, r.month), r, stored, new,
                                          updates)  # fmt: skip
        if reason:
            result.reject(r.number, "submitted_on", r.submitted_on, reason)
        elif r.hazard is None:
            setattr(result, outcome, getattr(result, outcome) + 1)
    if new:
        bulk_insert(conn, "self_reports", pd.DataFrame(
            [{"enterprise_id": k[0], "month": k[1], "submitted_on": v[1],
              "reporter": v[2], "n_hazards": 0, "import_id": import_id}
             for k, v in new.items()]), batch=20000)  # fmt: skip
        record(s, "bulk_insert", "self_reports", str(import_id), None,
               {"rows": len(new)})  # fmt: skip
    if updates:
        t = SelfReport.__table__
        conn.execute(
            t.update().where(t.c.id == sa.bindparam("_id")).values(
                submitted_on=sa.bindparam("d"), reporter=sa.bindparam("who")),
            [{"_id": v[0], "d": v[1], "who": v[2]} for v in updates.values()],
        )  # fmt: skip
        record(s, "bulk_update", "self_reports", str(import_id), None,
               {"rows": len(updates)})  # fmt: skip
    return {k: v[0] for k, v in _existing_reports(conn, keys).items()}


def _known_hazard(conn, row: _Row):
    """The hazard this row reported before (same 隐患编号, or the same
    description and found date in that enterprise's report of the month)."""
    hz = row.hazard
    where = [Hazard.enterprise_id == row.ent_id, Hazard.source == "self_report"]
    if hz["ref"]:
        where.append(Hazard.external_ref == hz["ref"])
    else:
        report = sa.select(SelfReport.id).where(
            SelfReport.enterprise_id == row.ent_id, SelfReport.month == row.month
        )
        where += [Hazard.self_report_id.in_(report),
                  Hazard.description == hz["description"],
                  Hazard.found_on == hz["found_on"]]  # fmt: skip
    return conn.execute(
        sa.select(Hazard.__table__).where(*where).order_by(Hazard.id).limit(1)
    ).first()


def _hazard_row(s, row: _Row, report_id, recorded_by, result) -> None:
    """Store or update one row's hazard through the machine."""
    if row.known_id is None:
        ts = _transitions(row, None)
        h = store_new_hazard(
            s, ts[0], enterprise_id=row.ent_id, category=row.hazard["category"],
            description=row.hazard["description"], recorded_by=recorded_by,
            source="self_report", self_report_id=report_id,
            external_ref=row.hazard["ref"],
        )  # fmt: skip
        if len(ts) > 1:
            _apply(s, h, _rectification(hazard_from_row(h), row), recorded_by)
        result.stored += 1
        result.hazards += 1
        return
    known = s.get(Hazard, row.known_id)
    state = hazard_from_row(known)
    if row.hazard["rectified_on"] is not None and state.state == "rectifying":
        _apply(s, known, _rectification(state, row), recorded_by)
        result.updated += 1
    else:
        result.unchanged += 1


def _apply(s, row: Hazard, t, recorded_by: str) -> None:
    for key, value in hazard_values(t.hazard).items():
        setattr(row, key, value)
    event = dataclasses.replace(t.event, hazard_id=row.id)
    s.add(HazardEvent(**event_values(event, recorded_by)))


def _import_body(s, actor, sheet, result, import_id, on) -> None:
    raws = []
    for number, raw in sheet.rows:
        result.rows += 1
        if raw:
            raws.append((number, raw))
        else:
            result.blank += 1
    conn = s.connection()
    ents = _enterprises(conn, actor, [raw.get("uscc") for _, raw in raws])
    rows = []
    for number, raw in raws:
        try:
            row = _parse(number, raw, ents, on)
            _simulate(conn, row)
        except _Reject as exc:
            result.reject(number, exc.field, exc.value, exc.reason)
            continue
        except GridwatchError as exc:
            fld = exc.details.get("field", "description")
            result.reject(number, fld, raw.get(fld), exc.user_msg)
            continue
        rows.append(row)
    ids = _reports(s, rows, result, import_id)
    rejected = {r.row for r in result.rejects}
    for row in rows:
        if row.hazard is None or row.number in rejected:
            continue
        try:
            with s.begin_nested():
                _hazard_row(s, row, ids[(row.ent_id, row.month)], actor.username,
                            result)  # fmt: skip
        except GridwatchError as exc:
            result.reject(row.number, "rectified_on", row.raw.get("rectified_on"),
                          exc.user_msg)  # fmt: skip
    _recount(conn, ids.values())


def _recount(conn, report_ids) -> None:
    """``n_hazards`` of each touched report: its self-reported hazards."""
    ids = sorted(set(report_ids))
    t = SelfReport.__table__
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        counts = dict(conn.execute(
            sa.select(Hazard.self_report_id, sa.func.count())
            .where(Hazard.self_report_id.in_(chunk))
            .group_by(Hazard.self_report_id)).all())  # fmt: skip
        touched = [{"_id": k, "n": v} for k, v in counts.items()]
        if touched:
            conn.execute(t.update().where(t.c.id == sa.bindparam("_id"))
                         .values(n_hazards=sa.bindparam("n")), touched)  # fmt: skip


class _Rows:
    """Rows already read (field → value), numbered as a file would number them."""

    def __init__(self, rows):
        self.rows = ((n, raw) for n, raw in enumerate(rows, start=2))
        self.unknown_headers: list[str] = []


def import_rows(
    session, actor: Actor, rows, *, file_name: str, on: dt.date
) -> ImportResult:
    """Import rows that are already read (dicts keyed by the fields of
    :data:`SELF_REPORT_HEADERS`) inside the caller's ``session``: the same checks
    and accounting as a file (the demo's export goes this way).
    """
    from gridwatch.db.models import SupervisionImport
    from gridwatch.services.supervision.imports import keep_counts

    require_role(actor, *IMPORTERS, action="Importing self-inspection reports")
    result = ImportResult("self_reports", file_name)
    rec = SupervisionImport(kind="self_reports", file_name=file_name[:255],
                            sha256="-", imported_by=actor.username, counts={},
                            rejects=[])  # fmt: skip
    session.add(rec)
    session.flush()
    _import_body(session, actor, _Rows(rows), result, rec.id, on)
    keep_counts(rec, result)
    result.import_id = rec.id
    return result


def import_self_reports(
    ctx: Context,
    actor: Actor,
    path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    rejects_path=None,
    on: dt.date | None = None,
) -> ImportResult:
    """Import the city system's self-report export (see the module docstring).

    Who: the street office (its street's enterprises; others are rejected as not
    in its area), the bureau, or the command line. The enterprise's own acts are
    recorded with role ``enterprise``; ``recorded_by`` names the importer.

    Returns
    -------
    ImportResult
        ``rows`` = ``stored`` + ``updated`` + ``unchanged`` + ``rejected`` +
        ``blank``; ``hazards``: hazards newly recorded; ``rejects`` with reasons.
    """
    from gridwatch.services.supervision.common import the_day

    require_role(actor, *IMPORTERS, action="Importing self-inspection reports")
    check_output(rejects_path)
    on = the_day(on)
    path = Path(path)
    sht = read_sheet(path, SELF_REPORT_HEADERS, SELF_REPORT_REQUIRED, sheet)
    result = ImportResult("self_reports", path.name, dry_run=dry_run,
                          unknown_headers=sht.unknown_headers)  # fmt: skip
    run_import(
        ctx,
        actor,
        path,
        result,
        lambda s, imp: _import_body(s, actor, sht, result, imp, on),
    )
    return finish_import(result, rejects_path)
