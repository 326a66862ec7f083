import pytest

from gridwatch.config import load_settings
from gridwatch.errors import ConfigError


def test_former_names_setting_must_name_a_file(tmp_path):
    with pytest.raises(ConfigError, match="GRIDWATCH_FORMER_NAMES"):
        load_settings(
            environ={
                "GRIDWATCH_DATA_DIR": str(tmp_path),
                "GRIDWATCH_FORMER_NAMES": str(tmp_path / "no.csv"),
            }
        )


def test_former_names_setting_accepts_a_file(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("old_name,level,new_name\n", encoding="utf-8")
    s = load_settings(
        environ={"GRIDWATCH_DATA_DIR": str(tmp_path), "GRIDWATCH_FORMER_NAMES": str(f)}
    )
    assert s.former_names == str(f)
