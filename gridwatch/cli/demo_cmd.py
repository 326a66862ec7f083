"""gridwatch demo"""

from __future__ import annotations

import click

from gridwatch.cli.params import SEED


@click.command("demo")
@click.option(
    "--enterprises",
    "n_enterprises",
    type=click.IntRange(100, 200_000),
    default=9000,
    show_default=True,
    help="How many enterprises to generate.",
)
@click.option(
    "--seed",
    type=SEED,
    default=20131,
    show_default=True,
    help="Random seed: the same seed builds the same district.",
)
@click.option(
    "--no-serve",
    is_flag=True,
    help="Build and exit without serving the web app. The web app is not "
    "built yet, so the demo always exits after building for now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def demo(n_enterprises: int, seed: int, no_serve: bool, as_json: bool) -> None:
    """Build (or rebuild) the demo district of Chancheng, Foshan and summarise it.

    Replaces everything in the database (in one transaction) with: boundaries
    (illustrative 示意边界), gazetteer, accounts, registry, geocodes, balanced grids,
    assignments, two years of inspections and hazards; then writes the coverage,
    hotspot and grid maps into GRIDWATCH_DATA_DIR/maps.
    """
    from gridwatch.cli.base import cli_actor, emit_json, open_ctx, step_printer
    from gridwatch.services.demo import build_demo, format_summary

    ctx = open_ctx()
    summary = build_demo(
        ctx,
        cli_actor(),
        n_enterprises=n_enterprises,
        seed=seed,
        progress=None if as_json else step_printer(),
    )
    if as_json:
        emit_json(summary)
    else:
        click.echo(format_summary(summary))
