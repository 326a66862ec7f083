"""Turn a hazard row written before the state machine into a history it allows.

Schema revision 0003 (``0003_supervision``) moves hazards from the old statuses
(``open`` / ``overdue`` / ``rectified`` / ``closed``, ``vocab.LEGACY_HAZARD_STATUSES``)
to the states of :mod:`gridwatch.supervision` and gives every hazard an event
history. The old rows say only when a hazard was found, its deadline, when it was
rectified and closed, and whether it was listed; who did each step is not
recorded. :func:`legacy_history` rebuilds the shortest history the machine allows
that ends in the row's state, running every step through
:func:`gridwatch.supervision.perform` (so :func:`~gridwatch.supervision.replay`
accepts it):

* ``discover`` on ``found_on`` by the inspection's inspector (their username and
  role) when the row came from an inspection by a warden, street office or bureau
  account; by the enterprise (its credit code, role ``enterprise``) when it has no
  inspection (the old demo's self-reported hazards); otherwise by
  :data:`MIGRATION_ACTOR` as the street office. An ordinary hazard (or a major one
  found by the street office or bureau) gets its deadline at discovery;
* a major hazard found by a warden or the enterprise gets its deadline from
  :data:`MIGRATION_ACTOR` as the street office (``start_rectification``), and a
  listed one is listed instead by :data:`MIGRATION_ACTOR` as the bureau
  (``list_hazard``, listing date = discovery date, body and person "not recorded");
* ``record_rectification`` by the enterprise on ``rectified_on``;
* ``reinspect`` (passed) on ``closed_on`` by the discoverer, or the street office
  for a major hazard, or the bureau for a listed one.

Every synthesised step carries :data:`MIGRATION_NOTE`, so nobody mistakes it for a
recorded act. Repairs of inconsistent rows (no deadline, a deadline not after
discovery, dates out of order) are listed in the returned ``repairs``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gridwatch.errors import GridwatchError
from gridwatch.supervision import perform
from gridwatch.supervision.records import HazardEvent
from gridwatch.vocab import LEGACY_HAZARD_STATUSES

MIGRATION_ACTOR = "migration-0003"
MIGRATION_NOTE = "迁移补记:旧版记录未载明经办人 (synthesised by schema revision 0003)"
NOT_RECORDED = "旧版记录未载明 (not recorded)"
INSPECTOR_ROLES = ("warden", "street_office", "bureau")


@dataclass
class LegacyRow:
    """The fields of one old hazard row that the history is built from."""

    id: int
    uscc: str
    level: str
    status: str
    found_on: dt.date
    deadline: dt.date | None
    rectified_on: dt.date | None
    closed_on: dt.date | None
    is_listed: bool
    has_inspection: bool
    inspector: str | None = None
    inspector_role: str | None = None


@dataclass
class LegacyResult:
    """The new row values (``values``), the events in order, and any repairs."""

    values: dict
    events: list[HazardEvent]
    repairs: list[str] = field(default_factory=list)


def _discoverer(row: LegacyRow) -> tuple[str, str]:
    if not row.has_inspection:
        return row.uscc, "enterprise"
    if row.inspector and row.inspector_role in INSPECTOR_ROLES:
        return row.inspector, row.inspector_role
    return MIGRATION_ACTOR, "street_office"


def _dates(row: LegacyRow, state: str, repairs: list[str]):
    """Deadline, rectification and closure dates the machine can accept."""
    day = dt.timedelta(days=1)
    deadline = row.deadline
    needs = state != "found" or deadline is not None
    if needs and (deadline is None or deadline <= row.found_on):
        repairs.append(
            f"hazard {row.id}: deadline {deadline} not after discovery "
            f"{row.found_on}; set to {row.found_on + day}"
        )
        deadline = row.found_on + day
    rectified = row.rectified_on or row.closed_on or row.found_on
    if rectified < row.found_on:
        repairs.append(f"hazard {row.id}: rectified before found; set to found date")
        rectified = row.found_on
    closed = max(row.closed_on or rectified, rectified)
    return deadline, rectified, closed


def _steps(row: LegacyRow, state: str, deadline, rectified, closed) -> list[tuple]:
    """(action, actor, role, kwargs) in order."""
    who, role = _discoverer(row)
    note = MIGRATION_NOTE
    early = deadline is not None and (
        row.level == "ordinary" or role in ("street_office", "bureau")
    )
    steps = [
        (
            "discover",
            who,
            role,
            {
                "hazard_id": row.id,
                "level": row.level,
                "found_on": row.found_on,
                "deadline": deadline if early else None,
                "note": note,
            },
        )
    ]
    on = row.found_on
    if row.is_listed:
        steps.append(
            (
                "list_hazard",
                MIGRATION_ACTOR,
                "bureau",
                {
                    "on": on,
                    "supervising_body": NOT_RECORDED,
                    "responsible_person": NOT_RECORDED,
                    "deadline": deadline or on + dt.timedelta(days=1),
                    "note": note,
                },
            )
        )
    elif deadline is not None and not early:
        steps.append(
            (
                "start_rectification",
                MIGRATION_ACTOR,
                "street_office",
                {"on": on, "deadline": deadline, "note": note},
            )
        )
    if state in ("rectified", "closed"):
        steps.append(
            (
                "record_rectification",
                row.uscc,
                "enterprise",
                {"on": rectified, "note": note},
            )
        )
    if state == "closed":
        if row.is_listed:
            by = (MIGRATION_ACTOR, "bureau")
        elif role not in ("street_office", "bureau") and (
            row.level == "major" or role == "enterprise"
        ):
            by = (MIGRATION_ACTOR, "street_office")
        else:
            by = (who, role)
        steps.append(("reinspect", *by, {"on": closed, "passed": True, "note": note}))
    return steps


def legacy_history(row: LegacyRow) -> LegacyResult:
    """The new values and event history of one old hazard row.

    Raises
    ------
    GridwatchError
        An ``InvalidInputError`` naming the hazard when its status is unknown or
        the machine refuses a step (the migration stops with that sentence).
    """
    from gridwatch.errors import InvalidInputError

    if row.status not in LEGACY_HAZARD_STATUSES:
        raise InvalidInputError(
            f"Hazard {row.id} has status {row.status!r}, which revision 0003 cannot "
            f"map; set it to one of {', '.join(LEGACY_HAZARD_STATUSES)} first."
        )
    state = LEGACY_HAZARD_STATUSES[row.status]
    if state == "rectifying" and row.deadline is None:
        state = "found"  # an open hazard with no deadline was never ordered
    repairs: list[str] = []
    deadline, rectified, closed = _dates(row, state, repairs)
    hazard, events = None, []
    for action, who, role, kw in _steps(row, state, deadline, rectified, closed):
        try:
            t = perform(hazard, action, actor=who, role=role, in_scope=True, **kw)
        except GridwatchError as exc:
            raise InvalidInputError(
                f"Hazard {row.id} cannot be migrated: {exc.user_msg}"
            ) from None
        hazard = t.hazard
        events.append(t.event)
    listing = hazard.listing
    values = {
        "status": hazard.state,
        "deadline": hazard.deadline,
        "rectified_on": hazard.rectified_on,
        "closed_on": hazard.closed_on,
        "last_event_on": hazard.latest_date,
        "source": "inspection" if row.has_inspection else "self_report",
        "is_extended": False,
        "is_listed": hazard.is_listed,
        "listed_on": listing.listed_on if listing else None,
        "supervising_body": listing.supervising_body if listing else None,
        "listing_deadline": listing.deadline if listing else None,
        "responsible_person": listing.responsible_person if listing else None,
    }
    return LegacyResult(values, events, repairs)


def legacy_status(state: str, deadline: dt.date | None, on: dt.date) -> str:
    """The old status of a hazard in ``state`` (for the downgrade of 0003)."""
    if state in ("found", "rectifying"):
        return "overdue" if deadline is not None and deadline < on else "open"
    return state
