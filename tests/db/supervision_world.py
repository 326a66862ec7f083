"""A staffed small district for the supervision service tests.

``small_district`` (1 street, 2 communities, 60 placed enterprises, 4 wardens)
with balanced grids, enterprises and wardens assigned from :data:`D0`, a street
office and a bureau account; actors are loaded the way the CLI's ``--as`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, Warden
from gridwatch.db.queries import effective_on
from gridwatch.services import grids as gsvc
from gridwatch.services.actor import Actor
from gridwatch.services.assignment import assign_enterprises_to_grids, assign_wardens
from gridwatch.services.geocoding import fill_admin_codes
from gridwatch.services.supervision import actor_for_user
from gridwatch.services.users import add_user
from tests.actors import SYSTEM
from tests.db.conftest import TOWN, build_small_district

D0 = dt.date(2025, 1, 6)


@dataclass
class World:
    ctx: object
    office: Actor
    bureau: Actor
    wardens: list[Actor]

    def warden_of(self, enterprise_id: int, day: dt.date | None = None) -> Actor:
        """The responsible warden of an enterprise on ``day`` (default today)."""
        day = day or dt.date.today()
        with self.ctx.engine.connect() as conn:
            wid = conn.execute(
                sa.select(GridWarden.warden_id)
                .join(EnterpriseGrid, EnterpriseGrid.grid_code == GridWarden.grid_code)
                .where(
                    EnterpriseGrid.enterprise_id == enterprise_id,
                    effective_on(EnterpriseGrid, day),
                    effective_on(GridWarden, day),
                    GridWarden.role == "responsible",
                )
            ).scalar_one()
        return next(w for w in self.wardens if w.warden_id == wid)

    def enterprise_ids(self) -> list[int]:
        with self.ctx.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(Enterprise.id)
                    .where(Enterprise.geom.is_not(None))
                    .order_by(Enterprise.id)
                ).scalars()
            )

    def other_warden(self, enterprise_id: int) -> Actor:
        own = self.warden_of(enterprise_id)
        return next(w for w in self.wardens if w.warden_id != own.warden_id)


def build_world(ctx) -> World:
    build_small_district(ctx)
    with ctx.engine.begin() as conn:  # town/community codes, as geocoding leaves them
        fill_admin_codes(conn)
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D0)
    assign_wardens(ctx, SYSTEM, today=D0)
    add_user(ctx, SYSTEM, "zc_office", "张槎安监办", "street_office", TOWN,
             password="correct horse battery")  # fmt: skip
    add_user(ctx, SYSTEM, "bureau_01", "区安监局", "bureau",
             password="correct horse battery")  # fmt: skip
    with ctx.engine.connect() as conn:
        names = list(conn.execute(sa.select(Warden.id).order_by(Warden.id)).scalars())
    wardens = [actor_for_user(ctx, f"zc_warden_{i:03d}") for i in range(len(names))]
    return World(
        ctx, actor_for_user(ctx, "zc_office"), actor_for_user(ctx, "bureau_01"),
        wardens,
    )  # fmt: skip
