from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class JobAnalysisExpert(Table, tablename="job_analysis_expert", schema=None):
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


ID = "2026-12-03T23:32:03:434177"
VERSION = "1.38.0"
DESCRIPTION = "outbox messages to job-analysis experts"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="engine", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="expert",
        db_column_name="expert",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": JobAnalysisExpert,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "MessageKind",
                {
                    "CANDIDATE_INVITATION": "candidate_invitation",
                    "CANDIDATE_REMINDER": "candidate_reminder",
                    "CANDIDATE_RECEIPT": "candidate_receipt",
                    "RATER_INVITATION": "rater_invitation",
                    "RATER_REMINDER": "rater_reminder",
                    "NOMINATION_INVITATION": "nomination_invitation",
                    "COACH_NOTICE": "coach_notice",
                    "EXPERT_INVITATION": "expert_invitation",
                    "EXPERT_RATING": "expert_rating",
                },
            )
        },
        old_params={
            "choices": Enum(
                "MessageKind",
                {
                    "CANDIDATE_INVITATION": "candidate_invitation",
                    "CANDIDATE_REMINDER": "candidate_reminder",
                    "CANDIDATE_RECEIPT": "candidate_receipt",
                    "RATER_INVITATION": "rater_invitation",
                    "RATER_REMINDER": "rater_reminder",
                    "NOMINATION_INVITATION": "nomination_invitation",
                    "COACH_NOTICE": "coach_notice",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
