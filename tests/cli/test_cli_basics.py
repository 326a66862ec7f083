import sqlite3

import click
import pytest
from click.testing import CliRunner

from gridwatch.cli import main


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", list(_commands(main)), ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_PROGRESS", "0")
    monkeypatch.delenv("GRIDWATCH_DATABASE_URL", raising=False)
    return tmp_path


def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_db_upgrade_creates_database(env):
    r = _run("db", "upgrade")
    assert r.exit_code == 0, r.output
    assert "upgraded from empty" in r.output
    assert (env / "data" / "gridwatch.sqlite").exists()
    r = _run("db", "upgrade")
    assert "already at revision" in r.output


def test_db_status_json_counts_tables(env):
    r = _run("db", "status", "--json")
    assert r.exit_code == 0, r.output
    assert '"enterprises": 0' in r.output


def _one_line_error(result):
    assert result.exit_code != 0
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_corrupt_database_file_is_one_sentence(env, monkeypatch):
    bad = env / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    monkeypatch.setenv("GRIDWATCH_DATABASE_URL", f"sqlite:///{bad}")
    line = _one_line_error(_run("db", "status"))
    assert "not a valid gridwatch database" in line
    assert bad.read_bytes().startswith(b"this is not sqlite")  # nothing written


def test_locked_database_is_one_sentence(env, monkeypatch):
    assert _run("db", "upgrade").exit_code == 0
    path = env / "data" / "gridwatch.sqlite"
    try:
        import pysqlite3.dbapi2 as dbapi
    except ImportError:  # pragma: no cover
        dbapi = sqlite3
    holder = dbapi.connect(str(path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        monkeypatch.setenv("GRIDWATCH_DATABASE_URL", f"sqlite:///{path}")
        line = _one_line_error(_run("db", "status"))
        assert "locked" in line
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_bad_database_url_is_one_sentence(env, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATABASE_URL", "not a url")
    assert "is not valid" in _one_line_error(_run("db", "status"))


def test_unsupported_backend_is_one_sentence(env, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATABASE_URL", "mysql://u@localhost/db")
    assert "not supported" in _one_line_error(_run("db", "status"))


def test_unreachable_postgis_is_one_sentence(env, monkeypatch):
    monkeypatch.setenv(
        "GRIDWATCH_DATABASE_URL", "postgresql+psycopg://gw:pw@127.0.0.1:9/gridwatch"
    )
    line = _one_line_error(_run("db", "status"))
    assert "Cannot reach PostgreSQL" in line and "pw@" not in line


def test_missing_spatialite_is_one_sentence(env, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_SPATIALITE_LIBRARY", "/nonexistent/mod_spatialite.so")
    line = _one_line_error(_run("db", "status"))
    assert "apt-get install libsqlite3-mod-spatialite" in line


def test_unwritable_data_dir_is_one_sentence(env, monkeypatch):
    blocker = env / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(blocker / "sub"))
    assert "GRIDWATCH_DATA_DIR" in _one_line_error(_run("db", "status"))


def test_config_show_masks_secrets(env, monkeypatch):
    monkeypatch.setenv(
        "GRIDWATCH_DATABASE_URL", "postgresql+psycopg://u:topsecret@h/db"
    )
    r = _run("config", "show")
    assert r.exit_code == 0 and "topsecret" not in r.output and "u:***@h" in r.output


def test_bad_setting_is_one_sentence(env, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_LANGUAGE", "fr")
    assert "zh_CN or en" in _one_line_error(_run("config", "show"))
