"""Development plans: generated from a subject's 360 result, edited and saved by coaches.

Every save is a new version (append-only); the latest version is the plan. Before the
first save the plan is generated afresh from the current 360 result (version 0).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import msgspec

from assessments.competency import Competency, Role
from assessments.development import DevelopmentPlan, development_plan
from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict
from server.library import repository as library_repo
from server.tables import DevelopmentPlan as PlanRow
from server.tables import StaffUser

MAX_PRIORITIES = 3
STATUSES = ("not started", "in progress", "done")


class SavedPlan(msgspec.Struct, kw_only=True):
    """A plan with its version (0 = generated, not saved yet) and who saved it when."""

    subject_id: int
    version: int
    saved_at: datetime.datetime | None
    saved_by: str | None
    plan: DevelopmentPlan


async def role_library(role_id: int) -> tuple[Role, list[Competency]]:
    """The role and its competencies as domain objects."""
    role = await library_repo.get_role(role_id)
    comps, _ = await library_repo.list_competencies(role=str(role_id), limit=500)
    return role, comps


async def generated(
    role_id: int,
    ratings: Mapping[str, tuple[float | None, float | None]],
    *,
    start: datetime.date,
    lang: str,
) -> DevelopmentPlan:
    role, comps = await role_library(role_id)
    # the cycle's survey was built from the role as it was: a competency the role has
    # dropped since cannot be a priority (and is unknown to the plan's rules)
    keys = {c.key for c in comps}
    ratings = {k: v for k, v in ratings.items() if k in keys}
    return development_plan(role, comps, ratings, start=start, lang=lang)


async def latest(subject_id: int) -> SavedPlan | None:
    row = (
        await PlanRow.select(
            PlanRow.version, PlanRow.plan, PlanRow.saved_at, PlanRow.saved_by.email
        )
        .where(PlanRow.subject == subject_id)
        .order_by(PlanRow.version, ascending=False)
        .first()
    )
    if row is None:
        return None
    return SavedPlan(
        subject_id=subject_id,
        version=row["version"],
        saved_at=row["saved_at"],
        saved_by=row["saved_by.email"],
        plan=msgspec.convert(loads(row["plan"]), DevelopmentPlan),
    )


async def versions(subject_id: int) -> list[dict[str, Any]]:
    """Every saved version, newest first: number, when, by whom (not the content)."""
    return await (
        PlanRow.select(
            PlanRow.version, PlanRow.saved_at, PlanRow.saved_by.email.as_alias("saved_by")
        )
        .where(PlanRow.subject == subject_id)
        .order_by(PlanRow.version, ascending=False)
    )


async def save(
    subject_id: int, plan: DevelopmentPlan, *, user_id: int, expected_version: int | None
) -> SavedPlan:
    """Store ``plan`` as the next version.

    ``expected_version`` (the version the coach edited) guards against overwriting a
    colleague's save made in the meantime: 409 when it is not the latest.
    """
    async with write_transaction():
        row = (
            await PlanRow.select(PlanRow.version)
            .where(PlanRow.subject == subject_id)
            .order_by(PlanRow.version, ascending=False)
            .first()
        )
        current = row["version"] if row else 0
        if expected_version is not None and expected_version != current:
            raise Conflict(
                f"version: the plan was saved as version {current} since you opened "
                f"version {expected_version}; reload it and apply your change again"
            )
        now = utcnow()
        await PlanRow.insert(
            PlanRow(
                subject=subject_id,
                version=current + 1,
                plan=msgspec.to_builtins(plan),
                saved_by=user_id,
                saved_at=now,
            )
        )
    email = await StaffUser.select(StaffUser.email).where(StaffUser.id == user_id).first()
    return SavedPlan(
        subject_id=subject_id,
        version=current + 1,
        saved_at=now,
        saved_by=email["email"] if email else None,
        plan=plan,
    )
