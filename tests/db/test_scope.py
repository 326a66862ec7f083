"""Services filter by the acting user's scope in SQL, and refuse what a role may not do."""

import datetime as dt

import pytest
import sqlalchemy as sa

from gridwatch.db.models import Enterprise, EnterpriseGrid, GridWarden, User, Warden
from gridwatch.db.queries import effective_on
from gridwatch.errors import NotFoundError, PermissionDeniedError
from gridwatch.services import grids as gsvc
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.assignment import (
    assign_enterprises_to_grids,
    assign_wardens,
    responsible_on,
)
from gridwatch.services.enterprises import read_enterprises
from gridwatch.services.geocoding import place_manually
from gridwatch.services.users import add_user
from tests.actors import SYSTEM
from tests.db.conftest import TOWN

D1 = dt.date(2026, 1, 5)


def _staffed(ctx):
    gsvc.build_version(ctx, SYSTEM, "balanced", grids_per_unit=2, activate=True)
    assign_enterprises_to_grids(ctx, SYSTEM, today=D1)
    assign_wardens(ctx, SYSTEM, today=D1)


def _warden(ctx, username: str) -> Actor:
    with ctx.engine.connect() as conn:
        wid = conn.execute(
            sa.select(Warden.id)
            .join(User, User.id == Warden.user_id)
            .where(User.username == username)
        ).scalar_one()
    return Actor(username, "warden", TOWN, warden_id=wid)


def _expected_for(ctx, warden: Actor, day) -> set[str]:
    """The warden's enterprises counted the long way round, for comparison."""
    with ctx.engine.connect() as conn:
        grids = {
            r[0]
            for r in conn.execute(
                sa.select(GridWarden.grid_code).where(
                    GridWarden.warden_id == warden.warden_id,
                    effective_on(GridWarden, day),
                )
            )
        }
        rows = conn.execute(
            sa.select(Enterprise.uscc, EnterpriseGrid.grid_code)
            .join(EnterpriseGrid, EnterpriseGrid.enterprise_id == Enterprise.id)
            .where(effective_on(EnterpriseGrid, day))
        ).all()
    return {u for u, g in rows if g in grids}


def test_warden_reads_only_the_enterprises_of_their_grids(small_district):
    _staffed(small_district)
    seen = {}
    for i in range(4):
        w = _warden(small_district, f"zc_warden_{i:03d}")
        got = set(read_enterprises(small_district, w)["uscc"])
        assert got == _expected_for(small_district, w, dt.date.today())
        seen[w.username] = got
    # the wardens' sets are disjoint and together are every assigned enterprise
    union = set().union(*seen.values())
    assert sum(map(len, seen.values())) == len(union) == 60


def test_street_office_reads_its_street_and_nothing_of_another(small_district):
    _staffed(small_district)
    own = Actor("zc_office", "street_office", TOWN)
    other = Actor("sw_office", "street_office", "440604003")
    # the 60 placed enterprises lie in the street's grids; the unplaced one has
    # neither a town code nor a grid, so no street sees it (the district does)
    assert len(read_enterprises(small_district, own)) == 60
    assert len(read_enterprises(small_district, SYSTEM)) == 61
    assert read_enterprises(small_district, other).empty


def test_out_of_scope_enterprise_is_not_found_not_forbidden(small_district):
    _staffed(small_district)
    w0 = _warden(small_district, "zc_warden_000")
    mine = set(read_enterprises(small_district, w0)["uscc"])
    theirs = sorted(set(read_enterprises(small_district, SYSTEM)["uscc"]) - mine)
    with pytest.raises(NotFoundError):
        responsible_on(small_district, w0, theirs[0], dt.date.today())
    with pytest.raises(NotFoundError):
        place_manually(small_district, w0, theirs[0], 113.01, 23.01, "wgs84")
    # their own enterprise they may move
    r = place_manually(small_district, w0, min(mine), 113.01, 23.01, "wgs84")
    assert r["precision"] == "manual"


def test_roles_are_refused_in_one_sentence(small_district):
    bureau = Actor("bureau1", "bureau")
    with pytest.raises(PermissionDeniedError) as exc:
        add_user(small_district, bureau, "someone", "某人", "bureau")
    assert "Creating accounts" in exc.value.user_msg and exc.value.http_status == 403
    office = Actor("zc_office", "street_office", TOWN)
    with pytest.raises(PermissionDeniedError):
        gsvc.build_version(small_district, office, "balanced", grids_per_unit=2)
    # its own street it may redraw
    r = gsvc.build_version(
        small_district, office, "balanced", grids_per_unit=2, town=TOWN
    )
    assert r["grids"] == 4
    with pytest.raises(PermissionDeniedError):
        assign_wardens(small_district, office, street="440604003")


def test_require_role_rejects_non_actor():
    with pytest.raises(TypeError):
        require_role("cli", "admin", action="x")
    with pytest.raises(ValueError):
        Actor("w", "warden", TOWN)  # a warden needs its warden id
