"""gridwatch geocode … / gridwatch gazetteer …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import Text

#: Review rows printed on a terminal (--json gives them all).
SHOWN = 10


def _print_coverage(coverage: dict) -> None:
    click.echo(coverage["message"])
    for t in coverage["towns"]:
        if not t["door_plates"]:
            click.echo(
                f"  {t['name']} ({t['code']}): {t['roads']} roads, 0 door plates; "
                f"{t['expected_text']}"
            )


@click.group("geocode", cls=GridwatchGroup, invoke_without_command=True)
@click.option(
    "--missing",
    "mode",
    flag_value="missing",
    default=True,
    help="Only enterprises without a location (default).",
)
@click.option(
    "--all",
    "mode",
    flag_value="all",
    help="Also re-geocode address-based locations (never manual/supplied).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def geocode_group(click_ctx, mode, as_json):
    """Geocode enterprises offline against the gazetteer (标准地址库).

    Says first which towns the gazetteer covers and what precision to expect
    elsewhere; lists the enterprises a person should place or check
    (needs_review).
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from gridwatch.services.geocoding import geocode_enterprises

    r = geocode_enterprises(open_ctx(), cli_actor(), mode)
    if as_json:
        emit_json(r)
        return
    _print_coverage(r["coverage"])
    click.echo(
        f"Geocoded {r['geocoded']} of {r['considered']} enterprises: "
        f"{r['by_precision']}; {r['flagged']} flagged, {r['needs_review']} need a "
        f"person to check them (village level or coarser, unreliable or "
        f"contradictory; {r['hint_conflicts']} contradict the registry's own "
        "town/village)."
    )
    for row in r["review"][:SHOWN]:
        click.echo(
            f"  {row['uscc']} {row['name']}: {row['precision']} "
            f"(reliability {row['reliability']}; {row['flags']}) {row['address']}"
        )
    if r["needs_review"] > SHOWN:
        click.echo(f"  … {r['needs_review'] - SHOWN} more; --json lists them.")


@geocode_group.command("address")
@click.argument("text", type=Text(max_length=500))
@click.option(
    "--town",
    "hint_town",
    type=Text(),
    help="The registry's town (所属镇街), name or code: chooses and checks.",
)
@click.option(
    "--community",
    "hint_community",
    type=Text(),
    help="The registry's village/community (所属村居), name or code.",
)
@click.option("--json", "as_json", is_flag=True)
def geocode_address(text, hint_town, hint_community, as_json):
    """Geocode one address and show what it matched."""
    from gridwatch.geocode import geocode
    from gridwatch.services.geocoding import load_gazetteer

    r = geocode(
        text,
        load_gazetteer(open_ctx()),
        hint_town=hint_town,
        hint_community=hint_community,
    )
    data = {k: getattr(r, k) for k in r.__slots__}
    data["flags"] = list(data.get("flags") or [])
    if as_json:
        emit_json(data)
    else:
        for k, v in data.items():
            click.echo(f"{k:<15} {v}")


@click.group("gazetteer", cls=GridwatchGroup)
def gazetteer_group() -> None:
    """The standard-address gazetteer (标准地址库)."""


@gazetteer_group.command("import")
@click.argument("points", type=click.Path(dir_okay=False))
@click.option(
    "--roads",
    type=click.Path(dir_okay=False),
    help="Road segments with door-number ranges.",
)
@click.option("--datum", help="Datum of the coordinates when the file does not say.")
@click.option("--json", "as_json", is_flag=True)
def gazetteer_import(points, roads, datum, as_json):
    """Replace the gazetteer with door plates (CSV/GeoJSON) and optional roads.

    A file with no usable door plate replaces nothing.
    """
    from gridwatch.geocode.sources import read_gazetteer
    from gridwatch.services.admin import read_admin_units, replace_gazetteer

    ctx = open_ctx()
    pts, rds = read_gazetteer(
        points,
        roads,
        datum=datum,
        towns=read_admin_units(ctx, "town"),
        communities=read_admin_units(ctx, "community"),
    )
    counts = replace_gazetteer(ctx, cli_actor(), rds, pts, source=str(points))
    rejects = pts.attrs.get("rejects", [])
    if as_json:
        emit_json(
            {**counts, "rejected": [{"row": r, "reason": why} for r, why in rejects]}
        )
        return
    click.echo(
        f"Gazetteer replaced: {counts['points']} door plates, {counts['roads']} "
        f"road segments; {len(rejects)} rows rejected."
    )
    for row, why in rejects[:10]:
        click.echo(f"  row {row}: {why}")


@gazetteer_group.command("coverage")
@click.option("--json", "as_json", is_flag=True)
def gazetteer_coverage_cmd(as_json):
    """Door plates and roads per town, and the precision to expect in each."""
    from gridwatch.services.geocoding import describe_gazetteer

    r = describe_gazetteer(open_ctx(), cli_actor())
    if as_json:
        emit_json(r)
        return
    click.echo(r["message"])
    for t in r["towns"]:
        click.echo(
            f"  {t['code']} {t['name']}: {t['door_plates']:,} door plates, "
            f"{t['roads']} roads, {t['communities_with_plates']} of "
            f"{t['communities']} villages with plates; expect {t['expected']}"
        )


@gazetteer_group.command("former-names")
@click.option("--json", "as_json", is_flag=True)
def gazetteer_former_names(as_json):
    """Former unit names the geocoder reads (gridwatch's table + GRIDWATCH_FORMER_NAMES)."""
    from gridwatch.services.geocoding import former_names_in_force

    rows = former_names_in_force(open_ctx(), cli_actor())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        part = f" (part: {r['part']})" if r["part"] else ""
        years = f"{r['from_year'] or '?'}-{r['to_year'] or '?'}"
        click.echo(f"{r['old_name']} [{r['level']}, {years}] → {r['new_name']}{part}")


def register(main: click.Group) -> None:
    main.add_command(geocode_group)
    main.add_command(gazetteer_group)
