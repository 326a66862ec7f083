"""A two-town district with known records, for the bureau's figures.

Towns T1 (张槎街道, enterprises 0-9) and T2 (祖庙街道, 10-19), all yellow risk
(182-day interval), no registration dates. Today is 2026-11-30: the period
"2026" is 2026-01-01..2026-11-30, its previous year 2025-01-01..2025-11-30.
Every record below is listed in :data:`FACTS` so the test can count by hand.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import box

from gridwatch.db.queries import bulk_insert
from gridwatch.registry.uscc import make_uscc
from gridwatch.services.admin import upsert_admin_units
from gridwatch.services.assignment import assign_enterprises_to_grids, set_override
from gridwatch.services.bureau.accidents import record_accident
from gridwatch.services.bureau.assessment import set_manual_figure
from gridwatch.services.bureau.foundations import import_foundations
from gridwatch.services.bureau.targets import set_target
from gridwatch.services.enterprises import upsert_enterprises
from gridwatch.services.geocoding import fill_admin_codes
from gridwatch.services.grids import activate_session, store_version
from gridwatch.services.users import add_user
from tests.actors import SYSTEM

TODAY = dt.date(2026, 11, 30)
T1, T2 = "440604011", "440604003"
D = dt.date
WGS = "EPSG:4326"
BOXES = {T1: box(113.00, 23.00, 113.02, 23.02), T2: box(113.02, 23.00, 113.04, 23.02)}


def code(n: int) -> str:
    """A valid credit code (both check characters, GB 32100 and GB 11714)."""
    return make_uscc(f"MA{n:06d}")


def town_of(i: int) -> str:
    return T1 if i < 10 else T2


# (enterprise, day, kind)
INSPECTIONS = [
    *[(i, D(2026, 3, 1), "inspection") for i in range(6)],
    (3, D(2026, 8, 15), "patrol"),
    *[(i, D(2026, 4, 1), "spot_check") for i in (10, 11, 12)],
    *[(i, D(2025, 5, 1), "inspection") for i in (0, 1, 2)],
]
# enterprise, level, found, deadline, rectified, closed, listed
HAZARDS = [
    (
        0,
        "ordinary",
        D(2026, 3, 1),
        D(2026, 3, 31),
        D(2026, 3, 10),
        D(2026, 3, 20),
        False,
    ),
    (0, "ordinary", D(2026, 3, 1), D(2026, 4, 30), None, None, False),
    (10, "major", D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15), D(2026, 7, 20), True),
    (
        1,
        "ordinary",
        D(2025, 6, 1),
        D(2025, 6, 30),
        D(2025, 6, 10),
        D(2025, 6, 12),
        False,
    ),
]
# enterprise, day, kind, yuan
PENALTIES = [
    (0, D(2026, 3, 5), "fine", 12000.50),
    (1, D(2026, 3, 6), "warning", 0.0),
    (10, D(2026, 5, 1), "fine", 5000.0),
    (0, D(2025, 4, 1), "fine", 3000.0),
]
FOUNDATIONS = [
    {"统一社会信用代码": code(0), "标准化状态": "自评", "标准化日期": "2026-02-01"},
    {
        "统一社会信用代码": code(0),
        "标准化状态": "评审",
        "标准化等级": "三级",
        "标准化日期": "2026-06-01",
    },
    {"统一社会信用代码": code(10), "标准化状态": "自评", "标准化日期": "2026-03-01"},
    {"统一社会信用代码": code(11), "标准化状态": "自评", "标准化日期": "2025-05-01"},
    {
        "统一社会信用代码": code(0),
        "申报年度": 2026,
        "申报状态": "已申报",
        "申报日期": "2026-03-01",
    },
    {
        "统一社会信用代码": code(1),
        "申报年度": 2026,
        "申报状态": "已申报",
        "申报日期": "2026-04-01",
    },
    {"统一社会信用代码": code(10), "申报年度": 2026, "申报状态": "应报未报"},
    {
        "统一社会信用代码": code(0),
        "申报年度": 2025,
        "申报状态": "已申报",
        "申报日期": "2025-03-01",
    },
    {"统一社会信用代码": code(0), "安全主任": "张三", "培训日期": "2026-05-01"},
    {"统一社会信用代码": code(1), "安全主任": "李四", "培训日期": "2025-06-01"},
    {"统一社会信用代码": code(10), "安全主任": "王五"},
    {"统一社会信用代码": code(11), "安全主任": "赵六", "培训日期": "2026-10-01"},
]
ACCIDENTS = [
    {
        "occurred_on": D(2026, 5, 24),
        "uscc": code(10),
        "place": "某三合一作坊",
        "deaths": 9,
        "grade": "一般",
    },  # recorded too low: 较大 by its deaths
    {
        "occurred_on": D(2026, 2, 2),
        "uscc": code(3),
        "place": "某五金厂",
        "serious_injuries": 1,
        "direct_loss_yuan": 50000,
    },
    {"occurred_on": D(2025, 7, 1), "uscc": code(4), "place": "某木器厂", "deaths": 1},
]


def _units(ctx) -> None:
    def frame(codes, names, geoms, parents=None):
        data = {"code": codes, "name": names}
        if parents:
            data["parent_code"] = parents
        return gpd.GeoDataFrame(data, geometry=geoms, crs=WGS)

    whole = box(113.00, 23.00, 113.04, 23.02)
    upsert_admin_units(
        ctx, SYSTEM, frame(["440604"], ["禅城区"], [whole]), "district", "t"
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        frame(
            [T1, T2], ["张槎街道", "祖庙街道"], [BOXES[T1], BOXES[T2]], ["440604"] * 2
        ),
        "town",
        "t",
    )
    upsert_admin_units(
        ctx,
        SYSTEM,
        frame(
            [T1 + "001", T2 + "001"],
            ["甲社区", "丙社区"],
            [BOXES[T1], BOXES[T2]],
            [T1, T2],
        ),
        "community",
        "t",
    )


def _enterprises(ctx) -> dict[int, int]:
    records = []
    for i in range(20):
        x0 = 113.00 if i < 10 else 113.02
        records.append(
            {
                "uscc": code(i),
                "name": f"测试企业{i}",
                "sector": "ceramics",
                "risk_level": "yellow",
                "lng": x0 + 0.001 + (i % 10) * 0.0015,
                "lat": 23.005,
                "source_datum": "wgs84",
                "precision": "supplied",
            }
        )
    with ctx.transaction(SYSTEM) as s:
        upsert_enterprises(s, records)
        fill_admin_codes(s.connection(), SYSTEM)
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT uscc, id FROM enterprises")).all()
    ids = dict(rows)
    return {i: ids[code(i)] for i in range(20)}


def _grids(ctx) -> None:
    grids = gpd.GeoDataFrame(
        {
            "code": [T1 + "001001", T2 + "001001"],
            "parent_code": [T1 + "001", T2 + "001"],
        },
        geometry=[BOXES[T1], BOXES[T2]],
        crs=WGS,
    )
    with ctx.transaction(SYSTEM) as s:
        vid = store_version(s, grids, "manual", {}, label="test")
        activate_session(s, vid)
    day = D(2024, 1, 1)
    assign_enterprises_to_grids(ctx, SYSTEM, today=day)
    for n, town in enumerate((T1, T2)):
        add_user(
            ctx,
            SYSTEM,
            f"warden_{n}",
            f"网格员{n}",
            "warden",
            town,
            password="correct horse battery",
        )
        set_override(ctx, SYSTEM, f"{town}001001", f"warden_{n}", today=day)


def _activity(ctx, ids: dict[int, int]) -> None:
    now = dt.datetime(2026, 1, 1)
    with ctx.transaction(SYSTEM) as s:
        conn = s.connection()
        bulk_insert(
            conn,
            "inspections",
            pd.DataFrame(
                [
                    {
                        "enterprise_id": ids[e],
                        "kind": k,
                        "inspected_on": d,
                        "result": "pass",
                        "created_at": now,
                    }
                    for e, d, k in INSPECTIONS
                ]
            ),
        )
        bulk_insert(
            conn,
            "hazards",
            pd.DataFrame(
                [
                    {
                        "enterprise_id": ids[e],
                        "level": lv,
                        "category": "fire",
                        "found_on": f,
                        "deadline": dl,
                        "rectified_on": r,
                        "closed_on": c,
                        "is_listed": li,
                        "status": "closed"
                        if c
                        else ("rectified" if r else "rectifying"),
                        "description": f"隐患{k}",
                    }
                    for k, (e, lv, f, dl, r, c, li) in enumerate(HAZARDS)
                ]
            ),
        )
        bulk_insert(
            conn,
            "penalties",
            pd.DataFrame(
                [
                    {
                        "enterprise_id": ids[e],
                        "decided_on": d,
                        "kind": k,
                        "amount_yuan": y,
                        "decision_no": f"测罚〔{d.year}〕{n}号",
                    }
                    for n, (e, d, k, y) in enumerate(PENALTIES)
                ]
            ),
        )
        reports = [
            {
                "enterprise_id": ids[e],
                "month": f"2026-{m:02d}",
                "submitted_on": D(2026, m + 1, 5),
                "n_hazards": 0,
            }
            for e in range(10)
            for m in range(1, 11)
        ]
        reports.append(
            {
                "enterprise_id": ids[0],
                "month": "2025-01",
                "submitted_on": D(2025, 2, 5),
                "n_hazards": 0,
            }
        )
        bulk_insert(conn, "self_reports", pd.DataFrame(reports))


def build_bureau_world(ctx, tmp_path) -> dict[int, int]:
    """Fill an empty database with the district and records above."""
    _units(ctx)
    ids = _enterprises(ctx)
    _grids(ctx)
    _activity(ctx, ids)
    path = tmp_path / "台账.csv"
    pd.DataFrame(FOUNDATIONS).to_csv(path, index=False)
    summary = import_foundations(ctx, SYSTEM, path, today=TODAY)
    assert summary.rejected == 0, summary.to_dict()
    for a in ACCIDENTS:
        record_accident(ctx, SYSTEM, today=TODAY, **a)
    set_target(ctx, SYSTEM, 2026, "standardisation_self_assessed", 1, T1)
    set_target(ctx, SYSTEM, 2026, "standardisation_self_assessed", 2, T2)
    set_target(ctx, SYSTEM, 2026, "standardisation_reviewed", 2)
    set_target(ctx, SYSTEM, 2026, "safety_officers_trained", 3)
    from gridwatch.analytics.bureau import year_period

    set_manual_figure(
        ctx, SYSTEM, year_period(2026, TODAY), T1, "meetings", 4, "纪要4份"
    )
    return ids
