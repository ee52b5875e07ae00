"""Triggers that keep ``sjt_form.items_version`` current (written by hand).

An answer is checked against the form's items as the process last loaded them; the save
writes it only while ``items_version`` is unchanged. Triggers (rather than the code that
edits items) raise it, so that no writer can forget: an update of an item raises it on
every form that holds the item, and adding, moving or removing a form's item raises it on
that form. Cheaper per save than the fingerprint over the form's items it replaces.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T03:23:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "sjt_form.items_version triggers"

BUMP = "UPDATE sjt_form SET items_version = items_version + 1 WHERE id"

SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS sjt_item_changed AFTER UPDATE ON sjt_item
    BEGIN {BUMP} IN (SELECT form FROM sjt_form_item WHERE item = NEW.id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS sjt_form_item_added AFTER INSERT ON sjt_form_item
    BEGIN {BUMP} = NEW.form; END""",
    f"""CREATE TRIGGER IF NOT EXISTS sjt_form_item_moved AFTER UPDATE ON sjt_form_item
    BEGIN {BUMP} IN (OLD.form, NEW.form); END""",
    f"""CREATE TRIGGER IF NOT EXISTS sjt_form_item_removed AFTER DELETE ON sjt_form_item
    BEGIN {BUMP} = OLD.form; END""",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("sjt_item_changed", "sjt_form_item_added", "sjt_form_item_moved",
                 "sjt_form_item_removed")
)

POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION sjt_form_items_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'sjt_item' THEN
            {BUMP} IN (SELECT form FROM sjt_form_item WHERE item = NEW.id);
        ELSIF TG_OP = 'INSERT' THEN
            {BUMP} = NEW.form;
        ELSIF TG_OP = 'DELETE' THEN
            {BUMP} = OLD.form;
        ELSE
            {BUMP} IN (OLD.form, NEW.form);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER sjt_item_changed AFTER UPDATE ON sjt_item
    FOR EACH ROW EXECUTE FUNCTION sjt_form_items_changed()""",
    """CREATE TRIGGER sjt_form_item_changed AFTER INSERT OR UPDATE OR DELETE ON sjt_form_item
    FOR EACH ROW EXECUTE FUNCTION sjt_form_items_changed()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS sjt_item_changed ON sjt_item",
    "DROP TRIGGER IF EXISTS sjt_form_item_changed ON sjt_form_item",
    "DROP FUNCTION IF EXISTS sjt_form_items_changed()",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engine", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        for sql in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(sql)

    async def drop() -> None:
        engine = engine_finder()
        for sql in POSTGRES_DROP if engine.engine_type == "postgres" else SQLITE_DROP:
            await engine.run_ddl(sql)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
