"""Piccolo tables. Only repositories in ``server/repositories`` import these."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class CompetencyArea(Table, tablename="competency_area"):
    """A group of roles that share base skills (e.g. Service Delivery)."""

    key = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=120)
    description = Text(default="")
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class Competency(Table, tablename="competency"):
    """A competency with its behavioural indicators, measures and activities (JSON lists)."""

    key = Varchar(length=64, unique=True, index=True)
    area = ForeignKey(references=CompetencyArea, null=True, on_delete=OnDelete.restrict)
    name = Varchar(length=120)
    definition = Varchar(length=300)
    benefit = Text(default="")
    select_for = Boolean(default=False, index=True)
    develop = Boolean(default=False, index=True)
    indicators = JSON(default=[])
    measures = JSON(default=[])
    activities = JSON(default=[])
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class Role(Table, tablename="job_role"):
    """A job profile in an area."""

    key = Varchar(length=64, unique=True, index=True)
    area = ForeignKey(references=CompetencyArea, null=True, on_delete=OnDelete.restrict)
    name = Varchar(length=120)
    description = Text(default="")
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class RoleCompetency(Table, tablename="role_competency"):
    """A competency required by a role, with its weight and required level (1-5)."""

    role = ForeignKey(references=Role, on_delete=OnDelete.cascade, index=True)
    competency = ForeignKey(references=Competency, on_delete=OnDelete.restrict, index=True)
    weight = Real(default=1.0)
    required_level = Integer(default=3)
    position = Integer(default=0)


class StaffUser(Table, tablename="staff_user"):
    """A staff account: admin, recruiter or coach."""

    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=120, default="")
    role = Varchar(length=16)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class StaffSession(Table, tablename="staff_session"):
    """A server-side login session; the cookie holds the token, the table its SHA-256."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed logins per e-mail and per client address, shared by all server processes."""

    key = Varchar(length=320, unique=True, index=True)
    failures = Integer(default=0)
    first_failure_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)
