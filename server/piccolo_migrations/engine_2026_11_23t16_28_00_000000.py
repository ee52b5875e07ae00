"""Unique index on rater answers (written by hand; see the SJT unique-index migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T16:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "360 unique indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engine", description=DESCRIPTION)

    async def create() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_rater_answer_rater_item "
            "ON rater_answer (rater, item)"
        )

    async def drop() -> None:
        await engine_finder().run_ddl("DROP INDEX IF EXISTS uq_rater_answer_rater_item")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
