"""Audit log: every ORM change is written with who, when, and old/new values.

This module is the only writer of ``audit_log`` (tests/unit/test_architecture.py
fails on a reference to the table anywhere else in gridwatch/). Three ways in:

- a ``before_flush`` listener on all sessions reads each new, changed and deleted
  object's attribute history, so no ORM use case can forget to audit;
- :func:`record` adds one row by hand to a session (a bulk operation through Core
  summarised in one line, e.g. "bulk_insert 12,000 inspections");
- :func:`entry` builds one row and :func:`record_rows` inserts many on a Core
  connection (the registry import and :func:`fill_admin_codes
  <gridwatch.services.geocoding.fill_admin_codes>` log each enterprise they
  change, with old and new values).

The actor is always the audit name of the acting user
(:attr:`gridwatch.services.actor.Actor.audit_name`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from gridwatch.db.models import AuditLog, Base
from gridwatch.db.queries import bulk_insert

_SKIP_COLUMNS = {"geom", "base", "password_hash", "updated_at", "created_at"}
_installed = False


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


_GEOMETRY_COLUMNS = ("geom", "base")


def _geom_text(value: Any) -> str | None:
    """A moved point as WKT (old and new positions in the log); any other geometry
    as "changed" (a grid's polygon would swamp the log)."""
    if value is None:
        return None
    from geoalchemy2.shape import to_shape
    from shapely.errors import ShapelyError

    try:
        shape = to_shape(value) if not hasattr(value, "geom_type") else value
    except (ShapelyError, TypeError, ValueError, AttributeError):
        return "changed"  # e.g. a SQL expression rather than a value
    if shape.geom_type != "Point" or shape.is_empty:
        return "changed"
    return f"POINT ({shape.x:.7f} {shape.y:.7f})"


def _key(obj: Base) -> str | None:
    for attr in ("uscc", "code", "username", "addr_id", "road_id"):
        if hasattr(obj, attr) and getattr(obj, attr) is not None:
            return str(getattr(obj, attr))
    ident = inspect(obj).identity
    return str(ident[0]) if ident else None


def _values(obj: Base) -> dict[str, Any]:
    return {
        c.key: _plain(getattr(obj, c.key))
        for c in inspect(obj).mapper.column_attrs
        if c.key not in _SKIP_COLUMNS and c.key != "id"
    }


def _changes(obj: Base) -> tuple[dict, dict]:
    old, new = {}, {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIP_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old[attr.key] = _plain(hist.deleted[0]) if hist.deleted else None
            new[attr.key] = _plain(hist.added[0]) if hist.added else None
    for key in _GEOMETRY_COLUMNS:
        attr = state.attrs.get(key)
        if attr is not None and attr.history.has_changes():
            hist = attr.history
            old[key] = _geom_text(hist.deleted[0]) if hist.deleted else None
            new[key] = _geom_text(hist.added[0]) if hist.added else None
    return old, new


def _before_flush(session: Session, _ctx, _instances) -> None:
    actor = session.info.get("actor", "system")

    def row(obj, action, old, new):
        return AuditLog(
            actor=actor,
            action=action,
            entity=obj.__tablename__,
            entity_key=_key(obj),
            old=old,
            new=new,
        )

    rows = [
        row(o, "insert", None, _values(o))
        for o in session.new
        if not isinstance(o, AuditLog)
    ]
    for obj in session.dirty:
        if isinstance(obj, AuditLog) or not session.is_modified(obj):
            continue
        old, new = _changes(obj)
        if new:
            rows.append(row(obj, "update", old, new))
    rows += [
        row(o, "delete", _values(o), None)
        for o in session.deleted
        if not isinstance(o, AuditLog)
    ]
    session.add_all(rows)


def install_audit() -> None:
    """Attach the listener to every Session (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        _installed = True


def record(
    session: Session,
    action: str,
    entity: str,
    key: str | None = None,
    old: dict | None = None,
    new: dict | None = None,
) -> None:
    """Write one audit row by hand (bulk operations that bypass the ORM)."""
    session.add(
        AuditLog(
            actor=session.info.get("actor", "system"),
            action=action,
            entity=entity,
            entity_key=key,
            old=old,
            new=new,
        )
    )


def entry(
    actor: str,
    action: str,
    entity: str,
    key: str | None = None,
    old: dict | None = None,
    new: dict | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """One audit row as a dict for :func:`record_rows` (``at`` defaults to the
    table's default, now in UTC)."""
    row = {
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": key,
        "old": old,
        "new": new,
    }
    if at is not None:
        row["at"] = at
    return row


def record_rows(conn, entries: Iterable[dict[str, Any]]) -> int:
    """Insert audit rows built by :func:`entry` on a Core connection (bulk
    writers that bypass the ORM); return how many."""
    rows = list(entries)
    if not rows:
        return 0
    return bulk_insert(conn, AuditLog.__tablename__, rows)


def latest_change_id():
    """``SELECT max(audit_log.id)`` as a scalar subquery: it moves on every audited
    change, so a cache keyed on it (e.g. the bureau's figures) is never stale."""
    import sqlalchemy as sa

    return sa.select(sa.func.max(AuditLog.id)).scalar_subquery()
