"""Open gridwatch's database for a use case: the engine, checked and migrated.

The CLI and the web app both call :func:`open_context` once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gridwatch.config import Settings, load_settings
from gridwatch.db import migrate
from gridwatch.db.engine import describe_db_error, make_engine
from gridwatch.errors import DatabaseError
from gridwatch.services.audit import install_audit


@dataclass
class Context:
    settings: Settings
    engine: Engine

    @contextmanager
    def transaction(self, actor: str = "system") -> Iterator[Session]:
        """One transaction for one use case; every ORM change is audited as ``actor``."""
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["actor"] = actor
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
    """Open (and on first use create) the database named by ``settings``.

    ``migrate_mode``: ``auto`` creates the schema in an empty database and refuses a
    database at an older revision; ``create`` only creates an empty one (``db
    status``); ``none`` touches nothing (``gridwatch db upgrade`` itself).
    """
    settings = settings or load_settings()
    url = settings.resolved_database_url()
    engine = make_engine(url, spatialite_library=settings.spatialite_library)
    install_audit()
    if migrate_mode in ("auto", "create"):
        try:
            if _is_empty(engine):
                migrate.upgrade(engine)
            elif migrate_mode == "auto":
                current, head = (
                    migrate.current_revision(engine),
                    migrate.head_revision(),
                )
                if current != head:
                    raise DatabaseError(
                        f"The database is at schema revision {current or 'none'} but this "
                        f"gridwatch needs {head}; run 'gridwatch db upgrade' first."
                    )
        except DBAPIError as exc:
            raise DatabaseError(describe_db_error(engine, exc)) from None
    return Context(settings=settings, engine=engine)


def database_path(settings: Settings) -> Path | None:
    url = settings.resolved_database_url()
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite:///") else None
