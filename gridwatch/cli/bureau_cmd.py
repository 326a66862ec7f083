"""gridwatch report … / accidents … / safety … / targets … / assessment …

The bureau's commands: the annual report, its own records (accidents, the
enterprises' safety foundations, annual targets) and the responsibility
assessment. They run as the command line's system actor.
"""

from __future__ import annotations

from pathlib import Path

import click

from gridwatch.cli.base import GridwatchGroup, cli_actor, emit_json, open_ctx
from gridwatch.cli.params import ROW_ID, YEAR, Text
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import TARGET_INDICATORS


def _read_template(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path} is not UTF-8 text; save the template as UTF-8."
        ) from None


@click.group("report", cls=GridwatchGroup)
def report_group() -> None:
    """Reports written from gridwatch's records."""


@report_group.command("annual")
@click.option("--year", type=YEAR, required=True, help="The report's year, e.g. 2026.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="The .docx to write."
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, exists=True),
    help="An edited report template (UTF-8); default the shipped one.",
)
@click.option(
    "--annex",
    type=click.Path(dir_okay=False),
    help="Where the XLSX annex goes (default: beside --out, .xlsx).",
)
@click.option("--no-annex", is_flag=True, help="Write no XLSX annex.")
def annual(year, out, template, annex, no_annex):
    """Write the annual work report (年度安全生产工作报告) as Word + XLSX annex.

    Every figure is counted from the records (the dashboard's figures); a year
    still running is reported to today against the same dates last year.
    """
    from gridwatch.services.bureau.report import write_annual

    result = write_annual(
        open_ctx(),
        cli_actor(),
        year,
        out,
        template=_read_template(template),
        annex=False if no_annex else (annex or True),
    )
    click.echo(f"Wrote {result.docx}" + (f" and {result.xlsx}" if result.xlsx else ""))
    for w in result.warnings:
        click.echo(f"  warning: {w}", err=True)


@click.group("accidents", cls=GridwatchGroup)
def accidents_group() -> None:
    """Production-safety accidents (生产安全事故) recorded by the bureau."""


@accidents_group.command("add")
@click.option("--date", "occurred_on", required=True, help="YYYY-MM-DD.")
@click.option("--place", required=True, help="Enterprise name or address (地点).")
@click.option("--uscc", help="The enterprise's credit code.")
@click.option("--lng", type=float, help="Longitude of the place.")
@click.option("--lat", type=float, help="Latitude of the place.")
@click.option("--datum", default="wgs84", show_default=True, help="wgs84/gcj02/bd09.")
@click.option("--grade", help="一般/较大/重大/特别重大 (default: from the casualties).")
@click.option("--deaths", default=0, show_default=True)
@click.option("--injuries", "serious_injuries", default=0, show_default=True)
@click.option("--loss", "direct_loss_yuan", default="0", help="Direct loss in yuan.")
@click.option("--ref", help="Accident number (事故编号).")
@click.option("--description")
@click.option("--json", "as_json", is_flag=True)
def add_accident(as_json, **fields):
    """Record an accident; warns when the grade is lower than its casualties give."""
    from gridwatch.services.bureau.accidents import record_accident

    out = record_accident(open_ctx(), cli_actor(), **fields)
    if as_json:
        emit_json(out)
        return
    click.echo(
        f"Recorded accident {out['id']} ({out['grade_label']}) in {out['town_code']}."
    )
    if out["warning"]:
        click.echo(f"  warning: {out['warning']}", err=True)


@accidents_group.command("list")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True)
def list_accidents_cmd(start, end, as_json):
    """Accidents, newest first, with the grade the casualties give."""
    from gridwatch.services.bureau.accidents import list_accidents

    rows = list_accidents(
        open_ctx(),
        cli_actor(),
        start.date() if start else None,
        end.date() if end else None,
    )
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        flag = " (!)" if r["is_grade_too_low"] else ""
        click.echo(
            f"{r['occurred_on']} {r['town_code']} {r['grade_label']}{flag} "
            f"死亡{r['deaths']} 重伤{r['serious_injuries']} {r['place']}"
        )


@click.group("safety", cls=GridwatchGroup)
def safety_group() -> None:
    """Enterprises' safety foundations: standardisation, declarations, officers."""


@safety_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", help="XLSX sheet (default the first).")
@click.option(
    "--dry-run", is_flag=True, help="Check against the records; write nothing."
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Write rejected rows (row, field, value, reason) to this CSV.",
)
@click.option("--json", "as_json", is_flag=True)
def import_safety(file, sheet, dry_run, rejects_path, as_json):
    """Import a CSV/XLSX with the headers 统一社会信用代码, 标准化状态, 标准化等级,
    标准化日期, 申报年度, 申报状态, 申报日期, 安全主任, 培训日期: every row is
    stored, unchanged or rejected with its reason (exit 3 when any is rejected)."""
    from gridwatch.registry import write_rejects
    from gridwatch.services.bureau.foundations import import_foundations

    summary = import_foundations(
        open_ctx(), cli_actor(), file, sheet=sheet, dry_run=dry_run
    )
    if rejects_path:
        write_rejects(summary.rejects, rejects_path)
    data = summary.to_dict()
    if as_json:
        emit_json(data)
    else:
        verb = "would store" if dry_run else "stored"
        click.echo(
            f"{data['rows']} rows: {data['stored']} {verb}, {data['unchanged']} "
            f"unchanged, {data['rejected']} rejected, {data['blank']} blank."
        )
        for r in data["rejects"][:10]:
            click.echo(f"  row {r['row']} {r['field']}: {r['reason']} ({r['value']})")
    if data["rejected"]:
        raise SystemExit(3)  # as 'enterprises import': some rows were rejected


@click.group("targets", cls=GridwatchGroup)
def targets_group() -> None:
    """Annual targets (年度目标任务) per indicator, for the district or a town."""


@targets_group.command("set")
@click.option("--year", type=YEAR, required=True)
@click.option("--indicator", required=True, type=click.Choice(list(TARGET_INDICATORS)))
@click.option("--value", required=True, help="A whole number (enterprises, people).")
@click.option("--town", "unit_code", help="A town/street code (default the district).")
@click.option("--note")
def set_target_cmd(year, indicator, value, unit_code, note):
    """Set or change a target."""
    from gridwatch.services.bureau.targets import set_target

    t = set_target(open_ctx(), cli_actor(), year, indicator, value, unit_code, note)
    click.echo(f"{t['year']} {t['indicator']} {t['unit_code']}: {t['value']:g}")


@targets_group.command("list")
@click.option("--year", type=YEAR, required=True)
@click.option("--json", "as_json", is_flag=True)
def list_targets_cmd(year, as_json):
    """The targets of a year."""
    from gridwatch.services.bureau.targets import list_targets

    rows = list_targets(open_ctx(), cli_actor(), year)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(
            f"{r['indicator']:<32} {r['unit_code']} {r['unit_name'] or ''} "
            f"{r['value']:g}"
        )


@click.group("assessment", cls=GridwatchGroup)
def assessment_group() -> None:
    """The responsibility assessment (责任制考核) of the towns/streets."""


@assessment_group.command("score")
@click.option(
    "--period",
    type=Text(40),
    help="2026, 2026-Q2, 2026-05 or A..B (default: this year so far).",
)
@click.option("--scheme-version", type=ROW_ID, help="Score with this stored version.")
@click.option("--json", "as_json", is_flag=True)
def score_cmd(period, scheme_version, as_json):
    """Score every town/street (the scheme in force, or --scheme-version)."""
    from gridwatch.services.bureau.assessment import assess
    from gridwatch.services.bureau.figures import resolve_period

    result = assess(
        open_ctx(),
        cli_actor(),
        resolve_period(period or ""),
        scheme_version=scheme_version,
    )
    a = result.assessment
    if as_json:
        emit_json({"scheme": result.version.label, "units": a.ranking_rows()})
        return
    click.echo(f"{result.figures.period.label}，{result.version.label}")
    for u in a.units:
        veto = f"  一票否决：{u.veto_reason}" if u.is_vetoed else ""
        click.echo(f"{u.rank:>2} {u.name} {u.total:g} {u.grade or ''}{veto}")
    for lost in result.unplaced_accidents:
        click.echo(f"  warning: accident in no assessed town: {lost}", err=True)


@assessment_group.command("save-scheme")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--from", "in_force_from", required=True, type=click.DateTime(["%Y-%m-%d"])
)
@click.option("--note")
def save_scheme_cmd(file, in_force_from, note):
    """Store a scheme file (TOML or YAML) as the next version, in force from --from."""
    from gridwatch.services.bureau.assessment import save_scheme

    path = Path(file)
    v = save_scheme(
        open_ctx(),
        cli_actor(),
        path.read_text("utf-8"),
        fmt="yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml",
        in_force_from=in_force_from.date(),
        note=note,
    )
    click.echo(f"Saved {v.label}: {v.name} ({v.digest}).")


def register(main: click.Group) -> None:
    for group in (
        report_group,
        accidents_group,
        safety_group,
        targets_group,
        assessment_group,
    ):
        main.add_command(group)
