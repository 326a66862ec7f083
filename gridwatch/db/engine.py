"""Engine factory: one engine per process, SpatiaLite loaded on connect.

``make_engine(url)`` turns every way a database can fail to open into one
:class:`~gridwatch.errors.DatabaseError` sentence: a bad URL, a missing or corrupt
file, a locked file, an unreachable PostgreSQL, a missing PostGIS or SpatiaLite.
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import sqlite3
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from gridwatch.errors import DatabaseError

INSTALL_SPATIALITE = (
    "SpatiaLite (mod_spatialite) is not installed; install it with "
    "'sudo apt-get install libsqlite3-mod-spatialite' (Debian/Ubuntu) or set "
    "GRIDWATCH_SPATIALITE_LIBRARY to the path of mod_spatialite.so."
)

_SEARCH = (
    "/usr/lib/x86_64-linux-gnu/mod_spatialite.so",
    "/usr/lib/aarch64-linux-gnu/mod_spatialite.so",
    "/usr/lib/*/mod_spatialite.so",
    "/usr/lib64/mod_spatialite.so",
    "/usr/local/lib/mod_spatialite.so",
    "/usr/local/lib/mod_spatialite.dylib",
    "/opt/homebrew/lib/mod_spatialite.dylib",
)


def find_spatialite(explicit: str | None = None) -> str:
    """Path (or loadable name) of mod_spatialite; raise DatabaseError if absent.

    ``explicit`` is the ``spatialite_library`` setting (which also takes
    ``SPATIALITE_LIBRARY_PATH``, :mod:`gridwatch.config`); else the usual places.
    """
    if explicit:
        if os.path.sep in explicit and not Path(explicit).exists():
            raise DatabaseError(
                f"SpatiaLite library {explicit} does not exist; " + INSTALL_SPATIALITE
            )
        return explicit
    for pattern in _SEARCH:
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[0]
    found = ctypes.util.find_library("spatialite")
    if found:
        return "mod_spatialite"
    raise DatabaseError(INSTALL_SPATIALITE)


def sqlite_dbapi():
    """A DB-API sqlite module that can load extensions.

    pyenv/Debian python builds may lack ``enable_load_extension`` (compiled without
    ``--enable-loadable-sqlite-extensions``); pysqlite3-binary ships one that has it.
    """
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        from pysqlite3 import dbapi2
    except ImportError:
        raise DatabaseError(
            "This Python's sqlite3 cannot load extensions and pysqlite3 is missing; "
            "install it with 'pip install pysqlite3-binary'."
        ) from None
    return dbapi2


def _preload_gdal() -> None:
    """Load GDAL (pyogrio) before SpatiaLite.

    pyogrio's GDAL carries its own SQLite. When mod_spatialite has already brought
    the system libsqlite3 into the process, GDAL's GeoPackage driver then crashes
    the interpreter (segfault seen reading a .gpkg after opening the database).
    Loaded first, each library binds to its own SQLite.
    """
    try:
        import pyogrio  # noqa: F401
    except ImportError:  # pragma: no cover - pyogrio is a dependency
        pass


def _spatialite_listener(library: str):
    def on_connect(dbapi_conn, _record):
        dbapi_conn.enable_load_extension(True)
        # the DB-API module is sqlite3 or pysqlite3 (see make_engine): its own
        # OperationalError, whichever module made the connection
        dbapi_error = sys.modules[type(dbapi_conn).__module__].OperationalError
        try:
            dbapi_conn.load_extension(library)
        except dbapi_error as exc:
            raise DatabaseError(
                f"Could not load SpatiaLite from {library} ({exc}); "
                + INSTALL_SPATIALITE
            ) from None
        finally:
            dbapi_conn.enable_load_extension(False)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 5000")
        if cur.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
            # WGS84-only SRIDs keep a new file small and fast to create; we store
            # EPSG:4326 only and do metric work in pyproj.
            cur.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        cur.close()

    return on_connect


def make_engine(
    url: str,
    *,
    spatialite_library: str | None = None,
    create_dirs: bool = True,
    echo: bool = False,
) -> Engine:
    """Build the engine for ``url`` (``sqlite:///file`` → SpatiaLite, or PostGIS).

    Raises
    ------
    DatabaseError
        With one sentence saying what is wrong and how to fix it.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"The database URL {url!r} is not valid; use sqlite:///path/to/file.sqlite "
            "or postgresql+psycopg://user:password@host:5432/dbname."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database or ""
        if db in ("", ":memory:"):
            raise DatabaseError(
                "An in-memory SQLite database cannot hold gridwatch "
                "data across connections; give a file path."
            )
        path = Path(db)
        if create_dirs:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    f"Cannot create folder {path.parent} ({exc.strerror}); "
                    "set GRIDWATCH_DATA_DIR to a writable folder."
                ) from None
        library = find_spatialite(spatialite_library)
        _preload_gdal()
        engine = sa.create_engine(
            parsed, module=sqlite_dbapi(), echo=echo, connect_args={"timeout": 5}
        )
        event.listen(engine, "connect", _spatialite_listener(library))
        engine.info = {"backend": "spatialite", "path": str(path)}  # type: ignore[attr-defined]
    elif backend == "postgresql":
        try:
            engine = sa.create_engine(
                parsed,
                echo=echo,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5},
            )
        except (NoSuchModuleError, ModuleNotFoundError):
            raise DatabaseError(
                "PostgreSQL URLs need the psycopg driver: use "
                "postgresql+psycopg://… and 'pip install psycopg[binary]'."
            ) from None
        engine.info = {"backend": "postgis", "path": None}  # type: ignore[attr-defined]
    else:
        raise DatabaseError(
            f"Database backend {backend!r} is not supported; use "
            "sqlite:///… (SpatiaLite) or postgresql+psycopg://… (PostGIS)."
        )
    check_connection(engine)
    return engine


def backend_of(engine: Engine) -> str:
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"


def describe_db_error(engine: Engine, exc: BaseException) -> str:
    """One sentence for a DB-API error raised while opening or using ``engine``."""
    msg = (
        str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        if str(exc)
        else repr(exc)
    )
    low = msg.lower()
    where = engine.info.get("path") if hasattr(engine, "info") else None
    shown = where or engine.url.render_as_string(hide_password=True)
    if "locked" in low or "busy" in low:
        return (
            f"The database {shown} is locked by another process; wait for it to "
            "finish (or stop it) and try again."
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"The file {shown} is not a valid gridwatch database (it is corrupt or "
            "another kind of file); move it away or point GRIDWATCH_DATABASE_URL "
            "elsewhere."
        )
    if "unable to open" in low or "readonly" in low or "read-only" in low:
        return (
            f"Cannot open or write the database {shown}; check that the folder "
            "exists and is writable."
        )
    if (
        "connection refused" in low
        or "could not connect" in low
        or "timeout" in low
        or "name or service not known" in low
        or "could not translate host" in low
        or "connection failed" in low
    ):
        return (
            f"Cannot reach PostgreSQL at {shown} ({msg}); check that the server "
            "is running and the host/port in GRIDWATCH_DATABASE_URL are right."
        )
    if (
        "password authentication failed" in low
        or "does not exist" in low
        and "database" in low
    ):
        return (
            f"PostgreSQL refused {shown} ({msg}); check the user, password and "
            "database name in GRIDWATCH_DATABASE_URL."
        )
    return f"Database error on {shown}: {msg}."


def check_connection(engine: Engine) -> None:
    """Open one connection and check the spatial extension; DatabaseError if not."""
    try:
        with engine.connect() as conn:
            if backend_of(engine) == "spatialite":
                conn.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar()
            else:
                has = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"
                    )
                ).scalar()
                if not has:
                    try:
                        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
                        conn.commit()
                    except DBAPIError:
                        raise DatabaseError(
                            "The PostgreSQL database has no PostGIS extension and this "
                            "user cannot create it; run 'CREATE EXTENSION postgis' as a "
                            "superuser (Debian: apt-get install postgresql-15-postgis-3)."
                        ) from None
    except DatabaseError:
        raise
    except DBAPIError as exc:
        raise DatabaseError(describe_db_error(engine, exc)) from None
    except sqlite3.Error as exc:  # pragma: no cover - raised outside SQLAlchemy wrap
        raise DatabaseError(describe_db_error(engine, exc)) from None
