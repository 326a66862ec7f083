"""Who may make each hazard transition, from which states, and the refusals.

:data:`RULES` is the table the transitions in :mod:`gridwatch.supervision.lifecycle`
enforce; :func:`precheck` applies the part that depends only on the hazard, the
actor and the date (role, scope, level, state, date order), and
:func:`allowed_actions` uses it to tell the web which buttons to show. Arguments
(notes, deadlines) are checked by each transition.

Roles (``vocab.ACTOR_ROLES``): ``warden``, ``street_office``, ``bureau``, ``admin``
and ``enterprise`` (the enterprise itself, through its self-inspection reports).
An administrator (系统管理员) manages accounts and data and makes no supervision act:
every rule below refuses ``admin``, so an order to rectify or a closure always
names an inspector or the enterprise.

Refusals raise, with one sentence:

* :class:`~gridwatch.errors.PermissionDeniedError` — the role may not make this
  transition, or the hazard is outside the actor's scope (the services decide scope
  and pass ``in_scope``);
* :class:`~gridwatch.errors.ConflictError` — the hazard's state, level or history
  does not allow it (closed, already extended, not listed, ...);
* :class:`~gridwatch.errors.InvalidInputError` — a date before the hazard's latest
  event, or (in the transitions) a missing note or a bad deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.supervision._common import (
    SCOPE_PHRASES,
    check_date,
    check_role,
    roles_phrase,
)
from gridwatch.supervision.records import (
    CLOSED,
    FOUND,
    LEVELS,
    OPEN_STATES,
    RECTIFIED,
    RECTIFYING,
    Hazard,
)

WARDEN, STREET, BUREAU, ENTERPRISE = "warden", "street_office", "bureau", "enterprise"
INSPECTORS = frozenset({WARDEN, STREET, BUREAU})  # who inspects (三查)
AUTHORITIES = frozenset({STREET, BUREAU})  # who receives major-hazard reports
ORDER_16 = "SAWS Order No. 16 (2007, 安全生产事故隐患排查治理暂行规定)"


@dataclass(frozen=True)
class ActionRule:
    """One row of the transition table.

    ``roles`` apply to ordinary hazards; ``major_roles`` (if set) to major ones;
    ``listed_roles`` (if set) while the hazard is under listed supervision.
    ``verb`` and ``participle`` build the refusal sentences.
    """

    action: str
    from_states: tuple[str, ...]
    to_states: tuple[str, ...]
    roles: frozenset[str]
    verb: str
    participle: str
    requires: str
    source: str
    major_roles: frozenset[str] | None = None
    listed_roles: frozenset[str] | None = None
    levels: tuple[str, ...] = LEVELS

    def roles_for(self, level: str, is_listed: bool = False) -> frozenset[str]:
        """The roles that may make this transition on a hazard of ``level``."""
        if is_listed and self.listed_roles is not None:
            return self.listed_roles
        if level == "major" and self.major_roles is not None:
            return self.major_roles
        return self.roles


RULES: dict[str, ActionRule] = {
    r.action: r
    for r in (
        ActionRule(
            action="discover",
            from_states=(),
            to_states=(FOUND, RECTIFYING),
            roles=INSPECTORS | {ENTERPRISE},
            verb="record",
            participle="recorded",
            requires="level and discovery date; a deadline later than the discovery "
            "date makes it rectifying at once (deadline roles as for "
            "start_rectification, plus the enterprise for an ordinary hazard it "
            "reports itself)",
            source=f"{ORDER_16}: 排查 by inspection or by the enterprise's 自查自报",
        ),
        ActionRule(
            action="start_rectification",
            from_states=(FOUND,),
            to_states=(RECTIFYING,),
            roles=INSPECTORS,
            major_roles=AUTHORITIES,
            listed_roles=frozenset({BUREAU}),
            verb="set the rectification deadline of",
            participle="given a rectification deadline",
            requires="a deadline later than the date it is set",
            source=f"{ORDER_16}: 限期整改; major hazards are reported to the "
            "authority, so gridwatch lets only the street office or the bureau set "
            "their deadline",
        ),
        ActionRule(
            action="record_rectification",
            from_states=(RECTIFYING,),
            to_states=(RECTIFIED,),
            roles=frozenset({ENTERPRISE, WARDEN}),
            verb="record the rectification of",
            participle="rectified again",
            requires="a note saying what was done; photos optional",
            source=f"{ORDER_16}: the enterprise rectifies (整改); it or the warden "
            "records it",
        ),
        ActionRule(
            action="reinspect",
            from_states=(RECTIFIED,),
            to_states=(CLOSED, RECTIFYING),
            roles=INSPECTORS,
            major_roles=AUTHORITIES,
            listed_roles=frozenset({BUREAU}),
            verb="re-inspect",
            participle="re-inspected",
            requires="pass: closes it (销号), no deadline; fail: a note and a new "
            "deadline later than the re-inspection",
            source=f"{ORDER_16}: 复查 then 销号; a listed hazard is reviewed by the "
            "listing authority before it is written off (核销)",
        ),
        ActionRule(
            action="extend_deadline",
            from_states=(RECTIFYING,),
            to_states=(RECTIFYING,),
            roles=frozenset({STREET}),
            listed_roles=frozenset({BUREAU}),
            verb="extend the deadline of",
            participle="given a longer deadline",
            requires="once per hazard, on or before the deadline, with a reason and "
            "a new deadline later than the old",
            source="gridwatch rule (no regulation fixes it): the street office "
            "grants one extension; a listed hazard's deadline belongs to the bureau "
            "that listed it",
        ),
        ActionRule(
            action="list_hazard",
            from_states=OPEN_STATES,
            to_states=(RECTIFYING, RECTIFIED),
            roles=frozenset({BUREAU}),
            levels=("major",),
            verb="list",
            participle="listed",
            requires="a major hazard not already listed; supervising body, "
            "responsible person and a deadline later than the listing date",
            source=f"{ORDER_16}: 重大事故隐患 may be put under listed supervision "
            "(挂牌督办)",
        ),
        ActionRule(
            action="delist",
            from_states=(CLOSED,),
            to_states=(CLOSED,),
            roles=frozenset({BUREAU}),
            verb="delist",
            participle="delisted",
            requires="a listed hazard that passed its re-inspection (closed)",
            source=f"{ORDER_16}: 摘牌 once the listed hazard is reviewed and written "
            "off",
        ),
        ActionRule(
            action="rectify_on_spot",
            from_states=(FOUND,),
            to_states=(CLOSED,),
            roles=INSPECTORS,
            levels=("ordinary",),
            verb="close on the spot",
            participle="rectified on the spot",
            requires="an ordinary hazard, on the day it is found, with a note saying "
            "what was done (the inspector witnesses it, so no separate re-inspection)",
            source=f"{ORDER_16}: 一般事故隐患 is minor and can be removed at once "
            "(立即整改)",
        ),
    )
}

_STATE_PHRASES = {
    FOUND: "newly found, with no deadline yet",
    RECTIFYING: "being rectified",
    RECTIFIED: "rectified and awaiting re-inspection",
    CLOSED: "closed",
}
# (action, state) -> refusal after "<Hazard 12> ..."; others use the generic form
_STATE_REFUSALS = {
    ("start_rectification", RECTIFYING): "already has a deadline; only an "
    "extension can change it",
    ("start_rectification", CLOSED): "is closed; it cannot be rectified again",
    ("record_rectification", FOUND): "has no rectification deadline yet; set one "
    "before recording its rectification",
    ("record_rectification", CLOSED): "is closed; it cannot be rectified again",
    ("reinspect", FOUND): "has no recorded rectification to re-inspect; record the "
    "rectification first",
    ("reinspect", RECTIFYING): "has no recorded rectification to re-inspect; record "
    "the rectification first",
    ("reinspect", CLOSED): "is closed; it passed its re-inspection already",
    ("extend_deadline", FOUND): "has no deadline to extend; set one first",
    ("delist", FOUND): "is not closed; it can be delisted only after it passes its "
    "re-inspection",
    ("delist", RECTIFYING): "is not closed; it can be delisted only after it passes "
    "its re-inspection",
    ("delist", RECTIFIED): "is not closed; it can be delisted only after it passes "
    "its re-inspection",
    ("rectify_on_spot", CLOSED): "is closed; it cannot be rectified again",
}


def _qualified(hazard: Hazard) -> str:
    """'listed hazard 12', 'major hazard 12' or 'hazard 12' inside a sentence."""
    kind = (
        "listed " if hazard.is_listed else "major " if hazard.level == "major" else ""
    )
    name = "this hazard" if hazard.id is None else f"hazard {hazard.id}"
    return name.replace("hazard", f"{kind}hazard", 1)


def _state_refusal(rule: ActionRule, hazard: Hazard) -> ConflictError:
    tail = _STATE_REFUSALS.get((rule.action, hazard.state))
    if tail is None:
        tail = f"is {_STATE_PHRASES[hazard.state]}, so it cannot be {rule.participle}"
    return ConflictError(
        f"{hazard.label} {tail}.",
        details={"state": hazard.state, "action": rule.action},
    )


def _level_refusal(rule: ActionRule, hazard: Hazard) -> ConflictError:
    if rule.action == "list_hazard":
        msg = f"{hazard.label} is an ordinary hazard; only major hazards can be listed."
    else:  # rectify_on_spot
        msg = (
            f"{hazard.label} is a major hazard; it needs a rectification deadline, "
            "not an on-the-spot rectification."
        )
    return ConflictError(msg, details={"level": hazard.level, "action": rule.action})


def _history_refusal(action: str, hazard: Hazard, on: dt.date) -> str | None:
    """Refusals that depend on the hazard's history or the date, else None."""
    h = hazard.label
    if action == "extend_deadline" and hazard.state == RECTIFYING:
        if hazard.is_extended:
            return f"The deadline of {_qualified(hazard)} was already extended once."
        if on > hazard.deadline:
            return (
                f"{h} has been overdue since {hazard.deadline + dt.timedelta(1)}; "
                "an overdue deadline can no longer be extended."
            )
    if action == "list_hazard" and hazard.is_listed:
        return f"{h} is already listed, since {hazard.listing.listed_on}."
    if action == "delist":
        if hazard.listing is None:
            return f"{h} is not listed, so there is nothing to delist."
        if hazard.delisted_on is not None:
            return f"{h} was already delisted on {hazard.delisted_on}."
    if action == "rectify_on_spot" and hazard.state == FOUND and on != hazard.found_on:
        return (
            f"{h} was found on {hazard.found_on}; an on-the-spot rectification "
            "must be recorded that same day."
        )
    return None


def precheck(
    action: str, hazard: Hazard, role: str, in_scope: bool, on: dt.date
) -> ActionRule:
    """Check everything about ``action`` that does not depend on its arguments.

    Parameters
    ----------
    action : str
        A :data:`RULES` key other than ``discover``.
    hazard : Hazard
        The hazard's current state.
    role : str
        The actor's role (``vocab.ACTOR_ROLES`` key).
    in_scope : bool
        Whether the actor's scope (a warden's grids, a street office's street, the
        enterprise itself; the bureau's district) covers the hazard's enterprise.
    on : date
        The date the action would take effect.

    Returns
    -------
    ActionRule
        The rule, when the action may go ahead.

    Raises
    ------
    PermissionDeniedError
        Role not allowed for this hazard, or out of scope.
    ConflictError
        The hazard's level, state or history forbids it.
    InvalidInputError
        ``on`` is before the hazard's latest event.
    ValueError, TypeError
        Unknown action or role, ``on`` not a date (coding errors).
    """
    if action not in RULES or action == "discover":
        raise ValueError(f"action must be one of {list(RULES)[1:]}, got {action!r}")
    rule = RULES[action]
    check_role(role)
    check_date(on, "on")
    roles = rule.roles_for(hazard.level, hazard.is_listed)
    if role not in roles:
        raise PermissionDeniedError(
            f"Only {roles_phrase(roles)} can {rule.verb} {_qualified(hazard)}.",
            details={"action": action, "role": role},
        )
    if not in_scope:
        raise PermissionDeniedError(
            f"{hazard.label} is not in {SCOPE_PHRASES[role]}, so you cannot "
            f"{rule.verb} it.",
            details={"action": action, "role": role},
        )
    if hazard.level not in rule.levels:
        raise _level_refusal(rule, hazard)
    history = _history_refusal(action, hazard, on)
    if action == "delist" and history:  # "not listed" reads better than "not closed"
        raise ConflictError(history, details={"action": action})
    if hazard.state not in rule.from_states:
        raise _state_refusal(rule, hazard)
    if history:
        raise ConflictError(history, details={"action": action})
    if on < hazard.latest_date:
        raise InvalidInputError(
            f"The date {on} is before {hazard.label.lower()}'s latest event on "
            f"{hazard.latest_date}; date the action on or after it.",
            details={"field": "on"},
        )
    return rule


def allowed_actions(
    hazard: Hazard, role: str, in_scope: bool, on: dt.date
) -> tuple[str, ...]:
    """The actions ``role`` may take on ``hazard`` on ``on`` (the web's buttons).

    An action listed here can still be refused for its arguments (a missing note, a
    deadline not later than required); one not listed is refused whatever the
    arguments. ``discover`` is never listed (it creates a hazard).

    >>> import datetime as dt
    >>> h = Hazard(12, "ordinary", "rectified", dt.date(2024, 3, 1),
    ...            deadline=dt.date(2024, 3, 31), rectified_on=dt.date(2024, 3, 20))
    >>> allowed_actions(h, "warden", True, dt.date(2024, 3, 25))
    ('reinspect',)
    >>> allowed_actions(h, "enterprise", True, dt.date(2024, 3, 25))
    ()
    """
    out = []
    for action in list(RULES)[1:]:
        try:
            precheck(action, hazard, role, in_scope, on)
        except (PermissionDeniedError, ConflictError, InvalidInputError):
            continue
        out.append(action)
    return tuple(out)
