"""A stored spreadsheet import, read back: its counts and its rejected rows.

The web pages offer an import's rejects as a CSV download after the import
(the request that imported the file is gone by then, so they are read from the
``supervision_imports`` row :mod:`.imports` wrote: the first
``MAX_STORED_REJECTS`` rejects).
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from gridwatch.db.models import SupervisionImport
from gridwatch.errors import NotFoundError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.spreadsheets import neutralise

#: who may read an import: staff who may import (an office only its own imports)
READERS = ("street_office", "bureau")


def import_record(ctx: Context, actor: Actor, import_id: int) -> dict:
    """One import: ``id, kind, file_name, imported_at, imported_by, counts,
    rejects`` (list of ``{row, field, value, reason}``).

    A street office reads only the imports its own account made; the bureau
    reads every import. Another's import looks absent.

    Raises
    ------
    PermissionDeniedError
        A role outside :data:`READERS` (the command line's ``system`` may).
    NotFoundError
        No such import, or one another office made.
    """
    require_role(actor, *READERS, action="read an import's rejects")
    stmt = sa.select(SupervisionImport.__table__).where(
        SupervisionImport.id == import_id
    )
    if actor.role == "street_office":
        stmt = stmt.where(SupervisionImport.imported_by == actor.username)
    with ctx.engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no import {import_id} of yours.")
    return {
        "id": row["id"],
        "kind": row["kind"],
        "file_name": row["file_name"],
        "imported_at": row["imported_at"],
        "imported_by": row["imported_by"],
        "counts": dict(row["counts"] or {}),
        "rejects": list(row["rejects"] or []),
    }


def rejects_csv(ctx: Context, actor: Actor, import_id: int) -> tuple[str, bytes]:
    """``(download name, UTF-8-with-BOM CSV bytes)`` of an import's rejects, with
    the same Chinese headers as the CLI's rejects file (行号, 字段, 值, 原因)."""
    record = import_record(ctx, actor, import_id)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["行号", "字段", "值", "原因"])
    for r in record["rejects"]:
        # the cells echo the imported file: never a formula in Excel (OWASP)
        w.writerow(
            [r.get("row")]
            + [neutralise(r.get(k)) for k in ("field", "value", "reason")]
        )
    stem = record["file_name"].rsplit(".", 1)[0] or "import"
    return f"{stem}-rejects-{import_id}.csv", out.getvalue().encode("utf-8-sig")
