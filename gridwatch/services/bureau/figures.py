"""The bureau's figures for a period, with the same period a year earlier.

:func:`figure_set` is the one entry point the dashboard, the assessment and the
annual report use: it loads the scope's records once (both periods) and reads
each figure from :data:`gridwatch.analytics.bureau.FIGURES`, the one function
per figure. So the same key gives the same number on every page and in every
document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from gridwatch.analytics.bureau import (
    EXTRA,
    FIGURES,
    Period,
    Records,
    Tally,
    figure_target,
    parse_period,
    tally,
)
from gridwatch.analytics.figures import Figure
from gridwatch.report.data import ANNUAL_FIGURES
from gridwatch.services.actor import Actor
from gridwatch.services.bureau.records import load_records
from gridwatch.services.context import Context
from gridwatch.timeutil import today as local_today

__all__ = [
    "FigureSet",
    "cached_figure_set",
    "data_token",
    "figure_set",
    "figure_spec",
    "resolve_period",
]


def figure_spec(key: str) -> tuple[str, str, str]:
    """(Chinese label, unit, comparison) of a figure key."""
    if key in ANNUAL_FIGURES:
        s = ANNUAL_FIGURES[key]
        return s.label, s.unit, s.compare
    if key in EXTRA:
        s = EXTRA[key]
        return s.label, s.unit, s.compare
    raise KeyError(f"unknown figure {key!r}")


def _basis(key: str) -> str:
    spec = ANNUAL_FIGURES.get(key)
    if spec is not None:
        return spec.basis
    return FIGURES[key].__doc__.strip().splitlines()[0] if key in FIGURES else ""


@dataclass
class FigureSet:
    """One scope's records and the figures of ``period`` and its previous year."""

    period: Period
    records: Records

    @property
    def previous(self) -> Period:
        return self.period.previous

    def tally(self, key: str, *, previous: bool = False) -> Tally:
        """The items behind ``key`` (this period, or the previous year's)."""
        return tally(self.records, key, self.previous if previous else self.period)

    def figure(self, key: str, town: str | None = None) -> Figure:
        """``key`` as a :class:`Figure`: value, last year, target, label, unit.

        For the scope, or for one town (``town``: its code).
        """
        label, unit, compare = figure_spec(key)
        now, before = self.tally(key), self.tally(key, previous=True)
        target, note = figure_target(self.records, key, self.period, town)
        return Figure(
            key,
            label,
            now.value(town),
            unit,
            before.value(town),
            target,
            compare,
            _basis(key),
            "；".join(x for x in (note, now.note) if x),
        )

    def figures(self, keys) -> dict[str, Figure]:
        return {k: self.figure(k) for k in keys}

    def town_names(self) -> dict[str, str]:
        towns = self.records.towns
        return dict(zip(towns["code"].astype(str), towns["name"]))

    def town_codes(self, key: str) -> list[str]:
        """The scope's towns, then any other town code (``""``: no town) that
        items of ``key`` carry this period or last year."""
        names = self.town_names()
        seen = [
            c
            for t in (self.tally(key), self.tally(key, previous=True))
            for c in t.by("town_code").index
        ]
        return list(names) + list(dict.fromkeys(c for c in seen if c not in names))

    def by_town(self, key: str, codes: list[str] | None = None) -> pd.DataFrame:
        """Per town: ``town_code``, ``town``, ``value``, ``previous``, ``num``,
        ``den``, for ``codes`` (default :meth:`town_codes`). A town without items
        shows 0 (no rate for a rate); items with no town are the row ``未落图``."""
        now = self.tally(key).by("town_code")
        before = self.tally(key, previous=True).by("town_code")
        names = self.town_names()
        kind = self.tally(key).kind
        rows = []
        for code in self.town_codes(key) if codes is None else codes:
            rows.append(
                {
                    "town_code": code,
                    "town": names.get(code, "未落图" if code == "" else code),
                    "value": _cell(now, code, "value", kind),
                    "previous": _cell(before, code, "value", kind),
                    "num": _cell(now, code, "num", "count"),
                    "den": _cell(now, code, "den", "rate"),
                }
            )
        return pd.DataFrame(
            rows, columns=["town_code", "town", "value", "previous", "num", "den"]
        )

    def monthly(self, key: str) -> pd.DataFrame:
        """Per month of the period: ``month`` (1–12 label), ``value`` this year and
        ``previous`` in the same month a year earlier."""
        now = self.tally(key).by("month")
        before = self.tally(key, previous=True).by("month")
        out = []
        for this, last in zip(self.period.months, self.previous.months):
            out.append(
                {
                    "month": this,
                    "value": _cell(now, this, "value", "count"),
                    "previous": _cell(before, last, "value", "count"),
                }
            )
        return pd.DataFrame(out, columns=["month", "value", "previous"])

    def stock_by_month(self, key: str) -> pd.DataFrame:
        """A stock (hazards overdue) at each month's end of both periods, counted
        by the same function over the period cut at that day."""
        out = []
        for this, last in zip(self.period.months, self.previous.months):
            values = []
            for period, month in ((self.period, this), (self.previous, last)):
                end = min(_month_end(month), period.end)
                cut = Period(period.start, end)
                values.append(tally(self.records, key, cut).value())
            out.append({"month": this, "value": values[0], "previous": values[1]})
        return pd.DataFrame(out, columns=["month", "value", "previous"])


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:])
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _cell(frame: pd.DataFrame, key, column: str, kind: str):
    if key in frame.index and column in frame.columns:
        v = frame.loc[key, column]
        return None if pd.isna(v) else float(v)
    return 0.0 if kind != "rate" and column != "den" else None


def resolve_period(text: str | None, today: dt.date | None = None) -> Period:
    """A :class:`Period` from the page's or the command line's text (rules in
    :func:`gridwatch.analytics.bureau.parse_period`)."""
    return parse_period(text, today or local_today())


def figure_set(
    ctx: Context,
    actor: Actor,
    period: Period,
    *,
    today: dt.date | None = None,
) -> FigureSet:
    """Load the actor's records for ``period`` and its previous year.

    Raises
    ------
    PermissionDeniedError
        Roles other than the bureau and the street offices.
    """
    records = load_records(ctx, actor, period.previous.start, period.end, today=today)
    return FigureSet(period, records)


# --- a small cache, so the dashboard's page and its chart/map requests share one
# figure set. The key holds a token of the data's state (the audit log's last id,
# which every change through a service moves, and the row counts of the tables
# bulk loads fill), so a change anywhere is never served stale from the cache of
# any worker process.
_CACHE: dict = {}
_CACHE_SIZE = 6


def data_token(ctx: Context) -> tuple:
    """The state of the records the figures read (cheap: one query)."""
    from gridwatch.db import models as m
    from gridwatch.services.audit import latest_change_id

    counts = [
        latest_change_id(),
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery()
            for t in (m.Inspection, m.Hazard, m.Penalty, m.SelfReport, m.Enterprise)
        ),
    ]
    with ctx.engine.connect() as conn:
        return tuple(conn.execute(sa.select(*counts)).one())


def cached_figure_set(
    ctx: Context, actor: Actor, period: Period, *, today: dt.date | None = None
) -> FigureSet:
    """:func:`figure_set`, reused while the data and the day are unchanged."""
    today = today or local_today()
    key = (
        str(ctx.engine.url),
        actor.role,
        actor.scope_code,
        period,
        today,
        data_token(ctx),
    )
    hit = _CACHE.get(key)
    if hit is None:
        hit = figure_set(ctx, actor, period, today=today)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = hit
    return hit
