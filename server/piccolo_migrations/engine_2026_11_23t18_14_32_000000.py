"""Unique indexes for plans, monitoring answers and reliability snapshots (by hand)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T18:14:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "report unique indexes"

INDEXES = {
    "uq_development_plan_subject_version": "development_plan (subject, version)",
    "uq_monitoring_answer_candidate_question": "monitoring_answer (candidate, question)",
    "uq_reliability_snapshot_scope": "reliability_snapshot (scope, scope_id)",
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
