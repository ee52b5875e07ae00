"""server.settings: DATABASE_URL parsing and settings read from the environment."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from server.settings import PROJECT_ROOT, Database, load_settings, parse_database_url

# --- parse_database_url ----------------------------------------------------------------


def test_sqlite_relative_path_is_under_base(tmp_path):
    db = parse_database_url("sqlite:///var/engine.db", base=tmp_path)
    assert db == Database(engine="sqlite", path=str(tmp_path / "var" / "engine.db"))
    assert db.is_postgres is False


def test_sqlite_relative_path_defaults_to_project_root():
    db = parse_database_url("sqlite:///var/engine.db")
    assert db.path == str(PROJECT_ROOT / "var" / "engine.db")


def test_sqlite_absolute_path_ignores_base(tmp_path):
    db = parse_database_url("sqlite:////abs/path.db", base=tmp_path)
    assert db.engine == "sqlite"
    assert db.path == "/abs/path.db"


def test_postgresql_url_is_parsed_and_password_unquoted():
    db = parse_database_url("postgresql://user:p%40ss@host:5433/db")
    assert db == Database(
        engine="postgres", host="host", port=5433, user="user", password="p@ss", name="db"
    )
    assert db.is_postgres is True


def test_postgres_scheme_and_defaults_are_accepted():
    db = parse_database_url("postgres://db.example/engine")
    assert (db.engine, db.host, db.port, db.user, db.password, db.name) == (
        "postgres",
        "db.example",
        5432,
        "",
        "",
        "engine",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://", "in-memory databases are not supported"),
        ("sqlite:///:memory:", "in-memory databases are not supported"),
        ("sqlite:///", "use sqlite:///relative/path.db"),
        ("mysql://user:pw@host/db", "scheme must be sqlite or postgresql"),
        ("postgresql://host/", "the database name is missing"),
        ("postgresql://host", "the database name is missing"),
    ],
)
def test_unsupported_database_urls_raise_a_clear_error(url, message):
    with pytest.raises(ValueError, match="DATABASE_URL") as info:
        parse_database_url(url)
    assert message in str(info.value)
    assert repr(url) in str(info.value)


# --- load_settings ---------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path) -> pytest.MonkeyPatch:
    """A clean environment: only VAR_DIR (in tmp_path) and a fixed SECRET_KEY."""
    for name in (
        "DATABASE_URL",
        "HOST",
        "PORT",
        "DEMO",
        "ADMIN_EMAIL",
        "ADMIN_PASSWORD",
        "SECURE_COOKIES",
        "SESSION_DAYS",
        "DB_POOL_SIZE",
        "LOGIN_DELAY_MS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "fixed-key")
    return monkeypatch


def test_defaults(env, tmp_path):
    s = load_settings()
    assert s.host == "127.0.0.1"
    assert s.port == 8000
    assert s.demo is True
    assert s.database_url == "sqlite:///var/engine.db"
    assert s.database.path == str(PROJECT_ROOT / "var" / "engine.db")
    assert s.var_dir == tmp_path / "var"
    assert s.secret_key == "fixed-key"
    assert s.secure_cookies is None
    assert s.admin_email == ""


def test_values_from_environment(env):
    env.setenv("HOST", "0.0.0.0")
    env.setenv("PORT", "9001")
    env.setenv("DATABASE_URL", "postgresql://u:pw@db:5433/engine")
    env.setenv("ADMIN_EMAIL", "  Boss@Example.COM ")
    s = load_settings()
    assert (s.host, s.port) == ("0.0.0.0", 9001)
    assert s.database.is_postgres is True
    assert s.database.name == "engine"
    assert s.admin_email == "boss@example.com"


def test_port_that_is_not_a_number_names_the_variable(env):
    env.setenv("PORT", "abc")
    with pytest.raises(ValueError, match=r"PORT='abc': expected an integer"):
        load_settings()


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("false", False), ("1", True)])
def test_demo_flag(env, value, expected):
    env.setenv("DEMO", value)
    assert load_settings().demo is expected


def test_demo_flag_rejects_other_values(env):
    env.setenv("DEMO", "maybe")
    with pytest.raises(ValueError, match="DEMO='maybe'"):
        load_settings()


def test_secret_key_generated_once_and_kept_private(env, tmp_path):
    env.delenv("SECRET_KEY")
    key_file: Path = tmp_path / "var" / "secret_key"
    assert not key_file.exists()

    first = load_settings().secret_key
    assert len(first) >= 32
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    assert load_settings().secret_key == first


def test_secret_key_from_environment_wins(env, tmp_path):
    env.delenv("SECRET_KEY")
    stored = load_settings().secret_key
    env.setenv("SECRET_KEY", "from-env")
    assert load_settings().secret_key == "from-env"
    assert (tmp_path / "var" / "secret_key").read_text() == stored


def test_secret_key_from_environment_writes_no_file(env, tmp_path):
    assert load_settings().secret_key == "fixed-key"
    assert not (tmp_path / "var" / "secret_key").exists()
