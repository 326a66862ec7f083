"""The supervision commands: --as, --json, one-line errors, import exit codes."""

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from gridwatch.cli import main
from tests.db.conftest import make_code

DATA = Path(__file__).resolve().parents[1] / "data" / "selfreports"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from tests.db.supervision_world import build_world

    root = tmp_path_factory.mktemp("cli-sup")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDWATCH_DATA_DIR", str(root / "data"))
    mp.setenv("GRIDWATCH_PROGRESS", "0")
    mp.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    ctx = open_context(load_settings())
    world = build_world(ctx)
    world.ids = world.enterprise_ids()
    ctx.close()
    yield root, world
    mp.undo()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_error_line(result):
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len([ln for ln in lines if ln.startswith("Error:")]) == 1, result.output
    assert "Traceback" not in result.output


def test_hazard_loop_from_the_command_line(env):
    _, world = env
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.supervision import create_hazard

    ctx = open_context(load_settings())
    ent = world.ids[5]
    warden = world.warden_of(ent)
    h = create_hazard(ctx, warden, enterprise_id=ent, level="ordinary",
                      category="fire", description="疏散指示灯损坏",
                      found_on=dt.date(2026, 5, 4))  # fmt: skip
    ctx.close()
    hid = h["id"]
    r = run("hazards", "transition", hid, "rectified", "--note", "已更换")
    assert r.exit_code == 2 and "--as" in r.output  # who did it must be named
    r = run("hazards", "transition", hid, "closed", "--as", warden.username,
            "--on", "2026-05-06")  # fmt: skip
    assert r.exit_code == 1
    _one_error_line(r)
    assert "no action moves it to closed" in r.output
    r = run("hazards", "transition", hid, "rectified", "--as", warden.username,
            "--note", "已更换", "--on", "2026-05-06")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "now" in r.output and "rectified" in r.output.lower() or "已整改" in r.output
    r = run("hazards", "transition", hid, "closed", "--as", warden.username,
            "--on", "2026-05-07", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["status"] == "closed" and len(data["history"]) == 3
    r = run("hazards", "show", hid, "--json")
    assert json.loads(r.output)["history"][-1]["passed"] is True
    r = run("hazards", "list", "--status", "closed", "--json")
    assert hid in [i["id"] for i in json.loads(r.output)["items"]]
    r = run("hazards", "transition", hid, "rectified", "--as", "admin_nobody",
            "--note", "x")  # fmt: skip
    assert r.exit_code == 1
    _one_error_line(r)
    r = run("hazards", "show", 999999)
    assert r.exit_code == 1 and "no hazard 999999" in r.output


def test_self_report_import_exits_3_and_writes_rejects(env):
    root, world = env
    out = root / "rejects.csv"
    r = run("self-reports", "import", DATA / "sample.csv", "--rejects", out,
            "--as", world.office.username)  # fmt: skip
    assert r.exit_code == 3, r.output
    assert "rejected" in r.output and out.exists()
    r = run("self-reports", "missing", "--month", "2026-02", "--json")
    data = json.loads(r.output)
    assert data["month"] == "2026-02" and data["missing"] > 0


def test_penalties_add_and_totals(env):
    _, world = env
    r = run("penalties", "add", "--uscc", make_code(7), "--no", "禅安监罚〔2026〕77号",
            "--date", "2026-04-01", "--kind", "fine", "--amount", "8,000",
            "--as", world.office.username)  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run("penalties", "add", "--uscc", make_code(7), "--no", "禅安监罚〔2026〕77号",
            "--date", "2026-04-01", "--kind", "fine", "--amount", "8000")  # fmt: skip
    assert r.exit_code == 1
    _one_error_line(r)
    r = run("penalties", "totals", "--by", "none", "--json")
    rows = json.loads(r.output)
    assert rows[0]["fines_yuan"] >= 8000
    r = run("penalties", "add", "--uscc", make_code(7), "--no", "x", "--date",
            "2026-04-01", "--kind", "fine", "--amount", "nan")  # fmt: skip
    assert r.exit_code == 2


def test_campaign_create_and_progress_xlsx(env):
    root, world = env
    r = run("campaigns", "create", "--name", "消防专项", "--start", "2026-01-01",
            "--end", "2026-03-31", "--risk", "red", "--as", world.bureau.username,
            "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["id"]
    xlsx = root / "progress.xlsx"
    r = run("campaigns", "progress", cid, "--by", "grid", "--xlsx", xlsx, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["total"]["targets"] == 20  # every third of 60 is red
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["概况", "按网格", "按街道", "企业明细"]
    r = run("campaigns", "create", "--name", "x", "--start", "2026-01-01", "--end",
            "2026-03-31", "--as", world.office.username)  # fmt: skip
    assert r.exit_code == 1
    _one_error_line(r)


def test_tipoff_triage_from_the_command_line(env):
    _, world = env
    from gridwatch.config import load_settings
    from gridwatch.services.context import open_context
    from gridwatch.services.enterprises import read_enterprises
    from gridwatch.services.supervision import submit_tipoff
    from tests.actors import SYSTEM

    ctx = open_context(load_settings())
    p = read_enterprises(ctx, SYSTEM).geometry.dropna().iloc[3]
    submit_tipoff(ctx, description="夜间违规动火", lng=p.x, lat=p.y)
    ctx.close()
    r = run("tipoffs", "list", "--json", "--as", world.office.username)
    tid = json.loads(r.output)["items"][0]["id"]
    r = run("tipoffs", "triage", tid, "refer", "--as", world.office.username)
    assert r.exit_code == 1
    _one_error_line(r)
    r = run("tipoffs", "triage", tid, "refer", "--department", "消防救援大队",
            "--as", world.office.username)  # fmt: skip
    assert r.exit_code == 0 and "已移交" in r.output, r.output
