"""gridwatch enterprises … (geocode and gazetteer: cli/geocode_cmd.py)"""

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
        return
    click.echo(responsible_text(r))


def responsible_text(r: dict) -> str:
    """One line from :func:`gridwatch.services.assignment.responsible_on`."""
    town = (
        f"town {r['town_code']} {r['town_name'] or ''}".rstrip()
        if r["town_code"]
        else "the district (town unknown)"
    )
    if r["placement"] == "unplaced":
        return (
            f"{r['uscc']} on {r['date']}: in {town}, grid unknown: located only to "
            f"{r['precision']} level, so no warden is responsible; the street office "
            "places it by hand ('gridwatch enterprises place USCC LNG LAT')."
        )
    if r["placement"] == "no_location":
        return f"{r['uscc']} on {r['date']}: in no grid: it has no location."
    if r["placement"] == "unassigned":
        return f"{r['uscc']} on {r['date']}: in no grid on that date."
    deputies = f"; deputies {', '.join(r['deputies'])}" if r["deputies"] else ""
    guess = (
        " (imprecise: located only to community level, the grid within it is a "
        "guess)"
        if r["placement"] == "imprecise"
        else ""
    )
    return (
        f"{r['uscc']} on {r['date']}: grid {r['grid_code']} (version {r['version']})"
        f"{guess}, warden {r['warden'] or 'none'} {r['warden_name'] or ''}"
        f"{deputies}"
    )


def register(main: click.Group) -> None:
    main.add_command(enterprises_group)
