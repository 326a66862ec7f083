"""Hazard services on both backends: the loop, refusals, scope, lists, listing."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from gridwatch.db.hazard_rows import event_from_row, hazard_from_row
from gridwatch.db.models import AuditLog, Hazard, HazardEvent
from gridwatch.errors import (
    ConflictError,
    GridwatchError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from gridwatch.services.supervision import (
    create_hazard,
    delist_hazard,
    extend_deadline,
    list_hazard,
    list_hazards,
    show_hazard,
    transition_hazard,
)
from gridwatch.supervision import replay
from tests.actors import SYSTEM
from tests.db.supervision_world import build_world

F = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return F + dt.timedelta(days=n)


def one_sentence(msg: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][^\n]*\.", msg)) and not re.search(
        r"\.\s+[A-Z]", msg
    )


@pytest.fixture
def world(ctx):
    return build_world(ctx)


def _stored_history(ctx, hazard_id):
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(Hazard.__table__).where(Hazard.id == hazard_id)
        ).first()
        events = conn.execute(
            sa.select(HazardEvent.__table__)
            .where(HazardEvent.hazard_id == hazard_id)
            .order_by(HazardEvent.id)
        ).all()
    return row, [event_from_row(e) for e in events]


def test_hazard_goes_from_found_to_closed_through_a_failed_and_a_passed_reinspection(
    world,
):
    ctx = world.ctx
    ent = world.enterprise_ids()[0]
    warden = world.warden_of(ent)
    h = create_hazard(
        ctx, warden, enterprise_id=ent, level="ordinary", category="fire",
        description="灭火器过期", found_on=F, order_rectification=False,
    )  # fmt: skip
    hid = h["id"]
    assert h["status"] == "found" and h["deadline"] is None
    # judged today, months after it was found: too late to close it on the spot
    assert [a["action"] for a in h["actions"]] == ["start_rectification"]
    steps = [
        ("rectifying", {"deadline": day(30), "on": day(1), "note": "限期整改"}),
        ("rectified", {"note": "已更换灭火器", "photos": ["p1.jpg"], "on": day(10)}),
        ("reinspect", {"passed": False, "note": "仍有两具过期", "deadline": day(40),
                       "on": day(15)}),
        ("record_rectification", {"note": "全部更换", "on": day(20)}),
        ("closed", {"note": "复查合格", "on": day(25)}),
    ]  # fmt: skip
    for action, kw in steps:
        out = transition_hazard(ctx, warden, hid, action, **kw)
    assert out["status"] == "closed" and out["closed_on"] == day(25).isoformat()
    history = out["history"]
    assert [(e["action"], e["from_state"], e["to_state"]) for e in history] == [
        ("discover", None, "found"),
        ("start_rectification", "found", "rectifying"),
        ("record_rectification", "rectifying", "rectified"),
        ("reinspect", "rectified", "rectifying"),
        ("record_rectification", "rectifying", "rectified"),
        ("reinspect", "rectified", "closed"),
    ]
    assert [e["passed"] for e in history][3::2] == [False, True]
    assert {e["actor"] for e in history} == {warden.username}
    assert history[2]["photos"] == ["p1.jpg"]
    assert out["actions"] == []  # a closed ordinary hazard: nothing left to do
    row, events = _stored_history(ctx, hid)
    assert replay(events) == hazard_from_row(row)
    with ctx.engine.connect() as conn:
        audited = conn.execute(
            sa.select(sa.func.count()).where(
                AuditLog.entity == "hazard_events", AuditLog.actor == warden.username
            )
        ).scalar_one()
    assert audited == 6


def _refusal(fn, *args, **kw) -> GridwatchError:
    with pytest.raises(GridwatchError) as info:
        fn(*args, **kw)
    assert one_sentence(info.value.user_msg), info.value.user_msg
    return info.value


def test_every_refused_transition_is_one_sentence(world):
    ctx = world.ctx
    ent = world.enterprise_ids()[1]
    warden = world.warden_of(ent)
    h = create_hazard(
        ctx,
        warden,
        enterprise_id=ent,
        level="ordinary",
        category="electrical",
        description="私拉乱接",
        found_on=F,
    )
    hid = h["id"]
    assert h["status"] == "rectifying" and h["deadline"] == day(30).isoformat()
    cases = [
        (ConflictError, "reinspect", {"passed": True, "on": day(2)}),
        (InvalidInputError, "record_rectification", {"note": "", "on": day(2)}),
        (PermissionDeniedError, "extend_deadline",
         {"deadline": day(60), "note": "设备未到", "on": day(2)}),
        (InvalidInputError, "record_rectification", {"note": "x", "on": day(-5)}),
        (InvalidInputError, "teleport", {}),
        (ConflictError, "reinspect", {"on": day(2)}),
        (PermissionDeniedError, "list_hazard",
         {"supervising_body": "区安委办", "responsible_person": "李", "deadline": day(90),
          "on": day(2)}),
    ]  # fmt: skip
    for kind, action, kw in cases:
        err = _refusal(transition_hazard, ctx, warden, hid, action, **kw)
        assert isinstance(err, kind), (action, err)
    err = _refusal(
        list_hazard,
        ctx,
        world.bureau,
        hid,
        supervising_body="区安委办",
        responsible_person="李",
        deadline=day(90),
        on=day(2),
    )
    assert isinstance(err, ConflictError)  # an ordinary hazard is never listed
    # the street office extends once; a second time is refused
    extend_deadline(ctx, world.office, hid, deadline=day(45), reason="设备未到货",
                    on=day(3))  # fmt: skip
    err = _refusal(extend_deadline, ctx, world.office, hid, deadline=day(50),
                   reason="再延", on=day(4))  # fmt: skip
    assert isinstance(err, ConflictError)
    transition_hazard(ctx, warden, hid, "closed" if False else "rectified",
                      note="已整改", on=day(5))  # fmt: skip
    transition_hazard(ctx, warden, hid, "closed", on=day(6))
    err = _refusal(transition_hazard, ctx, warden, hid, "record_rectification",
                   note="again", on=day(7))  # fmt: skip
    assert err.user_msg == f"Hazard {hid} is closed; it cannot be rectified again."
    # nothing of the refusals was stored
    _, events = _stored_history(ctx, hid)
    assert [e.action for e in events] == [
        "discover", "extend_deadline", "record_rectification", "reinspect",
    ]  # fmt: skip


def test_admins_and_the_command_line_make_no_supervision_act(world):
    ctx = world.ctx
    ent = world.enterprise_ids()[2]
    h = create_hazard(
        ctx,
        world.office,
        enterprise_id=ent,
        level="major",
        category="dust",
        description="除尘系统失效",
        found_on=F,
    )
    assert h["status"] == "rectifying"  # the street office may order a major one
    err = _refusal(transition_hazard, ctx, SYSTEM, h["id"], "rectified", note="x")
    assert isinstance(err, PermissionDeniedError)
    assert "--as" not in err.user_msg and "hint" in err.details


def test_a_warden_cannot_see_or_act_on_a_hazard_outside_their_grids(world):
    ctx = world.ctx
    ent = world.enterprise_ids()[3]
    own = world.warden_of(ent)
    other = world.other_warden(ent)
    h = create_hazard(
        ctx,
        own,
        enterprise_id=ent,
        level="ordinary",
        category="fire",
        description="通道堵塞",
        found_on=F,
    )
    for fn, args in (
        (show_hazard, (ctx, other, h["id"])),
        (transition_hazard, (ctx, other, h["id"], "rectified")),
    ):
        with pytest.raises(NotFoundError):
            fn(*args, note="x") if fn is transition_hazard else fn(*args)
    assert h["id"] not in {i["id"] for i in list_hazards(ctx, other).items}
    assert h["id"] in {i["id"] for i in list_hazards(ctx, own).items}
    with pytest.raises(NotFoundError):
        create_hazard(ctx, other, enterprise_id=ent, level="ordinary",
                      category="fire", description="x")  # fmt: skip


def test_list_filters_overdue_and_listed_like_the_domain(world):
    ctx = world.ctx
    ids = world.enterprise_ids()
    made = []
    for i, ent in enumerate(ids[:6]):
        w = world.warden_of(ent)
        made.append(create_hazard(
            ctx, w, enterprise_id=ent, level="ordinary", category="fire",
            description=f"隐患{i}", found_on=day(i), deadline=day(i + 10),
        )["id"])  # fmt: skip
    judge = day(12)  # deadlines day(10)..day(15): 10, 11 overdue; 12 is the edge
    page = list_hazards(ctx, world.office, overdue=True, on=judge)
    assert {i["id"] for i in page.items} == set(made[:2])
    assert all(i["is_overdue"] and i["days_overdue"] >= 1 for i in page.items)
    rest = list_hazards(ctx, world.office, overdue=False, on=judge)
    edge = next(i for i in rest.items if i["id"] == made[2])
    assert edge["is_overdue"] is False and edge["days_left"] == 0
    paged = list_hazards(ctx, world.office, per_page=4, page=2, on=judge)
    assert paged.total == 6 and len(paged.items) == 2 and paged.pages == 2
    # listing: only the bureau, only a major hazard; it shows in listed lists
    major = create_hazard(ctx, world.office, enterprise_id=ids[7], level="major",
                          category="hazchem_storage", description="储罐无防泄漏",
                          found_on=F)  # fmt: skip
    err = _refusal(list_hazard, ctx, world.office, major["id"],
                   supervising_body="区安委办", responsible_person="王厂长",
                   deadline=day(120), on=day(1))  # fmt: skip
    assert isinstance(err, PermissionDeniedError)
    out = list_hazard(
        ctx,
        world.bureau,
        major["id"],
        supervising_body="区安委办",
        responsible_person="王厂长",
        deadline=day(120),
        on=day(1),
    )
    assert out["is_listed"] and out["listed_on"] == day(1).isoformat()
    listed = list_hazards(ctx, world.bureau, listed=True)
    assert [i["id"] for i in listed.items] == [major["id"]]
    # a listed hazard: the warden records, only the bureau re-inspects and delists
    w = world.warden_of(ids[7])
    transition_hazard(ctx, w, major["id"], "rectified", note="已加装围堰", on=day(30))
    err = _refusal(transition_hazard, ctx, world.office, major["id"], "closed",
                   on=day(31))  # fmt: skip
    assert isinstance(err, PermissionDeniedError)
    transition_hazard(ctx, world.bureau, major["id"], "closed", on=day(32))
    out = delist_hazard(ctx, world.bureau, major["id"], note="验收合格", on=day(33))
    assert not out["is_listed"] and out["delisted_on"] == day(33).isoformat()
    ever = list_hazards(ctx, world.bureau, ever_listed=True)
    assert [i["id"] for i in ever.items] == [major["id"]]


def test_the_overdue_sort_puts_overdue_ones_first_then_by_deadline(world):
    """The warden's "my hazards" order: a rectified hazard with the earliest
    deadline is not overdue, so an overdue one comes before it."""
    ctx = world.ctx
    ents = world.enterprise_ids()[8:11]
    made = [
        create_hazard(
            ctx, world.warden_of(ent), enterprise_id=ent, level="ordinary",
            category="fire", description=f"排序{i}", found_on=day(i),
            deadline=day(10 + i),
        )["id"]
        for i, ent in enumerate(ents)
    ]  # fmt: skip
    transition_hazard(ctx, world.warden_of(ents[0]), made[0], "rectified",
                      note="已整改", on=day(5))  # fmt: skip
    judge = day(12)  # made[1] (day 11) overdue; made[2] (day 12) on its deadline

    def order(sort: str) -> list[int]:
        page = list_hazards(ctx, world.office, sort=sort, on=judge, per_page=200)
        return [i["id"] for i in page.items if i["id"] in made]

    assert order("overdue") == [made[1], made[0], made[2]]
    assert order("deadline") == [made[0], made[1], made[2]]


def test_a_rectification_with_photos_lists_them_on_its_event(world):
    from gridwatch.services.photos import Upload, read_photo
    from tests.db.warden_helpers import jpeg_bytes

    ctx = world.ctx
    ent = world.enterprise_ids()[8]
    warden = world.warden_of(ent)
    h = create_hazard(ctx, warden, enterprise_id=ent, level="ordinary",
                      category="fire", description="灭火器缺失", found_on=F,
                      uploads=[Upload("before.jpg", jpeg_bytes())])  # fmt: skip
    assert len(h["history"][0]["photos"]) == 1
    out = transition_hazard(
        ctx, warden, h["id"], "rectified", note="已配置灭火器", on=day(3),
        uploads=[Upload("after.jpg", jpeg_bytes(color=(200, 30, 30)))],
    )  # fmt: skip
    keys = out["history"][-1]["photos"]
    assert len(keys) == 1 and keys != h["history"][0]["photos"]
    assert read_photo(ctx, warden, int(keys[0])).path.is_file()
    with pytest.raises(NotFoundError):
        read_photo(ctx, world.other_warden(ent), int(keys[0]))
    bad = Upload("x.jpg", b"not an image")
    with pytest.raises(InvalidInputError):
        transition_hazard(ctx, warden, h["id"], "closed", on=day(4), uploads=[bad])
    assert show_hazard(ctx, warden, h["id"])["status"] == "rectified"
