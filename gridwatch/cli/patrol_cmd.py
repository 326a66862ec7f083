"""gridwatch patrol … (巡查计划) and gridwatch jobs …"""

from __future__ import annotations

from pathlib import Path

import click

from gridwatch.cli.base import (
    GridwatchGroup,
    cli_actor,
    emit_json,
    open_ctx,
    want_progress,
)


@click.group("patrol", cls=GridwatchGroup)
def patrol_group() -> None:
    """Patrol plans: who visits which enterprise on which day, in what order."""


def _progress():
    if not want_progress():
        return None
    seen = set()

    def report(share, text=None):
        if text and text not in seen and not text.startswith("排路线"):
            seen.add(text)
            click.echo(f"  … {text}", err=True)

    return report


@patrol_group.command("plan")
@click.option("--street", help="Street/town (9-digit code).")
@click.option("--from", "start", help="First day (YYYY-MM-DD; default today).")
@click.option(
    "--days", type=int, default=7, show_default=True, help="Calendar days to plan."
)
@click.option(
    "--visits-per-day",
    type=int,
    help="Visits per warden per working day (default GRIDWATCH_PATROL_VISITS_PER_DAY).",
)
@click.option(
    "--holidays",
    type=click.Path(dir_okay=False),
    help="CSV date,is_workday,name of local days off and make-up days "
    "(default GRIDWATCH_HOLIDAYS_FILE).",
)
@click.option(
    "--warden", "wardens", multiple=True, help="Plan only this warden (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plan(street, start, days, visits_per_day, holidays, wardens, as_json):
    """Plan (or regenerate) a street's patrols and store the plan."""
    from gridwatch.services.patrol import plan_patrols

    out = plan_patrols(
        open_ctx(),
        cli_actor(),
        street,
        start,
        days,
        visits_per_day=visits_per_day,
        holidays=holidays,
        wardens=list(wardens) or None,
        progress=_progress(),
    )
    if as_json:
        emit_json(out)
        return
    c = out["counts"]
    verb = f"regenerated (revision {out['revision']})" if out["replaced"] else "stored"
    click.echo(
        f"Plan {out['plan']} {verb}: street {out['street']}, {out['window'][0]} to "
        f"{out['window'][1]}, {c['wardens']} wardens, {out['visits_per_day']} "
        "visits a day."
    )
    click.echo(
        f"{c['due']} visits due: {c['planned']} planned ({c['late']} after their due "
        f"date), {c['unplanned']} not planned; {c['routes']} routes, "
        f"{c['route_km']} km straight-line."
    )
    for reason, n in c["unplanned_reasons"].items():
        click.echo(f"  not planned, {reason}: {n}")
    for w in out["warnings"]:
        click.echo(f"Note: {w}")
    click.echo(f"See it with 'gridwatch patrol show {out['plan']}'.")


@patrol_group.command("show")
@click.argument("plan_id", metavar="PLAN", type=click.IntRange(1, 2**31 - 1))
@click.option("--warden", help="One warden's stops (username).")
@click.option("--day", help="One day's stops (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(plan_id, warden, day, as_json):
    """A plan with plan vs done; with --warden/--day, its stops."""
    from gridwatch.services.patrol import plan_overview, plan_progress
    from gridwatch.services.patrol.days import _as_day

    ctx, actor = open_ctx(), cli_actor()
    if warden or day:
        stops = plan_progress(
            ctx, actor, plan_id, warden=warden, day=_as_day(day) if day else None
        )
        if as_json:
            emit_json(stops)
            return
        for s in stops:
            click.echo(
                f"{s['warden']} {s['day']} #{s['seq']:>2} {s['status']:<14} "
                f"{s['risk_level']:<6} {s['uscc']} {s['name']} — {s['reason_text']}"
            )
        if not stops:
            click.echo("No stops match.")
        return
    ov = plan_overview(ctx, actor, plan_id)
    if as_json:
        emit_json(ov)
        return
    t = ov["totals"]
    click.echo(
        f"Plan {ov['plan']} (revision {ov['revision']}), street {ov['street']}, "
        f"{ov['starts_on']} to {ov['ends_on']}: {t['planned']} stops, {t['done']} done "
        f"on the day, {t['done_other_day']} on another day, {t['pending']} to come, "
        f"{t['missed']} missed."
    )
    for d in ov["days_detail"]:
        click.echo(
            f"  {d['warden']:<16} {d['day']} {d['planned']:>2}/{d['capacity']:<2} "
            f"done {d['done']}+{d['done_other_day']} missed {d['missed']} "
            + (f"{d['route_km']} km" if d["route_km"] is not None else "no route")
        )
    if ov["unplanned"]:
        click.echo(f"Not planned ({len(ov['unplanned'])}):")
        for u in ov["unplanned"][:50]:
            click.echo(f"  {u['uscc']} {u['name']}: {u['not_planned_text']}")


@patrol_group.command("sheet")
@click.argument("plan_id", metavar="PLAN", type=click.IntRange(1, 2**31 - 1))
@click.option("--warden", required=True, help="Warden (username).")
@click.option("--day", required=True, help="Day (YYYY-MM-DD).")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="HTML file to write (prints on A4; opens offline).",
)
def sheet(plan_id, warden, day, out_path):
    """Write one warden's printable day sheet (HTML with its route map)."""
    from gridwatch.services.patrol import day_route
    from gridwatch.web.sheets import render_sheet_file

    route = day_route(open_ctx(), cli_actor(), plan_id, warden, day)
    Path(out_path).write_text(render_sheet_file(route), "utf-8")
    click.echo(
        f"Wrote {out_path}: {len(route['stops'])} stops of {warden} on {route['day']}."
    )


@click.group("jobs", cls=GridwatchGroup)
def jobs_group() -> None:
    """Long jobs (grid builds, patrol plans) queued by the web app."""


@jobs_group.command("work")
@click.option("--once", is_flag=True, help="Run the queued jobs, then stop.")
def work(once):
    """Run queued jobs in this process (set GRIDWATCH_JOB_WORKER=off on the web
    servers when this runs as its own service)."""
    from gridwatch.services.job_worker import JobWorker

    worker = JobWorker(open_ctx())
    if once:
        n = 0
        while worker.run_once() is not None:
            n += 1
        click.echo(f"Ran {n} job(s).")
        return
    click.echo("Running queued jobs; Ctrl-C stops.", err=True)
    worker.start()
    try:
        while worker.is_running():
            worker._thread.join(1.0)
    finally:
        worker.stop()


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_jobs_cmd(as_json):
    """The latest jobs and their state."""
    from gridwatch.services.jobs import list_jobs

    rows = list_jobs(open_ctx(), cli_actor(), limit=30)
    if as_json:
        emit_json(rows)
        return
    for j in rows:
        err = f" — {j['error']['message']}" if j["error"] else ""
        click.echo(f"{j['id']:>5} {j['kind']:<12} {j['status']:<8} {j['actor']}{err}")


def register(main: click.Group) -> None:
    main.add_command(patrol_group)
    main.add_command(jobs_group)
