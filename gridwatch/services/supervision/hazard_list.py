"""Reading hazards: the filtered, paged list and one hazard with its history.

Every read filters by the actor's scope in SQL (the hazard's enterprise, through
:func:`gridwatch.services.scope.enterprise_clause` on the day judged); a hazard
outside the scope looks absent. Overdue is derived by the rule of
:func:`gridwatch.supervision.deadlines.overdue_flags` (unrectified and the day
after the deadline); the SQL filter ``overdue=`` applies the same rule.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from gridwatch import vocab
from gridwatch.db.hazard_rows import event_from_row, hazard_from_row
from gridwatch.db.models import (
    Enterprise,
    EnterpriseGrid,
    Grid,
    Hazard,
    HazardEvent,
    Penalty,
    Tipoff,
)
from gridwatch.db.queries import effective_on
from gridwatch.errors import InvalidInputError, NotFoundError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause, grid_clause
from gridwatch.services.supervision.common import (
    ACTING_ROLES,
    Page,
    choices,
    page_args,
    plain,
    the_day,
)
from gridwatch.supervision import (
    RULES,
    UNRECTIFIED_STATES,
    allowed_actions,
    default_deadline,
    overdue_flags,
)

#: Columns of a hazard list item (besides the derived ones).
LIST_COLUMNS = (
    "id",
    "enterprise_id",
    "uscc",
    "enterprise_name",
    "town_code",
    "grid_code",
    "level",
    "category",
    "description",
    "source",
    "status",
    "found_on",
    "deadline",
    "rectified_on",
    "closed_on",
    "is_extended",
    "is_listed",
    "listed_on",
    "delisted_on",
    "inspection_id",
)
#: What each action asks for (``*`` required), for the page's form.
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "start_rectification": ("deadline", "note", "photos"),
    "record_rectification": ("note*", "photos"),
    "reinspect": ("passed*", "note", "photos", "deadline"),
    "extend_deadline": ("deadline*", "note*"),
    "list_hazard": ("supervising_body*", "responsible_person*", "deadline*", "note"),
    "delist": ("note",),
    "rectify_on_spot": ("note*", "photos"),
}
_SORTS = {
    "deadline": lambda on: (Hazard.deadline.is_(None), Hazard.deadline, Hazard.id),
    # the warden's "my hazards": overdue ones first (longest overdue first), then
    # the rest by deadline (awaiting re-inspection among them), none last
    "overdue": lambda on: (
        sa.case((overdue_clause(on), 0), else_=1),
        Hazard.deadline.is_(None),
        Hazard.deadline,
        Hazard.id,
    ),
    "found": lambda on: (Hazard.found_on, Hazard.id),
    "-found": lambda on: (Hazard.found_on.desc(), Hazard.id.desc()),
    "id": lambda on: (Hazard.id,),
}


def _select(actor: Actor, on: dt.date):
    """SELECT of :data:`LIST_COLUMNS` with the grid the enterprise is in on ``on``."""
    eg = aliased(EnterpriseGrid)
    cols = [
        Hazard.id,
        Hazard.enterprise_id,
        Enterprise.uscc,
        Enterprise.name.label("enterprise_name"),
        Enterprise.town_code,
        eg.grid_code,
        *(getattr(Hazard, c) for c in LIST_COLUMNS[6:]),
    ]
    stmt = (
        sa.select(*cols)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .outerjoin(
            eg, sa.and_(eg.enterprise_id == Hazard.enterprise_id, effective_on(eg, on))
        )
        .where(enterprise_clause(actor, on))
    )
    return stmt, eg


def _check_grid(conn, actor: Actor, grid: str, on: dt.date) -> None:
    found = conn.execute(
        sa.select(Grid.code).where(Grid.code == grid, grid_clause(actor, on)).limit(1)
    ).scalar()
    if found is None:
        raise NotFoundError(f"There is no grid {grid} in your area.")


def overdue_clause(on: dt.date) -> sa.ColumnElement[bool]:
    """SQL for "overdue on ``on``": unrectified and ``on`` after the deadline
    (the rule of :func:`gridwatch.supervision.deadlines.is_overdue`)."""
    return sa.and_(
        Hazard.status.in_(UNRECTIFIED_STATES),
        Hazard.deadline.is_not(None),
        Hazard.deadline < on,
    )


def _filters(conn, actor, on, eg, f: dict) -> list:
    where = []
    statuses = choices(f.get("status"), vocab.HAZARD_STATUSES, "hazard status")
    if statuses:
        where.append(Hazard.status.in_(statuses))
    levels = choices(f.get("level"), vocab.HAZARD_LEVELS, "hazard level")
    if levels:
        where.append(Hazard.level.in_(levels))
    sources = choices(f.get("source"), vocab.HAZARD_SOURCES, "hazard source")
    if sources:
        where.append(Hazard.source.in_(sources))
    if f.get("grid"):
        _check_grid(conn, actor, f["grid"], on)
        where.append(eg.grid_code == f["grid"])
    if f.get("town"):
        where.append(Enterprise.town_code == f["town"])
    if f.get("enterprise_id") is not None:
        where.append(Hazard.enterprise_id == int(f["enterprise_id"]))
    if f.get("overdue") is not None:
        late = overdue_clause(on)
        where.append(late if f["overdue"] else sa.not_(late))
    if f.get("listed") is not None:
        where.append(Hazard.is_listed.is_(bool(f["listed"])))
    if f.get("ever_listed"):
        where.append(Hazard.listed_on.is_not(None))
    if f.get("open_only"):
        where.append(Hazard.status != "closed")
    if f.get("due_within") is not None:
        horizon = on + dt.timedelta(days=int(f["due_within"]))
        where.append(
            sa.and_(
                Hazard.status.in_(UNRECTIFIED_STATES),
                Hazard.deadline.is_not(None),
                Hazard.deadline <= horizon,
            )
        )
    return where


def _items(rows, on: dt.date) -> list[dict]:
    """List items: the columns, their labels and the derived flags."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(LIST_COLUMNS))
    if frame.empty:
        return []
    frame = overdue_flags(frame, on)
    out = []
    for rec in frame.to_dict("records"):
        rec = plain(rec)
        rec["is_extended"] = bool(rec["is_extended"])
        rec["is_listed"] = bool(rec["is_listed"])
        rec["is_overdue"] = bool(rec["is_overdue"])
        deadline = rec["deadline"]
        rec["days_left"] = (
            (dt.date.fromisoformat(deadline) - on).days
            if deadline and rec["status"] in UNRECTIFIED_STATES
            else None
        )
        rec["level_label"] = vocab.HAZARD_LEVELS[rec["level"]]
        rec["status_label"] = vocab.HAZARD_STATUSES[rec["status"]]
        rec["category_label"] = vocab.HAZARD_CATEGORIES.get(rec["category"])
        rec["source_label"] = vocab.HAZARD_SOURCES.get(rec["source"])
        out.append(rec)
    return out


def list_hazards(
    ctx: Context,
    actor: Actor,
    *,
    status=None,
    level=None,
    source=None,
    grid: str | None = None,
    town: str | None = None,
    enterprise_id: int | None = None,
    overdue: bool | None = None,
    listed: bool | None = None,
    ever_listed: bool = False,
    open_only: bool = False,
    due_within: int | None = None,
    sort: str = "deadline",
    page: int = 1,
    per_page: int = 50,
    on: dt.date | None = None,
) -> Page:
    """Hazards in the actor's scope, filtered and paged (one SQL query each).

    Parameters
    ----------
    status, level, source : str or list of str, optional
        ``vocab.HAZARD_STATUSES`` / ``HAZARD_LEVELS`` / ``HAZARD_SOURCES`` codes.
    grid : str, optional
        A grid of the actor's scope (the enterprise's grid on ``on``); another
        grid is NotFoundError.
    town : str, optional
        The enterprise's town/street code (the bureau's filter).
    overdue, listed : bool, optional
        Only (True) or none of (False) the overdue / currently listed hazards.
    ever_listed : bool
        Only hazards that were ever listed (挂牌), delisted ones included.
    open_only : bool
        Leave out closed hazards.
    due_within : int, optional
        Unrectified hazards whose deadline is at most this many days after ``on``
        (overdue ones included).
    sort : str
        ``deadline`` (earliest first, none last), ``overdue`` (overdue ones
        first, then by deadline), ``found``, ``-found`` or ``id``.
    on : date, optional
        The day judged (default today, Asia/Shanghai).

    Returns
    -------
    Page
        ``items``: dicts with :data:`LIST_COLUMNS` (dates ISO text) plus
        ``level_label``, ``status_label``, ``category_label``, ``source_label``,
        ``is_overdue`` (bool), ``days_overdue`` (int), ``days_left`` (int, days
        from ``on`` to the deadline, negative when past; None when rectified,
        closed or without deadline).
    """
    page, per_page = page_args(page, per_page)
    if sort not in _SORTS:
        raise InvalidInputError(
            f"Unknown sort {sort!r}; use one of {', '.join(_SORTS)}."
        )
    on = the_day(on)
    filters = {
        "status": status,
        "level": level,
        "source": source,
        "grid": grid,
        "town": town,
        "enterprise_id": enterprise_id,
        "overdue": overdue,
        "listed": listed,
        "ever_listed": ever_listed,
        "open_only": open_only,
        "due_within": due_within,
    }
    with ctx.engine.connect() as conn:
        stmt, eg = _select(actor, on)
        where = _filters(conn, actor, on, eg, filters)
        stmt = stmt.where(*where)
        total = conn.execute(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        ).scalar_one()
        rows = conn.execute(
            stmt.order_by(*_SORTS[sort](on))
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    return Page(_items(rows, on), int(total), page, per_page, on)


def _event_dict(row) -> dict:
    event = event_from_row(row)
    out = plain(event.to_dict())
    out.update(
        id=row.id,
        action_label=vocab.HAZARD_ACTIONS.get(event.action),
        role_label=vocab.ACTOR_ROLES.get(event.role),
        to_state_label=vocab.HAZARD_STATUSES.get(event.to_state),
        recorded_by=row.recorded_by,
        recorded_at=plain(row.recorded_at),
    )
    return out


def _actions(hazard, actor: Actor, on: dt.date, settings) -> list[dict]:
    """The buttons: actions the actor may take now, with the fields each needs."""
    if actor.role not in ACTING_ROLES:
        return []
    out = []
    for action in allowed_actions(hazard, actor.role, True, on):
        item = {
            "action": action,
            "label": vocab.HAZARD_ACTIONS[action],
            "fields": list(ACTION_FIELDS[action]),
            "requires": RULES[action].requires,
        }
        if action in ("start_rectification", "reinspect", "list_hazard"):
            days = {k: int(v) for k, v in settings.hazard_deadline_days.items()}
            item["default_deadline"] = default_deadline(
                hazard.level, on, days
            ).isoformat()
        out.append(item)
    return out


def show_hazard(
    ctx: Context, actor: Actor, hazard_id: int, *, on: dt.date | None = None
) -> dict:
    """One hazard in the actor's scope with its history and next allowed actions.

    Returns
    -------
    dict
        The list item's keys (see :func:`list_hazards`) plus ``supervising_body``,
        ``listing_deadline``, ``responsible_person`` (listing, or None);
        ``history``: events oldest first (``id``, ``action``/``action_label``,
        ``from_state``, ``to_state``/``to_state_label``, ``actor``, ``role``/
        ``role_label``, ``on``, ``note``, ``photos`` (keys), ``deadline``,
        ``passed``, ``level``, ``listing``, ``recorded_by``, ``recorded_at``);
        ``actions``: what the actor may do now (``action``, ``label``,
        ``fields`` — ``*`` marks required —, ``requires``, and
        ``default_deadline`` where a deadline is asked); ``penalties``
        (``id``, ``decision_no``, ``decided_on``, ``kind``, ``amount_yuan``);
        ``tipoff_id`` (the tip-off it came from, or None).

    Raises
    ------
    NotFoundError
        No such hazard in the actor's scope.
    """
    on = the_day(on)
    with ctx.engine.connect() as conn:
        stmt, _ = _select(actor, on)
        row = conn.execute(stmt.where(Hazard.id == hazard_id)).first()
        if row is None:
            raise NotFoundError(f"There is no hazard {hazard_id} in your area.")
        h = conn.execute(
            sa.select(Hazard.__table__).where(Hazard.id == hazard_id)
        ).first()
        events = conn.execute(
            sa.select(HazardEvent.__table__)
            .where(HazardEvent.hazard_id == hazard_id)
            .order_by(HazardEvent.id)
        ).all()
        history = [_event_dict(e) for e in events]
        pens = conn.execute(
            sa.select(
                Penalty.id,
                Penalty.decision_no,
                Penalty.decided_on,
                Penalty.kind,
                Penalty.amount_yuan,
            ).where(Penalty.hazard_id == hazard_id)
        ).all()
        tipoff = conn.execute(
            sa.select(Tipoff.id).where(Tipoff.hazard_id == hazard_id)
        ).scalar()
    item = _items([row], on)[0]
    state = hazard_from_row(h)
    item.update(
        supervising_body=h.supervising_body,
        listing_deadline=plain(h.listing_deadline),
        responsible_person=h.responsible_person,
        history=history,
        actions=_actions(state, actor, on, ctx.settings),
        penalties=[plain(dict(p._mapping)) for p in pens],
        tipoff_id=tipoff,
    )
    return item
