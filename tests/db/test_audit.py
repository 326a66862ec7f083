import sqlalchemy as sa

from gridwatch.db.models import AuditLog, Enterprise
from gridwatch.services.actor import Actor
from gridwatch.services.enterprise_upsert import check_hints
from gridwatch.services.geocoding import fill_admin_codes
from tests.actors import SYSTEM
from tests.db.conftest import COMMS, TOWN


def test_audit_records_insert_and_update_with_old_values(ctx):
    with ctx.transaction(Actor("alice", "admin")) as s:
        s.add(
            Enterprise(
                uscc="91440604MA4UJ8NX1Y",
                name="佛山市禅城区测试陶瓷有限公司",
                sector="ceramics",
                risk_level="yellow",
            )
        )
    with ctx.transaction(Actor("bob", "bureau")) as s:
        e = s.scalars(sa.select(Enterprise)).one()
        e.risk_level = "red"
    with ctx.transaction(SYSTEM) as s:
        rows = s.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.actor, r.action, r.entity) for r in rows] == [
        ("alice", "insert", "enterprises"),
        ("bob", "update", "enterprises"),
    ]
    assert rows[1].old == {"risk_level": "yellow"}
    assert rows[1].new == {"risk_level": "red"}
    assert rows[1].entity_key == "91440604MA4UJ8NX1Y"


def test_failed_transaction_writes_nothing(ctx):
    try:
        with ctx.transaction(SYSTEM) as s:
            s.add(
                Enterprise(uscc="X" * 18, name="a", sector="other", risk_level="blue")
            )
            s.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with ctx.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Enterprise)).scalar()
            == 0
        )
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(AuditLog)).scalar() == 0
        )


def test_fill_admin_codes_audits_each_enterprise_as_the_actor(ctx, small_district):
    alice = Actor("alice", "admin")
    with ctx.engine.begin() as conn:
        n = fill_admin_codes(conn, alice)
        again = fill_admin_codes(conn, alice)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditLog.actor, AuditLog.entity_key, AuditLog.old, AuditLog.new)
            .where(AuditLog.action == "update", AuditLog.entity == "enterprises")
            .order_by(AuditLog.id)
        ).all()
        placed = dict(
            conn.execute(sa.select(Enterprise.uscc, Enterprise.community_code)).all()
        )
    assert n == 60 and again == 0  # every placed one, once; the unplaced one never
    assert len(rows) == n
    assert {r.actor for r in rows} == {"alice"}
    for r in rows:
        assert r.old == {"town_code": None, "community_code": None}
        assert r.new["town_code"] == TOWN
        assert r.new["community_code"] == placed[r.entity_key] in COMMS


def test_check_hints_audits_each_change_of_flags(ctx, small_district):
    with ctx.engine.begin() as conn:
        fill_admin_codes(conn, SYSTEM)
        uscc, placed = conn.execute(
            sa.select(Enterprise.uscc, Enterprise.community_code)
            .where(Enterprise.community_code.isnot(None))
            .order_by(Enterprise.id)
        ).first()
        other = next(c for c in COMMS if c != placed)
        conn.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc == uscc)
            .values(community_hint="乙", community_hint_code=other)
        )
        misses = check_hints(conn, "alice", [uscc])
        assert check_hints(conn, "alice", [uscc]) == misses  # no change: no row
    assert misses == {uscc: [("community", other, placed)]}
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditLog.actor, AuditLog.old, AuditLog.new).where(
                AuditLog.entity_key == uscc, AuditLog.actor == "alice"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (
            "alice",
            {"registry_flags": None},
            {"registry_flags": "community_hint_mismatch"},
        )
    ]
