"""The Piccolo app holding the engine's tables and migrations."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="engine",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["server.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
