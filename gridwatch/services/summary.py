"""Row counts and database facts for ``db status`` and the demo summary."""

from __future__ import annotations

import sqlalchemy as sa

from gridwatch.db import migrate
from gridwatch.db.engine import backend_of
from gridwatch.db.models import Base
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context


def table_counts(ctx: Context, actor: Actor) -> dict[str, int]:
    """Rows per table (the whole database: admin and the command line only)."""
    require_role(actor, "admin", action="Counting the database's rows")
    existing = set(sa.inspect(ctx.engine).get_table_names())
    out = {}
    with ctx.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in existing:
                out[table.name] = conn.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar_one()
    return out


def database_summary(ctx: Context, actor: Actor) -> dict:
    return {
        "backend": backend_of(ctx.engine),
        "database": ctx.engine.url.render_as_string(hide_password=True),
        "revision": migrate.current_revision(ctx.engine),
        "head": migrate.head_revision(),
        "counts": table_counts(ctx, actor),
    }
