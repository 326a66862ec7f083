"""The demo's supervision loop: every stored hazard history is one the state
machine allows (replayed), the bulk path's scope agrees with the services' scope
clause, and the new tables are filled at the seed's rates."""

import datetime as dt
from collections import defaultdict

import pandas as pd
import pytest
import sqlalchemy as sa

from gridwatch.db.hazard_rows import event_from_row, hazard_from_row
from gridwatch.db.models import (
    Enterprise,
    Hazard,
    HazardEvent,
    Penalty,
    SelfReport,
    Tipoff,
    User,
    Warden,
)
from gridwatch.services.actor import Actor
from gridwatch.services.demo import build_demo
from gridwatch.services.demo.supervision import scope_flags
from gridwatch.services.scope import enterprise_clause
from gridwatch.supervision import replay
from tests.actors import SYSTEM

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def demo(ctx):
    summary = build_demo(ctx, SYSTEM, n_enterprises=500, seed=11, today=TODAY,
                         write_maps=False, n_address_points=5000)  # fmt: skip
    return ctx, summary


def test_every_demo_hazard_history_replays_to_its_row(demo):
    ctx, _summary = demo
    with ctx.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.select(Hazard.__table__))}
        events = defaultdict(list)
        for e in conn.execute(
            sa.select(HazardEvent.__table__).order_by(HazardEvent.id)
        ):
            events[e.hazard_id].append(event_from_row(e))
    assert len(rows) > 100 and set(events) == set(rows)
    for hid, row in rows.items():
        assert replay(events[hid]) == hazard_from_row(row), hid
    states = pd.Series([r.status for r in rows.values()]).value_counts()
    assert set(states.index) <= {"found", "rectifying", "rectified", "closed"}
    assert states.get("closed", 0) > states.get("rectifying", 0)
    actions = {e.action for hs in events.values() for e in hs}
    assert {"discover", "record_rectification", "reinspect"} <= actions
    assert "rectify_on_spot" in actions and "extend_deadline" in actions
    roles = {e.role for hs in events.values() for e in hs}
    assert roles <= {"warden", "street_office", "bureau", "enterprise"}
    failed = [e for hs in events.values() for e in hs if e.passed is False]
    assert failed, "some re-inspections fail and send the hazard back"
    listed = [r for r in rows.values() if r.listed_on is not None]
    assert all(r.level == "major" for r in listed)
    if any(r.level == "major" for r in rows.values()):  # a year with one lists one
        assert listed
    sources = {r.source for r in rows.values()}
    assert sources >= {"inspection", "self_report"}


def test_demo_fills_penalties_reports_campaigns_and_tipoffs(demo):
    ctx, summary = demo
    with ctx.engine.connect() as conn:
        pens = conn.execute(
            sa.select(
                Penalty.kind,
                Penalty.amount_yuan,
                Penalty.decision_no,
                Penalty.hazard_id,
            )
        ).all()
        missing = conn.execute(
            sa.select(sa.func.count()).where(SelfReport.submitted_on.is_(None))
        ).scalar_one()
        linked = conn.execute(
            sa.select(sa.func.count()).where(Hazard.self_report_id.is_not(None))
        ).scalar_one()
        tips = conn.execute(sa.select(Tipoff.status)).scalars().all()
    assert pens and len({p.decision_no for p in pens}) == len(pens)
    assert all(p.hazard_id for p in pens)
    fines = [p for p in pens if p.kind == "fine"]
    # the seed's shares: 153 of 432 decisions are fines, ~14,354 yuan a fine
    assert 0.2 < len(fines) / len(pens) < 0.5
    assert 5_000 < sum(p.amount_yuan for p in fines) / len(fines) < 30_000
    assert missing > 0 and linked > 0
    assert summary["campaigns_tipoffs"]["campaigns"] == 3
    assert "new" in tips and len(set(tips)) >= 3


def test_bulk_scope_agrees_with_the_scope_clause(demo):
    ctx, _ = demo
    with ctx.engine.connect() as conn:
        ev = pd.DataFrame(conn.execute(
            sa.select(HazardEvent.actor, HazardEvent.role, HazardEvent.acted_on,
                      Hazard.enterprise_id, Enterprise.uscc)
            .join(Hazard, Hazard.id == HazardEvent.hazard_id)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(HazardEvent.role.in_(["warden", "street_office"]))).all(),
            columns=["actor", "role", "on", "enterprise_id", "uscc"])  # fmt: skip
        users = {u.username: u for u in conn.execute(sa.select(
            User.username, User.role, User.scope_code, Warden.id.label("wid"))
            .outerjoin(Warden, Warden.user_id == User.id))}  # fmt: skip
        sample = ev.sample(min(40, len(ev)), random_state=1)
        # the same events by someone of another street must be out of scope
        other = sample.copy()
        other["actor"] = [
            "sw_office" if u != "sw_office" else "zc_office" for u in other["actor"]
        ]
        other["role"] = "street_office"
        flags = scope_flags(conn, pd.concat([sample, other], ignore_index=True))
        for r, flag in zip(pd.concat([sample, other]).itertuples(), flags,
                           strict=True):  # fmt: skip
            u = users[r.actor]
            actor = Actor(r.actor, u.role, u.scope_code, warden_id=u.wid)
            found = conn.execute(
                sa.select(Enterprise.id).where(
                    Enterprise.id == r.enterprise_id, enterprise_clause(actor, r.on)
                )
            ).scalar()
            assert (found is not None) == bool(flag), (r.actor, r.on, r.uscc)
    assert flags[: len(sample)].all()
