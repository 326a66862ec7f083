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


# every bad value: (variable, value, words the one sentence must contain)
BAD_SETTINGS = [
    ("GRIDWATCH_RISK_WEIGHTS", "red=4,purple=9", "'purple' is not a risk level"),
    ("GRIDWATCH_RISK_WEIGHTS", "red=4,orange=3", "yellow, blue have no value"),
    ("GRIDWATCH_RISK_WEIGHTS", "red=4,orange=-3,yellow=2,blue=1", "negative"),
    ("GRIDWATCH_RISK_WEIGHTS", "red=0,orange=0,yellow=0,blue=0", "every weight is 0"),
    ("GRIDWATCH_RISK_WEIGHTS", "red=lots,orange=3,yellow=2,blue=1", "not a number"),
    ("GRIDWATCH_RISK_WEIGHTS", "red=4,red=5,orange=3,yellow=2,blue=1", "given twice"),
    ("GRIDWATCH_RISK_WEIGHTS", "red:4", "is not name=number"),
    ("GRIDWATCH_HAZARD_WEIGHTS", "ordinary=1,grave=5", "'grave' is not a hazard"),
    ("GRIDWATCH_HAZARD_WEIGHTS", "ordinary=-1,major=5", "negative"),
    ("GRIDWATCH_HAZARD_WEIGHTS", "ordinary=1,major=inf", "not a finite number"),
    ("GRIDWATCH_DUE_DAYS", "red=-30,orange=90,yellow=182,blue=365", "red=-30"),
    ("GRIDWATCH_DUE_DAYS", "red=0,orange=90,yellow=182,blue=365", "at least 1"),
    ("GRIDWATCH_DUE_DAYS", "red=30.5,orange=90,yellow=182,blue=365", "whole number"),
    ("GRIDWATCH_DUE_DAYS", "red=30,orange=90,yellow=182", "blue has no value"),
    ("GRIDWATCH_METRIC_CRS", "EPSG:999999", "not a coordinate reference system"),
    ("GRIDWATCH_METRIC_CRS", "EPSG:4326", "not projected"),
    ("GRIDWATCH_METRIC_CRS", "EPSG:4490", "not projected"),
    ("GRIDWATCH_METRIC_CRS", "EPSG:2227", "not metres"),
    ("GRIDWATCH_METRIC_CRS", "+proj=tmerc +lon_0=114 +units=m", "no EPSG code"),
    ("GRIDWATCH_TILES", "google", "not a tile source"),
    ("GRIDWATCH_TILES", "https://tiles.example/{z}/{x}.png", "not a tile source"),
    ("GRIDWATCH_PROGRESS", "maybe", "not a yes/no value"),
    ("GRIDWATCH_ONLINE_GEOCODER", "google", "use none, amap or tianditu"),
    ("GRIDWATCH_ONLINE_GEOCODER_URL", "ftp://mirror", "not an http"),
    ("GRIDWATCH_LANGUAGE", "fr", "use zh_CN or en"),
    ("GRIDWATCH_LANGUAGE", "zh_TW", "use zh_CN or en"),
    ("GRIDWATCH_DATABASE_URL", "mysql://u@localhost/db", "is not supported"),
    ("GRIDWATCH_DATABASE_URL", "not a url", "is not valid"),
    ("GRIDWATCH_SPATIALITE_LIBRARY", "/nonexistent/mod_spatialite.so", "not exist"),
    ("GRIDWATCH_GEODATA_DIR", "/nonexistent/geodata", "does not exist"),
    ("GRIDWATCH_SECRET_KEY", "hunter2", "shorter than 16 characters"),
]


@pytest.mark.parametrize(("var", "value", "words"), BAD_SETTINGS)
def test_load_settings_refuses_each_bad_value_naming_the_variable(var, value, words):
    with pytest.raises(ConfigError) as info:
        load_settings(environ={var: value})
    msg = info.value.user_msg
    assert msg.startswith(var + ":") and words in msg
    assert ". " not in msg.replace("e.g. ", "") and msg.endswith(".")  # one sentence


def test_load_settings_names_the_toml_file_a_bad_value_came_from(tmp_path):
    cfg = tmp_path / "gw.toml"
    cfg.write_text("[gridwatch]\nrisk_weights = { red = 4, purple = 9 }\n", "utf-8")
    with pytest.raises(
        ConfigError,
        match=r"GRIDWATCH_RISK_WEIGHTS \(risk_weights"
        r" in .*gw.toml\): 'purple' is not a risk level",
    ):
        load_settings(environ={"GRIDWATCH_CONFIG": str(cfg)})


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("due_days = { red = 30, orange = 90, yellow = 182, blue = -1 }", "blue=-1"),
        ("progress = 3", "not a yes/no value"),
        ("language = 7", "use zh_CN or en"),
        ("online_geocoder_key = 12345", "the int value is not text"),
        ("risk_weights = 4", "not a list of name=number pairs"),
        ('metric_crs = "EPSG:4326"', "not projected"),
    ],
)
def test_load_settings_checks_toml_values_too(tmp_path, toml, words):
    cfg = tmp_path / "gw.toml"
    cfg.write_text(f"[gridwatch]\n{toml}\n", "utf-8")
    with pytest.raises(ConfigError, match=words):
        load_settings(environ={"GRIDWATCH_CONFIG": str(cfg)})


def test_load_settings_accepts_toml_tables_and_booleans(tmp_path):
    cfg = tmp_path / "gw.toml"
    cfg.write_text(
        "[gridwatch]\nprogress = false\n"
        "due_days = { red = 14, orange = 60, yellow = 120, blue = 365 }\n",
        "utf-8",
    )
    s = load_settings(environ={"GRIDWATCH_CONFIG": str(cfg)})
    assert s.progress is False
    assert s.due_days == {"red": 14, "orange": 60, "yellow": 120, "blue": 365}


def test_load_settings_normalises_metric_crs_to_an_epsg_code():
    assert load_settings(environ={"GRIDWATCH_METRIC_CRS": "4544"}).metric_crs == (
        "EPSG:4544"
    )
    assert load_settings(environ={}).metric_crs == "EPSG:4547"


def test_settings_defaults_are_the_domain_defaults():
    from gridwatch.crs import METRIC_CRS
    from gridwatch.defaults import DUE_DAYS, HAZARD_WEIGHTS, RISK_WEIGHTS

    s = load_settings(environ={})
    assert s.risk_weights == dict(RISK_WEIGHTS)
    assert s.hazard_weights == dict(HAZARD_WEIGHTS)
    assert s.due_days == dict(DUE_DAYS)
    assert s.metric_crs == METRIC_CRS


def test_domain_fallbacks_are_the_shared_defaults():
    from gridwatch.analytics.hotspots import DEFAULT_WEIGHTS
    from gridwatch.defaults import HAZARD_WEIGHTS, RISK_WEIGHTS
    from gridwatch.grids.workload import DEFAULT_RISK_WEIGHTS

    assert DEFAULT_RISK_WEIGHTS is RISK_WEIGHTS
    assert DEFAULT_WEIGHTS is HAZARD_WEIGHTS


def test_bad_secret_key_is_not_echoed():
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"GRIDWATCH_SECRET_KEY": "hunter2"})
    assert "hunter2" not in info.value.user_msg


def test_supervision_settings_default_to_the_domain_defaults_and_are_checked():
    from gridwatch.errors import ConfigError
    from gridwatch.supervision import DEFAULT_DEADLINE_DAYS, DEFAULT_ESCALATION_DAYS

    s = load_settings(environ={})
    assert s.hazard_deadline_days == dict(DEFAULT_DEADLINE_DAYS)
    assert s.tipoff_escalation_days == DEFAULT_ESCALATION_DAYS
    assert s.self_report_due_day == 10
    env = {"GRIDWATCH_HAZARD_DEADLINE_DAYS": "ordinary=15,major=60"}
    assert load_settings(environ=env).hazard_deadline_days == {
        "ordinary": 15,
        "major": 60,
    }
    for key, bad in (
        ("GRIDWATCH_HAZARD_DEADLINE_DAYS", "ordinary=15"),
        ("GRIDWATCH_HAZARD_DEADLINE_DAYS", "ordinary=1.5,major=60"),
        ("GRIDWATCH_SELF_REPORT_DUE_DAY", "31"),
        ("GRIDWATCH_TIPOFF_ESCALATION_DAYS", "-1"),
    ):
        with pytest.raises(ConfigError):
            load_settings(environ={key: bad})
