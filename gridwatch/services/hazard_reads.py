"""The one read of hazards behind the warden pages (to-do, file, map counts).

Kept to one function on purpose: the hazard lifecycle (rectification,
re-inspection, closure, listed supervision) is being built separately and may
change what "open" means or where the status lives; swapping this function is
then the whole change for the warden, street and bureau reads.

Today's model (``hazards`` table): ``status`` is open / rectified / closed /
overdue (``gridwatch.vocab.HAZARD_STATUSES``). A hazard is *open* while the
enterprise still has to act (``open`` or ``overdue``); ``rectified`` waits for
the re-inspection, not for the enterprise (as
``gridwatch.analytics.coverage.count_open_hazards`` counts it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Hazard
from gridwatch.db.queries import rows_frame

#: Statuses in which the enterprise still has to rectify.
OPEN_STATUSES = ("open", "overdue")

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
    conn, where: sa.ColumnElement[bool], on: dt.date, *, open_only: bool = False
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
    rows = conn.execute(stmt.order_by(Hazard.found_on.desc(), Hazard.id.desc())).all()
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
