from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-03T11:07:09:626338"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="engine", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Candidate",
        tablename="candidate",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "CandidateStatus",
                {
                    "INVITED": "invited",
                    "STARTED": "started",
                    "SUBMITTED": "submitted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Rater",
        tablename="rater",
        column_name="group",
        db_column_name="group",
        params={
            "choices": Enum(
                "RaterGroup",
                {
                    "SELF": "self",
                    "MANAGER": "manager",
                    "PEER": "peer",
                    "DIRECT_REPORT": "direct_report",
                    "CUSTOMER": "customer",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Rater",
        tablename="rater",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "RaterStatus",
                {
                    "NOMINATED": "nominated",
                    "INVITED": "invited",
                    "STARTED": "started",
                    "SUBMITTED": "submitted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Rater",
        tablename="rater",
        column_name="nominated_by",
        db_column_name="nominated_by",
        params={
            "choices": Enum(
                "NominatedBy", {"COACH": "coach", "SUBJECT": "subject"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="SjtItem",
        tablename="sjt_item",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ItemStatus",
                {"DRAFT": "draft", "ACTIVE": "active", "RETIRED": "retired"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="StaffUser",
        tablename="staff_user",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "StaffRoleChoice",
                {"ADMIN": "admin", "RECRUITER": "recruiter", "COACH": "coach"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
