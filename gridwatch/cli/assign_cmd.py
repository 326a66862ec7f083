"""gridwatch assign … / gridwatch wardens …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import ROW_ID, Digits

#: rows of a list printed before "… and N more" (--json prints them all)
SHOWN = 20


def _more(rows: list, shown: int = SHOWN) -> None:
    if len(rows) > shown:
        click.echo(f"  … and {len(rows) - shown} more (--json lists them all)")


@click.group("assign", cls=GridwatchGroup, invoke_without_command=True)
@click.option(
    "--version", "version_id", type=ROW_ID, help="Grid version (default active)."
)
@click.option(
    "--path",
    type=click.Choice(["memory", "sql"]),
    default="memory",
    show_default=True,
    help="memory: cached in-process index; sql: PostGIS ST_Covers (same rule, "
    "same result).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def assign(click_ctx, version_id, path, as_json):
    """Put every located enterprise into exactly one grid (effective-dated).

    A point on a shared edge or vertex goes to the covering grid with the smallest
    code; a point outside every grid is listed with its nearest grid and distance.
    An enterprise located only to town (or district) level gets no grid: it is
    listed with its town for the street office to place by hand ('gridwatch
    assign unplaced'); one located only to community level gets the grid its
    point falls in, flagged as imprecise.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from gridwatch.services.assignment import assign_enterprises_to_grids

    r = assign_enterprises_to_grids(open_ctx(), cli_actor(), version_id, path=path)
    if as_json:
        emit_json(r)
        return
    click.echo(
        f"Version {r['version']}: {r['assigned']} of {r['enterprises']} enterprises "
        f"in grids ({r['imprecise']} of them imprecise, located only to community "
        f"level; {r['on_edge']} on a shared edge, {r['manual_kept']} manual kept); "
        f"{r['rows_opened']} rows opened, {r['rows_closed']} closed."
    )
    if r["outside"]:
        click.echo(f"{len(r['outside'])} outside every grid (fix their location):")
        for o in r["outside"][:SHOWN]:
            click.echo(
                f"  {o['uscc']} {o['name']}: nearest {o['nearest_grid']} "
                f"at {o['distance_m']} m"
            )
        _more(r["outside"])
    if r["unplaced"]:
        click.echo(
            f"{len(r['unplaced'])} located only to town or district level: grid "
            "unknown, not given to a warden; place them by hand "
            "('gridwatch enterprises place USCC LNG LAT'):"
        )
        for o in r["unplaced"][:SHOWN]:
            click.echo(f"  {o['uscc']} {o['name']}: {_town(o)}, grid unknown")
        _more(r["unplaced"])
    if r["no_location"]:
        click.echo(f"{len(r['no_location'])} have no location (geocode status shown):")
        for o in r["no_location"][:SHOWN]:
            click.echo(f"  {o['uscc']} {o['name']}: {o['precision']}")
        _more(r["no_location"])


def _town(row: dict) -> str:
    if row.get("town_code"):
        return f"in town {row['town_code']} {row.get('town_name') or ''}".rstrip()
    return "in the district (town unknown)"


@assign.command("unplaced")
@click.option("--street", type=Digits(9), help="Only this street/town (9-digit code).")
@click.option("--json", "as_json", is_flag=True)
def unplaced(street, as_json):
    """List the enterprises located only to town or district level (no grid).

    Each waits for the street office to place it by hand: 'gridwatch enterprises
    place USCC LNG LAT' makes its location manual, and the next 'gridwatch assign'
    gives it a grid and so a warden.
    """
    from gridwatch.services.assignment import list_unplaced

    rows = list_unplaced(open_ctx(), cli_actor(), street)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("Every located enterprise is placed well enough for a grid.")
        return
    click.echo(f"{len(rows)} enterprises have no grid (located too coarsely):")
    for o in rows:
        click.echo(f"  {o['uscc']} {o['name']} ({o['address'] or '-'}): {_town(o)}")


@click.group("wardens", cls=GridwatchGroup)
def wardens_group() -> None:
    """Grid wardens (网格员): list, assignment to grids, overrides."""


@wardens_group.command("list")
@click.option("--street", type=Digits(9), help="Only this street/town (9-digit code).")
@click.option("--json", "as_json", is_flag=True)
def wardens_list(street, as_json):
    """List the wardens with their grids and workload (active grid version)."""
    from gridwatch.services.assignment import list_wardens

    rows = list_wardens(open_ctx(), cli_actor(), street)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No active wardens" + (f" in street {street}." if street else "."))
        return
    click.echo("网格员 warden          street     grids  enterprises  workload  /mean")
    for w in rows:
        ratio = w["workload_over_street_mean"]
        click.echo(
            f"{w['username']:<14} {w['full_name']:<6} {w['street_code']:<10} "
            f"{len(w['grids']):>5}  {w['enterprises']:>11}  {w['workload']:>8.1f}  "
            f"{'-' if ratio is None else f'{ratio:.2f}':>5}"
        )
        if w["grids"]:
            click.echo(f"    grids: {', '.join(w['grids'])}")
        if w["deputy_of"]:
            click.echo(f"    deputy of: {', '.join(w['deputy_of'])}")
        if w["imprecise"]:
            click.echo(
                f"    {w['imprecise']} of them placed only to community level "
                "(grid a guess)"
            )


@wardens_group.command("assign")
@click.option("--street", type=Digits(9), help="Only this street/town (9-digit code).")
@click.option(
    "--version", "version_id", type=ROW_ID, help="Grid version (default active)."
)
@click.option("--json", "as_json", is_flag=True)
def wardens_assign(street, version_id, as_json):
    """Give every grid a responsible warden: balanced, contiguous, stable.

    After a redraw, the churn is the share of enterprises (that had a warden
    before and have one now) whose warden changed.
    """
    from gridwatch.services.assignment import assign_wardens

    r = assign_wardens(open_ctx(), cli_actor(), street, version_id)
    if as_json:
        emit_json(r)
        return
    if r["churn"] is None:
        churn = "churn: none to compare (no enterprise had a warden before)"
    else:
        churn = (
            f"churn {r['churn']:.1%} (warden changed for {r['churn_changed']} of "
            f"{r['churn_compared']} enterprises)"
        )
    click.echo(
        f"Version {r['version']}: {r['grids']} grids, {r['wardens']} wardens; "
        f"workload per warden max/mean {r['workload_max_over_mean']}, min/mean "
        f"{r['workload_min_over_mean']}; {churn}; "
        f"{r['overrides_kept']} overrides kept; {r['rows_opened']} rows opened, "
        f"{r['rows_closed']} closed."
    )
    if r["unstaffed_grids"]:
        click.echo(
            f"No warden for {len(r['unstaffed_grids'])} grids: "
            + ", ".join(r["unstaffed_grids"][:10])
        )


@wardens_group.command("override")
@click.argument("grid_code")
@click.argument("username")
def override(grid_code, username):
    """Make USERNAME the responsible warden of GRID_CODE; automatic runs keep it."""
    from gridwatch.services.assignment import set_override

    set_override(open_ctx(), cli_actor(), grid_code, username)
    click.echo(f"{username} is now responsible for {grid_code} (manual override).")


@wardens_group.command("deputy")
@click.argument("grid_code")
@click.argument("username")
@click.option("--remove", is_flag=True, help="End this deputy's assignment.")
def deputy(grid_code, username, remove):
    """Add USERNAME as a deputy warden of GRID_CODE (or --remove them)."""
    from gridwatch.services.assignment import set_deputy

    set_deputy(open_ctx(), cli_actor(), grid_code, username, remove)
    click.echo(
        f"{username} {'is no longer' if remove else 'is now'} a deputy of {grid_code}."
    )


def register(main: click.Group) -> None:
    main.add_command(assign)
    main.add_command(wardens_group)
