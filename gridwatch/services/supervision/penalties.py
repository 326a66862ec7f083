"""Penalties (行政处罚 / 经济处罚): record, list, import, and the one total.

Who: the street office (enterprises of its street) and the bureau (the district)
record and import; the command line (``system``) may import. Every record is
checked by :func:`gridwatch.supervision.validate_penalty`; its decision number is
unique, and a number already stored is never replaced: the same record again is
"unchanged", a different one under that number is rejected.

Totals: :func:`penalty_totals_by` reads the penalties of the actor's scope in SQL
and hands them to :func:`gridwatch.supervision.penalty_totals`, the ONE rule for
counts and yuan by town and month (the annual report uses the same function).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch import vocab
from gridwatch.db.models import Enterprise, EnterpriseGrid, Hazard, Inspection, Penalty
from gridwatch.db.queries import effective_on
from gridwatch.errors import ConflictError, GridwatchError, NotFoundError
from gridwatch.grids.codes import town_of
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause
from gridwatch.services.supervision.common import (
    Page,
    enterprise_in_scope,
    page_args,
    parse_date,
    plain,
    the_day,
)
from gridwatch.services.supervision.imports import finish_import, run_import
from gridwatch.services.supervision.sheets import (
    ImportResult,
    cell_date,
    read_sheet,
)
from gridwatch.supervision import penalty_totals, validate_penalty
from gridwatch.timeutil import utcnow

RECORDERS = ("street_office", "bureau")
#: Import headers: field → accepted spellings (the first is the export's).
PENALTY_HEADERS: dict[str, tuple[str, ...]] = {
    "decision_no": ("处罚决定书文号", "决定书文号", "处罚决定书编号", "文号",
                    "decision_no"),
    "decided_on": ("处罚决定日期", "决定日期", "处罚日期", "decided_on"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "name": ("企业名称", "单位名称", "当事人", "name"),
    "kind": ("处罚种类", "处罚类型", "kind"),
    "amount_yuan": ("罚款金额(元)", "罚款金额", "金额(元)", "金额", "amount_yuan"),
    "inspection_id": ("检查记录编号", "inspection_id"),
    "hazard_id": ("隐患编号", "hazard_id"),
}  # fmt: skip
PENALTY_REQUIRED = ("decision_no", "decided_on", "uscc", "kind")


def _check_links(conn, ent_id: int, p) -> None:
    """The inspection or hazard named must be one of that enterprise's."""
    for model, value, what in (
        (Inspection, p.inspection_id, "inspection"),
        (Hazard, p.hazard_id, "hazard"),
    ):
        if value is None:
            continue
        owner = conn.execute(
            sa.select(model.enterprise_id).where(model.id == value)
        ).scalar()
        if owner != ent_id:
            raise NotFoundError(
                f"There is no {what} {value} of this enterprise.",
                details={"field": f"{what}_id"},
            )


def _same(row, ent_id: int, p) -> bool:
    return (
        row.enterprise_id == ent_id
        and row.decided_on == p.decided_on
        and row.kind == p.kind
        and round(row.amount_yuan * 100) == round(p.amount_yuan * 100)
    )


def _values(p, ent_id: int, actor: Actor, import_id=None) -> dict:
    return {
        "enterprise_id": ent_id,
        "decision_no": p.decision_no,
        "decided_on": p.decided_on,
        "kind": p.kind,
        "amount_yuan": p.amount_yuan,
        "inspection_id": p.inspection_id,
        "hazard_id": p.hazard_id,
        "recorded_by": actor.username,
        "recorded_at": utcnow(),
        "import_id": import_id,
    }


def add_penalty(
    ctx: Context,
    actor: Actor,
    *,
    uscc: str,
    decision_no: str,
    decided_on,
    kind: str,
    amount_yuan=0,
    inspection_id: int | None = None,
    hazard_id: int | None = None,
) -> dict:
    """Record one penalty decision.

    Parameters
    ----------
    uscc : str
        The enterprise (in the actor's scope).
    decision_no : str
        The decision's number (unique).
    decided_on : date or ``YYYY-MM-DD``
        Not in the future.
    kind : str
        ``vocab.PENALTY_KINDS`` code or its Chinese label.
    amount_yuan : number or text
        Yuan (see :func:`~gridwatch.supervision.validate_penalty`).
    inspection_id, hazard_id : int, optional
        What led to it (of that enterprise).

    Returns
    -------
    dict
        ``id``, ``enterprise_id``, ``uscc``, ``decision_no``, ``decided_on``,
        ``kind``, ``kind_label``, ``amount_yuan``, ``inspection_id``,
        ``hazard_id``, ``recorded_by``.

    Raises
    ------
    InvalidInputError, NotFoundError, ConflictError, PermissionDeniedError
        A wrong field; an enterprise, inspection or hazard not in the scope; the
        decision number is taken; not the street office or bureau.
    """
    require_role(actor, *RECORDERS, action="Recording a penalty")
    p = validate_penalty(
        decision_no=decision_no,
        decided_on=parse_date(decided_on, "decision date") or the_day(None),
        kind=kind,
        amount_yuan=amount_yuan,
        uscc=uscc,
        inspection_id=inspection_id,
        hazard_id=hazard_id,
        today=the_day(None),
    )
    with ctx.transaction(actor) as s:
        conn = s.connection()
        ent = enterprise_in_scope(conn, actor, uscc=p.uscc)
        _check_links(conn, ent.id, p)
        taken = s.scalar(
            sa.select(Penalty.id).where(Penalty.decision_no == p.decision_no)
        )
        if taken is not None:
            raise ConflictError(
                f"Decision number {p.decision_no} is already recorded; check the "
                "number.",
                details={"field": "decision_no", "id": taken},
            )
        row = Penalty(**_values(p, ent.id, actor))
        s.add(row)
        s.flush()
        new_id = row.id
    return {
        "id": new_id,
        "enterprise_id": ent.id,
        "uscc": p.uscc,
        **plain(p.to_dict()),
        "kind_label": vocab.PENALTY_KINDS[p.kind],
        "recorded_by": actor.username,
    }


def _penalty_select(actor: Actor):
    return (
        sa.select(
            Penalty.id,
            Penalty.decision_no,
            Penalty.decided_on,
            Penalty.kind,
            Penalty.amount_yuan,
            Penalty.enterprise_id,
            Enterprise.uscc,
            Enterprise.name.label("enterprise_name"),
            Enterprise.town_code,
            Penalty.inspection_id,
            Penalty.hazard_id,
            Penalty.recorded_by,
        )
        .join(Enterprise, Enterprise.id == Penalty.enterprise_id)
        .where(enterprise_clause(actor))
    )


def _period(stmt, start, end):
    if start is not None:
        stmt = stmt.where(Penalty.decided_on >= start)
    if end is not None:
        stmt = stmt.where(Penalty.decided_on <= end)
    return stmt


def list_penalties(
    ctx: Context,
    actor: Actor,
    *,
    town: str | None = None,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Penalties of enterprises in the actor's scope, newest first.

    Returns
    -------
    Page
        Items: ``id``, ``decision_no``, ``decided_on``, ``kind``, ``kind_label``,
        ``amount_yuan``, ``enterprise_id``, ``uscc``, ``enterprise_name``,
        ``town_code``, ``inspection_id``, ``hazard_id``, ``recorded_by``.
    """
    page, per_page = page_args(page, per_page)
    stmt = _period(_penalty_select(actor), start, end)
    if town:
        stmt = stmt.where(Enterprise.town_code == town)
    if kind:
        stmt = stmt.where(Penalty.kind == kind)
    with ctx.engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        ).scalar_one()
        rows = conn.execute(
            stmt.order_by(Penalty.decided_on.desc(), Penalty.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    items = []
    for r in rows:
        item = plain(dict(r._mapping))
        item["kind_label"] = vocab.PENALTY_KINDS.get(r.kind)
        items.append(item)
    return Page(items, int(total), page, per_page, the_day(None))


def penalty_totals_by(
    ctx: Context,
    actor: Actor,
    *,
    by: tuple[str, ...] = ("town_code", "month"),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Penalty counts and yuan of the actor's scope by ``by`` (default town × month).

    The rows are read in SQL (scope and period) and summed by
    :func:`gridwatch.supervision.penalty_totals` only; ``town_code`` is the
    enterprise's town/street, else the town of the grid it was in on the
    decision day (``None`` when neither is known, kept as its own row). Columns: ``by`` then ``penalties``, ``fines``,
    ``fines_yuan``, ``confiscated_yuan`` (labels ``vocab.PENALTY_TOTAL_LABELS``).
    """
    eg = aliased(EnterpriseGrid)
    stmt = _period(_penalty_select(actor), start, end)
    stmt = stmt.add_columns(eg.grid_code).outerjoin(
        eg,
        sa.and_(
            eg.enterprise_id == Penalty.enterprise_id,
            effective_on(eg, Penalty.decided_on),
        ),
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=list(stmt.selected_columns.keys())
    )
    # the enterprise's own town, else the town of its grid on the decision day
    grid_town = frame["grid_code"].map(lambda g: town_of(g) if g else None)
    frame["town_code"] = frame["town_code"].where(frame["town_code"].notna(), grid_town)
    return penalty_totals(frame, by=tuple(by))


def _import_rows(s, actor, sheet, result: ImportResult, import_id) -> None:
    """Validate and store each row (one query per row: imports are hundreds)."""
    conn = s.connection()
    seen: dict[str, tuple] = {}
    for number, raw in sheet.rows:
        result.rows += 1
        if not raw:
            result.blank += 1
            continue
        try:
            decided = cell_date(raw.get("decided_on", ""))
        except ValueError as exc:
            result.reject(number, "decided_on", raw.get("decided_on"), f"{exc}.")
            continue
        try:
            p = validate_penalty(
                decision_no=raw.get("decision_no"), decided_on=decided,
                kind=raw.get("kind", ""), amount_yuan=raw.get("amount_yuan", 0),
                uscc=raw.get("uscc", ""), inspection_id=_int(raw, "inspection_id"),
                hazard_id=_int(raw, "hazard_id"), today=the_day(None),
            )  # fmt: skip
            ent = enterprise_in_scope(conn, actor, uscc=p.uscc)
            _check_links(conn, ent.id, p)
        except GridwatchError as exc:
            fld = exc.details.get("field", "uscc")
            result.reject(number, fld, raw.get(fld), exc.user_msg)
            continue
        stored = s.execute(
            sa.select(Penalty).where(Penalty.decision_no == p.decision_no)
        ).scalar()
        if stored is not None or p.decision_no in seen:
            same = _same(stored, ent.id, p) if stored is not None else (
                seen[p.decision_no] == (ent.id, p.decided_on, p.kind, p.amount_yuan)
            )  # fmt: skip
            if same:
                result.unchanged += 1
            else:
                result.reject(
                    number, "decision_no", p.decision_no,
                    f"Decision number {p.decision_no} is already recorded with other "
                    "details; a stored penalty is never replaced by an import.",
                )  # fmt: skip
            continue
        seen[p.decision_no] = (ent.id, p.decided_on, p.kind, p.amount_yuan)
        s.add(Penalty(**_values(p, ent.id, actor, import_id)))
        result.stored += 1


def _int(raw: dict, key: str):
    v = raw.get(key)
    if v is None:
        return None
    try:
        return int(str(v).strip())
    except ValueError:
        return str(v)  # validate_penalty names it


def import_penalties(
    ctx: Context,
    actor: Actor,
    path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    rejects_path=None,
) -> ImportResult:
    """Import penalty decisions from CSV/XLSX (headers :data:`PENALTY_HEADERS`).

    Every row is stored, found unchanged, or rejected with its reason; blank rows
    are counted. Nothing stored is replaced. One transaction: a failure stores
    nothing. ``dry_run`` checks every row and stores nothing. ``rejects_path``
    writes the rejects as CSV (行号, 字段, 值, 原因).

    Returns
    -------
    ImportResult
        ``rows`` = ``stored`` + ``unchanged`` + ``rejected`` + ``blank``;
        ``rejects`` (row, field, value, reason); ``import_id`` of the stored
        ``supervision_imports`` row (None for a dry run).
    """
    require_role(actor, *RECORDERS, action="Importing penalties")
    path = Path(path)
    sht = read_sheet(path, PENALTY_HEADERS, PENALTY_REQUIRED, sheet)
    result = ImportResult("penalties", path.name, dry_run=dry_run,
                          unknown_headers=sht.unknown_headers)  # fmt: skip
    run_import(ctx, actor, path, result, lambda s, imp: _import_rows(
        s, actor, sht, result, imp))  # fmt: skip
    return finish_import(result, rejects_path)
