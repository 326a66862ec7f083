"""gridwatch patrol plan / show / sheet and gridwatch jobs, on SpatiaLite."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.services.context import open_context
from gridwatch.timeutil import today
from tests.db.conftest import TOWN
from tests.db.street_helpers import build_street


@pytest.fixture
def street_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    ctx = open_context(load_settings())
    build_street(ctx, since=today() - dt.timedelta(days=30))
    # whatever today is (a weekend, a year chinese-calendar does not know yet):
    # the next three days are working days
    hol = tmp_path / "holidays.csv"
    rows = [f"{today() + dt.timedelta(days=i)},1,加班" for i in range(3)]
    hol.write_text("日期,是否上班,名称\n" + "\n".join(rows) + "\n", "utf-8")
    yield ctx, str(hol)
    ctx.close()


def run(*args):
    return CliRunner().invoke(main, list(args))


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--days", "0"], "at least 1 day"),
        (["--from", "2020-01-06"], "before today"),
        (["--visits-per-day", "0"], "zero capacity"),
        (["--from", "tomorrow"], "not a date"),
        (["--street", "440604003"], "no warden"),
    ],
)
def test_patrol_plan_bad_input_is_one_sentence(street_cli, args, words):
    _ctx, hol = street_cli
    line = _one_error_line(
        run("patrol", "plan", "--street", TOWN, "--holidays", hol, *args)
    )
    assert words in line.lower() or words in line


def test_patrol_plan_show_and_sheet(street_cli, tmp_path):
    _ctx, hol = street_cli
    r = run(
        "patrol",
        "plan",
        "--street",
        TOWN,
        "--days",
        "3",
        "--visits-per-day",
        "3",
        "--holidays",
        hol,
        "--json",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    c = out["counts"]
    assert c["due"] == c["planned"] + c["unplanned"] and c["planned"] > 0
    text = run(
        "patrol",
        "plan",
        "--street",
        TOWN,
        "--days",
        "3",
        "--visits-per-day",
        "3",
        "--holidays",
        hol,
    )
    assert text.exit_code == 0 and "regenerated (revision 2)" in text.output
    shown = run("patrol", "show", str(out["plan"]))
    assert shown.exit_code == 0 and f"Plan {out['plan']} (revision 2)" in shown.output
    stops = json.loads(
        run("patrol", "show", str(out["plan"]), "--day", str(today()), "--json").output
    )
    assert stops and {s["status"] for s in stops} == {"pending"}
    warden = stops[0]["warden"]
    sheet = tmp_path / "sheet.html"
    r = run(
        "patrol",
        "sheet",
        str(out["plan"]),
        "--warden",
        warden,
        "--day",
        str(today()),
        "--out",
        str(sheet),
    )
    assert r.exit_code == 0, r.output
    html = sheet.read_text("utf-8")
    assert "巡查日单" in html and stops[0]["name"] in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', html)
    assert "@page" in html  # the print stylesheet is in the file


def test_patrol_show_unknown_plan_and_sheet_unknown_day(street_cli, tmp_path):
    assert "no patrol plan 99" in _one_error_line(run("patrol", "show", "99"))
    r = run(
        "patrol",
        "sheet",
        "99",
        "--warden",
        "x",
        "--day",
        "2026-12-01",
        "--out",
        str(tmp_path / "s.html"),
    )
    assert r.exit_code == 1 and not (tmp_path / "s.html").exists()


def test_jobs_list_and_work_once(street_cli):
    r = run("jobs", "work", "--once")
    assert r.exit_code == 0 and "Ran 0 job(s)." in r.output
    assert run("jobs", "list").exit_code == 0
