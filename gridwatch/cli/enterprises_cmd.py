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
from gridwatch.cli.registry_format import (
    HINT_ADVICE,
    SHOW_FIELDS,
    echo_summary,
    filter_options,
    filter_values,
    issue_dict,
    parse_header_map,
    parse_value_map,
    shown_value,
)


@click.group("enterprises", cls=GridwatchGroup)
def enterprises_group() -> None:
    """The enterprise registry (一企一档): import, export, place by hand, look up."""


@enterprises_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", help="XLSX sheet (default the first).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    help="Header mapping for unrecognised headers, e.g. --map 单位全称=name.",
)
@click.option(
    "--map-values",
    "value_mapping",
    multiple=True,
    help="Replace a value in a column before reading it, e.g. "
    "--map-values 行业类别:瓷砖厂=陶瓷 (see 'gridwatch vocab sectors').",
)
@click.option("--datum", help="Datum of coordinates in rows without a 坐标系 column.")
@click.option(
    "--dry-run", is_flag=True, help="Report what would be stored; write nothing."
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Write rejected rows and notes (row, field, value, reason) to this CSV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_cmd(
    file, sheet, mapping, value_mapping, datum, dry_run, rejects_path, as_json
):
    """Import a registry CSV/XLSX; every row is stored or reported with its reason.

    Exit status: 0 all rows stored (notes may ask for a check), 3 some rows
    rejected, 1 the file or an option is unusable (nothing stored).
    """
    from gridwatch.services.enterprises import import_registry

    summary = import_registry(
        open_ctx(),
        cli_actor(),
        file,
        sheet=sheet,
        header_map=parse_header_map(mapping),
        value_map=parse_value_map(value_mapping),
        dry_run=dry_run,
        rejects_path=rejects_path,
        default_datum=datum,
        progress=None if as_json else row_progress("校验 validating"),
    )
    if as_json:
        data = summary.to_dict()
        data["advice"] = [HINT_ADVICE[h] for h in summary.hints if h in HINT_ADVICE]
        data["rejects"] = [issue_dict(r) for r in summary.rejects[:1000]]
        data["notes"] = [
            {**issue_dict(n), "kind": n.kind} for n in summary.notes[:1000]
        ]
        emit_json(data)
    else:
        echo_summary(summary, dry_run, rejects_path)
    if summary.output_error:  # shown after the summary, never instead of it
        raise click.ClickException(summary.output_error)
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
@filter_options
def export_cmd(fmt, out, **filters):
    """Export the registry (re-importable: coordinates in WGS-84, extra columns kept,
    formula-looking text neutralised)."""
    from gridwatch.registry import write_registry
    from gridwatch.services.enterprises import export_records
    from gridwatch.spreadsheets import check_writable

    check_writable(out, "export file")
    n = write_registry(
        export_records(open_ctx(), cli_actor(), **filter_values(**filters)), out, fmt
    )
    click.echo(f"Wrote {n} enterprises to {out}.")


@enterprises_group.command("list")
@filter_options
@click.option("--limit", type=click.IntRange(min=1), help="Show at most N.")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(limit, as_json, **filters):
    """List the enterprises in your area (filters combine with AND)."""
    from gridwatch.services.enterprises import read_enterprises
    from gridwatch.vocab import PRECISIONS, RISK_LEVELS, SECTORS

    frame = read_enterprises(open_ctx(), cli_actor(), **filter_values(**filters))
    total = len(frame)
    if limit:
        frame = frame.iloc[:limit]
    rows = []
    for r in frame.itertuples(index=False):
        g = r.geometry
        rows.append(
            {
                "uscc": r.uscc,
                "name": r.name,
                "town_code": r.town_code,
                "town_hint": r.town_hint,
                "community_code": r.community_code,
                "grid_code": r.grid_code,
                "risk_level": r.risk_level,
                "sector": r.sector,
                "industry_code": r.industry_code,
                "precision": r.precision,
                "lng": g.x if g is not None else None,
                "lat": g.y if g is not None else None,
                "flags": [f for f in (r.registry_flags or "").split(",") if f],
            }
        )
    if as_json:
        emit_json({"total": total, "enterprises": rows})
        return
    for e in rows:
        where = e["town_code"] or (f"({e['town_hint']})" if e["town_hint"] else "-")
        flag = " ⚑" if e["flags"] else ""
        click.echo(
            f"{e['uscc']}  {e['name']}  {where}  {e['grid_code'] or '-'}  "
            f"{RISK_LEVELS.get(e['risk_level'], e['risk_level'])}  "
            f"{SECTORS.get(e['sector'], e['sector'])}  "
            f"{PRECISIONS.get(e['precision'], e['precision'])}{flag}"
        )
    shown = f" (showing {len(rows)})" if len(rows) < total else ""
    click.echo(f"{total} enterprises{shown}.")


@enterprises_group.command("show")
@click.argument("uscc")
@click.option("--json", "as_json", is_flag=True)
def show_cmd(uscc, as_json):
    """Show one enterprise's file (一企一档): fields, contacts, extra columns, flags,
    grid and warden today."""
    from gridwatch.services.enterprises import enterprise_detail

    d = enterprise_detail(open_ctx(), cli_actor(), uscc)
    if as_json:
        emit_json(d)
        return
    for key, label in SHOW_FIELDS:
        click.echo(f"{label}: {shown_value(key, d.get(key))}")
    r = d.get("responsible")
    if r:
        click.echo(f"网格员 warden: {r['warden'] or '-'} {r['warden_name'] or ''}")
    if d["extra_attrs"]:
        click.echo("其他登记信息 (extra columns):")
        for k, v in d["extra_attrs"].items():
            click.echo(f"  {k}: {v}")
    for f in d["registry_flags"]:
        click.echo(f"⚑ {f['label']} ({f['code']})")


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
@click.option(
    "--by", "actor", help="Who placed it, for the audit log (default cli:<you>)."
)
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
    other = r.get("registered_town")
    doubt = (
        f"; but its 所属镇街 says {other['code']} {other['name'] or ''}, another town "
        "than the point's: flagged for a person to check"
        if other
        else ""
    )
    return (
        f"{r['uscc']} on {r['date']}: grid {r['grid_code']} (version {r['version']})"
        f"{guess}, warden {r['warden'] or 'none'} {r['warden_name'] or ''}".rstrip()
        + f"{deputies}{doubt}"
    )


def register(main: click.Group) -> None:
    main.add_command(enterprises_group)
