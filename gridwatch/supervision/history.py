"""Drive the hazard machine by name, and check a stored history against it.

:func:`perform` runs a transition by its action name (forms, the CLI, imports);
:func:`action_for` names the action that moves a hazard to a target state
(``gridwatch hazards transition ID STATE``).

:func:`replay` re-runs every event through the transitions of
:mod:`gridwatch.supervision.lifecycle` with the role it was recorded with, and
requires each to produce exactly the stored event. So a history passes only if the
machine allows every step in that order, on those dates, by those roles. Scope is not
recorded and is taken as granted (the services checked it when the event was made).
The demo generator and data migrations use it to produce only allowed histories.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridwatch.errors import GridwatchError, InvalidInputError
from gridwatch.supervision.lifecycle import (
    delist,
    discover,
    extend_deadline,
    list_hazard,
    record_rectification,
    rectify_on_spot,
    reinspect,
    start_rectification,
)
from gridwatch.supervision.records import (
    CLOSED,
    FOUND,
    RECTIFIED,
    RECTIFYING,
    STATES,
    Hazard,
    HazardEvent,
    Transition,
)
from gridwatch.supervision.rules import RULES

_TRANSITIONS = {
    "start_rectification": start_rectification,
    "record_rectification": record_rectification,
    "reinspect": reinspect,
    "extend_deadline": extend_deadline,
    "list_hazard": list_hazard,
    "delist": delist,
    "rectify_on_spot": rectify_on_spot,
}


def perform(hazard: Hazard | None, action: str, **kwargs) -> Transition:
    """Run ``action`` by name (for the CLI, forms and replay).

    ``perform(None, "discover", **kw)`` calls :func:`discover`; otherwise ``kwargs``
    are those of the transition of that name.
    """
    if action == "discover":
        if hazard is not None:
            raise ValueError("discover creates a hazard; pass hazard=None")
        return discover(**kwargs)
    if action not in _TRANSITIONS:
        raise ValueError(f"action must be one of {list(RULES)}, got {action!r}")
    if hazard is None:
        raise ValueError(f"{action} needs the hazard")
    return _TRANSITIONS[action](hazard, **kwargs)


#: (from state, to state) → the action that makes that move; rectified → rectifying
#: is a failed re-inspection and rectified → closed a passed one.
ACTION_BY_MOVE: dict[tuple[str, str], str] = {
    (FOUND, RECTIFYING): "start_rectification",
    (RECTIFYING, RECTIFIED): "record_rectification",
    (RECTIFIED, CLOSED): "reinspect",
    (RECTIFIED, RECTIFYING): "reinspect",
    (FOUND, CLOSED): "rectify_on_spot",
}


def action_for(hazard: Hazard, to_state: str) -> str:
    """The action that moves ``hazard`` to ``to_state`` (``hazards transition ID STATE``).

    Raises
    ------
    InvalidInputError
        ``to_state`` is unknown, or no single action makes that move.

    >>> import datetime as dt
    >>> action_for(Hazard(3, "ordinary", "found", dt.date(2024, 1, 1)), "rectifying")
    'start_rectification'
    """
    if to_state not in STATES:
        raise InvalidInputError(
            f"Unknown hazard state {to_state!r}; use one of {', '.join(STATES)}.",
            details={"field": "state"},
        )
    action = ACTION_BY_MOVE.get((hazard.state, to_state))
    if action is None:
        raise InvalidInputError(
            f"{hazard.label} is {hazard.state}; no action moves it to {to_state}.",
            details={
                "field": "state",
                "allowed": [b for (a, b) in ACTION_BY_MOVE if a == hazard.state],
            },
        )
    return action


_ARGS = {  # action -> event fields passed back to the transition
    "discover": ("level", "deadline", "note", "photos"),
    "start_rectification": ("deadline", "note", "photos"),
    "record_rectification": ("note", "photos"),
    "reinspect": ("passed", "note", "photos", "deadline"),
    "extend_deadline": ("deadline", "note"),
    "list_hazard": ("note",),
    "delist": ("note",),
    "rectify_on_spot": ("note", "photos"),
}


def _kwargs(event: HazardEvent) -> dict:
    """The transition's keyword arguments that reproduce ``event``."""
    kw = {k: getattr(event, k) for k in _ARGS[event.action]}
    kw.update(actor=event.actor, role=event.role, in_scope=True)
    if event.action == "discover":
        kw.update(hazard_id=event.hazard_id, found_on=event.on)
    else:
        kw["on"] = event.on
    if event.action == "list_hazard":
        listing = event.listing
        if listing is None:
            raise InvalidInputError("A list_hazard event has no listing details.")
        kw.update(
            supervising_body=listing.supervising_body,
            responsible_person=listing.responsible_person,
            deadline=listing.deadline,
        )
    return kw


def replay(events: Iterable[HazardEvent]) -> Hazard:
    """Rebuild a hazard from its events, refusing any history the machine forbids.

    Parameters
    ----------
    events : iterable of HazardEvent
        One hazard's events in order: a ``discover`` first, all with the same
        ``hazard_id``.

    Returns
    -------
    Hazard
        The hazard after the last event (what its row should hold).

    Raises
    ------
    InvalidInputError
        One sentence naming the first event that is not allowed and why (the
        refusal's own error code is in ``details["cause"]``).

    >>> import datetime as dt
    >>> from gridwatch.supervision.lifecycle import discover, rectify_on_spot
    >>> t1 = discover(hazard_id=5, level="ordinary", found_on=dt.date(2024, 5, 6),
    ...               actor="li", role="warden", in_scope=True)
    >>> t2 = rectify_on_spot(t1.hazard, actor="li", role="warden", in_scope=True,
    ...                      on=dt.date(2024, 5, 6), note="堵塞的疏散通道已清理")
    >>> replay([t1.event, t2.event]) == t2.hazard
    True
    """
    hazard: Hazard | None = None
    hazard_id = None
    for i, event in enumerate(events, start=1):
        if not isinstance(event, HazardEvent):
            raise TypeError(f"events must be HazardEvent, got {type(event).__name__}")
        where = f"Event {i} ({event.action} on {event.on})"
        if i == 1:
            hazard_id = event.hazard_id
            if event.action != "discover":
                raise InvalidInputError(f"{where} comes first but is not a discover.")
        elif event.action == "discover":
            raise InvalidInputError(f"{where} discovers the hazard a second time.")
        if event.hazard_id != hazard_id:
            raise InvalidInputError(
                f"{where} belongs to hazard {event.hazard_id}, not {hazard_id}."
            )
        if event.action not in _ARGS:
            raise InvalidInputError(f"{where} has an unknown action.")
        try:
            result = perform(hazard, event.action, **_kwargs(event))
        except GridwatchError as exc:
            raise InvalidInputError(
                f"{where} is not allowed: {exc.user_msg[0].lower()}{exc.user_msg[1:]}",
                details={"index": i, "cause": exc.code, **exc.details},
            ) from None
        except (TypeError, ValueError) as exc:  # a stored row with a bad field
            raise InvalidInputError(
                f"{where} is malformed: {exc}.", details={"index": i}
            ) from None
        if result.event != event:
            raise InvalidInputError(
                f"{where} records a different outcome ({event.from_state} → "
                f"{event.to_state}) than the machine gives ({result.event.from_state} "
                f"→ {result.event.to_state}) or differs in its details.",
                details={"index": i, "expected": result.event.to_dict()},
            )
        hazard = result.hazard
    if hazard is None:
        raise InvalidInputError("The history is empty; a hazard starts with discover.")
    return hazard
