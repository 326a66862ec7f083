"""The transaction around a supervision import, and its record.

:func:`run_import` runs an import's body in one transaction with a
``supervision_imports`` row (who, when, file and digest, the counts and the
rejects), so a page can show what an import did later; a dry run rolls
everything back. :func:`finish_import` checks the accounting and writes the
rejects file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from gridwatch.db.models import SupervisionImport
from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor
from gridwatch.services.context import Context
from gridwatch.services.supervision.sheets import (
    MAX_STORED_REJECTS,
    ImportResult,
    file_digest,
    write_rejects,
)


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def check_output(path) -> Path | None:
    """The rejects path, checked before any work (never the input's folder gone)."""
    if path is None:
        return None
    path = Path(path)
    if path.is_dir() or not (path.parent if str(path.parent) else Path(".")).is_dir():
        raise InvalidInputError(
            f"Cannot write the rejects file {path}: give a file in an existing folder."
        )
    return path


def run_import(
    ctx: Context,
    actor: Actor,
    path: Path,
    result: ImportResult,
    body: Callable[[Session, int | None], None],
) -> None:
    """Run ``body(session, import_id)`` in one transaction and record the import."""
    digest = file_digest(path)
    try:
        with ctx.transaction(actor) as s:
            record = SupervisionImport(
                kind=result.kind,
                file_name=path.name[:255],
                sha256=digest,
                imported_by=actor.username,
                counts={},
                rejects=[],
            )
            s.add(record)
            s.flush()
            body(s, record.id)
            keep_counts(record, result)
            if result.dry_run:
                raise _DryRun
            result.import_id = record.id
    except _DryRun:
        result.import_id = None


def keep_counts(record: SupervisionImport, result: ImportResult) -> None:
    """Check the accounting and copy it (and the first rejects) to the record."""
    result.check()
    counts = result.to_json()
    record.counts = {
        k: counts[k]
        for k in ("rows", "stored", "updated", "unchanged", "rejected", "blank",
                  "hazards")
    }  # fmt: skip
    record.rejects = counts["rejects"][:MAX_STORED_REJECTS]


def finish_import(result: ImportResult, rejects_path) -> ImportResult:
    """Check that every row is accounted for and write the rejects file."""
    result.check()
    out = check_output(rejects_path)
    if out is not None:
        write_rejects(out, result.rejects)
    return result
