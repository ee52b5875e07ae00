"""The development-plan slice's orchestration as handlers receive it by dependency
injection (``plan_service: Plans``): reading the current plan (the latest saved version,
else one proposed from the released 360 report), and saving an edit as a new version under
the plan rules. Every save is recorded in the audit log, whichever page or API call made it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from assessments.development import DevelopmentPlan, ratings_from_report
from assessments.development.editing import plan_problems
from server.admin import audit
from server.core.db import utcnow
from server.core.errors import Invalid, NotFound
from server.core.schemas import User
from server.development import repository as plans
from server.reviews import repository as reviews_repo
from server.reviews.releases import NotReleased
from server.reviews.service import ReviewService

__all__ = ["PlanService"]


class PlanService:
    """Development plans of 360 subjects: current plan, versions, saving an edit."""

    def __init__(self, reviews: ReviewService | None = None) -> None:
        self.reviews = reviews or ReviewService()

    async def current(
        self, user: User, review_id: int, subject_id: int, lang: str = "en"
    ) -> tuple[dict[str, Any], Any, plans.SavedPlan]:
        """The cycle's row, the subject and the plan as it stands (version 0 = proposed).

        404 for a cycle the user may not see or a subject of another cycle; 409 (from the
        releases) when nothing is saved and the cycle has no released result yet.
        """
        row = await reviews_repo.get_review_row(review_id, user)
        subject = await reviews_repo.get_subject(review_id, subject_id)
        saved = await plans.latest(subject_id)
        if saved is None:
            result, _ = await self.reviews.released_subject(review_id, subject_id)
            plan = await plans.generated(
                row["role"],
                ratings_from_report(result.report),
                start=utcnow().date(),
                lang=lang,
            )
            saved = plans.SavedPlan(
                subject_id=subject_id, version=0, saved_at=None, saved_by=None, plan=plan
            )
        return row, subject, saved

    async def ratings(
        self, review_id: int, subject_id: int
    ) -> dict[str, tuple[float | None, float | None]]:
        """Others' and self means per competency from the released report (empty before)."""
        try:
            result, _ = await self.reviews.released_subject(review_id, subject_id)
        except NotReleased:
            return {}
        return ratings_from_report(result.report)

    async def versions(self, user: User, review_id: int, subject_id: int) -> list[dict[str, Any]]:
        await reviews_repo.get_review_row(review_id, user)
        await reviews_repo.get_subject(review_id, subject_id)
        return await plans.versions(subject_id)

    async def save(
        self,
        user: User,
        review_id: int,
        subject_id: int,
        plan: DevelopmentPlan,
        *,
        expected_version: int | None,
    ) -> plans.SavedPlan:
        """Store an edited plan as the next version.

        422 (:class:`Invalid`, every problem with its path) when the plan breaks the rules,
        409 (:class:`Conflict`) when ``expected_version`` is no longer the latest: in
        either case nothing is stored and nothing is audited.
        """
        row = await reviews_repo.get_review_row(review_id, user)
        await reviews_repo.get_subject(review_id, subject_id)
        role, comps = await plans.role_library(row["role"])
        found = plan_problems(plan, role, comps)
        if found:
            raise Invalid(found)
        saved = await plans.save(
            subject_id, plan, user_id=user.id, expected_version=expected_version
        )
        await audit.record(
            user.id,
            "edited",
            f"review:{review_id}/subject:{subject_id}/idp",
            {"version": saved.version},
        )
        return saved

    async def set_status(
        self,
        user: User,
        review_id: int,
        subject_id: int,
        competency: str,
        status: str,
        *,
        expected_version: int | None,
    ) -> plans.SavedPlan:
        """One priority's status changed: a new version (audited like any edit)."""
        _, _, saved = await self.current(user, review_id, subject_id)
        if competency not in [p.competency for p in saved.plan.priorities]:
            raise NotFound.of("priority", competency)
        plan = dataclasses.replace(
            saved.plan,
            priorities=tuple(
                dataclasses.replace(p, status=status) if p.competency == competency else p  # type: ignore[arg-type]
                for p in saved.plan.priorities
            ),
        )
        expected = saved.version if expected_version is None else expected_version
        return await self.save(user, review_id, subject_id, plan, expected_version=expected)
