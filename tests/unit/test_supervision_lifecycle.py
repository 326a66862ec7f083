"""The hazard state machine: every action × state × role × scope, from a table
written here independently of gridwatch.supervision.rules."""

import datetime as dt
import re
from dataclasses import replace

import pytest

from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.supervision import (
    Hazard,
    HazardEvent,
    Listing,
    action_for,
    allowed_actions,
    perform,
)

D0 = dt.date(2024, 3, 1)
DEADLINE = D0 + dt.timedelta(days=30)
LISTING = Listing(D0, "区安委办", DEADLINE, "张三")
ROLES = ("warden", "street_office", "bureau", "admin", "enterprise")
W, S, B, E = "warden", "street_office", "bureau", "enterprise"

# who may act, by the hazard's kind: ordinary, major (unlisted), listed
EXPECTED_ROLES = {
    "start_rectification": {"ordinary": {W, S, B}, "major": {S, B}, "listed": {B}},
    "record_rectification": {"ordinary": {E, W}, "major": {E, W}, "listed": {E, W}},
    "reinspect": {"ordinary": {W, S, B}, "major": {S, B}, "listed": {B}},
    "extend_deadline": {"ordinary": {S}, "major": {S}, "listed": {B}},
    "list_hazard": {"ordinary": {B}, "major": {B}, "listed": {B}},
    "delist": {"ordinary": {B}, "major": {B}, "listed": {B}},
    "rectify_on_spot": {"ordinary": {W, S, B}, "major": {W, S, B}, "listed": {W, S, B}},
}
ACTIONS = tuple(EXPECTED_ROLES)
# the state each action leaves behind, by the state it starts from
EXPECTED_TO = {
    "start_rectification": {"found": "rectifying"},
    "record_rectification": {"rectifying": "rectified"},
    "reinspect": {"rectified": "closed"},  # called with passed=True
    "extend_deadline": {"rectifying": "rectifying"},
    "list_hazard": {
        "found": "rectifying",
        "rectifying": "rectifying",
        "rectified": "rectified",
    },
    "delist": {"closed": "closed"},
    "rectify_on_spot": {"found": "closed"},
}


def _hazard(state, level="ordinary", listed=False, **kw):
    extra = {
        "found": {},
        "rectifying": {"deadline": DEADLINE},
        "rectified": {"deadline": DEADLINE, "rectified_on": D0},
        "closed": {"deadline": DEADLINE, "rectified_on": D0, "closed_on": D0},
    }[state]
    if listed:
        extra["listing"] = LISTING
    return Hazard(123, level, state, D0, last_event_on=D0, **{**extra, **kw})


VARIANTS = {
    "found/ordinary": _hazard("found"),
    "found/major": _hazard("found", "major"),
    "rectifying/ordinary": _hazard("rectifying"),
    "rectifying/ordinary/extended": _hazard("rectifying", is_extended=True),
    "rectifying/major": _hazard("rectifying", "major"),
    "rectifying/major/listed": _hazard("rectifying", "major", True),
    "rectified/ordinary": _hazard("rectified"),
    "rectified/major": _hazard("rectified", "major"),
    "rectified/major/listed": _hazard("rectified", "major", True),
    "closed/ordinary": _hazard("closed"),
    "closed/major": _hazard("closed", "major"),
    "closed/major/listed": _hazard("closed", "major", True),
    "closed/major/delisted": _hazard("closed", "major", True, delisted_on=D0),
}


def _kind(h: Hazard) -> str:
    if h.listing is not None and h.delisted_on is None:
        return "listed"
    return h.level


def _state_allows(action: str, h: Hazard) -> bool:
    """The table of states (and history) in which an action may go ahead."""
    listed = h.listing is not None and h.delisted_on is None
    return {
        "start_rectification": h.state == "found",
        "record_rectification": h.state == "rectifying",
        "reinspect": h.state == "rectified",
        "extend_deadline": h.state == "rectifying" and not h.is_extended,
        "list_hazard": h.state != "closed" and h.level == "major" and not listed,
        "delist": h.state == "closed" and listed,
        "rectify_on_spot": h.state == "found" and h.level == "ordinary",
    }[action]


def _expected(action, h, role, in_scope):
    if role not in EXPECTED_ROLES[action][_kind(h)] or not in_scope:
        return PermissionDeniedError
    return None if _state_allows(action, h) else ConflictError


def _args(action):
    later = D0 + dt.timedelta(days=45)
    return {
        "start_rectification": {"deadline": DEADLINE},
        "record_rectification": {"note": "已整改", "photos": ["a.jpg"]},
        "reinspect": {"passed": True},
        "extend_deadline": {"deadline": later, "note": "设备到货延迟"},
        "list_hazard": {
            "supervising_body": "区安委办",
            "responsible_person": "张三",
            "deadline": later,
        },
        "delist": {},
        "rectify_on_spot": {"note": "当场清理"},
    }[action]


def assert_one_sentence(msg: str) -> None:
    assert re.fullmatch(r"[A-Z][^\n]*\.", msg), msg
    assert not re.search(r"\.\s+[A-Z]", msg), msg


CASES = [
    pytest.param(a, v, r, s, id=f"{a}-{v}-{r}-{'in' if s else 'out'}")
    for a in ACTIONS
    for v in VARIANTS
    for r in ROLES
    for s in (True, False)
]


@pytest.mark.parametrize(("action", "variant", "role", "in_scope"), CASES)
def test_transition_table_allows_and_refuses(action, variant, role, in_scope):
    h = VARIANTS[variant]
    expected = _expected(action, h, role, in_scope)
    kw = dict(actor="user1", role=role, in_scope=in_scope, on=D0, **_args(action))
    if expected is None:
        t = perform(h, action, **kw)
        assert t.event.action == action
        assert (t.event.from_state, t.event.to_state) == (
            h.state,
            EXPECTED_TO[action][h.state],
        )
        assert t.hazard.state == t.event.to_state
        assert (t.event.actor, t.event.role, t.event.on) == ("user1", role, D0)
        assert t.event.hazard_id == 123 and t.hazard.last_event_on == D0
    else:
        with pytest.raises(expected) as info:
            perform(h, action, **kw)
        assert type(info.value) is expected
        assert_one_sentence(info.value.user_msg)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("in_scope", [True, False])
def test_allowed_actions_match_table(variant, role, in_scope):
    h = VARIANTS[variant]
    want = {a for a in ACTIONS if _expected(a, h, role, in_scope) is None}
    assert set(allowed_actions(h, role, in_scope, D0)) == want


def test_admin_may_make_no_transition():
    for h in VARIANTS.values():
        assert allowed_actions(h, "admin", True, D0) == ()


def test_closed_hazard_refusal_reads_as_documented():
    with pytest.raises(ConflictError) as info:
        perform(
            VARIANTS["closed/ordinary"],
            "record_rectification",
            actor="u",
            role="warden",
            in_scope=True,
            on=D0,
            note="again",
        )
    assert info.value.user_msg == "Hazard 123 is closed; it cannot be rectified again."


def test_role_refusal_names_the_roles_and_the_hazard_kind():
    with pytest.raises(PermissionDeniedError) as info:
        perform(
            VARIANTS["rectified/major"],
            "reinspect",
            actor="u",
            role="warden",
            in_scope=True,
            on=D0,
            passed=True,
        )
    assert info.value.user_msg == (
        "Only the street office or the bureau can re-inspect major hazard 123."
    )


def test_scope_refusal_names_the_scope():
    with pytest.raises(PermissionDeniedError, match="not in your street"):
        perform(
            VARIANTS["rectifying/ordinary"],
            "extend_deadline",
            actor="u",
            role="street_office",
            in_scope=False,
            on=D0,
            **_args("extend_deadline"),
        )


@pytest.mark.parametrize("action", ACTIONS)
def test_action_dated_before_latest_event_is_refused(action):
    h = next(v for v in VARIANTS.values() if _state_allows(action, v))
    h = replace(h, last_event_on=D0 + dt.timedelta(days=2))
    role = min(EXPECTED_ROLES[action][_kind(h)])
    with pytest.raises(InvalidInputError, match="before hazard 123's latest event"):
        perform(h, action, actor="u", role=role, in_scope=True, on=D0, **_args(action))
    assert action not in allowed_actions(h, role, True, D0)


def test_unknown_role_or_action_is_a_coding_error():
    with pytest.raises(ValueError):
        perform(
            VARIANTS["found/ordinary"],
            "reinspect",
            actor="u",
            role="mayor",
            in_scope=True,
            on=D0,
            passed=True,
        )
    with pytest.raises(ValueError):
        perform(VARIANTS["found/ordinary"], "close", on=D0)
    with pytest.raises(TypeError):
        perform(
            VARIANTS["rectified/ordinary"],
            "reinspect",
            actor="u",
            role="warden",
            in_scope=True,
            on=dt.datetime(2024, 3, 1),
            passed=True,
        )


@pytest.mark.parametrize(
    ("state", "to_state", "action"),
    [
        ("found", "rectifying", "start_rectification"),
        ("rectifying", "rectified", "record_rectification"),
        ("rectified", "closed", "reinspect"),
        ("rectified", "rectifying", "reinspect"),
        ("found", "closed", "rectify_on_spot"),
    ],
)
def test_action_for_names_the_move(state, to_state, action):
    assert action_for(_hazard(state), to_state) == action


@pytest.mark.parametrize(
    ("state", "to_state"),
    [("closed", "rectifying"), ("rectifying", "closed"), ("found", "overdue")],
)
def test_action_for_refuses_impossible_moves(state, to_state):
    with pytest.raises(InvalidInputError) as info:
        action_for(_hazard(state), to_state)
    assert_one_sentence(info.value.user_msg)


def test_event_round_trips_through_dict():
    ev = HazardEvent(
        7,
        "list_hazard",
        "found",
        "rectifying",
        "bureau_01",
        "bureau",
        D0,
        note="n",
        photos=("a.jpg",),
        deadline=DEADLINE,
        listing=LISTING,
    )
    d = ev.to_dict()
    assert d["listing"]["deadline"] == DEADLINE.isoformat()
    assert HazardEvent.from_dict(d) == ev


@pytest.mark.parametrize(
    "kw",
    [
        {"state": "rectifying"},  # no deadline
        {"state": "rectified", "deadline": DEADLINE},  # no rectified_on
        {"state": "closed", "deadline": DEADLINE, "rectified_on": D0},  # no closed_on
        {"state": "found", "listing": LISTING},  # ordinary but listed
        {"state": "shut"},
    ],
)
def test_hazard_refuses_impossible_snapshots(kw):
    with pytest.raises(ValueError):
        Hazard(1, "ordinary", found_on=D0, **kw)
