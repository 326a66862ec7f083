"""gridwatch demo"""

from __future__ import annotations

import click

from gridwatch.cli.params import SEED, Host
from gridwatch.cli.serve_cmd import HOST_HELP


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
    help="Build and exit without serving the web app.",
)
@click.option(
    "--host", type=Host(), default="127.0.0.1", show_default=True, help=HOST_HELP
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as JSON (no serving)."
)
def demo(
    n_enterprises: int, seed: int, no_serve: bool, host: str, port: int, as_json: bool
) -> None:
    """Build (or rebuild) the demo district of Chancheng, Foshan and summarise it.

    Replaces everything in the database (in one transaction) with: boundaries
    (illustrative 示意边界), gazetteer, accounts, registry, geocodes, balanced grids,
    assignments, two years of inspections and hazards; then writes the coverage,
    hotspot and grid maps into GRIDWATCH_DATA_DIR/maps. Then it serves the web app
    (unless --no-serve or --json), printing its address and the demo logins.
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
        return
    click.echo(format_summary(summary))
    if not no_serve:
        from gridwatch.cli.serve_cmd import serve_app

        ctx.close()
        serve_app(host, port, banner=_logins_banner(summary))


def _logins_banner(summary: dict) -> str:
    """The demo's sign-ins, repeated next to the address (demo accounts need no
    password change)."""
    lines = ["", "示范账号 Demo logins (username / password):"]
    for u in summary.get("logins", []):
        scope = f" {u['scope']}" if u.get("scope") else ""
        lines.append(f"  {u['role']:<14} {u['username']:<20} {u['password']}{scope}")
    return "\n".join(lines)
