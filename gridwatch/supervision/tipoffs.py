"""Public tip-offs (群众举报 / 随手拍): the triage state machine and escalation.

A tip-off arrives ``new`` (routed by its location to a grid and its warden; the
routing is spatial and lives in the services). Triage ends it in one of three
states, each final:

``converted``
    turned into a hazard at an enterprise (the services then record the hazard
    with :func:`gridwatch.supervision.lifecycle.discover`);
``referred``
    referred to another department (fire, market regulation, housing, ...): free
    text plus the referral date;
``dismissed``
    dismissed with a reason.

Who triages: a warden (their grids), the street office (its street) or the bureau
(the district); services pass ``in_scope``. An administrator does not triage.
Escalation is derived, never stored: a tip-off still ``new`` more than
``after_days`` days after it was received is escalated to the street office
(:func:`is_escalated`). The number of days is a setting; :data:`DEFAULT_ESCALATION_DAYS`
is gridwatch's default, a judgement (wardens walk their grids several times a week),
not a regulation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.supervision._common import (
    SCOPE_PHRASES,
    check_date,
    check_role,
    clean_photos,
    clean_text,
    optional_date,
    require_text,
    roles_phrase,
)
from gridwatch.supervision.records import check_actor

NEW, CONVERTED, REFERRED, DISMISSED = "new", "converted", "referred", "dismissed"
TIPOFF_STATES: tuple[str, ...] = (NEW, CONVERTED, REFERRED, DISMISSED)
#: Who may triage a tip-off.
TRIAGE_ROLES = frozenset({"warden", "street_office", "bureau"})
DEFAULT_ESCALATION_DAYS = 3
_ACTIONS = {"convert_to_hazard": CONVERTED, "refer": REFERRED, "dismiss": DISMISSED}
_DONE = {
    CONVERTED: "converted to a hazard",
    REFERRED: "referred",
    DISMISSED: "dismissed",
}


@dataclass(frozen=True)
class Tipoff:
    """A tip-off's current state (the row keeps only this; events keep the history).

    Attributes
    ----------
    id : int or None
        Row id (None before insert).
    received_on : date
        The day it was filed.
    state : str
        One of :data:`TIPOFF_STATES`.
    handled_on : date or None
        Triage date (the referral date for ``referred``).
    uscc : str or None
        Enterprise of the hazard it became (``converted``).
    hazard_id : int or None
        That hazard's id, when known.
    referred_to : str or None
        Department it was referred to (``referred``).
    reason : str or None
        Why it was dismissed (``dismissed``).
    """

    id: int | None
    received_on: dt.date
    state: str = NEW
    handled_on: dt.date | None = None
    uscc: str | None = None
    hazard_id: int | None = None
    referred_to: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.state not in TIPOFF_STATES:
            raise ValueError(
                f"state must be one of {TIPOFF_STATES}, got {self.state!r}"
            )
        check_date(self.received_on, "received_on")
        optional_date(self.handled_on, "handled_on")
        if (self.state == NEW) != (self.handled_on is None):
            raise ValueError(f"tip-off {self.id}: handled_on must be set iff triaged")

    @property
    def label(self) -> str:
        return "This tip-off" if self.id is None else f"Tip-off {self.id}"


@dataclass(frozen=True)
class TipoffEvent:
    """One triage step, stored as one event row."""

    tipoff_id: int | None
    action: str
    from_state: str
    to_state: str
    actor: str
    role: str
    on: dt.date
    note: str | None = None
    photos: tuple[str, ...] = field(default_factory=tuple)
    uscc: str | None = None
    hazard_id: int | None = None
    department: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready (date as ISO string, photos as a list) for rows and APIs."""
        out = dict(self.__dict__)
        out["on"] = self.on.isoformat()
        out["photos"] = list(self.photos)
        return out


@dataclass(frozen=True)
class TipoffTransition:
    """The tip-off after triage and the event to store."""

    tipoff: Tipoff
    event: TipoffEvent


def _precheck(
    action: str, tipoff: Tipoff, role: str, in_scope: bool, on: dt.date
) -> None:
    """Role, scope, state and date checks shared by the triage actions."""
    check_role(role)
    check_date(on, "on")
    verb = {"convert_to_hazard": "convert", "refer": "refer", "dismiss": "dismiss"}
    if role not in TRIAGE_ROLES:
        raise PermissionDeniedError(
            f"Only {roles_phrase(TRIAGE_ROLES)} can {verb[action]} a tip-off.",
            details={"action": action, "role": role},
        )
    if not in_scope:
        raise PermissionDeniedError(
            f"{tipoff.label} is not in {SCOPE_PHRASES[role]}, so you cannot "
            f"{verb[action]} it.",
            details={"action": action, "role": role},
        )
    if tipoff.state != NEW:
        raise ConflictError(
            f"{tipoff.label} was already {_DONE[tipoff.state]} on "
            f"{tipoff.handled_on}; it cannot be triaged again.",
            details={"state": tipoff.state, "action": action},
        )
    if on < tipoff.received_on:
        raise InvalidInputError(
            f"The date {on} is before {tipoff.label.lower()} was received on "
            f"{tipoff.received_on}.",
            details={"field": "on"},
        )


def _triage(tipoff, action, actor, role, on, note, photos=(), **kw):
    """Build the event and the new tip-off for a triage ``action``."""
    state = _ACTIONS[action]
    event = TipoffEvent(
        tipoff_id=tipoff.id,
        action=action,
        from_state=tipoff.state,
        to_state=state,
        actor=check_actor(actor),
        role=role,
        on=on,
        note=note,
        photos=clean_photos(photos),
        **kw,
    )
    new = replace(
        tipoff,
        state=state,
        handled_on=on,
        uscc=kw.get("uscc"),
        hazard_id=kw.get("hazard_id"),
        referred_to=kw.get("department"),
        reason=note if action == "dismiss" else None,
    )
    return TipoffTransition(new, event)


def convert_to_hazard(
    tipoff: Tipoff,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    uscc: str,
    hazard_id: int | None = None,
    note: str | None = None,
    photos: Sequence[str] = (),
) -> TipoffTransition:
    """Turn a new tip-off into a hazard at enterprise ``uscc``: new → converted.

    Records which enterprise (and hazard, when its id is known); the services
    record the hazard itself through :func:`~gridwatch.supervision.lifecycle.discover`
    in the same transaction.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        Not a triage role or out of scope; already triaged; no enterprise, or a
        date before the tip-off was received.
    """
    _precheck("convert_to_hazard", tipoff, role, in_scope, on)
    code = require_text(
        uscc, "uscc", "Converting a tip-off needs the enterprise the hazard is at."
    )
    return _triage(
        tipoff,
        "convert_to_hazard",
        actor,
        role,
        on,
        clean_text(note, "note"),
        photos,
        uscc=code,
        hazard_id=hazard_id,
    )


def refer(
    tipoff: Tipoff,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    department: str,
    note: str | None = None,
) -> TipoffTransition:
    """Refer a new tip-off to another department on ``on``: new → referred.

    ``department`` is free text (examples: ``vocab.REFERRAL_DEPARTMENTS``).
    """
    _precheck("refer", tipoff, role, in_scope, on)
    dept = require_text(
        department, "department", "A referral needs the department it goes to."
    )
    return _triage(
        tipoff, "refer", actor, role, on, clean_text(note, "note"), department=dept
    )


def dismiss(
    tipoff: Tipoff,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    reason: str,
) -> TipoffTransition:
    """Dismiss a new tip-off with a reason: new → dismissed."""
    _precheck("dismiss", tipoff, role, in_scope, on)
    text = require_text(reason, "reason", "Dismissing a tip-off needs a reason.")
    return _triage(tipoff, "dismiss", actor, role, on, text)


def tipoff_actions(
    tipoff: Tipoff, role: str, in_scope: bool, on: dt.date
) -> tuple[str, ...]:
    """The triage actions ``role`` may take on ``tipoff`` on ``on`` (the buttons)."""
    out = []
    for action in _ACTIONS:
        try:
            _precheck(action, tipoff, role, in_scope, on)
        except (PermissionDeniedError, ConflictError, InvalidInputError):
            continue
        out.append(action)
    return tuple(out)


def escalation_date(
    tipoff: Tipoff, after_days: int = DEFAULT_ESCALATION_DAYS
) -> dt.date:
    """The first day ``tipoff`` counts as escalated if still new."""
    if (
        isinstance(after_days, bool)
        or not isinstance(after_days, int)
        or after_days < 0
    ):
        raise ValueError(f"after_days must be a whole number >= 0, got {after_days!r}")
    return tipoff.received_on + dt.timedelta(days=after_days + 1)


def is_escalated(
    tipoff: Tipoff, on: dt.date, after_days: int = DEFAULT_ESCALATION_DAYS
) -> bool:
    """Whether ``tipoff`` is still new more than ``after_days`` days after receipt.

    Received on day ``r``: on ``r + after_days`` it is not escalated yet, on
    ``r + after_days + 1`` it is (the same edge as a hazard deadline). A triaged
    tip-off is never escalated.

    >>> t = Tipoff(1, dt.date(2024, 6, 1))
    >>> is_escalated(t, dt.date(2024, 6, 4)), is_escalated(t, dt.date(2024, 6, 5))
    (False, True)
    """
    check_date(on, "on")
    return tipoff.state == NEW and on >= escalation_date(tipoff, after_days)
