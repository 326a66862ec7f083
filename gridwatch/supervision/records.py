"""The records of the hazard loop: a hazard's current state and its event history.

Services keep one :class:`Hazard` per hazard row (its current state only) and one
:class:`HazardEvent` row per transition, so a hazard's history can be shown and
audited and :func:`gridwatch.supervision.history.replay` can check it.

States (``vocab.HAZARD_STATUSES``), after the loop 排查 → 整改 → 复查 → 销号 of
SAWS Order No. 16 (2007, 安全生产事故隐患排查治理暂行规定):

``found``
    排查: recorded, no rectification deadline yet.
``rectifying``
    整改: ordered to be rectified by ``deadline``.
``rectified``
    整改完成: the enterprise or the warden recorded what was done; awaiting
    re-inspection (复查).
``closed``
    销号: a re-inspection passed (or an ordinary hazard was rectified on the spot).

Overdue is not a state: see :func:`gridwatch.supervision.deadlines.is_overdue`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from gridwatch.supervision._common import check_date, optional_date
from gridwatch.vocab import HAZARD_LEVELS

FOUND, RECTIFYING, RECTIFIED, CLOSED = "found", "rectifying", "rectified", "closed"
STATES: tuple[str, ...] = (FOUND, RECTIFYING, RECTIFIED, CLOSED)
#: Not yet rectified: the states in which a hazard can be overdue.
UNRECTIFIED_STATES: tuple[str, ...] = (FOUND, RECTIFYING)
#: Not closed: every state a to-do or "open hazards" list shows.
OPEN_STATES: tuple[str, ...] = (FOUND, RECTIFYING, RECTIFIED)
LEVELS: tuple[str, ...] = tuple(HAZARD_LEVELS)  # ordinary, major


@dataclass(frozen=True)
class Listing:
    """Listed supervision of a major hazard (挂牌督办), set by the bureau.

    Attributes
    ----------
    listed_on : date
        The listing date.
    supervising_body : str
        Who supervises, e.g. "区安委办" or "区安监局".
    deadline : date
        The rectification deadline set by the listing (治理期限).
    responsible_person : str
        The person answerable for the rectification (责任人).
    """

    listed_on: dt.date
    supervising_body: str
    deadline: dt.date
    responsible_person: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; dates as ISO strings."""
        return {
            "listed_on": self.listed_on.isoformat(),
            "supervising_body": self.supervising_body,
            "deadline": self.deadline.isoformat(),
            "responsible_person": self.responsible_person,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Listing:
        """Inverse of :meth:`to_dict`."""
        return cls(
            listed_on=dt.date.fromisoformat(data["listed_on"]),
            supervising_body=data["supervising_body"],
            deadline=dt.date.fromisoformat(data["deadline"]),
            responsible_person=data["responsible_person"],
        )


@dataclass(frozen=True)
class Hazard:
    """A hazard's current state: what the machine needs to decide the next step.

    Services build it from the hazard row; transitions return a new one (this one is
    never changed). ``__post_init__`` raises ValueError for a snapshot that no
    history could produce (e.g. ``rectifying`` without a deadline).

    Attributes
    ----------
    id : int or None
        The hazard's id; None before the row is inserted (then it shows as "this
        hazard" in messages).
    level : str
        ``ordinary`` (一般事故隐患) or ``major`` (重大事故隐患).
    state : str
        One of :data:`STATES`.
    found_on : date
        Discovery date (排查).
    deadline : date or None
        Rectification deadline in force (None in ``found`` and after an on-the-spot
        rectification). Kept after rectification, so lateness can be judged.
    rectified_on : date or None
        Date of the rectification record that awaits or passed re-inspection;
        cleared when a re-inspection fails.
    closed_on : date or None
        Closure date (销号).
    last_event_on : date or None
        Date of the latest event; a new event may not be dated earlier. None means
        ``found_on``.
    is_extended : bool
        The one deadline extension was used.
    listing : Listing or None
        Listed supervision (挂牌督办), kept after delisting for the record.
    delisted_on : date or None
        Delisting date (摘牌).
    is_self_reported : bool
        Reported by the enterprise itself (自查自报).
    """

    id: int | None
    level: str
    state: str
    found_on: dt.date
    deadline: dt.date | None = None
    rectified_on: dt.date | None = None
    closed_on: dt.date | None = None
    last_event_on: dt.date | None = None
    is_extended: bool = False
    listing: Listing | None = None
    delisted_on: dt.date | None = None
    is_self_reported: bool = False

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")
        if self.state not in STATES:
            raise ValueError(f"state must be one of {STATES}, got {self.state!r}")
        check_date(self.found_on, "found_on")
        for name in ("deadline", "rectified_on", "closed_on", "last_event_on"):
            optional_date(getattr(self, name), name)
        if self.state == RECTIFYING and self.deadline is None:
            raise ValueError(f"hazard {self.id} is rectifying but has no deadline")
        if self.state in (RECTIFIED, CLOSED) and self.rectified_on is None:
            raise ValueError(f"hazard {self.id} is {self.state} but not rectified_on")
        if (self.state == CLOSED) != (self.closed_on is not None):
            raise ValueError(f"hazard {self.id}: closed_on must be set iff closed")
        if self.listing is not None and self.level != "major":
            raise ValueError(f"hazard {self.id} is listed but not major")
        if self.delisted_on is not None and self.listing is None:
            raise ValueError(f"hazard {self.id} is delisted but was never listed")

    @property
    def is_listed(self) -> bool:
        """Under listed supervision now (listed and not delisted)."""
        return self.listing is not None and self.delisted_on is None

    @property
    def latest_date(self) -> dt.date:
        """The date no new event may precede."""
        return self.last_event_on or self.found_on

    @property
    def label(self) -> str:
        """'Hazard 12' (or 'This hazard' before it has an id), for messages."""
        return "This hazard" if self.id is None else f"Hazard {self.id}"


@dataclass(frozen=True)
class HazardEvent:
    """One transition, stored as one event row (who, when, from, to, note, photos).

    Attributes
    ----------
    hazard_id : int or None
        None only for a ``discover`` event made before the row had an id; set it with
        ``dataclasses.replace(event, hazard_id=...)`` before storing.
    action : str
        A :data:`gridwatch.supervision.rules.RULES` key (``vocab.HAZARD_ACTIONS``).
    from_state : str or None
        State before (None for ``discover``).
    to_state : str
        State after (equal to ``from_state`` for ``extend_deadline``,
        ``list_hazard`` on a rectifying/rectified hazard and ``delist``).
    actor : str
        Username (for self-reports: the enterprise's credit code or reporter).
    role : str
        The actor's role (``vocab.ACTOR_ROLES`` key) when acting.
    on : date
        The day the action took effect.
    note : str or None
        What was done, the reason, or what is still wrong.
    photos : tuple of str
        Stored photo keys (file names or URLs), in order.
    deadline : date or None
        The deadline this event set (discovery with a deadline, an order to
        rectify, a failed re-inspection, an extension, a listing).
    passed : bool or None
        Re-inspection result (``reinspect`` only).
    level : str or None
        Hazard level (``discover`` only).
    listing : Listing or None
        Listing details (``list_hazard`` only).
    """

    hazard_id: int | None
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    on: dt.date
    note: str | None = None
    photos: tuple[str, ...] = field(default_factory=tuple)
    deadline: dt.date | None = None
    passed: bool | None = None
    level: str | None = None
    listing: Listing | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings, photos as a list) for rows and APIs."""
        out = asdict(self)
        out["on"] = self.on.isoformat()
        out["photos"] = list(self.photos)
        out["deadline"] = self.deadline.isoformat() if self.deadline else None
        out["listing"] = self.listing.to_dict() if self.listing else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HazardEvent:
        """Inverse of :meth:`to_dict`."""
        kw = dict(data)
        kw["on"] = dt.date.fromisoformat(kw["on"])
        kw["photos"] = tuple(kw.get("photos") or ())
        if kw.get("deadline"):
            kw["deadline"] = dt.date.fromisoformat(kw["deadline"])
        if kw.get("listing"):
            kw["listing"] = Listing.from_dict(kw["listing"])
        return cls(**kw)


@dataclass(frozen=True)
class Transition:
    """What a transition returns: the hazard after it and the event to store."""

    hazard: Hazard
    event: HazardEvent


def check_actor(actor: object) -> str:
    """A non-blank username; anything else is a coding error."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError(f"actor must be a username, got {actor!r}")
    return actor.strip()


def make_event(
    hazard: Hazard, action: str, to_state: str, actor: str, role: str, on, **kw
) -> HazardEvent:
    """The event of ``action`` on ``hazard`` (used by the transitions)."""
    return HazardEvent(
        hazard_id=hazard.id,
        action=action,
        from_state=hazard.state,
        to_state=to_state,
        actor=check_actor(actor),
        role=role,
        on=on,
        **kw,
    )


def make_transition(
    hazard: Hazard,
    action: str,
    to_state: str,
    actor: str,
    role: str,
    on,
    changes,
    **event,
) -> Transition:
    """The event of ``action`` and the hazard after it (``changes`` applied)."""
    ev = make_event(hazard, action, to_state, actor, role, on, **event)
    return Transition(replace(hazard, state=to_state, last_event_on=on, **changes), ev)
