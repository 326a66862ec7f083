"""Registry import as a use case: check outputs, read, validate, plan, store.

Every row read is stored, rejected with its reason, blank, or a skipped totals
row, and the counts add up (``ImportSummary.balanced``). A file never replaces
or blanks stored data: nothing is deleted, an empty cell never erases a value, and
a file with no enterprise rows is refused before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gridwatch.db.models import Enterprise
from gridwatch.errors import InvalidInputError
from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.enterprise_upsert import (
    apply_plan,
    check_hints,
    now_utc,
    plan_upsert,
)


def import_registry(
    ctx: Context,
    actor: Actor,
    path: str | Path,
    *,
    sheet: str | None = None,
    header_map: dict[str, str] | None = None,
    value_map: dict[str, dict[str, str]] | None = None,
    dry_run: bool = False,
    rejects_path: str | Path | None = None,
    default_datum: str | None = None,
    progress=None,
):
    """Read, validate and upsert a registry file; every row is stored or reported.

    Parameters
    ----------
    value_map : dict, optional
        ``{column (header as in the file, or field): {old value: new value}}``
        applied before the cells are read.
    dry_run : bool
        Compute what would be inserted/updated/unchanged and store nothing.
    rejects_path : path, optional
        CSV of rejected rows and notes; checked for writability before the file
        is read, so a bad path stores nothing.

    Returns
    -------
    ImportSummary
        With the inserted/updated/unchanged split (what *would* happen on a dry
        run) and ``output_error`` set if the rejects file could not be written
        after the rows were stored.

    Raises
    ------
    InvalidInputError
        An unwritable rejects path, an unreadable file, a value mapping naming a
        missing column, or a file with no enterprise rows at all.
    """
    require_role(actor, "admin", action="Importing the registry")
    from gridwatch.registry import read_registry
    from gridwatch.spreadsheets import check_writable

    if rejects_path is not None:
        check_writable(rejects_path, "rejects file")
        if Path(rejects_path).resolve() == Path(path).resolve():
            raise InvalidInputError(
                f"The rejects file {rejects_path} is the registry file itself and "
                "would overwrite it; choose another path."
            )
    source = read_registry(path, sheet=sheet, header_map=header_map)
    summary, records = _validate(ctx, source, value_map, default_datum, progress)
    summary.dry_run = dry_run
    if summary.valid + summary.rejected == 0:
        raise InvalidInputError(
            f"{Path(path).name} has no enterprise rows ({summary.blank} blank, "
            f"{summary.totals} totals rows); nothing was imported."
        )
    _store(ctx, actor, records, summary, dry_run)
    if not summary.balanced:  # every row is stored or reported: never silently lost
        raise RuntimeError(f"import accounting is off: {summary.to_dict()}")
    if rejects_path is not None:
        _write_report(summary, rejects_path)
    return summary


def _validate(ctx, source, value_map, default_datum, progress):
    from gridwatch.registry import RowRules, validate_rows
    from gridwatch.registry.summary import ImportSummary
    from gridwatch.services.admin import district_outline
    from gridwatch.services.enterprises import units_resolver

    rules = RowRules(
        default_datum,
        units_resolver(ctx),
        source.resolve_value_map(value_map) if value_map else {},
    )
    summary = ImportSummary(
        extra_columns=source.unknown_headers,
        row_number_columns=list(source.row_number_columns.values()),
    )
    rows = iter(source)
    if progress is not None:
        rows = progress(rows)
    records = {
        n: rec
        for n, rec, _rej in validate_rows(
            rows, summary, district_outline(ctx), rules=rules
        )
        if rec
    }
    return summary, records


def _store(ctx: Context, actor: Actor, records: dict, summary, dry_run: bool) -> None:
    """Plan (and unless ``dry_run`` apply) the upsert; fill the summary's counts."""
    from gridwatch.registry.summary import Note
    from gridwatch.services.geocoding import fill_admin_codes

    if not records:  # all rejected: nothing to plan, nothing replaced
        return
    now = now_utc()
    if dry_run:
        with ctx.engine.connect() as conn:
            plan = plan_upsert(conn, records.values(), actor.audit_name, now)
        counts = plan.counts
    else:
        with ctx.transaction(actor) as s:
            conn = s.connection()
            counts = apply_plan(
                conn, plan_upsert(conn, records.values(), actor.audit_name, now), now
            )
            fill_admin_codes(conn, actor, usccs=[r["uscc"] for r in records.values()])
            misses = check_hints(
                conn, actor.audit_name, [r["uscc"] for r in records.values()]
            )
            summary.flagged = _count_flagged(
                conn, [r["uscc"] for r in records.values()]
            )
        row_of = {rec["uscc"]: n for n, rec in records.items()}
        for uscc, found in misses.items():
            for level, hint, placed in found:
                field = f"{level}_hint"
                summary.notes.append(
                    Note(
                        row_of[uscc],
                        field,
                        records[row_of[uscc]][field] or hint,
                        f"{'所属镇街' if level == 'town' else '所属村居'} names {hint} but the "
                        f"point lies in {placed}: stored and flagged for a person to check",
                    )
                )
    summary.inserted = counts["inserted"]
    summary.updated = counts["updated"]
    summary.unchanged = counts["unchanged"]


def _count_flagged(conn, usccs: list[str]) -> int:
    """How many of these enterprises carry a registry flag (one cheap query when
    none in the district does)."""
    any_flag = sa.select(sa.func.count()).where(Enterprise.registry_flags.isnot(None))
    if not conn.execute(any_flag).scalar():
        return 0
    n = 0
    for start in range(0, len(usccs), 900):
        n += conn.execute(
            sa.select(sa.func.count())
            .select_from(Enterprise)
            .where(
                Enterprise.uscc.in_(usccs[start : start + 900]),
                Enterprise.registry_flags.isnot(None),
            )
        ).scalar()
    return n


def _write_report(summary, rejects_path) -> None:
    """Write the rejects file; a failure now (disk full) must not hide the summary
    of rows already stored, so it is recorded, not raised."""
    from gridwatch.registry import write_rejects

    try:
        write_rejects(summary.rejects, rejects_path, summary.notes)
    except OSError as exc:
        summary.output_error = (
            f"Cannot write the rejects file {rejects_path}: {exc.strerror or exc}; the "
            "rows above were stored, so fix the path and import the file again "
            "(a re-import changes nothing) to get the file."
        )
