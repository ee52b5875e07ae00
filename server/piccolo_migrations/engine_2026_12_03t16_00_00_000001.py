"""Links just issued to candidates, sealed for the staff session that issued them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T16:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "issued links"


class Candidate(Table, tablename="candidate", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


def _params(**extra):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    base.update(extra)
    return base


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engine", description=DESCRIPTION)
    manager.add_table(class_name="IssuedLink", tablename="issued_link", schema=None, columns=None)
    columns = [
        ("session_hash", Varchar, "Varchar", _params(length=64, default="", index=True)),
        ("batch", Varchar, "Varchar", _params(length=32, default="", index=True)),
        (
            "candidate",
            ForeignKey,
            "ForeignKey",
            _params(
                references=Candidate,
                on_delete=OnDelete.cascade,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
                index=True,
            ),
        ),
        ("sealed", Varchar, "Varchar", _params(length=200, default="")),
        ("expires_at", Timestamptz, "Timestamptz", _params(default=TimestamptzNow(), index=True)),
    ]
    for name, cls, cls_name, params in columns:
        manager.add_column(
            table_class_name="IssuedLink",
            tablename="issued_link",
            column_name=name,
            db_column_name=name,
            column_class_name=cls_name,
            column_class=cls,
            params=params,
            schema=None,
        )
    return manager
