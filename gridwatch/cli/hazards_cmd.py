"""gridwatch hazards … / gridwatch tipoffs …"""

from __future__ import annotations

import click

from gridwatch.cli.base import GridwatchGroup
from gridwatch.cli.params import DAY, USCC, Digits
from gridwatch.cli.supervision_base import (
    PAGE,
    ROW_ID,
    Text,
    acting,
    as_option,
    echo_json,
)
from gridwatch.vocab import (
    HAZARD_ACTIONS,
    HAZARD_CATEGORIES,
    HAZARD_LEVELS,
    HAZARD_SOURCES,
    HAZARD_STATUSES,
    TIPOFF_ACTIONS,
    TIPOFF_STATUSES,
)

_MOVES = [a for a in HAZARD_ACTIONS if a != "discover"] + [
    s for s in HAZARD_STATUSES if s != "found"
]


@click.group("hazards", cls=GridwatchGroup)
def hazards_group() -> None:
    """Hazards (隐患): list, show with history, move through the loop."""


def _line(h: dict) -> str:
    flags = []
    if h["is_overdue"]:
        flags.append(f"逾期{h['days_overdue']}天")
    if h["is_listed"]:
        flags.append("挂牌督办")
    return (
        f"{h['id']:>7}  {h['status_label']:<8} {h['level_label']:<5} "
        f"{h['found_on']} → {h['deadline'] or '—':<10}  {h['uscc']} "
        f"{h['enterprise_name']}  {h['grid_code'] or '—'}  {' '.join(flags)}"
    )


@hazards_group.command("list")
@click.option("--status", multiple=True, type=click.Choice(list(HAZARD_STATUSES)))
@click.option("--level", type=click.Choice(list(HAZARD_LEVELS)))
@click.option("--source", type=click.Choice(list(HAZARD_SOURCES)))
@click.option("--grid", type=Digits(15), help="One grid (its code).")
@click.option("--town", type=Digits(9), help="One town/street (its code).")
@click.option("--overdue/--not-overdue", default=None, help="Only overdue (or not).")
@click.option("--listed/--not-listed", default=None, help="Under listed supervision.")
@click.option("--open", "open_only", is_flag=True, help="Leave out closed hazards.")
@click.option("--on", type=DAY, help="Judge overdue on this day (default today).")
@click.option("--page", type=PAGE, default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 200), default=50, show_default=True)
@as_option()
@click.option("--json", "as_json", is_flag=True)
def list_cmd(status, level, source, grid, town, overdue, listed, open_only, on,
             page, per_page, as_user, as_json):  # fmt: skip
    """Hazards in scope, earliest deadline first (overdue derived, never stored)."""
    from gridwatch.services.supervision import list_hazards

    ctx, actor = acting(as_user)
    res = list_hazards(
        ctx, actor, status=list(status) or None, level=level, source=source,
        grid=grid, town=town, overdue=overdue, listed=listed, open_only=open_only,
        on=on, page=page, per_page=per_page,
    )  # fmt: skip
    if as_json:
        echo_json(res)
        return
    click.echo(
        f"{res.total} hazards (page {res.page} of {res.pages}, judged {res.on}):"
    )
    for h in res.items:
        click.echo(_line(h))


@hazards_group.command("show")
@click.argument("hazard_id", type=ROW_ID)
@as_option()
@click.option("--json", "as_json", is_flag=True)
def show_cmd(hazard_id, as_user, as_json):
    """One hazard with its event history and the actions allowed now."""
    from gridwatch.services.supervision import show_hazard

    ctx, actor = acting(as_user)
    h = show_hazard(ctx, actor, hazard_id)
    if as_json:
        echo_json(h)
        return
    click.echo(_line(h))
    click.echo(f"  {h['category_label']}: {h['description'] or ''}")
    if h["listed_on"]:
        click.echo(
            f"  挂牌 {h['listed_on']} {h['supervising_body']}, 责任人 "
            f"{h['responsible_person']}, 期限 {h['listing_deadline']}"
            + (f", 摘牌 {h['delisted_on']}" if h["delisted_on"] else "")
        )
    for e in h["history"]:
        extra = f" 期限 {e['deadline']}" if e["deadline"] else ""
        if e["passed"] is not None:
            extra += " 合格" if e["passed"] else " 不合格"
        click.echo(
            f"  {e['on']} {e['action_label']:<8} {e['from_state'] or '—'} → "
            f"{e['to_state']}  {e['actor']} ({e['role_label']}){extra}  "
            f"{e['note'] or ''}"
        )
    if h["actions"]:
        click.echo("  next: " + ", ".join(a["action"] for a in h["actions"]))


@hazards_group.command("transition")
@click.argument("hazard_id", type=ROW_ID)
@click.argument("action", type=click.Choice(_MOVES))
@as_option(
    required=True,
    help_text="The warden, street office or bureau account "
    "that makes this step (admins and the command line make none).",
)
@click.option("--note", type=Text(), help="What was done, the reason, the findings.")
@click.option("--deadline", type=DAY, help="New deadline (YYYY-MM-DD).")
@click.option("--photo", "photos", multiple=True, type=Text(300), help="Photo key.")
@click.option("--passed/--failed", default=None, help="Re-inspection result.")
@click.option("--body", type=Text(100), help="Supervising body (list_hazard).")
@click.option("--person", type=Text(100), help="Responsible person (list_hazard).")
@click.option("--on", type=DAY, help="The day it happened (default today).")
@click.option("--json", "as_json", is_flag=True)
def transition_cmd(hazard_id, action, as_user, note, deadline, photos, passed, body,
                   person, on, as_json):  # fmt: skip
    """Move a hazard by ACTION or target STATE (rectifying, rectified, closed).

    From rectified, 'closed' is a passed re-inspection and 'rectifying' a failed
    one (give --deadline and --note).
    """
    from gridwatch.services.supervision import transition_hazard

    ctx, actor = acting(as_user)
    h = transition_hazard(
        ctx, actor, hazard_id, action, note=note, photos=photos, deadline=deadline,
        passed=passed, supervising_body=body, responsible_person=person, on=on,
    )  # fmt: skip
    if as_json:
        echo_json(h)
        return
    last = h["history"][-1]
    click.echo(
        f"Hazard {hazard_id}: {last['action_label']} by {last['actor']} on "
        f"{last['on']}; now {h['status_label']}"
        + (f", deadline {h['deadline']}" if h["deadline"] else "")
        + "."
    )


@click.group("tipoffs", cls=GridwatchGroup)
def tipoffs_group() -> None:
    """Public tip-offs (群众举报): the queue and its triage."""


@tipoffs_group.command("list")
@click.option("--status", multiple=True, type=click.Choice(list(TIPOFF_STATUSES)))
@click.option("--escalated", is_flag=True, help="Only those escalated.")
@click.option("--on", type=DAY, help="Judge escalation on this day.")
@click.option("--page", type=PAGE, default=1, show_default=True)
@as_option()
@click.option("--json", "as_json", is_flag=True)
def tipoffs_list(status, escalated, on, page, as_user, as_json):
    """Tip-offs in scope, untriaged first."""
    from gridwatch.services.supervision import list_tipoffs

    ctx, actor = acting(as_user)
    res = list_tipoffs(
        ctx,
        actor,
        status=list(status) or None,
        escalated=True if escalated else None,
        on=on,
        page=page,
    )
    if as_json:
        echo_json(res)
        return
    click.echo(f"{res.total} tip-offs:")
    for t in res.items:
        flag = " 超期" if t["is_escalated"] else ""
        click.echo(
            f"{t['id']:>6}  {t['received_on']} {t['status_label']}{flag}  "
            f"{t['grid_code'] or t['town_code'] or '—'} "
            f"{t['warden_username'] or ''}  {t['description'][:40]}"
        )


@tipoffs_group.command("triage")
@click.argument("tipoff_id", type=ROW_ID)
@click.argument("action", type=click.Choice(list(TIPOFF_ACTIONS)))
@as_option(
    required=True,
    help_text="The warden, street office or bureau account that triages it.",
)
@click.option("--enterprise", "uscc", type=USCC, help="convert: its credit code.")
@click.option("--category", type=click.Choice(list(HAZARD_CATEGORIES)))
@click.option("--level", type=click.Choice(list(HAZARD_LEVELS)), default="ordinary")
@click.option("--deadline", type=DAY)
@click.option("--department", type=Text(100), help="refer: where it goes.")
@click.option("--reason", type=Text(), help="dismiss: why.")
@click.option("--note", type=Text())
@click.option("--json", "as_json", is_flag=True)
def tipoffs_triage(tipoff_id, action, as_user, uscc, category, level, deadline,
                   department, reason, note, as_json):  # fmt: skip
    """Convert a tip-off to a hazard at an enterprise, refer it, or dismiss it."""
    from gridwatch.services.supervision import triage_tipoff

    ctx, actor = acting(as_user)
    t = triage_tipoff(
        ctx, actor, tipoff_id, action, uscc=uscc, category=category, level=level,
        deadline=deadline, department=department, reason=reason, note=note,
    )  # fmt: skip
    if as_json:
        echo_json(t)
        return
    tail = f", hazard {t['hazard_id']}" if t["hazard_id"] else ""
    click.echo(f"Tip-off {tipoff_id}: {t['status_label']}{tail}.")


def register(main: click.Group) -> None:
    main.add_command(hazards_group)
    main.add_command(tipoffs_group)
