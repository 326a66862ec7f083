import pytest

from gridwatch.config import load_settings
from gridwatch.errors import ConfigError


def test_load_settings_defaults_to_spatialite_in_data_dir(tmp_path):
    s = load_settings(environ={"GRIDWATCH_DATA_DIR": str(tmp_path)})
    assert s.resolved_database_url() == f"sqlite:///{tmp_path}/gridwatch.sqlite"
    assert s.risk_weights["red"] == 4.0


def test_load_settings_parses_weights():
    s = load_settings(
        environ={"GRIDWATCH_RISK_WEIGHTS": "red=10,orange=5,yellow=2,blue=1"}
    )
    assert s.risk_weights == {"red": 10.0, "orange": 5.0, "yellow": 2.0, "blue": 1.0}


def test_load_settings_rejects_bad_weights():
    with pytest.raises(ConfigError, match="GRIDWATCH_RISK_WEIGHTS"):
        load_settings(environ={"GRIDWATCH_RISK_WEIGHTS": "red=lots"})


def test_load_settings_reads_toml_and_env_wins(tmp_path):
    cfg = tmp_path / "gw.toml"
    cfg.write_text('[gridwatch]\ntiles = "osm"\nlanguage = "en"\n', "utf-8")
    s = load_settings(environ={"GRIDWATCH_CONFIG": str(cfg), "GRIDWATCH_TILES": "none"})
    assert s.tiles == "none" and s.language == "en"


def test_load_settings_rejects_unknown_toml_keys(tmp_path):
    cfg = tmp_path / "gw.toml"
    cfg.write_text('[gridwatch]\ncolour = "red"\n', "utf-8")
    with pytest.raises(ConfigError, match="unknown settings"):
        load_settings(environ={"GRIDWATCH_CONFIG": str(cfg)})


def test_masked_hides_password():
    s = load_settings(
        environ={"GRIDWATCH_DATABASE_URL": "postgresql+psycopg://gw:secret@db:5432/gw"}
    )
    assert ":secret@" not in str(s.masked())


def test_online_geocoder_needs_a_key():
    with pytest.raises(ConfigError, match="ONLINE_GEOCODER_KEY"):
        load_settings(environ={"GRIDWATCH_ONLINE_GEOCODER": "amap"})
    with pytest.raises(ConfigError, match="none, amap or tianditu"):
        load_settings(environ={"GRIDWATCH_ONLINE_GEOCODER": "google"})
