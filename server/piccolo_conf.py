"""Piccolo configuration: the engine comes from ``DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.core.sqlite_engine import KeptReadsSQLiteEngine
from server.settings import get_settings

_db = get_settings().database

DB: PostgresEngine | SQLiteEngine
if _db.is_postgres:
    DB = PostgresEngine(
        config={
            "host": _db.host,
            "port": _db.port,
            "user": _db.user,
            "password": _db.password,
            "database": _db.name,
        }
    )
else:
    Path(_db.path).parent.mkdir(parents=True, exist_ok=True)
    DB = KeptReadsSQLiteEngine(path=_db.path, timeout=30)

APP_REGISTRY = AppRegistry(apps=["server.piccolo_app"])
