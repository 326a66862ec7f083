"""gridwatch db …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import Text


@click.group("db", cls=GridwatchGroup)
def db_group() -> None:
    """Create, migrate and inspect the database."""


@db_group.command("upgrade")
@click.option(
    "--revision",
    default="head",
    show_default=True,
    type=Text(),
    help="Target revision.",
)
def upgrade(revision: str) -> None:
    """Apply the Alembic migrations (creates the database if it does not exist)."""
    from alembic.util import CommandError

    from gridwatch.db import migrate

    ctx = open_ctx(migrate_mode="none")
    try:
        before, after = migrate.upgrade(ctx.engine, revision)
    except CommandError as exc:  # an unknown or relative revision, in one line
        raise click.BadParameter(
            f"{exc}; give 'head' or a revision id ('gridwatch db status').",
            param_hint="'--revision'",
        ) from None
    if before == after:
        click.echo(f"Database already at revision {after}.")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}.")


@db_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Show the backend, the schema revision and the row counts per table."""
    from gridwatch.services.summary import database_summary

    ctx = open_ctx(migrate_mode="create")
    summary = database_summary(ctx, cli_actor())
    if as_json:
        emit_json(summary)
        return
    click.echo(f"backend:  {summary['backend']}")
    click.echo(f"database: {summary['database']}")
    click.echo(f"revision: {summary['revision']} (head {summary['head']})")
    for table, n in summary["counts"].items():
        click.echo(f"  {table:<20} {n:>9,}")
