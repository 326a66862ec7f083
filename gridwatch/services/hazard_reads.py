"""The one read of hazards behind the warden pages (to-do, file, map counts).

``hazards.status`` holds the state of the machine in :mod:`gridwatch.supervision`
(``vocab.HAZARD_STATUSES``: found / rectifying / rectified / closed; overdue is
derived from the deadline). A hazard is *open* here while the enterprise still has
to act: :data:`gridwatch.supervision.UNRECTIFIED_STATES` (``found``,
``rectifying``); ``rectified`` waits for the re-inspection, not for the enterprise
(as ``gridwatch.analytics.coverage.count_open_hazards`` counts it). The
supervision pages read through :mod:`gridwatch.services.supervision`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Hazard
from gridwatch.db.queries import rows_frame
from gridwatch.supervision import UNRECTIFIED_STATES

#: States in which the enterprise still has to rectify.
OPEN_STATUSES = UNRECTIFIED_STATES

HAZARD_COLUMNS = [
    "id",
    "enterprise_id",
    "inspection_id",
    "level",
    "category",
    "description",
    "found_on",
    "deadline",
    "rectified_on",
    "closed_on",
    "status",
    "is_listed",
]


def read_hazards(
    conn,
    where: sa.ColumnElement[bool],
    on: dt.date,
    *,
    open_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Hazards matching ``where`` (the caller's scope clause), newest first.

    Parameters
    ----------
    conn : Connection
    where : SQL clause on ``Hazard`` (e.g. ``Hazard.enterprise_id.in_(...)``);
        the caller limits it to the actor's scope.
    on : date
        The day against which deadlines are measured (district today).
    open_only : bool
        Only hazards in :data:`OPEN_STATUSES`.
    limit, offset : int, optional
        One page of the newest-first order (paged in SQL; default all).

    Returns
    -------
    DataFrame
        :data:`HAZARD_COLUMNS` (dates as ``datetime.date`` or None) plus
        ``is_open`` (bool), ``days_to_deadline`` (Int64: deadline minus ``on`` in
        days, negative when past; NA when there is no deadline or it is not open)
        and ``is_past_deadline`` (bool: open and the deadline is before ``on``).
    """
    cols = [getattr(Hazard, c) for c in HAZARD_COLUMNS]
    stmt = sa.select(*cols).where(where)
    if open_only:
        stmt = stmt.where(Hazard.status.in_(OPEN_STATUSES))
    stmt = stmt.order_by(Hazard.found_on.desc(), Hazard.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    rows = conn.execute(stmt).all()
    frame = rows_frame(rows, HAZARD_COLUMNS)
    frame["is_listed"] = frame["is_listed"].astype(bool)
    frame["is_open"] = frame["status"].isin(OPEN_STATUSES)
    days = [
        (d - on).days if (d is not None and not pd.isna(d) and o) else None
        for d, o in zip(frame["deadline"], frame["is_open"])
    ]
    frame["days_to_deadline"] = pd.array(days, dtype="Int64")
    frame["is_past_deadline"] = (
        (frame["days_to_deadline"] < 0).fillna(False).astype(bool)
    )
    return frame


def count_hazards(
    conn, where: sa.ColumnElement[bool], *, open_only: bool = False
) -> int:
    """How many hazards :func:`read_hazards` would return without paging."""
    stmt = sa.select(sa.func.count()).select_from(Hazard).where(where)
    if open_only:
        stmt = stmt.where(Hazard.status.in_(OPEN_STATUSES))
    return int(conn.execute(stmt).scalar() or 0)
