"""Hazards as the pages and the API show them: labelled rows, photos, a paged list.

Built on :func:`gridwatch.services.hazard_reads.read_hazards` (the one read of
hazards), so when the supervision lifecycle changes what "open" means, these
lists follow. A hazard's ``state`` is its state in the hazard machine
(``vocab.HAZARD_STATUSES``): rows written before the machine (``open``,
``overdue``) are read through ``vocab.LEGACY_HAZARD_STATUSES`` (both were
unrectified hazards with a deadline: 整改中), and "past its deadline" is shown as
the derived flag ``overdue`` (``vocab.HAZARD_FLAGS``), never as a state.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from gridwatch import vocab
from gridwatch.db.models import Enterprise, Hazard
from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.geojson import records
from gridwatch.services.hazard_reads import count_hazards, read_hazards
from gridwatch.services.photos import photos_of
from gridwatch.services.scope import check_enterprise, enterprise_ids_clause
from gridwatch.timeutil import today

#: Largest page of a hazard list.
MAX_LIMIT = 500


def hazard_state(status: str | None) -> str | None:
    """The hazard-machine state of a stored status (legacy statuses mapped).

    >>> hazard_state("open"), hazard_state("rectifying"), hazard_state("closed")
    ('rectifying', 'rectifying', 'closed')
    """
    if status in vocab.HAZARD_STATUSES:
        return status
    return vocab.LEGACY_HAZARD_STATUSES.get(status, status)


def hazard_rows(conn, where: sa.ColumnElement[bool], on: dt.date, **page) -> list[dict]:
    """Hazards matching ``where`` (the caller's scope), newest first, as dicts.

    Each dict: the :func:`~gridwatch.services.hazard_reads.read_hazards` columns
    (``description`` is user text) plus ``state``/``state_label``,
    ``level_label``, ``category_label``, ``flags`` (codes of
    ``vocab.HAZARD_FLAGS``: ``overdue`` when open past its deadline, ``listed``)
    and ``photos`` (summaries). ``page``: ``limit``/``offset`` for SQL paging.
    """
    frame = read_hazards(conn, where, on, **page)
    photos = photos_of(conn, hazard_ids=frame["id"].tolist())
    out = []
    for rec in records(frame):
        rec["state"] = hazard_state(rec["status"])
        rec["state_label"] = vocab.HAZARD_STATUSES.get(rec["state"], rec["state"])
        rec["level_label"] = vocab.HAZARD_LEVELS.get(rec["level"], rec["level"])
        rec["category_label"] = vocab.HAZARD_CATEGORIES.get(
            rec["category"], rec["category"]
        )
        rec["flags"] = [
            flag
            for flag, on_ in (
                ("overdue", rec["is_past_deadline"]),
                ("listed", rec["is_listed"]),
            )
            if on_
        ]
        rec["photos"] = photos.get(("hazard", rec["id"]), [])
        out.append(rec)
    return out


def list_hazards(
    ctx: Context,
    actor: Actor,
    *,
    open_only: bool = False,
    level: str | None = None,
    enterprise_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    on: dt.date | None = None,
) -> dict:
    """The hazards in the actor's scope, newest first, a page at a time.

    Parameters
    ----------
    open_only : bool
        Only hazards the enterprise still has to rectify
        (:data:`~gridwatch.services.hazard_reads.OPEN_STATUSES`).
    level : str, optional
        ``vocab.HAZARD_LEVELS`` key.
    enterprise_id : int, optional
        One enterprise (NotFoundError when it is outside the scope).

    Returns
    -------
    dict
        ``items`` (:func:`hazard_rows` dicts with ``uscc`` and ``enterprise_name``
        added), ``total`` (all pages), ``limit``, ``offset``, ``on``.

    Raises
    ------
    NotFoundError, InvalidInputError
    """
    require_role(
        actor, "warden", "street_office", "bureau", "admin", action="Listing hazards"
    )
    if level is not None and level not in vocab.HAZARD_LEVELS:
        raise InvalidInputError(
            f"Unknown hazard level {level!r}; use one of "
            f"{', '.join(vocab.HAZARD_LEVELS)}."
        )
    if not (1 <= limit <= MAX_LIMIT) or offset < 0:
        raise InvalidInputError(
            f"limit must be between 1 and {MAX_LIMIT} and offset 0 or more."
        )
    on = on or today()
    where = enterprise_ids_clause(actor, Hazard.enterprise_id)
    if level is not None:
        where = sa.and_(where, Hazard.level == level)
    with ctx.engine.connect() as conn:
        if enterprise_id is not None:
            check_enterprise(conn, actor, enterprise_id)
            where = sa.and_(where, Hazard.enterprise_id == enterprise_id)
        total = count_hazards(conn, where, open_only=open_only)
        items = hazard_rows(
            conn, where, on, open_only=open_only, limit=limit, offset=offset
        )
        ids = sorted({h["enterprise_id"] for h in items})
        names = {
            r.id: (r.uscc, r.name)
            for r in conn.execute(
                sa.select(Enterprise.id, Enterprise.uscc, Enterprise.name).where(
                    Enterprise.id.in_(ids or [0])
                )
            )
        }
    for h in items:
        h["uscc"], h["enterprise_name"] = names[h["enterprise_id"]]
    return {"items": items, "total": total, "limit": limit, "offset": offset, "on": on}
