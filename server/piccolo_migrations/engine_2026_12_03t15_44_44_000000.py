"""One row per item on an expert's link (by hand: Piccolo has no composite unique constraint)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T15:44:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "expert link item unique index"

INDEXES = {"uq_sjt_expert_link_item": "sjt_expert_link_item (link, item)"}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engine", description=DESCRIPTION)

    async def create() -> None:
        for name, on in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {on}")

    async def drop() -> None:
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
