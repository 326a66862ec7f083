"""gridwatch enterprises … / gridwatch geocode … / gridwatch gazetteer …"""

from __future__ import annotations

import sys

import click

from gridwatch.cli.base import (
    GridwatchGroup,
    cli_actor,
    emit_json,
    open_ctx,
    row_progress,
)
from gridwatch.cli.params import Text
from gridwatch.errors import InvalidInputError


@click.group("enterprises", cls=GridwatchGroup)
def enterprises_group() -> None:
    """The enterprise registry (一企一档): import, export, place by hand, look up."""


def _header_map(pairs: tuple[str, ...]) -> dict[str, str] | None:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise InvalidInputError(f"--map {p!r} must look like '单位名称=name'.")
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out or None


@enterprises_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", help="XLSX sheet (default the first).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    help="Header mapping for unrecognised headers, e.g. --map 单位全称=name.",
)
@click.option("--datum", help="Datum of coordinates in rows without a 坐标系 column.")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Write rejected rows (row, field, value, reason) to this CSV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_cmd(file, sheet, mapping, datum, dry_run, rejects_path, as_json):
    """Import a registry CSV/XLSX; every row is stored or reported with its reason."""
    from gridwatch.services.enterprises import import_registry

    summary = import_registry(
        open_ctx(),
        cli_actor(),
        file,
        sheet=sheet,
        header_map=_header_map(mapping),
        dry_run=dry_run,
        rejects_path=rejects_path,
        default_datum=datum,
        progress=None if as_json else row_progress("校验 validating"),
    )
    data = summary.to_dict()
    data["unknown_headers"] = getattr(summary, "unknown_headers", [])
    if as_json:
        data["rejects"] = [
            r.__dict__
            if hasattr(r, "__dict__")
            else {"row": r.row, "field": r.field, "value": r.value, "reason": r.reason}
            for r in summary.rejects[:1000]
        ]
        emit_json(data)
    else:
        verb = "would import" if dry_run else "imported"
        click.echo(
            f"{data['rows']} rows: {data['valid']} valid ({verb}: "
            f"{data['inserted']} new, {data['updated']} updated, "
            f"{data['unchanged']} unchanged), {data['rejected']} rejected, "
            f"{data['blank']} blank."
        )
        for r in summary.rejects[:10]:
            click.echo(f"  row {r.row} {r.field}: {r.reason} ({r.value})")
        if len(summary.rejects) > 10:
            click.echo(
                f"  … {len(summary.rejects) - 10} more"
                + ("" if rejects_path else "; use --rejects FILE.csv for all")
            )
        if data["unknown_headers"]:
            click.echo(
                f"  ignored columns: {', '.join(map(str, data['unknown_headers']))}"
            )
    if summary.rejected:
        sys.exit(3)  # some rows were not imported: a script must notice


@enterprises_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "geojson"]),
    default="csv",
    show_default=True,
)
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
def export_cmd(fmt, out):
    """Export the registry (re-importable: coordinates in WGS-84)."""
    from gridwatch.registry import write_registry
    from gridwatch.services.enterprises import export_records

    n = write_registry(export_records(open_ctx(), cli_actor()), out, fmt)
    click.echo(f"Wrote {n} enterprises to {out}.")


@enterprises_group.command("place")
@click.argument("uscc")
@click.argument("lng", type=float)
@click.argument("lat", type=float)
@click.option(
    "--datum",
    default="wgs84",
    show_default=True,
    help="Datum of LNG/LAT (wgs84, cgcs2000, gcj02, bd09).",
)
@click.option("--by", "actor", help="Who placed it, for the audit log (default cli:<you>).")
def place(uscc, lng, lat, datum, actor):
    """Place an enterprise by hand; batch geocoding never moves it again."""
    from gridwatch.services.geocoding import place_manually

    r = place_manually(open_ctx(), cli_actor(actor), uscc, lng, lat, datum)
    click.echo(f"{uscc} placed at {r['lng']:.6f}, {r['lat']:.6f} (WGS-84, manual).")


@enterprises_group.command("responsible")
@click.argument("uscc")
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Date, YYYY-MM-DD.",
)
@click.option("--json", "as_json", is_flag=True)
def responsible(uscc, on, as_json):
    """Who was responsible for enterprise USCC on a date (grid and warden)."""
    from gridwatch.services.assignment import responsible_on

    r = responsible_on(open_ctx(), cli_actor(), uscc, on.date())
    if as_json:
        emit_json(r)
    elif r is None:
        click.echo(f"{uscc} was in no grid on {on.date()}.")
    else:
        deputies = f"; deputies {', '.join(r['deputies'])}" if r["deputies"] else ""
        click.echo(
            f"{uscc} on {r['date']}: grid {r['grid_code']} (version {r['version']}), "
            f"warden {r['warden'] or 'none'} {r['warden_name'] or ''}{deputies}"
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
    """Geocode enterprises offline against the gazetteer (标准地址库)."""
    if click_ctx.invoked_subcommand is not None:
        return
    from gridwatch.services.geocoding import geocode_enterprises

    r = geocode_enterprises(open_ctx(), cli_actor(), mode)
    if as_json:
        emit_json(r)
    else:
        click.echo(
            f"Geocoded {r['geocoded']} of {r['considered']} enterprises: "
            f"{r['by_precision']}; {r['flagged']} flagged for a person to check."
        )


@geocode_group.command("address")
@click.argument("text", type=Text(max_length=500))
@click.option("--json", "as_json", is_flag=True)
def geocode_address(text, as_json):
    """Geocode one address and show what it matched."""
    from gridwatch.geocode import geocode
    from gridwatch.services.geocoding import load_gazetteer

    r = geocode(text, load_gazetteer(open_ctx()))
    data = (
        {k: getattr(r, k) for k in r.__slots__} if hasattr(r, "__slots__") else vars(r)
    )
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
    """Replace the gazetteer with door plates (CSV/GeoJSON) and optional roads."""
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


def register(main: click.Group) -> None:
    main.add_command(enterprises_group)
    main.add_command(geocode_group)
    main.add_command(gazetteer_group)
