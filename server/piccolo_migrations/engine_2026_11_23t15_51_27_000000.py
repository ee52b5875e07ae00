"""Composite uniqueness as unique indexes (written by hand).

SQLite cannot ``ALTER TABLE ... ADD CONSTRAINT``, and ``ON CONFLICT`` (the answer upsert)
accepts a unique index on both SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T15:51:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes"

INDEXES = (
    ("uq_answer_candidate_item", "answer", "candidate, item"),
    ("uq_expert_rating_item_expert", "sjt_expert_rating", "item, expert"),
    ("uq_sjt_key_item_version", "sjt_key", "item, version"),
    ("uq_item_competency", "sjt_item_competency", "item, competency"),
    ("uq_form_item", "sjt_form_item", "form, item"),
    ("uq_role_competency", "role_competency", "role, competency"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engine", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        for name, table, columns in INDEXES:
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop() -> None:
        engine = engine_finder()
        for name, _, _ in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
