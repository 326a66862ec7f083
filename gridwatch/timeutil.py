"""Time in one place: stored timestamps are naive UTC; days and display are local.

A district's working day is Beijing time (Asia/Shanghai, UTC+8, no daylight saving):
"today" for a due date, an overdue hazard or a plan is that day, not the server's
or UTC's (at 07:00 in Foshan it is still yesterday in UTC).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: The district's time zone (China Standard Time).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    """Now as naive UTC, the form every ``DateTime`` column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in the district (Asia/Shanghai)."""
    return dt.datetime.now(LOCAL_TZ).date()


def to_local(stamp: dt.datetime | None) -> dt.datetime | None:
    """A stored naive-UTC timestamp as an aware Asia/Shanghai one (None stays None)."""
    if stamp is None:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(LOCAL_TZ)
