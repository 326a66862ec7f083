"""The bureau's figures on both backends: every report figure against a count made
by hand and in SQL, and the same value on the dashboard, in the assessment and in
the report.

The district is tests/db/bureau_world.py (two towns, known records); the period is
2026 to 30 November against the same dates of 2025.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from gridwatch.analytics.bureau import ASSESSMENT_SOURCES, year_period
from gridwatch.report.data import ANNUAL_FIGURES
from gridwatch.services.bureau.assessment import assess
from gridwatch.services.bureau.dashboard import CARDS, dashboard, dashboard_series
from gridwatch.services.bureau.report import annual_report_data
from tests.actors import SYSTEM
from tests.db.bureau_world import T1, T2, TODAY, build_bureau_world

pytestmark = pytest.mark.slow
START, END = dt.date(2026, 1, 1), TODAY
PSTART, PEND = dt.date(2025, 1, 1), dt.date(2025, 11, 30)


def _sql(ctx, text: str, **params):
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text(text), params).scalar()


def _between(ctx, table, column, start, end, where="1=1", what="count(*)"):
    return _sql(
        ctx,
        f"SELECT {what} FROM {table} WHERE {column} >= :a AND {column} <= :b "
        f"AND {where}",
        a=start,
        b=end,
    )


def _entered(ctx, start, end) -> int:
    """Enterprises whose created_at (naive UTC) falls on a Beijing day in range."""
    with ctx.engine.connect() as conn:
        stamps = conn.execute(sa.text("SELECT created_at FROM enterprises")).scalars()
        days = [
            (s if isinstance(s, dt.datetime) else dt.datetime.fromisoformat(s))
            .replace(tzinfo=dt.UTC)
            .astimezone(dt.timezone(dt.timedelta(hours=8)))
            .date()
            for s in stamps
        ]
    return sum(1 for d in days if (start is None or d >= start) and d <= end)


def _grids_in_force(ctx, end) -> int:
    with ctx.engine.connect() as conn:
        at = conn.execute(
            sa.text(
                "SELECT activated_at FROM grid_versions WHERE activated_at IS NOT NULL"
            )
        ).scalars()
        at = [
            a if isinstance(a, dt.datetime) else dt.datetime.fromisoformat(a)
            for a in at
        ]
    return 2 if at and min(at).date() <= end else 0


def _direct(ctx) -> dict[str, tuple]:
    """(this period, previous period) of every report figure, counted directly:
    SQL where the rule is a plain count, by hand from bureau_world's tables where
    the rule is not (coverage, self-reports, accident grades; worked in comments)."""
    cnt = _between
    distinct = "count(DISTINCT enterprise_id)"
    tables = set(sa.inspect(ctx.engine).get_table_names())
    both = {}
    for key, fn in {
        "units_inspected": lambda a, b: cnt(
            ctx, "inspections", "inspected_on", a, b, what=distinct
        ),
        "inspections": lambda a, b: cnt(ctx, "inspections", "inspected_on", a, b),
        "hazards_found": lambda a, b: cnt(ctx, "hazards", "found_on", a, b),
        "hazards_rectified": lambda a, b: cnt(
            ctx, "hazards", "found_on", a, b, f"rectified_on <= '{b}'"
        ),
        "major_hazards": lambda a, b: cnt(
            ctx, "hazards", "found_on", a, b, "level = 'major'"
        ),
        "listed_hazards": lambda a, b: cnt(
            ctx, "hazards", "found_on", a, b, "is_listed"
        ),
        "listed_hazards_closed": lambda a, b: cnt(
            ctx, "hazards", "found_on", a, b, f"is_listed AND closed_on <= '{b}'"
        ),
        "penalties": lambda a, b: cnt(ctx, "penalties", "decided_on", a, b),
        "fines": lambda a, b: cnt(
            ctx, "penalties", "decided_on", a, b, "kind = 'fine'"
        ),
        "fine_amount": lambda a, b: cnt(
            ctx, "penalties", "decided_on", a, b, "kind = 'fine'", "sum(amount_yuan)"
        ),
        "standardisation_self_assessed": lambda a, b: cnt(
            ctx, "standardisation_records", "done_on", a, b, "status = 'self_assessed'"
        ),
        "standardisation_reviewed": lambda a, b: cnt(
            ctx, "standardisation_records", "done_on", a, b, "status = 'reviewed'"
        ),
        "declarations": lambda a, b: cnt(
            ctx,
            "hazard_declarations",
            "declared_on",
            dt.date(b.year, 1, 1),
            b,
            f"status = 'declared' AND year = {b.year}",
        ),
        "safety_officers_trained": lambda a, b: cnt(
            ctx, "safety_officers", "trained_on", a, b
        ),
        "accidents": lambda a, b: cnt(ctx, "accidents", "occurred_on", a, b),
        "accident_deaths": lambda a, b: cnt(
            ctx, "accidents", "occurred_on", a, b, what="sum(deaths)"
        ),
        "wardens": lambda a, b: _sql(
            ctx,
            "SELECT count(DISTINCT warden_id) FROM grid_warden WHERE role = "
            "'responsible' AND valid_from <= :b AND (valid_to IS NULL OR valid_to > :b)",
            b=b,
        ),
    }.items():
        both[key] = (float(fn(START, END) or 0), float(fn(PSTART, PEND) or 0))
    both["enterprises"] = (_entered(ctx, None, END), _entered(ctx, None, PEND))
    both["enterprises_new"] = (_entered(ctx, START, END), _entered(ctx, PSTART, PEND))
    both["grids"] = (_grids_in_force(ctx, END), _grids_in_force(ctx, PEND))
    both["rectification_rate"] = (
        both["hazards_rectified"][0] / both["hazards_found"][0],
        both["hazards_rectified"][1] / both["hazards_found"][1],
    )
    # coverage (182-day interval, clock from the last inspection before the
    # period, else the period's start): only enterprise 3 (inspected 1 March and
    # 15 August 2026, gaps 59/167/107 days) kept it in 2026; none in 2025
    # (0, 1, 2 inspected once on 1 May: 213 days to 30 November)
    both["coverage_rate"] = (1 / 20, 0 / 20)
    # self-reports: 2026 judged on 30 November, November's not yet due: Jan-Oct x
    # 20 enterprises = 200 due, enterprises 0-9 reported every month = 100;
    # 2025 judged on 10 December 2025: 11 x 20 = 220 due, one report
    both["self_report_rate"] = (100 / 200, 1 / 220)
    # the 24 May accident is recorded 一般 but its 9 deaths make it 较大
    both["accidents_serious"] = (1.0, 0.0)
    both["campaigns"] = (None, None) if "campaigns" not in tables else (0.0, 0.0)
    return both


def test_report_figures_equal_direct_counts(ctx, tmp_path):
    build_bureau_world(ctx, tmp_path)
    data = annual_report_data(ctx, SYSTEM, 2026, today=TODAY)
    direct = _direct(ctx)
    assert set(data.figures) == set(ANNUAL_FIGURES)
    assert set(direct) == set(ANNUAL_FIGURES), set(ANNUAL_FIGURES) ^ set(direct)
    for key, f in data.figures.items():
        now, before = direct[key]
        assert f.value == pytest.approx(now), key
        assert f.previous == pytest.approx(before), key
    # targets: town targets only for self-assessment (1 + 2), district otherwise
    assert data.figures["standardisation_self_assessed"].target == 3
    assert data.figures["standardisation_reviewed"].target == 2
    assert data.figures["safety_officers_trained"].target == 3
    assert data.figures["declarations"].target == 3  # required: 2 declared + 1 missing
    assert data.figures["declarations"].pct_text == "66.7%"
    assert data.figures["standardisation_reviewed"].yoy_text == "上年同期为零"
    assert data.period_note.startswith("（统计期间：2026年1月1日至11月30日")
    town2 = data.assessment.unit(T2)
    assert town2.is_vetoed and "按伤亡和损失应为较大事故" in town2.veto_reason
    assert not data.assessment.unit(T1).is_vetoed


def test_figures_equal_on_dashboard_assessment_and_report(ctx, tmp_path):
    build_bureau_world(ctx, tmp_path)
    period = year_period(2026, TODAY)
    page = dashboard(ctx, SYSTEM, "2026", today=TODAY)
    series = dashboard_series(ctx, SYSTEM, "2026", today=TODAY)
    result = assess(ctx, SYSTEM, period, today=TODAY)
    report = annual_report_data(ctx, SYSTEM, 2026, today=TODAY)
    cards = {c["key"]: c for c in page["cards"]}
    for key in CARDS:
        shown = cards[key]
        figure = report.figures.get(key) or result.figures.figure(key)
        assert shown["value"] == figure.value, key
        assert shown["previous"] == figure.previous, key
        assert shown["text"] == figure.text, key
    names = result.figures.town_names()
    for unit in result.assessment.units:
        for ind, score in zip(result.assessment.scheme.indicators, unit.indicators):
            if ind.source not in ASSESSMENT_SOURCES:
                continue
            key, target = ASSESSMENT_SOURCES[ind.source]
            town_figure = result.figures.figure(key, unit.unit)
            got = score.measured.value if target is None else score.measured.numerator
            assert got == pytest.approx(town_figure.value) or (
                got is None and town_figure.value is None
            ), (unit.unit, key)
            if key in series["towns"]:
                at = series["towns"][key]["names"].index(names[unit.unit])
                assert series["towns"][key]["value"][at] == pytest.approx(got), key
    # the dashboard's by-town table adds up to its total row (and the report's figure)
    table = page["tables"]["penalties_by_town"]
    assert table.rows[-1][1] == sum(r[1] for r in table.rows[:-1]) == 3
    assert report.figures["penalties"].value == 3
    assert result.assessment.unit(T1).indicator("meetings").points == 3.0
