"""Tip-off triage: every action × state × role × scope, and escalation edges."""

import datetime as dt

import pytest

from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.supervision import (
    Tipoff,
    convert_to_hazard,
    dismiss,
    escalation_date,
    is_escalated,
    refer,
    tipoff_actions,
)
from tests.unit.test_supervision_lifecycle import assert_one_sentence

R = dt.date(2024, 6, 1)
ROLES = ("warden", "street_office", "bureau", "admin", "enterprise")
TRIAGERS = {"warden", "street_office", "bureau"}
STATES = {
    "new": Tipoff(5, R),
    "converted": Tipoff(5, R, "converted", R, uscc="91440604MA00000000"),
    "referred": Tipoff(5, R, "referred", R, referred_to="消防救援大队"),
    "dismissed": Tipoff(5, R, "dismissed", R, reason="重复举报"),
}
CALLS = {
    "convert_to_hazard": (convert_to_hazard, {"uscc": "91440604MA00000000"}),
    "refer": (refer, {"department": "市场监督管理局"}),
    "dismiss": (dismiss, {"reason": "现场核实无此问题"}),
}
TO = {"convert_to_hazard": "converted", "refer": "referred", "dismiss": "dismissed"}


@pytest.mark.parametrize("action", CALLS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("in_scope", [True, False])
def test_triage_table(action, state, role, in_scope):
    fn, kw = CALLS[action]
    tip = STATES[state]
    on = R + dt.timedelta(2)
    if role not in TRIAGERS or not in_scope:
        expected = PermissionDeniedError
    elif state != "new":
        expected = ConflictError
    else:
        expected = None
    allowed = tipoff_actions(tip, role, in_scope, on)
    if expected is None:
        t = fn(tip, actor="u", role=role, in_scope=in_scope, on=on, **kw)
        assert t.tipoff.state == t.event.to_state == TO[action]
        assert t.tipoff.handled_on == on and t.event.from_state == "new"
        assert action in allowed
    else:
        with pytest.raises(expected) as info:
            fn(tip, actor="u", role=role, in_scope=in_scope, on=on, **kw)
        assert_one_sentence(info.value.user_msg)
        assert action not in allowed


def test_triage_keeps_what_was_decided():
    new = STATES["new"]
    on = {"actor": "w", "role": "warden", "in_scope": True, "on": R}
    conv = convert_to_hazard(new, **on, uscc="91440604MA00000000", hazard_id=77)
    assert (conv.tipoff.uscc, conv.tipoff.hazard_id) == ("91440604MA00000000", 77)
    ref = refer(new, **on, department=" 住房城乡建设和水利局 ")
    assert ref.tipoff.referred_to == ref.event.department == "住房城乡建设和水利局"
    dis = dismiss(new, **on, reason="非安全生产问题")
    assert dis.tipoff.reason == "非安全生产问题"
    assert dis.event.to_dict()["on"] == "2024-06-01"


def test_triage_refusal_says_what_happened():
    with pytest.raises(ConflictError) as info:
        dismiss(
            STATES["referred"],
            actor="u",
            role="warden",
            in_scope=True,
            on=R,
            reason="x",
        )
    assert info.value.user_msg == (
        "Tip-off 5 was already referred on 2024-06-01; it cannot be triaged again."
    )


@pytest.mark.parametrize(
    ("fn", "kw"),
    [
        (convert_to_hazard, {"uscc": " "}),
        (refer, {"department": ""}),
        (dismiss, {"reason": None}),
    ],
)
def test_triage_needs_its_detail(fn, kw):
    with pytest.raises(InvalidInputError) as info:
        fn(STATES["new"], actor="u", role="warden", in_scope=True, on=R, **kw)
    assert_one_sentence(info.value.user_msg)


def test_triage_cannot_predate_receipt():
    with pytest.raises(InvalidInputError, match="before this tip-off|before tip-off"):
        dismiss(
            STATES["new"],
            actor="u",
            role="warden",
            in_scope=True,
            on=R - dt.timedelta(1),
            reason="x",
        )


@pytest.mark.parametrize(
    ("after_days", "on_day", "want"),
    [
        (3, 0, False),
        (3, 3, False),  # the third day after receipt: not yet
        (3, 4, True),  # the next day: escalated
        (0, 0, False),
        (0, 1, True),
    ],
)
def test_escalation_edges(after_days, on_day, want):
    on = R + dt.timedelta(on_day)
    assert is_escalated(STATES["new"], on, after_days) is want
    assert escalation_date(STATES["new"], after_days) == R + dt.timedelta(
        after_days + 1
    )


@pytest.mark.parametrize("state", ["converted", "referred", "dismissed"])
def test_triaged_tipoff_is_never_escalated(state):
    assert not is_escalated(STATES[state], R + dt.timedelta(100), 3)


def test_escalation_days_must_be_whole_and_not_negative():
    with pytest.raises(ValueError):
        is_escalated(STATES["new"], R, -1)
