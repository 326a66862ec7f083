"""The hazard state machine (隐患闭环): 排查 → 整改 → 复查 → 销号, 挂牌 / 摘牌.

Source: SAWS Order No. 16 (2007, 安全生产事故隐患排查治理暂行规定), hazard grades
and loop; the roles and requirements of each step are in
:data:`gridwatch.supervision.rules.RULES` (printable, and what the tests walk)::

    action                from                          to
    discover              (none)                        found, or rectifying if a
                                                        deadline is given
    start_rectification   found                         rectifying
    record_rectification  rectifying                    rectified
    reinspect             rectified                     closed (pass) or
                                                        rectifying (fail)
    extend_deadline       rectifying                    rectifying (once per hazard)
    rectify_on_spot       found (ordinary, same day)    closed
    list_hazard           found / rectifying / rectified   rectifying / rectifying /
                          (major)                          rectified
    delist                closed (listed)               closed

Every function takes the hazard (immutable), the actor's username and role,
``in_scope`` (does the actor's scope cover the hazard? the services decide) and the
date ``on``, and returns a :class:`Transition`: the new :class:`Hazard` and the
:class:`HazardEvent` to store. Anything not allowed raises a
:mod:`gridwatch.errors` error with one sentence (see :mod:`.rules`). Overdue is
derived, never a state: :func:`is_overdue`, :func:`days_overdue`,
:func:`rectified_on_time`. ``extend_deadline`` lives in :mod:`.deadlines` and
``list_hazard`` / ``delist`` in :mod:`.listing`; all are importable from here and from
:mod:`gridwatch.supervision`, with :func:`~gridwatch.supervision.history.perform`
(run one by name) and :func:`~gridwatch.supervision.history.replay`.

>>> import datetime as dt
>>> t = discover(hazard_id=7, level="ordinary", found_on=dt.date(2024, 3, 1),
...              actor="wang", role="warden", in_scope=True,
...              deadline=dt.date(2024, 3, 31))
>>> t.hazard.state, t.event.action
('rectifying', 'discover')
>>> t = record_rectification(t.hazard, actor="wang", role="warden", in_scope=True,
...                          on=dt.date(2024, 3, 20), note="灭火器已更换")
>>> t = reinspect(t.hazard, actor="wang", role="warden", in_scope=True,
...               on=dt.date(2024, 3, 25), passed=True)
>>> t.hazard.state, t.hazard.closed_on
('closed', datetime.date(2024, 3, 25))
>>> record_rectification(t.hazard, actor="wang", role="warden", in_scope=True,
...                      on=dt.date(2024, 3, 26), note="again")
Traceback (most recent call last):
gridwatch.errors.ConflictError: Hazard 7 is closed; it cannot be rectified again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gridwatch.errors import InvalidInputError, PermissionDeniedError
from gridwatch.supervision._common import (
    SCOPE_PHRASES,
    check_date,
    check_role,
    clean_photos,
    clean_text,
    later_than,
    optional_date,
    require_text,
    roles_phrase,
)
from gridwatch.supervision.deadlines import (
    days_overdue,
    extend_deadline,
    is_overdue,
    rectified_on_time,
)
from gridwatch.supervision.listing import delist, list_hazard
from gridwatch.supervision.records import (
    CLOSED,
    FOUND,
    LEVELS,
    OPEN_STATES,
    RECTIFIED,
    RECTIFYING,
    STATES,
    UNRECTIFIED_STATES,
    Hazard,
    HazardEvent,
    Listing,
    Transition,
    check_actor,
    make_transition,
)
from gridwatch.supervision.rules import RULES, allowed_actions, precheck

__all__ = [
    "CLOSED",
    "FOUND",
    "LEVELS",
    "OPEN_STATES",
    "RECTIFIED",
    "RECTIFYING",
    "RULES",
    "STATES",
    "UNRECTIFIED_STATES",
    "Hazard",
    "HazardEvent",
    "Listing",
    "Transition",
    "allowed_actions",
    "days_overdue",
    "delist",
    "discover",
    "extend_deadline",
    "is_overdue",
    "list_hazard",
    "record_rectification",
    "rectified_on_time",
    "rectify_on_spot",
    "reinspect",
    "start_rectification",
]


def _article(level: str) -> str:
    return "an ordinary hazard" if level == "ordinary" else "a major hazard"


def discover(
    *,
    hazard_id: int | None,
    level: str,
    found_on: dt.date,
    actor: str,
    role: str,
    in_scope: bool,
    deadline: dt.date | None = None,
    note: str | None = None,
    photos: Sequence[str] = (),
) -> Transition:
    """Record a hazard (排查): ``found``, or ``rectifying`` when a deadline is given.

    Parameters
    ----------
    hazard_id : int or None
        The new row's id if known (else set it on the event before storing).
    level : str
        ``ordinary`` or ``major`` (SAWS Order No. 16 grades).
    found_on : date
        Discovery date.
    actor, role : str
        Username and role. ``enterprise`` marks the hazard self-reported (自查自报).
    in_scope : bool
        Whether the enterprise is in the actor's scope.
    deadline : date, optional
        Rectification deadline set at discovery, later than ``found_on``; allowed
        to the roles of ``start_rectification`` (for a major hazard: the street
        office or the bureau) and, for an ordinary hazard it reports itself, to the
        enterprise (自查自报: it schedules its own rectification). A major hazard an
        enterprise reports is ``found`` until the authority sets its deadline.
    note : str, optional
        Description.
    photos : sequence of str
        Photo keys.

    Returns
    -------
    Transition
        The new hazard and its ``discover`` event (``from_state`` None).

    Raises
    ------
    PermissionDeniedError, InvalidInputError
        Role or scope not allowed; deadline not later than ``found_on``.
    ValueError, TypeError
        Unknown level or role, blank actor, a date that is not a ``datetime.date``.
    """
    role, actor = check_role(role), check_actor(actor)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    check_date(found_on, "found_on")
    optional_date(deadline, "deadline")
    rule = RULES["discover"]
    roles = rule.roles
    if deadline is not None:  # the enterprise schedules its own ordinary hazards
        own = {"enterprise"} if level == "ordinary" else set()
        roles = RULES["start_rectification"].roles_for(level) | own
    if role not in roles:
        what = "a hazard" if deadline is None else f"{_article(level)} with a deadline"
        raise PermissionDeniedError(
            f"Only {roles_phrase(roles)} can record {what}.",
            details={"action": "discover", "role": role},
        )
    if not in_scope:
        raise PermissionDeniedError(
            f"The enterprise is not in {SCOPE_PHRASES[role]}, so you cannot record "
            "a hazard there.",
            details={"action": "discover", "role": role},
        )
    if deadline is not None:
        later_than(
            deadline,
            found_on,
            f"The deadline {deadline} must be later than "
            f"the discovery date {found_on}.",
        )
    state = FOUND if deadline is None else RECTIFYING
    hazard = Hazard(
        id=hazard_id,
        level=level,
        state=state,
        found_on=found_on,
        deadline=deadline,
        last_event_on=found_on,
        is_self_reported=role == "enterprise",
    )
    event = HazardEvent(
        hazard_id=hazard_id,
        action="discover",
        from_state=None,
        to_state=state,
        actor=actor,
        role=role,
        on=found_on,
        note=clean_text(note, "note"),
        photos=clean_photos(photos),
        deadline=deadline,
        level=level,
    )
    return Transition(hazard, event)


def start_rectification(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    deadline: dt.date,
    note: str | None = None,
    photos: Sequence[str] = (),
) -> Transition:
    """Order rectification by ``deadline`` (限期整改): found → rectifying.

    Roles: a warden, the street office or the bureau; for a major hazard the street
    office or the bureau; for a listed one the bureau. ``deadline`` must be later
    than ``on`` (e.g. :func:`~gridwatch.supervision.deadlines.default_deadline`).

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    deadline : date
        The rectification deadline.
    note : str, optional
        The order (整改指令), e.g. its document number.
    photos : sequence of str
        Photo keys.

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; deadline not later than ``on``.
    """
    precheck("start_rectification", hazard, role, in_scope, on)
    check_date(deadline, "deadline")
    later_than(
        deadline,
        on,
        f"The deadline {deadline} must be later than {on}, the day it is set.",
    )
    note, photos = clean_text(note, "note"), clean_photos(photos)
    return make_transition(
        hazard,
        "start_rectification",
        RECTIFYING,
        actor,
        role,
        on,
        {"deadline": deadline},
        note=note,
        photos=photos,
        deadline=deadline,
    )


def record_rectification(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    note: str,
    photos: Sequence[str] = (),
) -> Transition:
    """Record what was done (整改完成): rectifying → rectified, awaiting 复查.

    Roles: the enterprise (its reporter) or a warden, for any level. ``note`` says
    what was done (required); photos are optional. A rectification after the
    deadline is accepted and ends the overdue, but counts as late
    (:func:`rectified_on_time`).

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    note : str
        What was done (required).
    photos : sequence of str
        Photo keys (optional).

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; blank note.
    """
    precheck("record_rectification", hazard, role, in_scope, on)
    text = require_text(
        note, "note", "A rectification needs a note saying what was done."
    )
    return make_transition(
        hazard,
        "record_rectification",
        RECTIFIED,
        actor,
        role,
        on,
        {"rectified_on": on},
        note=text,
        photos=clean_photos(photos),
    )


def reinspect(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    passed: bool,
    note: str | None = None,
    photos: Sequence[str] = (),
    deadline: dt.date | None = None,
) -> Transition:
    """Re-inspect a rectification (复查): pass closes it (销号), fail reopens it.

    Roles: a warden, the street office or the bureau; for a major hazard the street
    office or the bureau; for a listed one only the bureau (the listing authority
    reviews it before writing it off). A pass takes no deadline; a fail needs a note
    (what is still wrong) and a new deadline later than ``on``, and the hazard goes
    back to rectifying (its rectification date is cleared; the event keeps it).

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    passed : bool
        The result.
    note : str, optional
        Findings; required when failed (what is still wrong).
    photos : sequence of str
        Photo keys.
    deadline : date, optional
        New deadline, later than ``on``: required when failed, refused when passed.

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; note or deadline missing or not allowed.
    """
    precheck("reinspect", hazard, role, in_scope, on)
    if not isinstance(passed, bool):
        raise TypeError(f"passed must be True or False, got {passed!r}")
    optional_date(deadline, "deadline")
    photos = clean_photos(photos)
    if passed:
        if deadline is not None:
            raise InvalidInputError(
                f"A passed re-inspection closes {hazard.label.lower()}; it takes no "
                "new deadline.",
                details={"field": "deadline"},
            )
        note = clean_text(note, "note")
        return make_transition(
            hazard,
            "reinspect",
            CLOSED,
            actor,
            role,
            on,
            {"closed_on": on},
            passed=True,
            note=note,
            photos=photos,
        )
    text = require_text(
        note, "note", "A failed re-inspection needs a note saying what is still wrong."
    )
    if deadline is None:
        raise InvalidInputError(
            "A failed re-inspection needs a new rectification deadline.",
            details={"field": "deadline"},
        )
    later_than(
        deadline,
        on,
        f"The new deadline {deadline} must be later than the re-inspection on {on}.",
    )
    changes = {"deadline": deadline, "rectified_on": None}
    return make_transition(
        hazard,
        "reinspect",
        RECTIFYING,
        actor,
        role,
        on,
        changes,
        passed=False,
        note=text,
        photos=photos,
        deadline=deadline,
    )


def rectify_on_spot(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    note: str,
    photos: Sequence[str] = (),
) -> Transition:
    """Close an ordinary hazard rectified on the spot (当场整改): found → closed.

    Order No. 16 calls an ordinary hazard one that can be removed at once; when the
    inspector who found it (a warden, the street office or the bureau) watches it
    removed the same day, that is its re-inspection, so the hazard closes with no
    deadline (:func:`rectified_on_time` is True). Major hazards never qualify.
    Requires a note saying what was done; photos optional.

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    note : str
        What was done (required).
    photos : sequence of str
        Photo keys (optional).

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; blank note.
    """
    precheck("rectify_on_spot", hazard, role, in_scope, on)
    text = require_text(
        note, "note", "An on-the-spot rectification needs a note saying what was done."
    )
    changes = {"rectified_on": on, "closed_on": on}
    return make_transition(
        hazard,
        "rectify_on_spot",
        CLOSED,
        actor,
        role,
        on,
        changes,
        note=text,
        photos=clean_photos(photos),
    )
