"""Revision 0003_supervision on a database holding the demo's rows at revision 0001.

The rows are the demo generator's own (``build_activity`` on a few enterprises)
plus the edge cases a real 0001 database may hold (an open hazard with no
deadline, a listed major hazard, a repeated and a missing decision number),
written with the 0001 columns. Upgrading keeps every row, maps every status by
``vocab.LEGACY_HAZARD_STATUSES``, gives every hazard a history ``replay`` accepts
and leaves the schema equal to the models; downgrading restores the old statuses.
"""

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from gridwatch.db import migrate
from gridwatch.db.engine import make_engine
from gridwatch.db.hazard_rows import event_from_row, hazard_from_row
from gridwatch.demo import build_activity
from gridwatch.registry import uscc_check_digit
from gridwatch.supervision import replay
from gridwatch.vocab import LEGACY_HAZARD_STATUSES

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
TABLES = ("enterprises", "users", "inspections", "hazards", "penalties", "self_reports")


def _uscc(n: int, kind: str = "1") -> str:
    first = f"9{kind}440604MA{n:07d}"[:17]
    return first + uscc_check_digit(first)


def _enterprises(n=40):
    rows = {
        "uscc": [_uscc(i, "1" if i % 5 else "2") for i in range(n)],
        "risk_level": [["red", "orange", "yellow", "blue"][i % 4] for i in range(n)],
        "sector": [
            ["hazchem", "ceramics", "retail", "furniture"][i % 4] for i in range(n)
        ],
        "is_three_in_one": [i % 7 == 0 for i in range(n)],
        "has_hazchem": [i % 4 == 0 for i in range(n)],
        "grid_code": ["440604011001001"] * n,
        "warden_username": ["zc_warden_001"] * n,
    }
    return gpd.GeoDataFrame(
        rows,
        geometry=gpd.points_from_xy([113.0 + i * 0.001 for i in range(n)], [23.0] * n),
        crs="EPSG:4326",
    )


def _t(name, *cols):
    return sa.table(name, *(sa.column(c) for c in cols))


def _fill_0001(conn, acts, ents) -> None:
    now = dt.datetime(2024, 12, 31, 8)
    users = ["zc_warden_001", "zc_office", "bureau_01"]
    roles = ["warden", "street_office", "bureau"]
    conn.execute(
        sa.insert(
            _t(
                "users",
                "id",
                "username",
                "password_hash",
                "full_name",
                "role",
                "scope_code",
                "is_active",
                "created_at",
            )
        ),
        [
            {
                "id": i + 1,
                "username": u,
                "password_hash": "x",
                "full_name": u,
                "role": r,
                "scope_code": None if r == "bureau" else "440604011",
                "is_active": True,
                "created_at": now,
            }
            for i, (u, r) in enumerate(zip(users, roles))
        ],
    )
    uid = {u: i + 1 for i, u in enumerate(users)}
    conn.execute(
        sa.insert(
            _t(
                "enterprises",
                "id",
                "uscc",
                "name",
                "sector",
                "risk_level",
                "is_three_in_one",
                "has_hazchem",
                "precision",
                "town_code",
                "created_at",
                "updated_at",
            )
        ),
        [
            {
                "id": i + 1,
                "uscc": u,
                "name": f"企业{i}",
                "sector": s,
                "risk_level": r,
                "is_three_in_one": bool(t),
                "has_hazchem": bool(h),
                "precision": "door",
                "town_code": "440604011",
                "created_at": now,
                "updated_at": now,
            }
            for i, (u, s, r, t, h) in enumerate(
                zip(
                    ents["uscc"],
                    ents["sector"],
                    ents["risk_level"],
                    ents["is_three_in_one"],
                    ents["has_hazchem"],
                )
            )
        ],
    )
    eid = {u: i + 1 for i, u in enumerate(ents["uscc"])}
    ins = acts["inspections"]
    conn.execute(
        sa.insert(
            _t(
                "inspections",
                "id",
                "enterprise_id",
                "kind",
                "inspected_on",
                "inspector_id",
                "result",
                "created_at",
            )
        ),
        [
            {
                "id": int(r.inspection_id),
                "enterprise_id": eid[r.uscc],
                "kind": r.kind,
                "inspected_on": r.inspected_on,
                "inspector_id": uid.get(r.inspector),
                "result": r.result,
                "created_at": now,
            }
            for r in ins.itertuples()
        ],
    )
    hz = acts["hazards"]
    rows = [
        {
            "id": int(r.hazard_id),
            "enterprise_id": eid[r.uscc],
            "inspection_id": None if pd.isna(r.inspection_id) else int(r.inspection_id),
            "level": r.level,
            "category": r.category,
            "found_on": r.found_on,
            "deadline": r.deadline,
            "rectified_on": r.rectified_on,
            "closed_on": r.closed_on,
            "status": r.status,
            "is_listed": bool(r.is_listed),
        }
        for r in hz.itertuples()
    ]
    first_ins = int(ins["inspection_id"].iloc[0])
    extra = [  # what a real 0001 database may hold besides the demo's rows
        {
            "level": "major",
            "status": "closed",
            "is_listed": True,
            "deadline": dt.date(2024, 5, 1),
            "rectified_on": dt.date(2024, 4, 20),
            "closed_on": dt.date(2024, 4, 28),
        },
        {
            "level": "major",
            "status": "open",
            "is_listed": False,
            "deadline": dt.date(2024, 8, 1),
            "rectified_on": None,
            "closed_on": None,
        },
        {
            "level": "ordinary",
            "status": "open",
            "is_listed": False,
            "deadline": None,
            "rectified_on": None,
            "closed_on": None,
        },
        {
            "level": "ordinary",
            "status": "overdue",
            "is_listed": False,
            "deadline": dt.date(2024, 2, 1),
            "rectified_on": None,
            "closed_on": None,
        },
    ]
    next_id = max(r["id"] for r in rows) + 1 if rows else 1
    for i, e in enumerate(extra):
        rows.append(
            {
                "id": next_id + i,
                "enterprise_id": 1,
                "inspection_id": first_ins,
                "category": "fire",
                "found_on": dt.date(2024, 1, 10),
                **e,
            }
        )
    conn.execute(
        sa.insert(
            _t(
                "hazards",
                "id",
                "enterprise_id",
                "inspection_id",
                "level",
                "category",
                "found_on",
                "deadline",
                "rectified_on",
                "closed_on",
                "status",
                "is_listed",
            )
        ),
        rows,
    )
    pens = [
        {
            "enterprise_id": 1 + i % 5,
            "decided_on": dt.date(2024, 3, 1 + i),
            "kind": "fine" if i % 2 else "warning",
            "amount_yuan": 5000.0 if i % 2 else 0.0,
            "decision_no": [
                "禅安监罚〔2024〕1号",
                "禅安监罚〔2024〕1号",
                None,
                "禅安监罚〔2024〕2号",
            ][i],
        }
        for i in range(4)
    ]
    conn.execute(
        sa.insert(
            _t(
                "penalties",
                "enterprise_id",
                "decided_on",
                "kind",
                "amount_yuan",
                "decision_no",
            )
        ),
        pens,
    )
    sr = acts["self_reports"]
    conn.execute(
        sa.insert(
            _t("self_reports", "enterprise_id", "month", "submitted_on", "n_hazards")
        ),
        [
            {
                "enterprise_id": eid[r.uscc],
                "month": r.month,
                "submitted_on": r.submitted_on,
                "n_hazards": int(r.n_hazards),
            }
            for r in sr.itertuples()
        ],
    )


def _counts(conn):
    return {
        t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
        for t in TABLES
    }


@pytest.fixture
def engine_0001(backend_settings):
    engine = make_engine(
        backend_settings.resolved_database_url(),
        spatialite_library=backend_settings.spatialite_library,
    )
    migrate.upgrade(engine, "0001")
    ents = _enterprises()
    acts = build_activity(ents, START, END, seed=7, as_of=END)
    with engine.begin() as conn:
        _fill_0001(conn, acts, ents)
    yield engine
    engine.dispose()


def _old_hazards(conn):
    return {
        r.id: r
        for r in conn.execute(
            sa.text(
                "SELECT id, status, deadline, rectified_on, closed_on, found_on, is_listed "
                "FROM hazards"
            )
        )
    }


def test_0003_keeps_every_row_and_maps_every_status(engine_0001):
    engine = engine_0001
    with engine.connect() as conn:
        before, old = _counts(conn), _old_hazards(conn)
    assert {r.status for r in old.values()} == {
        "open",
        "overdue",
        "rectified",
        "closed",
    }
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert _counts(conn) == before
        rows = {
            r.id: r for r in conn.execute(sa.text("SELECT * FROM hazards")).mappings()
        }
        events = (
            conn.execute(sa.text("SELECT * FROM hazard_events ORDER BY hazard_id, id"))
            .mappings()
            .all()
        )
        numbers = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT decision_no FROM penalties ORDER BY id")
            )
        ]
    assert migrate.schema_differences(engine) == []
    for hid, o in old.items():
        new = rows[hid]
        want = LEGACY_HAZARD_STATUSES[o.status]
        if want == "rectifying" and o.deadline is None:
            want = "found"  # never ordered: no deadline to rectify by
        assert new["status"] == want, hid
        assert str(new["found_on"])[:10] == str(o.found_on)[:10]
        if o.deadline is not None:
            assert str(new["deadline"])[:10] == str(o.deadline)[:10]
        assert bool(new["is_listed"]) == bool(o.is_listed)
    by_hazard = {}
    for e in events:
        by_hazard.setdefault(e["hazard_id"], []).append(event_from_row(e))
    assert set(by_hazard) == set(old)
    for hid, history in by_hazard.items():
        assert replay(history) == hazard_from_row(rows[hid]), hid
    # the repeated number keeps its first holder, the second gets its row id
    assert numbers[0] == "禅安监罚〔2024〕1号" and numbers[1].startswith(
        "禅安监罚〔2024〕1号#"
    )
    assert numbers[2] is None


def test_0003_downgrade_restores_the_old_statuses(engine_0001):
    engine = engine_0001
    with engine.connect() as conn:
        before, old = _counts(conn), _old_hazards(conn)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0002_warden")
    engine.dispose()
    assert "hazard_events" not in sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert _counts(conn) == before
        back = _old_hazards(conn)
    today = dt.date.today()
    for hid, o in old.items():
        status = back[hid].status
        if o.status in ("rectified", "closed"):
            assert status == o.status
        else:  # open and overdue are both unrectified: overdue is judged today
            assert status in ("open", "overdue")
            deadline = back[hid].deadline
            late = deadline is not None and str(deadline)[:10] < today.isoformat()
            assert status == ("overdue" if late else "open")
    migrate.upgrade(engine)
    assert migrate.schema_differences(engine) == []
