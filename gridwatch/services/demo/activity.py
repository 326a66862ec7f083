"""Two years of generated inspections, stored in bulk.

Why not the inspection use case: it records one inspection per call, each with its
checks and audit entry, which is right for a warden's phone and wrong for ~27,000
generated rows. The generator (:func:`gridwatch.demo.build_activity`) makes them
consistent instead, and ``tests/unit/test_demo_activity.py`` checks that. The
hazards, penalties and self-reports of the same activity go through the
supervision machine and imports: :mod:`gridwatch.services.demo.supervision`.
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
    """Insert the generated inspections; return rows per table. Hazards, penalties
    and self-reports go through the supervision machine and imports
    (:mod:`gridwatch.services.demo.supervision`)."""
    ent_ids = dict(conn.execute(sa.select(Enterprise.uscc, Enterprise.id)).all())
    user_ids = dict(conn.execute(sa.select(User.username, User.id)).all())
    counts = {
        "inspections": bulk_insert(
            conn, "inspections", _inspections(acts["inspections"], ent_ids, user_ids)
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
