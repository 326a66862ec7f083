"""Alembic environment: runs on the connection gridwatch hands it (SpatiaLite or PostGIS)."""

from alembic import context
from geoalchemy2 import alembic_helpers

from gridwatch.db.migrate import include_object
from gridwatch.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - gridwatch always passes one
        raise RuntimeError("run migrations through 'gridwatch db upgrade'")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
