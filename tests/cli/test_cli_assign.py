"""assign / wardens / enterprises responsible through the command line."""

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gridwatch.cli import main
from gridwatch.config import load_settings
from gridwatch.db.models import Enterprise
from gridwatch.services.context import open_context
from tests.actors import SYSTEM
from tests.db.conftest import TOWN, build_small_district, make_code


@pytest.fixture
def cli_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    ctx = open_context(load_settings())
    build_small_district(ctx)
    with ctx.transaction(SYSTEM) as s:
        s.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc == make_code(3))
            .values(precision="town", town_code=TOWN)
        )
        s.execute(
            sa.update(Enterprise)
            .where(Enterprise.uscc == make_code(7))
            .values(precision="community")
        )
    yield ctx
    ctx.close()


def run(*args):
    r = CliRunner().invoke(main, list(args))
    return r


def test_assign_lists_town_level_enterprises_as_grid_unknown(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "2", "--activate").exit_code == 0
    r = run("assign")
    assert r.exit_code == 0, r.output
    assert "59 of 61 enterprises in grids (1 of them imprecise" in r.output
    assert f"{make_code(3)} 企业3: in town {TOWN} 张槎街道, grid unknown" in r.output
    r = run("assign", "unplaced", "--json")
    assert r.exit_code == 0, r.output
    assert [u["uscc"] for u in json.loads(r.output)] == [make_code(3)]


def test_enterprises_responsible_says_grid_unknown_or_imprecise(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "2", "--activate").exit_code == 0
    assert run("assign").exit_code == 0
    assert run("wardens", "assign").exit_code == 0
    today = __import__("gridwatch.timeutil", fromlist=["today"]).today().isoformat()
    r = run("enterprises", "responsible", make_code(3), "--on", today)
    assert r.exit_code == 0, r.output
    assert f"in town {TOWN} 张槎街道, grid unknown" in r.output
    assert "no warden is responsible" in r.output
    r = run("enterprises", "responsible", make_code(7), "--on", today)
    assert "imprecise: located only to community level" in r.output
    assert "warden zc_warden_" in r.output


def test_wardens_assign_prints_churn_as_a_number_after_a_same_day_redraw(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "2", "--activate").exit_code == 0
    assert run("assign").exit_code == 0
    first = run("wardens", "assign")
    assert "churn: none to compare (no enterprise had a warden before)" in first.output
    assert run("grids", "build", "--grids-per-unit", "3", "--activate").exit_code == 0
    assert run("assign").exit_code == 0
    r = run("wardens", "assign")
    assert r.exit_code == 0, r.output
    assert "churn None" not in r.output
    assert "% (warden changed for " in r.output and "of 59 enterprises)" in r.output


def test_wardens_list_json_and_text(cli_ctx):
    assert run("grids", "build", "--grids-per-unit", "3", "--activate").exit_code == 0
    assert run("assign").exit_code == 0
    assert run("wardens", "assign").exit_code == 0
    r = run("wardens", "list", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert len(rows) == 4 and sum(len(w["grids"]) for w in rows) == 6
    assert sum(w["enterprises"] for w in rows) == 59
    assert sum(w["imprecise"] for w in rows) == 1
    text = run("wardens", "list", "--street", TOWN)
    assert text.exit_code == 0 and "zc_warden_000" in text.output
    assert "grids: 440604011" in text.output
