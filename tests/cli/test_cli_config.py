"""``gridwatch config show``: every bad setting stops it with one sentence."""

import pytest
from click.testing import CliRunner

from gridwatch.cli import main
from tests.unit.test_config import BAD_SETTINGS


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    for var in {v for v, _, _ in BAD_SETTINGS}:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GRIDWATCH_CONFIG", raising=False)
    return monkeypatch


@pytest.mark.parametrize(("var", "value", "words"), BAD_SETTINGS)
def test_config_show_exits_non_zero_with_one_sentence(env, var, value, words):
    env.setenv(var, value)
    r = CliRunner().invoke(main, ["config", "show"])
    assert r.exit_code != 0
    lines = [ln for ln in r.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert lines[0].startswith(f"Error: {var}:") and words in lines[0]


def test_config_show_prints_every_setting_when_all_are_good(env):
    r = CliRunner().invoke(main, ["config", "show"])
    assert r.exit_code == 0, r.output
    for name in ("GRIDWATCH_METRIC_CRS", "GRIDWATCH_GEODATA_DIR", "GRIDWATCH_DUE_DAYS"):
        assert name in r.output
