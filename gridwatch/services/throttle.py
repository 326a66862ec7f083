"""Rate-limit counters in gridwatch's own database, as a ``limits`` storage backend.

Why our own backend: Flask-Limiter keeps its counters in a ``limits`` storage. The
default ``memory://`` is per process, so under gunicorn with N workers a client
would get N times the allowed sign-in attempts, and the counters would reset on
every restart. The shared storages ``limits`` ships (Redis, Memcached, MongoDB)
are servers that gridwatch does not otherwise need and that a district bureau's
one machine will not have. The database every worker already shares holds the
counters instead: one row per key in ``rate_limits``.

Registering: ``limits`` keeps a registry of storage classes keyed by their
``STORAGE_SCHEME`` (filled by the ``StorageRegistry`` metaclass when a subclass of
``limits.storage.Storage`` is defined), and ``storage_from_string`` picks the class
by the URI's scheme. Importing this module registers ``gridwatch+db://``; the web
app passes its engine as the storage option ``engine``.

Each :meth:`DatabaseStorage.incr` is one atomic ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` (PostgreSQL ≥ 9.5, SQLite ≥ 3.35), so two workers counting the same key
at once cannot lose a hit. Only the fixed-window strategy is supported (the one
Flask-Limiter uses by default).
"""

from __future__ import annotations

import random
import time
from typing import ClassVar

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from gridwatch.db.models import RateLimit

SCHEME = "gridwatch+db"
_table = RateLimit.__table__


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table (see module docstring)."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | None = None,
        **options,
    ) -> None:
        if engine is None:
            raise ValueError(f"{SCHEME}:// storage needs the option engine=<Engine>")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _insert(self):
        return (
            postgresql.insert(_table)
            if self.engine.dialect.name == "postgresql"
            else sqlite.insert(_table)
        )

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        stmt = self._insert().values(key=key, hits=amount, expires_at=now + expiry)
        expired = _table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "hits": sa.case((expired, amount), else_=_table.c.hits + amount),
                "expires_at": sa.case(
                    (expired, now + expiry), else_=_table.c.expires_at
                ),
            },
        ).returning(_table.c.hits)
        with self.engine.begin() as conn:
            hits = int(conn.execute(stmt).scalar_one())
        if random.random() < 0.01:  # now and then, drop counters of other keys
            self.purge_expired()
        return hits

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(_table.c.hits, _table.c.expires_at).where(_table.c.key == key)
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        if row is None or row.expires_at <= time.time():
            return 0
        return int(row.hits)

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        if row is None or row.expires_at <= time.time():
            return time.time()
        return float(row.expires_at)

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(_table))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(_table).where(_table.c.key == key))

    def purge_expired(self) -> int:
        """Delete expired counters (housekeeping; returns how many)."""
        with self.engine.begin() as conn:
            return conn.execute(
                sa.delete(_table).where(_table.c.expires_at <= time.time())
            ).rowcount
