"""The hazard loop end to end: discovery, arguments, extension, listing, replay."""

import datetime as dt
from dataclasses import replace

import pytest

from gridwatch.errors import ConflictError, InvalidInputError, PermissionDeniedError
from gridwatch.supervision import (
    delist,
    discover,
    extend_deadline,
    list_hazard,
    record_rectification,
    rectified_on_time,
    rectify_on_spot,
    reinspect,
    replay,
    start_rectification,
)
from tests.unit.test_supervision_lifecycle import assert_one_sentence

D0 = dt.date(2024, 3, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def _found(level="ordinary", role="warden", **kw):
    return discover(
        hazard_id=9,
        level=level,
        found_on=D0,
        actor="wang",
        role=role,
        in_scope=True,
        **kw,
    )


def _as(role, **kw):
    return {"actor": f"{role}_1", "role": role, "in_scope": True, **kw}


def test_discover_without_deadline_is_found():
    t = _found()
    assert t.hazard.state == "found" and t.hazard.deadline is None
    assert (t.event.from_state, t.event.to_state, t.event.level) == (
        None,
        "found",
        "ordinary",
    )


def test_discover_with_deadline_is_rectifying():
    t = _found(deadline=day(30))
    assert t.hazard.state == "rectifying" and t.event.deadline == day(30)


@pytest.mark.parametrize("deadline", [D0, day(-1)])
def test_discover_deadline_must_be_after_discovery(deadline):
    with pytest.raises(InvalidInputError) as info:
        _found(deadline=deadline)
    assert_one_sentence(info.value.user_msg)


def test_discover_major_with_deadline_only_by_authorities():
    with pytest.raises(PermissionDeniedError) as info:
        _found("major", deadline=day(90))
    assert info.value.user_msg == (
        "Only the street office or the bureau can record a major hazard with a "
        "deadline."
    )
    assert _found("major").hazard.state == "found"  # the warden reports it
    assert _found("major", "street_office", deadline=day(90)).hazard.deadline


def test_enterprise_reports_a_major_hazard_without_setting_its_deadline():
    assert _found("major", "enterprise").hazard.state == "found"
    with pytest.raises(PermissionDeniedError, match="major hazard with a deadline"):
        _found("major", "enterprise", deadline=day(90))


def test_discover_by_enterprise_is_self_reported():
    t = _found(role="enterprise", deadline=day(10))
    assert t.hazard.is_self_reported and t.hazard.state == "rectifying"
    assert not _found().hazard.is_self_reported


@pytest.mark.parametrize("role", ["admin"])
def test_discover_refuses_admin(role):
    with pytest.raises(PermissionDeniedError):
        _found(role=role)


def test_discover_refuses_out_of_scope():
    with pytest.raises(PermissionDeniedError, match="not in your grids"):
        discover(
            hazard_id=None,
            level="ordinary",
            found_on=D0,
            actor="w",
            role="warden",
            in_scope=False,
        )


def test_full_loop_with_failed_and_passed_reinspection_replays():
    t1 = _found(deadline=day(30))
    t2 = record_rectification(
        t1.hazard,
        **_as("enterprise", on=day(20)),
        note="更换老化电线",
        photos=["p1.jpg", "p2.jpg"],
    )
    t3 = reinspect(
        t2.hazard,
        **_as("warden", on=day(25)),
        passed=False,
        note="配电箱仍未接地",
        deadline=day(40),
    )
    assert t3.hazard.state == "rectifying" and t3.hazard.rectified_on is None
    assert t3.hazard.deadline == day(40)
    t4 = record_rectification(t3.hazard, **_as("warden", on=day(38)), note="已接地")
    t5 = reinspect(t4.hazard, **_as("street_office", on=day(41)), passed=True)
    assert t5.hazard.state == "closed" and t5.hazard.closed_on == day(41)
    assert rectified_on_time(t5.hazard) is True
    events = [t.event for t in (t1, t2, t3, t4, t5)]
    assert [e.to_state for e in events] == [
        "rectifying",
        "rectified",
        "rectifying",
        "rectified",
        "closed",
    ]
    assert events[1].photos == ("p1.jpg", "p2.jpg")
    assert replay(events) == t5.hazard


def test_start_rectification_deadline_must_be_later_than_on():
    h = _found().hazard
    with pytest.raises(InvalidInputError):
        start_rectification(h, **_as("warden", on=day(2)), deadline=day(2))
    assert start_rectification(h, **_as("warden", on=day(2)), deadline=day(3))


@pytest.mark.parametrize("note", [None, "", "   "])
def test_rectification_needs_a_note(note):
    h = _found(deadline=day(30)).hazard
    with pytest.raises(InvalidInputError, match="needs a note"):
        record_rectification(h, **_as("warden", on=day(1)), note=note)


def test_rectification_photos_are_optional_but_not_blank():
    h = _found(deadline=day(30)).hazard
    assert record_rectification(h, **_as("warden", on=D0), note="ok").event.photos == ()
    with pytest.raises(InvalidInputError):
        record_rectification(h, **_as("warden", on=D0), note="ok", photos=["", "a"])
    with pytest.raises(TypeError):
        record_rectification(h, **_as("warden", on=D0), note="ok", photos="a.jpg")


@pytest.fixture
def rectified():
    h = _found(deadline=day(30)).hazard
    return record_rectification(h, **_as("warden", on=day(5)), note="done").hazard


def test_failed_reinspection_needs_note_and_later_deadline(rectified):
    on = _as("warden", on=day(6))
    with pytest.raises(InvalidInputError, match="still wrong"):
        reinspect(rectified, **on, passed=False, deadline=day(20))
    with pytest.raises(InvalidInputError, match="new rectification deadline"):
        reinspect(rectified, **on, passed=False, note="x")
    with pytest.raises(InvalidInputError, match="later than the re-inspection"):
        reinspect(rectified, **on, passed=False, note="x", deadline=day(6))
    t = reinspect(rectified, **on, passed=False, note="x", deadline=day(7))
    assert t.hazard.deadline == day(7)


def test_passed_reinspection_takes_no_deadline(rectified):
    with pytest.raises(InvalidInputError, match="no new deadline"):
        reinspect(rectified, **_as("warden", on=day(6)), passed=True, deadline=day(9))


def test_extension_once_only_even_after_a_failed_reinspection():
    h = _found(deadline=day(30)).hazard
    t = extend_deadline(
        h, **_as("street_office", on=day(10)), deadline=day(45), note="设备采购周期长"
    )
    assert t.hazard.deadline == day(45) and t.hazard.is_extended
    with pytest.raises(ConflictError) as info:
        extend_deadline(
            t.hazard, **_as("street_office", on=day(11)), deadline=day(60), note="again"
        )
    assert info.value.user_msg == "The deadline of hazard 9 was already extended once."
    h2 = record_rectification(t.hazard, **_as("warden", on=day(20)), note="x").hazard
    h3 = reinspect(
        h2, **_as("warden", on=day(21)), passed=False, note="y", deadline=day(50)
    ).hazard
    with pytest.raises(ConflictError):
        extend_deadline(
            h3, **_as("street_office", on=day(22)), deadline=day(70), note="again"
        )


def test_extension_needs_reason_and_later_deadline():
    h = _found(deadline=day(30)).hazard
    on = _as("street_office", on=day(10))
    with pytest.raises(InvalidInputError, match="needs a reason"):
        extend_deadline(h, **on, deadline=day(40), note=" ")
    with pytest.raises(InvalidInputError, match="later than the current one"):
        extend_deadline(h, **on, deadline=day(30), note="r")


def test_extension_on_the_deadline_day_but_not_after():
    h = _found(deadline=day(30)).hazard
    ok = extend_deadline(
        h, **_as("street_office", on=day(30)), deadline=day(40), note="r"
    )
    assert ok.hazard.deadline == day(40)
    with pytest.raises(ConflictError, match="overdue since 2024-04-01"):
        extend_deadline(
            h, **_as("street_office", on=day(31)), deadline=day(40), note="r"
        )


def _major_rectifying():
    return _found("major", "street_office", deadline=day(90)).hazard


def _listed(h=None):
    h = h or _major_rectifying()
    return list_hazard(
        h,
        **_as("bureau", on=day(3)),
        supervising_body="区安委办",
        responsible_person="陈某",
        deadline=day(60),
    )


def test_listing_only_major_and_only_bureau():
    ordinary = _found(deadline=day(30)).hazard
    with pytest.raises(ConflictError, match="only major hazards can be listed"):
        _listed(ordinary)
    with pytest.raises(PermissionDeniedError, match="Only the bureau can list"):
        list_hazard(
            _major_rectifying(),
            **_as("street_office", on=day(3)),
            supervising_body="x",
            responsible_person="y",
            deadline=day(60),
        )


def test_listing_sets_listing_and_deadline():
    t = _listed()
    assert t.hazard.is_listed and t.hazard.deadline == day(60)
    assert t.hazard.listing.supervising_body == "区安委办"
    assert t.event.listing == t.hazard.listing
    with pytest.raises(ConflictError, match="already listed"):
        _listed(t.hazard)


def test_listing_a_found_major_starts_rectification():
    t = _listed(_found("major").hazard)
    assert (t.event.from_state, t.hazard.state) == ("found", "rectifying")


def test_listing_a_rectified_major_keeps_its_deadline():
    h = record_rectification(
        _major_rectifying(), **_as("warden", on=day(2)), note="x"
    ).hazard
    t = _listed(h)
    assert t.hazard.state == "rectified" and t.hazard.deadline == day(90)


@pytest.mark.parametrize("field", ["supervising_body", "responsible_person"])
def test_listing_needs_body_and_person(field):
    kw = {"supervising_body": "a", "responsible_person": "b", field: ""}
    with pytest.raises(InvalidInputError):
        list_hazard(
            _major_rectifying(), **_as("bureau", on=day(3)), deadline=day(60), **kw
        )


def test_listed_hazard_loop_to_delisting():
    h = _listed().hazard
    h = record_rectification(
        h, **_as("enterprise", on=day(40)), note="停产整改完毕"
    ).hazard
    for role in ("warden", "street_office"):
        with pytest.raises(PermissionDeniedError, match="listed hazard 9"):
            reinspect(h, **_as(role, on=day(45)), passed=True)
    with pytest.raises(ConflictError, match="only after it passes"):
        delist(h, **_as("bureau", on=day(45)))
    closed = reinspect(h, **_as("bureau", on=day(45)), passed=True).hazard
    with pytest.raises(PermissionDeniedError):
        delist(closed, **_as("street_office", on=day(46)))
    done = delist(closed, **_as("bureau", on=day(46)), note="验收合格")
    assert done.hazard.delisted_on == day(46) and not done.hazard.is_listed
    assert done.event.from_state == done.event.to_state == "closed"
    with pytest.raises(ConflictError, match="already delisted"):
        delist(done.hazard, **_as("bureau", on=day(47)))


def test_delisting_an_unlisted_hazard_is_refused():
    h = _found(deadline=day(30)).hazard
    with pytest.raises(ConflictError, match="not listed"):
        delist(h, **_as("bureau", on=day(1)))


def test_listed_deadline_extension_belongs_to_the_bureau():
    h = _listed().hazard
    with pytest.raises(PermissionDeniedError, match="Only the bureau"):
        extend_deadline(
            h, **_as("street_office", on=day(10)), deadline=day(70), note="r"
        )
    t = extend_deadline(h, **_as("bureau", on=day(10)), deadline=day(70), note="r")
    assert t.hazard.deadline == day(70)


def test_on_the_spot_only_the_day_found_and_only_ordinary():
    h = _found().hazard
    t = rectify_on_spot(h, **_as("warden", on=D0), note="通道杂物已清理")
    assert t.hazard.state == "closed" and rectified_on_time(t.hazard) is True
    with pytest.raises(ConflictError, match="that same day"):
        rectify_on_spot(h, **_as("warden", on=day(1)), note="x")
    with pytest.raises(ConflictError, match="major hazard"):
        rectify_on_spot(_found("major").hazard, **_as("warden", on=D0), note="x")
    with pytest.raises(InvalidInputError, match="needs a note"):
        rectify_on_spot(h, **_as("warden", on=D0), note=None)


# --- replay refuses histories the machine does not allow -------------------------


def _history():
    t1 = _found(deadline=day(30))
    t2 = record_rectification(t1.hazard, **_as("warden", on=day(5)), note="x")
    t3 = reinspect(t2.hazard, **_as("warden", on=day(6)), passed=True)
    return [t1.event, t2.event, t3.event]


def test_replay_refuses_a_changed_outcome():
    events = _history()
    events[2] = replace(events[2], to_state="rectifying")
    with pytest.raises(InvalidInputError, match="Event 3") as info:
        replay(events)
    assert_one_sentence(info.value.user_msg)


def test_replay_refuses_a_step_the_machine_forbids():
    events = _history()
    events[2] = replace(events[2], role="enterprise")
    with pytest.raises(InvalidInputError) as info:
        replay(events)
    assert info.value.details["cause"] == "forbidden"
    assert info.value.user_msg.startswith("Event 3 (reinspect on 2024-03-07) is not")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda ev: ev[1:],  # no discover
        lambda ev: [ev[0], ev[0]],  # discovered twice
        lambda ev: [ev[0], replace(ev[1], hazard_id=10)],  # another hazard's
        lambda ev: [ev[0], ev[2], ev[1]],  # out of order
        lambda ev: [ev[0], replace(ev[1], on=day(-1))],  # before the last event
        lambda ev: [],
        lambda ev: [ev[0], replace(ev[1], role="mayor")],  # malformed row
        lambda ev: [ev[0], replace(ev[1], action="close")],
    ],
)
def test_replay_refuses_broken_histories(mutate):
    with pytest.raises(InvalidInputError) as info:
        replay(mutate(_history()))
    assert_one_sentence(info.value.user_msg)


def test_replay_of_a_listed_history():
    h0 = _found("major")
    t1 = _listed(h0.hazard)
    t2 = record_rectification(t1.hazard, **_as("enterprise", on=day(9)), note="x")
    t3 = reinspect(t2.hazard, **_as("bureau", on=day(10)), passed=True)
    t4 = delist(t3.hazard, **_as("bureau", on=day(10)))
    assert replay([t.event for t in (h0, t1, t2, t3, t4)]) == t4.hazard
