import sqlalchemy as sa

from gridwatch.db.models import AuditLog, Enterprise
from gridwatch.services.actor import Actor
from tests.actors import SYSTEM


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
