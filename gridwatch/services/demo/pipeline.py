"""The demo build: the steps of :mod:`~gridwatch.services.demo.steps` in order.

The pipeline runs the real use cases in one transaction (a failure leaves the
previous database as it was): boundaries → gazetteer → accounts → registry rows
through the import validator → offline geocoding → balanced grids (activated) →
enterprise → grid and grid → warden assignment → two years of inspections, hazards,
penalties and self-reports by those wardens. Then the maps are written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from gridwatch.services.actor import Actor, require_role
from gridwatch.services.context import Context
from gridwatch.services.demo import steps
from gridwatch.timeutil import today as local_today

HISTORY_YEARS = 2


@dataclass
class SharedTransaction(Context):
    """A context whose ``transaction()`` is one already open session.

    The demo's steps call context-level use cases (each normally its own
    transaction); through this context they all join the build's transaction, so
    the rebuild commits or rolls back as one. Only for use cases that write through
    ``transaction()``: a read through ``engine`` would not see the open work.
    """

    session: Session | None = None

    @contextmanager
    def transaction(self, actor: Actor) -> Iterator[Session]:
        if actor != self.session.info.get("acting"):
            raise ValueError(
                f"{actor.username} is not the actor of the shared transaction"
            )
        yield self.session


class _Steps:
    """Times each step and tells the caller's ``progress(step, seconds)`` callback
    (``seconds`` None when the step starts); services draw nothing themselves."""

    def __init__(self, progress: Callable[[str, float | None], None] | None):
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def step(self, name: str):
        if self.progress:
            self.progress(name, None)
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 2)
        if self.progress:
            self.progress(name, self.timings[name])


def build_demo(
    ctx: Context,
    actor: Actor,
    n_enterprises: int = 9000,
    seed: int = 20131,
    progress: Callable[[str, float | None], None] | None = None,
    today: dt.date | None = None,
    write_maps: bool = True,
    n_address_points: int = 75_000,
) -> dict:
    """Rebuild the demo district; return the summary (counts, timings, logins).

    Replaces everything in the database: the command line (``system``) only.
    """
    require_role(actor, action="Rebuilding the demo district")
    from gridwatch.demo import generate_district

    today = today or local_today()
    # two years of activity: the maps and reports look at the last year, and the
    # year before is the history that says when each enterprise was last inspected
    # (without it every long-registered enterprise would start the year "late")
    start = today - dt.timedelta(days=365 * HISTORY_YEARS)
    run = _Steps(progress)
    summary: dict = {"seed": seed, "period": [start.isoformat(), today.isoformat()]}
    t_all = time.perf_counter()
    with run.step("生成示范区 generate district"):
        d = generate_district(
            n_enterprises=n_enterprises,
            seed=seed,
            n_address_points=n_address_points,
            geodata=ctx.settings.geodata_dir,
        )
    with ctx.transaction(actor) as s:
        _build(
            SharedTransaction(ctx.settings, ctx.engine, s),
            actor,
            d,
            run,
            summary,
            seed=seed,
            start=start,
            today=today,
        )
    with run.step("专项整治与群众举报 campaigns + tip-offs"):
        from gridwatch.services.demo.supervision_extras import (
            add_campaigns_and_tipoffs,
        )

        summary["campaigns_tipoffs"] = add_campaigns_and_tipoffs(
            ctx, today=today, seed=seed
        )
    if write_maps:
        with run.step("地图 maps"):
            summary["maps"] = _write_maps(ctx, actor)
    from gridwatch.services.summary import table_counts

    summary["counts"] = table_counts(ctx, actor)
    summary["timings_s"] = run.timings
    summary["total_s"] = round(time.perf_counter() - t_all, 2)
    summary["database"] = ctx.engine.url.render_as_string(hide_password=True)
    return summary


def _build(tx: SharedTransaction, actor, d, run, summary, *, seed, start, today):
    """Every database step, inside the one transaction of ``tx``."""
    from gridwatch.demo import build_activity
    from gridwatch.services.demo.activity import (
        enterprises_for_activity,
        store_activity,
    )

    s = tx.session
    with run.step("边界与地址库 boundaries + gazetteer"):
        steps.wipe(s.connection())
        summary["boundaries"] = steps.load_boundaries(tx, actor, d)
        summary["gazetteer"] = steps.load_gazetteer(tx, actor, d)
    with run.step("账号 accounts"):
        summary["logins"] = steps.create_accounts(tx, actor, s.connection(), d)
    with run.step("企业登记导入 registry import"):
        summary["registry"] = steps.import_registry(s, d)
    with run.step("离线地址匹配 geocoding"):
        summary["geocoding"] = steps.geocode(s, d)
    with run.step("划分网格 balanced grids"):
        summary["grids"] = steps.balanced_grids(s, tx, d, seed)
    with run.step("企业入格与网格员 assignment"):
        vid = summary["grids"]["version"]
        summary["assign"], summary["wardens"] = steps.assign(s, tx, vid, start, seed)
    with run.step("两年检查与隐患 two years of activity"):
        conn = s.connection()
        ents = enterprises_for_activity(conn, vid, start)
        acts = build_activity(
            ents, start, today, seed=seed, as_of=today, due_days=tx.settings.due_days
        )
        summary["activity"] = store_activity(conn, acts)
    with run.step("监管闭环 supervision loop"):
        from gridwatch.services.demo.supervision import store_supervision

        summary["activity"].update(store_supervision(
            s, acts, ents, start=start, today=today, seed=seed,
            recorded_by=actor.username))  # fmt: skip


def _write_maps(ctx: Context, actor: Actor) -> dict[str, str]:
    from gridwatch.services.maps import write_district_maps

    out = Path(ctx.settings.data_dir) / "maps"
    return {k: str(v) for k, v in write_district_maps(ctx, actor, out).items()}
