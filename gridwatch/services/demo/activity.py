"""Two years of generated supervision, stored in bulk.

Why not the supervision use cases: they record one inspection or hazard per call,
each with its checks and audit entry, which is right for a warden's phone and wrong
for 150,000+ generated rows (the 9,000-enterprise demo writes ~27,000 inspections,
~6,000 hazards and ~125,000 monthly self-reports). The generator
(:func:`gridwatch.demo.build_activity`) makes them consistent instead, and
``tests/unit/test_demo_activity.py`` checks that.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, User
from gridwatch.db.queries import bulk_insert, read_frame, reset_sequence, wkb


def enterprises_for_activity(conn, version_id: int, on: dt.date) -> gpd.GeoDataFrame:
    """The stored enterprises with their grid and warden on ``on``: the input of
    :func:`gridwatch.demo.build_activity`."""
    from gridwatch.services.assignment import enterprise_grids_on, enterprise_wardens_on

    ents = read_frame(
        conn,
        sa.select(
            Enterprise.uscc,
            Enterprise.risk_level,
            Enterprise.sector,
            Enterprise.is_three_in_one,
            Enterprise.has_hazchem,
            wkb(Enterprise.geom),
        ),
    )
    ents["is_three_in_one"] = ents["is_three_in_one"].astype(bool)
    ents["has_hazchem"] = ents["has_hazchem"].astype(bool)
    grid = enterprise_grids_on(conn, version_id, on)
    warden = enterprise_wardens_on(conn, on)
    ents["grid_code"] = ents["uscc"].map(grid)
    ents["warden_username"] = ents["uscc"].map(warden)
    return ents


def store_activity(conn, acts: dict) -> dict[str, int]:
    """Insert the generated frames; return rows per table."""
    ent_ids = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.id)).all())
    user_ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    counts = {
        "inspections": bulk_insert(
            conn, "inspections", _inspections(acts["inspections"], ent_ids, user_ids)
        ),
        "hazards": bulk_insert(conn, "hazards", _hazards(acts["hazards"], ent_ids)),
        "penalties": bulk_insert(
            conn, "penalties", _penalties(acts["penalties"], ent_ids)
        ),
        "self_reports": bulk_insert(
            conn,
            "self_reports",
            _self_reports(acts["self_reports"], ent_ids),
            batch=20000,
        ),
    }
    reset_sequence(conn, "inspections")  # explicit ids: move the sequence past them
    return counts


def _inspections(ins: pd.DataFrame, ent_ids: dict, user_ids: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ins["inspection_id"].astype(int).to_numpy(),
            "enterprise_id": ins["uscc"].map(ent_ids).to_numpy(),
            "kind": ins["kind"].to_numpy(),
            "inspected_on": list(ins["inspected_on"]),
            "inspector_id": [user_ids.get(u) for u in ins["inspector"]],
            "result": ins["result"].to_numpy(),
            "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        }
    )


def _hazards(hz: pd.DataFrame, ent_ids: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": hz["uscc"].map(ent_ids).to_numpy(),
            "inspection_id": [
                None if pd.isna(v) else int(v) for v in hz["inspection_id"]
            ],
            "level": hz["level"].to_numpy(),
            "category": hz["category"].to_numpy(),
            "found_on": list(hz["found_on"]),
            "deadline": list(hz["deadline"]),
            "rectified_on": list(hz["rectified_on"]),
            "closed_on": list(hz["closed_on"]),
            "status": hz["status"].to_numpy(),
            "is_listed": hz["is_listed"].astype(bool),
        }
    )


def _penalties(pen: pd.DataFrame, ent_ids: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": pen["uscc"].map(ent_ids).to_numpy(),
            "decided_on": list(pen["decided_on"]),
            "kind": pen["kind"].to_numpy(),
            "amount_yuan": pen["amount_yuan"].astype(float).to_numpy(),
            "decision_no": [
                f"禅安监罚〔{d.year}〕{i + 1}号"
                for i, d in enumerate(pen["decided_on"])
            ],
        }
    )


def _self_reports(sr: pd.DataFrame, ent_ids: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": sr["uscc"].map(ent_ids).to_numpy(),
            "month": sr["month"].to_numpy(),
            "submitted_on": list(sr["submitted_on"]),
            "n_hazards": sr["n_hazards"].astype(int).to_numpy(),
        }
    )
