"""Individual development plans (360 subjects) and onboarding plans (hired candidates)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, patch, put
from litestar.params import FromPath, JSONBody, QueryParameter

from assessments.competency import localized
from assessments.development import DevelopmentPlan, onboarding_plan
from reports.plans import idp_html, onboarding_html
from server.admin import audit
from server.core.db import utcnow
from server.core.errors import Conflict, NotFound
from server.core.vocabulary import Language
from server.development import repository as plans
from server.development.dependencies import Plans
from server.hiring import repository as campaigns_repo
from server.hiring.dependencies import Hiring
from server.web.auth import CurrentUser, coaching_guard, hiring_guard
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.i18n import translations
from server.web.params import PathId, documented_as
from server.web.responses import html_response, pdf_response

PlanFormat = Annotated[
    Literal["json", "html", "pdf"], QueryParameter(description="json, html or pdf")
]
PlanLang = Annotated[
    Language,
    QueryParameter(description="Language of the library texts and the page"),
]
Status = Literal["not started", "in progress", "done"]


class PlanEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A coach's edited plan and the version it was edited from (409 if not the latest)."""

    version: int = msgspec.field(default=0)
    plan: DevelopmentPlan


class StatusEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: Status
    version: int | None = None


class PlanVersion(msgspec.Struct, kw_only=True):
    version: int
    saved_at: datetime.datetime
    saved_by: str | None


class DevelopmentPlanController(ApiController):
    path = "/api/v1/reviews/{review_id:int}/subjects/{subject_id:int}/idp"
    guards = [coaching_guard]
    tags = ["development plans"]

    @get(
        "/",
        summary="The subject's development plan: the latest saved version, else a proposal",
        operation_class=documented_as("text/html", "application/pdf"),
        description=(
            "Version 0 is proposed from the released 360 report (409 before the cycle is "
            "released) by the rule printed in "
            "`plan.rule` (at most three priorities among the role's develop competencies). "
            "format=html or pdf gives the printable plan."
        ),
    )
    async def get_plan(
        self,
        request: Request[Any, Any, Any],
        plan_service: Plans,
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        format: PlanFormat = "json",
        lang: PlanLang = "en",
    ) -> Response[Any]:
        row, subject, saved = await plan_service.current(user, review_id, subject_id, lang)
        if format == "json":
            return Response(saved)
        html = idp_html(
            saved.plan,
            person=subject.name,
            cycle=row["name"],
            version=saved.version,
            saved=saved.saved_at.date().isoformat() if saved.saved_at else None,
            translations=translations(lang),
        )
        target = f"review:{review_id}/subject:{subject_id}/idp.{format}"
        await audit.record(user.id, "viewed" if format == "html" else "exported", target)
        if format == "html":
            return html_response(html)
        return await pdf_response(html, filename=f"development-plan-{subject_id}.pdf")

    @put(
        "/",
        raises=[ConflictError, UnprocessableError],
        summary="Save an edited plan as a new version",
        description=(
            "Send the plan as returned by GET with your changes and the `version` you "
            "edited. The plan must keep the rules (at most 3 priorities, each a develop "
            "competency of the role with a goal and an activity); 422 lists every problem, "
            "409 when someone saved a newer version meanwhile."
        ),
    )
    async def save_plan(
        self,
        request: Request[Any, Any, Any],
        plan_service: Plans,
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        data: JSONBody[PlanEdit],
    ) -> plans.SavedPlan:
        return await plan_service.save(
            user, review_id, subject_id, data.plan, expected_version=data.version
        )

    @patch(
        "/priorities/{competency:str}",
        raises=[ConflictError, UnprocessableError],
        summary="Set one priority's status (not started, in progress, done): a new version",
    )
    async def set_status(
        self,
        request: Request[Any, Any, Any],
        plan_service: Plans,
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        competency: FromPath[str],
        data: JSONBody[StatusEdit],
    ) -> plans.SavedPlan:
        return await plan_service.set_status(
            user, review_id, subject_id, competency, data.status, expected_version=data.version
        )

    @get("/versions", summary="Saved versions of the plan, newest first")
    async def list_versions(
        self,
        request: Request[Any, Any, Any],
        plan_service: Plans,
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
    ) -> list[PlanVersion]:
        versions = await plan_service.versions(user, review_id, subject_id)
        return [PlanVersion(**v) for v in versions]


class OnboardingController(ApiController):
    path = "/api/v1/campaigns/{campaign_id:int}/candidates/{candidate_id:int}/onboarding"
    guards = [hiring_guard]
    tags = ["development plans"]

    @get(
        "/",
        raises=[ConflictError],
        summary="Onboarding plan for a hired candidate: where to start developing, first module",
        operation_class=documented_as("text/html", "application/pdf"),
        description=(
            "From the candidate's SJT scores per select-for competency: the role's develop "
            "competencies to start with (linked to the weakest scores through the same "
            "competency or a shared training module) and the first training module; the rule "
            "is in `rule`. `start` is the first day in the role (default today)."
        ),
    )
    async def onboarding(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        candidate_id: PathId,
        start: Annotated[
            datetime.date | None, QueryParameter(description="First day in the role")
        ] = None,
        format: PlanFormat = "json",
        lang: PlanLang = "en",
    ) -> Response[Any]:
        campaign = await campaigns_repo.get_campaign(campaign_id, user)
        result = await hiring_service.ranking(campaign)
        row = next((r for r in result.ranked if r.candidate_id == candidate_id), None)
        if row is None:
            if any(p.candidate_id == candidate_id for p in result.not_submitted):
                raise Conflict("This candidate has not submitted the test yet")
            raise NotFound.of("candidate", candidate_id)
        scores = {k: v for k, v in row.competency_scores.items() if v is not None}
        role, comps = await plans.role_library(campaign.role_id)
        plan = onboarding_plan(role, comps, scores, start=start or utcnow().date(), lang=lang)
        target = f"campaign:{campaign_id}/candidate:{candidate_id}/onboarding.{format}"
        await audit.record(user.id, "exported" if format == "pdf" else "viewed", target)
        if format == "json":
            return Response(plan)
        names = {c.key: localized(c, lang).name for c in comps}
        html = onboarding_html(
            plan,
            person=row.name,
            vacancy=campaign.name,
            scores=scores,
            names=names,
            translations=translations(lang),
        )
        if format == "html":
            return html_response(html)
        return await pdf_response(html, filename=f"onboarding-{candidate_id}.pdf")
