"""What a landing page shows about the actor's scope, and the service's health."""

from __future__ import annotations

import sqlalchemy as sa

from gridwatch.db import migrate
from gridwatch.db.engine import backend_of
from gridwatch.db.models import AdminUnit, Enterprise, Grid, GridVersion
from gridwatch.errors import DatabaseError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.scope import enterprise_clause, grid_clause


def scope_overview(ctx: Context, actor: Actor) -> dict:
    """The actor's area: ``{scope_code, scope_name, grids: [code…], n_grids,
    n_enterprises}`` — grids of the active version and enterprises in scope today,
    counted in SQL with the same scope clauses as every other read."""
    with ctx.engine.connect() as conn:
        name = None
        if actor.scope_code:
            name = conn.execute(
                sa.select(AdminUnit.name).where(AdminUnit.code == actor.scope_code)
            ).scalar()
        active = sa.select(GridVersion.id).where(GridVersion.status == "active")
        grid_where = [Grid.version_id.in_(active.scalar_subquery()), grid_clause(actor)]
        n_grids = conn.execute(
            sa.select(sa.func.count()).select_from(Grid).where(*grid_where)
        ).scalar_one()
        grids = []
        if actor.role == "warden":  # a warden's few grids are listed by code
            grids = list(
                conn.execute(
                    sa.select(Grid.code).where(*grid_where).order_by(Grid.code)
                ).scalars()
            )
        n_enterprises = conn.execute(
            sa.select(sa.func.count(Enterprise.id)).where(enterprise_clause(actor))
        ).scalar_one()
    return {
        "scope_code": actor.scope_code,
        "scope_name": name,
        "grids": grids,
        "n_grids": int(n_grids),
        "n_enterprises": int(n_enterprises),
    }


def health(ctx: Context) -> dict:
    """``{status: "ok", database, schema_revision}``; DatabaseError when the
    database cannot be reached (the web app answers 503)."""
    try:
        revision = migrate.current_revision(ctx.engine)
    except sa.exc.SQLAlchemyError:
        raise DatabaseError("The database cannot be reached.") from None
    return {
        "status": "ok",
        "database": backend_of(ctx.engine),
        "schema_revision": revision,
    }
