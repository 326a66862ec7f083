"""Shared set-up for the warden/street/bureau service tests (small_district based)."""

import datetime as dt
import io

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, User, Warden
from gridwatch.db.queries import bulk_insert, effective_on
from gridwatch.services import grids as gsvc
from gridwatch.services.actor import Actor
from gridwatch.services.assignment import assign_enterprises_to_grids, assign_wardens
from gridwatch.timeutil import today
from tests.actors import SYSTEM
from tests.db.conftest import TOWN

D1 = dt.date(2026, 1, 5)  # grids and wardens assigned from this day
OTHER_TOWN = "440604003"


def staffed(ctx):
    """Two grids per community (4 in all), enterprises and wardens assigned on D1."""
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assign_wardens(ctx, SYSTEM, today=D1)
    return ctx


def warden(ctx, username: str = "zc_warden_000") -> Actor:
    with ctx.engine.connect() as conn:
        uid, wid = conn.execute(
            sa.select(User.id, Warden.id)
            .join(Warden, Warden.user_id == User.id)
            .where(User.username == username)
        ).one()
    return Actor(username, "warden", TOWN, user_id=uid, warden_id=wid)


def office(town: str = TOWN) -> Actor:
    return Actor(f"office_{town}", "street_office", town)


def expected_ids(ctx, actor: Actor, day: dt.date | None = None) -> set[int]:
    """The warden's enterprise ids counted the long way round (no scope helper)."""
    day = day or today()
    with ctx.engine.connect() as conn:
        grids = set(
            conn.execute(
                sa.select(GridWarden.grid_code).where(
                    GridWarden.warden_id == actor.warden_id,
                    effective_on(GridWarden, day),
                )
            ).scalars()
        )
        rows = conn.execute(
            sa.select(EnterpriseGrid.enterprise_id, EnterpriseGrid.grid_code).where(
                effective_on(EnterpriseGrid, day)
            )
        ).all()
    return {e for e, g in rows if g in grids}


def enterprises(ctx) -> pd.DataFrame:
    """id, uscc, risk_level, precision of every enterprise."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.risk_level,
                Enterprise.precision,
            ).order_by(Enterprise.id)
        ).all()
    return pd.DataFrame(rows, columns=["id", "uscc", "risk_level", "precision"])


def add_inspections(ctx, pairs) -> None:
    """Insert inspections ``(enterprise_id, date)`` directly (history, no check-in)."""
    frame = pd.DataFrame(
        {
            "enterprise_id": [p[0] for p in pairs],
            "inspected_on": [p[1] for p in pairs],
            "kind": "patrol",
            "result": "pass",
            "created_at": dt.datetime(2026, 1, 1),
        }
    )
    with ctx.engine.begin() as conn:
        bulk_insert(conn, "inspections", frame)


def add_hazards(ctx, rows) -> None:
    """Insert hazards ``(enterprise_id, found_on, deadline, status)`` directly.

    ``status`` is a state of the machine, or an old word (``open``/``overdue``)
    read as ``rectifying`` (``vocab.LEGACY_HAZARD_STATUSES``).
    """
    from gridwatch.vocab import LEGACY_HAZARD_STATUSES

    frame = pd.DataFrame(
        {
            "enterprise_id": [r[0] for r in rows],
            "found_on": [r[1] for r in rows],
            "deadline": [r[2] for r in rows],
            "status": [LEGACY_HAZARD_STATUSES.get(r[3], r[3]) for r in rows],
            "level": "ordinary",
            "category": "fire",
            "is_listed": False,
        }
    )
    with ctx.engine.begin() as conn:
        bulk_insert(conn, "hazards", frame)


def jpeg_bytes(size=(640, 480), color=(30, 120, 200), exif=None) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    kw = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def png_bytes(size=(300, 200)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", size, (0, 200, 0, 128)).save(buf, "PNG")
    return buf.getvalue()


def one_sentence(message: str) -> bool:
    """A refusal is one sentence: it ends with a full stop and has no other."""
    body = message.rstrip()
    return body.endswith(".") and ". " not in body and "。" not in body[:-1]
