"""Plan vs done: which planned stops the recorded inspections fulfil.

A warden records an inspection (检查/抽查/巡查) of an enterprise; the plan
planned a stop at that enterprise on a day. Matching, per enterprise:

1. an inspection **on the stop's day** fulfils that stop (``done``);
2. the enterprise's other stops, in day order, take its remaining inspections
   in date order (``done_other_day``: earlier or later than planned, within the
   plan's window), one inspection per stop;
3. a stop left without an inspection is ``missed`` when its day is before
   ``today`` and ``pending`` otherwise (today's stops are pending until done).

Any inspection of the enterprise counts, whoever recorded it (the enterprise was
inspected); ``inspector`` says who, so a page can tell a colleague's visit from
the planned warden's. Inspections outside the window do not count for it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gridwatch.frames import require_columns
from gridwatch.vocab import PATROL_STOP_STATUSES

__all__ = ["STOP_STATUSES", "match_visits"]

#: Status of a planned stop → Chinese label (kept in :mod:`gridwatch.vocab`).
STOP_STATUSES = PATROL_STOP_STATUSES


def match_visits(
    stops: pd.DataFrame, inspections: pd.DataFrame, today: dt.date
) -> pd.DataFrame:
    """Match planned stops to recorded inspections (rules: module docstring).

    Parameters
    ----------
    stops : pandas.DataFrame
        ``stop_id``, ``enterprise_id``, ``day`` (date planned).
    inspections : pandas.DataFrame
        ``inspection_id``, ``enterprise_id``, ``inspected_on`` (date) and
        optionally ``inspector``; already limited to the plan's window.
    today : datetime.date

    Returns
    -------
    pandas.DataFrame
        ``stops`` with ``status`` (a key of :data:`STOP_STATUSES`),
        ``inspection_id``, ``inspected_on`` and ``inspector`` (None when not
        done), in the input's order.

    Examples
    --------
    >>> d = dt.date
    >>> stops = pd.DataFrame({"stop_id": [1, 2, 3], "enterprise_id": [7, 8, 9],
    ...     "day": [d(2026, 12, 1), d(2026, 12, 1), d(2026, 12, 3)]})
    >>> done = pd.DataFrame({"inspection_id": [50, 51], "enterprise_id": [7, 8],
    ...     "inspected_on": [d(2026, 12, 1), d(2026, 12, 2)]})
    >>> match_visits(stops, done, today=d(2026, 12, 2))["status"].tolist()
    ['done', 'done_other_day', 'pending']
    """
    require_columns(stops, ["stop_id", "enterprise_id", "day"], "stops")
    require_columns(
        inspections, ["inspection_id", "enterprise_id", "inspected_on"], "inspections"
    )
    out = stops.copy()
    found: dict = {}
    by_ent = {
        e: sorted(
            zip(
                g["inspected_on"],
                g["inspection_id"],
                g["inspector"] if "inspector" in g else [None] * len(g),
            ),
            key=lambda t: (t[0], t[1]),
        )
        for e, g in inspections.groupby("enterprise_id")
    }
    for e, group in out.groupby("enterprise_id"):
        pool = list(by_ent.get(e, []))
        rest = []
        for sid, day in sorted(zip(group["stop_id"], group["day"]), key=lambda t: t[1]):
            same = next((i for i in pool if i[0] == day), None)
            if same is not None:
                pool.remove(same)
                found[sid] = ("done", *same)
            else:
                rest.append(sid)
        for sid, hit in zip(rest, pool):
            found[sid] = ("done_other_day", *hit)
    status, ids, dates, who = [], [], [], []
    for sid, day in zip(out["stop_id"], out["day"]):
        if sid in found:
            st, on, iid, by = found[sid]
        else:
            st, on, iid, by = ("missed" if day < today else "pending"), None, None, None
        status.append(st)
        ids.append(iid)
        dates.append(on)
        who.append(by)
    out["status"] = status
    out["inspection_id"] = pd.Series(ids, index=out.index, dtype=object)
    out["inspected_on"] = pd.Series(dates, index=out.index, dtype=object)
    out["inspector"] = pd.Series(who, index=out.index, dtype=object)
    return out
