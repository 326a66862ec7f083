"""Listed supervision of major hazards (挂牌督办) and delisting (摘牌).

Source: SAWS Order No. 16 (2007, 安全生产事故隐患排查治理暂行规定): the authority may put
a major hazard (重大事故隐患) under listed supervision and writes it off once its
rectification passes review. In gridwatch only the bureau lists and delists, a
listing needs a supervising body, a responsible person and a deadline, and a hazard
is delisted only once closed (a passed re-inspection, which for a listed hazard only
the bureau can make). Part of the machine of :mod:`gridwatch.supervision.lifecycle`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from gridwatch.supervision._common import (
    check_date,
    clean_text,
    later_than,
    require_text,
)
from gridwatch.supervision.records import (
    CLOSED,
    FOUND,
    RECTIFIED,
    RECTIFYING,
    Hazard,
    Listing,
    Transition,
    make_event,
)
from gridwatch.supervision.rules import precheck


def list_hazard(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    supervising_body: str,
    responsible_person: str,
    deadline: dt.date,
    note: str | None = None,
) -> Transition:
    """Put a major hazard under listed supervision (挂牌督办); only the bureau.

    The listing records ``on`` (listing date), the supervising body, the
    responsible person and a deadline later than ``on``. A ``found`` hazard becomes
    ``rectifying`` with that deadline; a rectifying one takes it as its deadline; a
    rectified one keeps its state and deadline (its rectification is judged against
    the deadline it had), and the listing deadline applies if re-inspection fails.

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    supervising_body : str
        Who supervises (督办单位), e.g. 区安委办.
    responsible_person : str
        Who answers for the rectification (责任人).
    deadline : date
        The listing's deadline, later than ``on``.
    note : str, optional
        E.g. the listing document's number.

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; blank body or person, deadline not later than ``on``.
    """
    precheck("list_hazard", hazard, role, in_scope, on)
    check_date(deadline, "deadline")
    body = require_text(
        supervising_body, "supervising_body", "A listing needs the supervising body."
    )
    person = require_text(
        responsible_person,
        "responsible_person",
        "A listing needs the responsible person.",
    )
    later_than(
        deadline,
        on,
        f"The listing deadline {deadline} must be later than the listing date {on}.",
    )
    listing = Listing(on, body, deadline, person)
    state = RECTIFYING if hazard.state == FOUND else hazard.state
    new_deadline = hazard.deadline if hazard.state == RECTIFIED else deadline
    event = make_event(
        hazard,
        "list_hazard",
        state,
        actor,
        role,
        on,
        note=clean_text(note, "note"),
        deadline=None if hazard.state == RECTIFIED else deadline,
        listing=listing,
    )
    new = replace(
        hazard, state=state, deadline=new_deadline, listing=listing, last_event_on=on
    )
    return Transition(new, event)


def delist(
    hazard: Hazard,
    *,
    actor: str,
    role: str,
    in_scope: bool,
    on: dt.date,
    note: str | None = None,
) -> Transition:
    """Delist a listed hazard (摘牌); only the bureau, only once it is closed.

    Parameters
    ----------
    hazard : Hazard
        Its current state.
    actor, role, in_scope, on
        Username, role, whether the actor's scope covers the hazard, and the date
        (not before the hazard's latest event): as for every transition.
    note : str, optional
        E.g. the acceptance record (验收).

    Returns
    -------
    Transition
        The hazard after it and the event to store.

    Raises
    ------
    PermissionDeniedError, ConflictError, InvalidInputError
        One sentence: role or scope; state, level or history; a date before the latest event.
    """
    precheck("delist", hazard, role, in_scope, on)
    event = make_event(
        hazard, "delist", CLOSED, actor, role, on, note=clean_text(note, "note")
    )
    return Transition(replace(hazard, delisted_on=on, last_event_on=on), event)
