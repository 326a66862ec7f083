"""Open gridwatch's database for a use case: the engine, checked and migrated.

The CLI and the web app both call :func:`open_context` once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gridwatch.config import Settings, load_settings
from gridwatch.db import migrate
from gridwatch.db.engine import describe_db_error, make_engine
from gridwatch.errors import DatabaseError
from gridwatch.services.actor import Actor
from gridwatch.services.audit import install_audit


@dataclass
class Context:
    settings: Settings
    engine: Engine

    @contextmanager
    def transaction(self, actor: Actor) -> Iterator[Session]:
        """One transaction for one use case; every ORM change is audited as ``actor``."""
        if not isinstance(actor, Actor):
            raise TypeError(f"actor must be an Actor, got {type(actor).__name__}")
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["actor"] = actor.audit_name
            session.info["acting"] = actor
            try:
                with session.begin():
                    yield session
            except DBAPIError as exc:
                raise DatabaseError(describe_db_error(self.engine, exc)) from None

    def close(self) -> None:
        self.engine.dispose()


def _is_empty(engine: Engine) -> bool:
    names = set(sa.inspect(engine).get_table_names())
    return "enterprises" not in names and "alembic_version" not in names


def open_context(
    settings: Settings | None = None, *, migrate_mode: str = "auto"
) -> Context:
    """Open (and, from the command line, on first use create) the named database.

    ``migrate_mode``:

    - ``auto`` (the CLI, one process): create the schema in an empty database;
      refuse a database at another revision;
    - ``check`` (the web app, several worker processes): never write the schema;
      refuse an empty or outdated database, so workers cannot race to migrate it
      (``gridwatch db upgrade`` does that, once, before they start);
    - ``create``: only create an empty one (``db status``);
    - ``none``: touch nothing (``gridwatch db upgrade`` itself).
    """
    if migrate_mode not in ("auto", "check", "create", "none"):
        raise ValueError(f"unknown migrate_mode {migrate_mode!r}")
    settings = settings or load_settings()
    url = settings.resolved_database_url()
    engine = make_engine(url, spatialite_library=settings.spatialite_library)
    install_audit()
    try:
        empty = migrate_mode != "none" and _is_empty(engine)
        if empty and migrate_mode in ("auto", "create"):
            migrate.upgrade(engine)
        elif migrate_mode in ("auto", "check"):
            current, head = migrate.current_revision(engine), migrate.head_revision()
            if current != head:
                raise DatabaseError(
                    f"The database is at schema revision {current or 'none'} but "
                    f"this gridwatch needs {head}; run 'gridwatch db upgrade' first."
                )
    except DBAPIError as exc:
        raise DatabaseError(describe_db_error(engine, exc)) from None
    return Context(settings=settings, engine=engine)
