"""Campaigns (vacancies): create, invite candidates (one by one or from CSV), follow, rank."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, QueryParameter

from assessments.errors import Problem
from assessments.sjt.forms import Blueprint
from reports import hiring
from server.admin import audit
from server.core.db import utcnow
from server.core.errors import Conflict, Invalid, NotFound
from server.core.schemas import User
from server.core.vocabulary import Language
from server.hiring import ranked_report
from server.hiring import repository as repo
from server.hiring.dependencies import Hiring
from server.hiring.invitations import parse_invitations
from server.hiring.ranked_report import columns as _columns
from server.hiring.ranked_report import required as _required
from server.hiring.ranked_report import role_name as _role_name
from server.hiring.repository import Invitation
from server.sjt.schemas import (
    BulkInviteResult,
    Campaign,
    CampaignIn,
    CampaignPage,
    CampaignReliability,
    CampaignUpdate,
    Candidate,
    CandidateIn,
    CandidatePage,
    Ranking,
)
from server.web.auth import CurrentUser, hiring_guard
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.i18n import translations
from server.web.params import Limit, Offset, PathId, documented_as
from server.web.responses import csv_response, html_response, pdf_response

ReportLang = Annotated[
    Language, QueryParameter(description="Language of the report's text (English by default)")
]


class CampaignController(ApiController):
    path = "/api/v1/campaigns"
    guards = [hiring_guard]
    tags = ["campaigns"]

    @get("/", summary="Campaigns you may see (admins: all; recruiters: their own)")
    async def list_campaigns(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> CampaignPage:
        items, total = await repo.list_campaigns(user, limit=limit, offset=offset)
        return CampaignPage(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/",
        raises=[UnprocessableError, NotFoundException],
        summary="Open a vacancy; without form_ids a form is built from the role",
        description=(
            "Only name and role_id are required: the default form covers each select-for "
            "competency of the role with 3 active, keyed items in the most/least format."
        ),
    )
    async def create_campaign(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        data: JSONBody[CampaignIn],
    ) -> Campaign:
        b = data.blueprint
        blueprint = (
            Blueprint(
                items_per_competency=b.items_per_competency,
                format=b.format,
                scoring=b.scoring,
                time_limit_seconds=b.time_limit_seconds,
                forms=b.forms,
            )
            if b
            else None
        )
        ident = await hiring_service.open_campaign(
            name=data.name,
            role_id=data.role_id,
            owner_id=user.id,
            form_ids=data.form_ids,
            blueprint=blueprint,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            time_limit_seconds=data.time_limit_seconds,
            cut_score=data.cut_score,
            languages=data.languages,
            key_method=data.key_method,
            omitted=data.omitted,
        )
        return await repo.get_campaign(ident, user)

    @get("/{campaign_id:int}", summary="One campaign with candidate counts")
    async def get_campaign(
        self, request: Request[Any, Any, Any], user: CurrentUser, campaign_id: PathId
    ) -> Campaign:
        return await repo.get_campaign(campaign_id, user)

    @patch(
        "/{campaign_id:int}",
        summary=(
            "Change name, dates, time limit, cut score, languages, forms or how omitted items score"
        ),
        description=(
            "Fields left out (or null) stay as they are; `clear` empties dates or the cut "
            "score. Refused as a whole (422 naming each field): closes_at not after "
            "opens_at; forms unknown, of mixed methods, or changed after candidates were "
            "invited; a language in which an item of the forms lacks its context, stem or "
            "an option."
        ),
        raises=[UnprocessableError],
    )
    async def update_campaign(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        data: JSONBody[CampaignUpdate],
    ) -> Campaign:
        current = await repo.get_campaign(campaign_id, user)
        changes = {f: getattr(data, f) for f in data.__struct_fields__ if f != "clear"}
        await hiring_service.update_campaign(current, changes, data.clear)
        return await repo.get_campaign(campaign_id, user)

    @post(
        "/{campaign_id:int}/candidates",
        summary="Invite a candidate; returns the link",
        description=(
            "An e-mail that already has a link in this vacancy (even a submitted one) is "
            "refused with 409 naming `email`: issue a new link to that candidate instead."
        ),
        raises=[ConflictError, UnprocessableError],
    )
    async def invite(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        data: JSONBody[CandidateIn],
    ) -> Candidate:
        campaign = await repo.get_campaign(campaign_id, user)
        invited = await hiring_service.invite(
            campaign,
            [Invitation(data.name, data.email, data.language or "", data.extra_time_seconds)],
        )
        return invited[0]

    @post(
        "/{campaign_id:int}/candidates/import",
        raises=[ConflictError, UnprocessableError],
        summary="Invite candidates from CSV (columns: name, email[, language, extra_time_seconds])",
        description="All rows are checked first; if any is invalid nobody is invited.",
    )
    async def invite_csv(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
    ) -> BulkInviteResult:
        campaign = await repo.get_campaign(campaign_id, user)
        try:
            text = (await request.body()).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid([Problem("body", "the CSV must be UTF-8")]) from None
        people, found = parse_invitations(text)
        if found:
            raise Invalid(found, "Nobody was invited")
        return BulkInviteResult(invited=await hiring_service.invite(campaign, people))

    @post(
        "/{campaign_id:int}/candidates/{candidate_id:int}/link",
        summary="Issue a new link to a candidate; the old link stops working",
        raises=[NotFoundException],
    )
    async def new_link(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        candidate_id: PathId,
    ) -> Candidate:
        campaign = await repo.get_campaign(campaign_id, user)
        return await hiring_service.new_link(campaign, candidate_id)

    @get("/{campaign_id:int}/candidates", summary="Candidates with their status")
    async def list_candidates(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        campaign_id: PathId,
        status: Annotated[
            Literal["invited", "started", "submitted"] | None, QueryParameter()
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> CandidatePage:
        await repo.get_campaign(campaign_id, user)
        items, total = await repo.list_candidates(
            campaign_id, status=status, limit=limit, offset=offset
        )
        return CandidatePage(items=items, total=total, limit=limit, offset=offset)

    @get(
        "/{campaign_id:int}/reliability",
        summary="Reliability per form: alpha (Feldt CI), omega, lambda6, split-half, SEM, items",
    )
    async def reliability(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
    ) -> CampaignReliability:
        campaign = await repo.get_campaign(campaign_id, user)
        return CampaignReliability(
            campaign_id=campaign_id, forms=await hiring_service.reliability(campaign)
        )

    @get(
        "/{campaign_id:int}/ranking",
        summary="Submitted candidates ranked by total score; the others listed apart",
        operation_class=documented_as("text/csv"),
    )
    async def ranking(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        passed: Annotated[
            bool | None, QueryParameter(description="Only those who passed (or failed) the cut")
        ] = None,
        min_score: Annotated[float | None, QueryParameter(ge=-100, le=100)] = None,
        complete: Annotated[
            bool | None,
            QueryParameter(
                description="Only candidates who answered every item (true) or not (false)"
            ),
        ] = None,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Response[Any]:
        campaign = await repo.get_campaign(campaign_id, user)
        result = await hiring_service.ranking(campaign)
        ranked = [
            r
            for r in result.ranked
            if (passed is None or r.passed == passed)
            and (min_score is None or (r.score is not None and r.score >= min_score))
            and (complete is None or (r.completion == "complete") == complete)
        ]
        result = Ranking(
            **{**{f: getattr(result, f) for f in result.__struct_fields__}, "ranked": ranked}
        )
        await _audit(user, format, f"campaign:{campaign_id}/ranking.{format}")
        if format == "csv":
            columns = await _columns(campaign, "en")
            return csv_response(
                hiring.ranking_csv(result.ranked, columns), filename=f"ranking-{campaign_id}.csv"
            )
        return Response(result)

    @get(
        "/{campaign_id:int}/report",
        summary="The ranked hiring report (HTML, PDF, or the ranking as CSV)",
        operation_class=documented_as("text/html", "application/pdf", "text/csv", json=False),
        description=(
            "Summary, ranking with SED bands and the cut, score distribution, the form's "
            "reliability in plain language and, when candidates gave voluntary "
            "equal-opportunities answers, adverse impact in aggregate. Each view or export "
            "is recorded in the audit log."
        ),
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        format: Annotated[Literal["html", "pdf", "csv"], QueryParameter()] = "html",
        lang: ReportLang = "en",
    ) -> Response[bytes]:
        campaign = await repo.get_campaign(campaign_id, user)
        await _audit(user, format, f"campaign:{campaign_id}/report.{format}")
        if format == "csv":
            columns = await _columns(campaign, lang)
            ranked = (await hiring_service.ranking(campaign)).ranked
            return csv_response(
                hiring.ranking_csv(ranked, columns), filename=f"hiring-report-{campaign_id}.csv"
            )
        view = await ranked_report.ranked_report(campaign, lang)
        if format == "pdf":
            html = ranked_report.render(view, lang, for_print=True)
            return await pdf_response(html, filename=f"hiring-report-{campaign_id}.pdf")
        return html_response(ranked_report.render(view, lang, for_print=False))

    @get(
        "/{campaign_id:int}/candidates/{candidate_id:int}/report",
        raises=[ConflictError],
        summary="A candidate's report for the recruiter (JSON, HTML or PDF)",
        operation_class=documented_as("text/html", "application/pdf"),
        description=(
            "Competency profile against the role's required levels, the total with its 95% "
            "interval, rank and percentile, strengths and risks, and interview questions "
            "for the weakest competencies. Never shows equal-opportunities answers."
        ),
    )
    async def candidate_report(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        candidate_id: PathId,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter()] = "json",
        lang: ReportLang = "en",
    ) -> Response[Any]:
        campaign = await repo.get_campaign(campaign_id, user)
        result, forms = await hiring_service.ranking_and_analysis(campaign)
        row = next((r for r in result.ranked if r.candidate_id == candidate_id), None)
        if row is None:
            if any(p.candidate_id == candidate_id for p in result.not_submitted):
                raise Conflict("This candidate has not submitted the test yet")
            raise NotFound.of("candidate", candidate_id)
        await _audit(user, format, f"campaign:{campaign_id}/candidate:{candidate_id}.{format}")
        t = translations(lang)
        view = hiring.candidate_report(
            campaign_id=campaign_id,
            campaign=campaign.name,
            role=await _role_name(campaign, lang),
            row=row,
            ranked=sum(1 for r in result.ranked if r.score is not None),
            cut_score=campaign.cut_score,
            form=next((f for f in forms if f.form_id == row.form_id), None),
            competencies=await _required(campaign, lang),
            now=utcnow(),
            lang=lang,
            t=t,
            scale=result.scale,
        )
        if format == "json":
            return Response(view)
        html = hiring.render_candidate(view, t, for_print=format == "pdf")
        if format == "pdf":
            return await pdf_response(
                html, filename=f"candidate-{candidate_id}-campaign-{campaign_id}.pdf"
            )
        return html_response(html)

    @get(
        "/{campaign_id:int}/technical-report",
        summary="Technical report per form: reliability, item and option analysis, norms",
        operation_class=documented_as("text/html", "application/pdf"),
    )
    async def technical_report(
        self,
        request: Request[Any, Any, Any],
        hiring_service: Hiring,
        user: CurrentUser,
        campaign_id: PathId,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter()] = "json",
        lang: ReportLang = "en",
    ) -> Response[Any]:
        campaign = await repo.get_campaign(campaign_id, user)
        result, forms = await hiring_service.ranking_and_analysis(campaign)
        await _audit(user, format, f"campaign:{campaign_id}/technical-report.{format}")
        view = hiring.technical_report(
            campaign_id=campaign_id,
            name=campaign.name,
            role=await _role_name(campaign, lang),
            ranking=result,
            forms=forms,
            now=utcnow(),
            lang=lang,
        )
        if format == "json":
            return Response(view)
        t = translations(lang)
        if format == "pdf":
            html = hiring.render_technical(view, t, for_print=True)
            return await pdf_response(html, filename=f"technical-report-{campaign_id}.pdf")
        return html_response(hiring.render_technical(view, t))


async def _audit(user: User, fmt: str, target: str) -> None:
    await audit.record(user.id, "exported" if fmt in ("pdf", "csv") else "viewed", target)
