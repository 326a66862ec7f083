"""Pieces the assignment use cases share: dated-row history, closing rows, scope."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from gridwatch.db.models import AdminUnit
from gridwatch.errors import PermissionDeniedError
from gridwatch.services.actor import Actor, require_role

#: ids per UPDATE … WHERE id IN (…): below SQLite's historical limit of 999 bound
#: parameters (SQLITE_MAX_VARIABLE_NUMBER before SQLite 3.32)
BATCH = 900


def history(conn, model, key_col, value_cols, where) -> pd.DataFrame:
    """Every dated row of ``model`` matching ``where``: ``id, key, <value_cols>,
    valid_from, valid_to`` (one row per stored row, open or closed)."""
    rows = conn.execute(
        sa.select(
            model.id,
            key_col.label("key"),
            *value_cols,
            model.valid_from,
            model.valid_to,
        ).where(*where)
    ).all()
    return pd.DataFrame(
        rows,
        columns=["id", "key", *[c.key for c in value_cols], "valid_from", "valid_to"],
    )


def close_rows(conn, model, ids, day: dt.date) -> int:
    """End the dated rows ``ids`` of ``model`` on ``day`` (valid_to exclusive)."""
    ids = [int(i) for i in ids]
    for start in range(0, len(ids), BATCH):
        conn.execute(
            sa.update(model)
            .where(model.id.in_(ids[start : start + BATCH]))
            .values(valid_to=day)
        )
    return len(ids)


def street_scope(actor: Actor, street: str | None, what: str) -> str | None:
    """The street a street office acts on (its own; another is refused); other
    roles allowed to act get ``street`` as given."""
    require_role(actor, "street_office", "admin", action=what)
    if actor.role != "street_office":
        return street
    if street not in (None, actor.scope_code):
        raise PermissionDeniedError(
            f"{what} is limited to your own street ({actor.scope_code}), not {street}.",
            details={"scope": actor.scope_code, "street": street},
        )
    return actor.scope_code


def unit_names(conn, codes) -> dict[str, str]:
    """code → name of the administrative units among ``codes``."""
    wanted = sorted({str(c) for c in codes if c})
    if not wanted:
        return {}
    return dict(
        conn.execute(
            sa.select(AdminUnit.code, AdminUnit.name).where(AdminUnit.code.in_(wanted))
        ).all()
    )
