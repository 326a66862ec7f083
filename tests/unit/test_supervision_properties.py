"""Properties of the hazard machine under random sequences of actions (hypothesis)."""

import datetime as dt

import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gridwatch.errors import (
    ConflictError,
    GridwatchError,
    InvalidInputError,
    PermissionDeniedError,
)
from gridwatch.supervision import (
    allowed_actions,
    days_overdue,
    discover,
    is_overdue,
    overdue_flags,
    perform,
    replay,
)
from tests.unit.test_supervision_lifecycle import assert_one_sentence

D0 = dt.date(2024, 1, 1)
ROLES = ["warden", "street_office", "bureau", "admin", "enterprise"]
ACTIONS = [
    "start_rectification",
    "record_rectification",
    "reinspect",
    "extend_deadline",
    "list_hazard",
    "delist",
    "rectify_on_spot",
]

step = st.fixed_dictionaries(
    {
        "action": st.sampled_from(ACTIONS),
        "role": st.sampled_from(ROLES),
        "in_scope": st.booleans(),
        "advance": st.integers(-3, 40),
        "deadline_in": st.none() | st.integers(-5, 120),
        "note": st.sampled_from([None, "", "整改说明"]),
        "passed": st.booleans(),
        "listing_ok": st.booleans(),
    }
)
start = st.fixed_dictionaries(
    {
        "level": st.sampled_from(["ordinary", "major"]),
        "role": st.sampled_from(ROLES),
        "deadline_in": st.none() | st.integers(-2, 100),
    }
)


def _kwargs(s: dict, on: dt.date) -> dict:
    deadline = None if s["deadline_in"] is None else on + dt.timedelta(s["deadline_in"])
    kw = {"actor": "u", "role": s["role"], "in_scope": s["in_scope"], "on": on}
    a = s["action"]
    if a in ("start_rectification", "extend_deadline", "list_hazard"):
        kw["deadline"] = deadline or on
    if a in ("record_rectification", "extend_deadline", "rectify_on_spot"):
        kw["note"] = s["note"]
    if a == "reinspect":
        kw.update(passed=s["passed"], note=s["note"], deadline=deadline)
    if a == "list_hazard":
        body = "区安委办" if s["listing_ok"] else " "
        kw.update(supervising_body=body, responsible_person="李某")
    return kw


def _steer(data, s: dict, hazard, on) -> dict:
    """Most of the time pick a role and action the machine allows, to go deep."""
    if not data.draw(st.integers(0, 9), label="steer") < 7:
        return s
    options = [(r, a) for r in ROLES for a in allowed_actions(hazard, r, True, on)]
    if not options:
        return s
    role, action = data.draw(st.sampled_from(options), label="allowed")
    valid = {
        "note": "整改说明",
        "listing_ok": True,
        "deadline_in": max(1, s["deadline_in"] or 30),
    }
    if action == "reinspect" and s["passed"]:
        valid["deadline_in"] = None
    return {**s, **valid, "role": role, "action": action, "in_scope": True}


@settings(max_examples=400, deadline=None)
@given(start=start, steps=st.lists(step, min_size=1, max_size=14), data=st.data())
def test_random_sequences_either_refuse_in_one_sentence_or_replay(start, steps, data):
    deadline = None
    if start["deadline_in"] is not None:
        deadline = D0 + dt.timedelta(start["deadline_in"])
    try:
        t = discover(
            hazard_id=1,
            level=start["level"],
            found_on=D0,
            actor="u",
            role=start["role"],
            in_scope=True,
            deadline=deadline,
        )
    except GridwatchError as exc:
        assert_one_sentence(exc.user_msg)
        return
    hazard, events, on = t.hazard, [t.event], D0
    for s in steps:
        on = on + dt.timedelta(s["advance"])
        s = _steer(data, s, hazard, on)
        allowed = allowed_actions(hazard, s["role"], s["in_scope"], on)
        try:
            t = perform(hazard, s["action"], **_kwargs(s, on))
        except (PermissionDeniedError, ConflictError) as exc:
            assert_one_sentence(exc.user_msg)
            assert s["action"] not in allowed
            continue
        except InvalidInputError as exc:
            assert_one_sentence(exc.user_msg)
            continue
        assert s["action"] in allowed
        assert t.event.from_state == hazard.state
        hazard = t.hazard
        events.append(t.event)
        # overdue is derived and agrees with its definition
        unrectified = hazard.state in ("found", "rectifying")
        assert is_overdue(hazard, on) == (
            unrectified and hazard.deadline is not None and on > hazard.deadline
        )
    event(f"final {hazard.state}{' delisted' if hazard.delisted_on else ''}")
    event(f"{min(len(events), 5)}+ events" if len(events) >= 5 else "short")
    assert replay(events) == hazard


@settings(max_examples=200, deadline=None)
@given(
    state=st.sampled_from(["found", "rectifying", "rectified", "closed"]),
    deadline_in=st.none() | st.integers(-60, 60),
    on_in=st.integers(0, 120),
)
def test_overdue_flags_agree_with_is_overdue(state, deadline_in, on_in):
    from gridwatch.supervision import Hazard

    deadline = None if deadline_in is None else D0 + dt.timedelta(deadline_in)
    if state == "rectifying" and deadline is None:
        deadline = D0
    extra = {"rectified_on": D0} if state in ("rectified", "closed") else {}
    if state == "closed":
        extra["closed_on"] = D0
    h = Hazard(1, "ordinary", state, D0, deadline=deadline, **extra)
    on = D0 + dt.timedelta(on_in)
    frame = overdue_flags(pd.DataFrame({"status": [state], "deadline": [deadline]}), on)
    assert bool(frame["is_overdue"].iloc[0]) == is_overdue(h, on)
    assert int(frame["days_overdue"].iloc[0]) == days_overdue(h, on)
