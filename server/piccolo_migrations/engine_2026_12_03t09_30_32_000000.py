"""One release number per cycle (by hand: Piccolo has no composite unique constraint)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T09:30:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "release unique index"

INDEXES = {
    "uq_review_release_number": "review_release (review, number)",
    "uq_subject_release_subject": "subject_release (release, subject)",
}


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
