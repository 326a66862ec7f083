"""Hazard rows ↔ the domain records of :mod:`gridwatch.supervision`.

One place converts both ways, so the services, the bulk paths (demo, migration
0003) and the tests store and read events identically:

* :func:`event_values` — a :class:`~gridwatch.supervision.HazardEvent` as the
  column values of a ``hazard_events`` row;
* :func:`event_from_row` — the inverse (what :func:`~gridwatch.supervision.replay`
  takes);
* :func:`hazard_from_row` — a ``hazards`` row (any mapping or object with its
  columns) as the machine's :class:`~gridwatch.supervision.Hazard`;
* :func:`hazard_values` — the columns a transition changes on the ``hazards`` row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from gridwatch.supervision.records import Hazard, HazardEvent, Listing

#: ``hazards`` columns :func:`hazard_from_row` reads.
HAZARD_STATE_COLUMNS = (
    "id",
    "level",
    "status",
    "found_on",
    "deadline",
    "rectified_on",
    "closed_on",
    "last_event_on",
    "is_extended",
    "listed_on",
    "supervising_body",
    "listing_deadline",
    "responsible_person",
    "delisted_on",
    "source",
)


def _get(row: Any, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _day(value) -> dt.date | None:
    """A date from a DB value (SpatiaLite may return ISO text through Core)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def hazard_from_row(row: Any) -> Hazard:
    """The machine's view of a ``hazards`` row (columns :data:`HAZARD_STATE_COLUMNS`).

    Raises ValueError (from :class:`Hazard`) for a row no history could produce.
    """
    listing = None
    if _get(row, "listed_on") is not None:
        listing = Listing(
            listed_on=_day(_get(row, "listed_on")),
            supervising_body=_get(row, "supervising_body"),
            deadline=_day(_get(row, "listing_deadline")),
            responsible_person=_get(row, "responsible_person"),
        )
    return Hazard(
        id=int(_get(row, "id")),
        level=_get(row, "level"),
        state=_get(row, "status"),
        found_on=_day(_get(row, "found_on")),
        deadline=_day(_get(row, "deadline")),
        rectified_on=_day(_get(row, "rectified_on")),
        closed_on=_day(_get(row, "closed_on")),
        last_event_on=_day(_get(row, "last_event_on")),
        is_extended=bool(_get(row, "is_extended")),
        listing=listing,
        delisted_on=_day(_get(row, "delisted_on")),
        is_self_reported=_get(row, "source") == "self_report",
    )


def hazard_values(hazard: Hazard) -> dict[str, Any]:
    """The ``hazards`` columns that hold the machine's state of ``hazard``."""
    listing = hazard.listing
    return {
        "status": hazard.state,
        "deadline": hazard.deadline,
        "rectified_on": hazard.rectified_on,
        "closed_on": hazard.closed_on,
        "last_event_on": hazard.latest_date,
        "is_extended": hazard.is_extended,
        "is_listed": hazard.is_listed,
        "listed_on": listing.listed_on if listing else None,
        "supervising_body": listing.supervising_body if listing else None,
        "listing_deadline": listing.deadline if listing else None,
        "responsible_person": listing.responsible_person if listing else None,
        "delisted_on": hazard.delisted_on,
    }


def event_values(event: HazardEvent, recorded_by: str) -> dict[str, Any]:
    """A ``hazard_events`` row (without id and recorded_at) for ``event``."""
    extra: dict[str, Any] = {}
    if event.level is not None:
        extra["level"] = event.level
    if event.listing is not None:
        extra["listing"] = event.listing.to_dict()
    return {
        "hazard_id": event.hazard_id,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor,
        "role": event.role,
        "acted_on": event.on,
        "note": event.note,
        "photos": list(event.photos),
        "deadline": event.deadline,
        "passed": event.passed,
        "extra": extra or None,
        "recorded_by": recorded_by,
    }


def _json(value):
    """A JSON column's value (raw SQL on SQLite returns the text)."""
    return json.loads(value) if isinstance(value, str) else value


def event_from_row(row: Any) -> HazardEvent:
    """Inverse of :func:`event_values` (for :func:`~gridwatch.supervision.replay`)."""
    extra = _json(_get(row, "extra")) or {}
    listing = extra.get("listing")
    passed = _get(row, "passed")
    return HazardEvent(
        hazard_id=int(_get(row, "hazard_id")),
        action=_get(row, "action"),
        from_state=_get(row, "from_state"),
        to_state=_get(row, "to_state"),
        actor=_get(row, "actor"),
        role=_get(row, "role"),
        on=_day(_get(row, "acted_on")),
        note=_get(row, "note"),
        photos=tuple(_json(_get(row, "photos")) or ()),
        deadline=_day(_get(row, "deadline")),
        passed=None if passed is None else bool(passed),
        level=extra.get("level"),
        listing=Listing.from_dict(listing) if listing else None,
    )
