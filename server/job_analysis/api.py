"""Job-analysis studies (facilitators: admins and coaches): experts, sorting, decisions,
applying the model to the library, and the report."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, QueryParameter

from reports.job_analysis import job_analysis_csv, job_analysis_html
from server.admin import audit
from server.core.vocabulary import LANGUAGES, Language
from server.job_analysis import model_repository as model
from server.job_analysis import repository as repo
from server.job_analysis.dependencies import Studies
from server.job_analysis.report import report_json, report_model
from server.job_analysis.schemas import (
    Applied,
    Card,
    CardPatch,
    DecisionIn,
    Draft,
    DraftIn,
    DraftPatch,
    Expert,
    ExpertIn,
    MergeIn,
    Study,
    StudyIn,
    StudyPage,
    StudyPatch,
)
from server.web.auth import CurrentUser, coaching_guard
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.i18n import negotiate, translations
from server.web.params import Limit, Offset, PathId, documented_as
from server.web.responses import ReportFormat, csv_response, html_response, pdf_response


class JobAnalysisController(ApiController):
    path = "/api/v1/job-analyses"
    guards = [coaching_guard]
    tags = ["job analysis"]

    @get("/", summary="Job-analysis studies you facilitate (admins: all)")
    async def list_studies(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> StudyPage:
        items, total = await repo.list_studies(user, limit=limit, offset=offset)
        return StudyPage(items=items, total=total, limit=limit, offset=offset)

    @post("/", summary="Start a job-analysis study of a role", raises=[UnprocessableError])
    async def create_study(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        data: JSONBody[StudyIn],
    ) -> Study:
        return await job_analysis_service.create(data.name, data.role_id, user)

    @get("/{study_id:int}", summary="One study: experts, cards sorted, the draft model")
    async def get_study(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
    ) -> Study:
        return await job_analysis_service.get(study_id, user)

    @patch(
        "/{study_id:int}",
        summary="Rename, change the decision rules, or move to the next (or previous) step",
        raises=[UnprocessableError, ConflictError],
    )
    async def update_study(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        data: JSONBody[StudyPatch],
    ) -> Study:
        return await job_analysis_service.update(study_id, data, user)

    @post(
        "/{study_id:int}/experts",
        summary="Invite a subject-matter expert; returns the expert's link (shown again on the "
        "study's page)",
        raises=[UnprocessableError, ConflictError],
    )
    async def add_expert(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        data: JSONBody[ExpertIn],
    ) -> Expert:
        return await job_analysis_service.invite(study_id, data, user)

    @get("/{study_id:int}/experts", summary="The experts with their progress (never their answers)")
    async def list_experts(
        self, request: Request[Any, Any, Any], user: CurrentUser, study_id: PathId
    ) -> list[Expert]:
        await repo.get_study(study_id, user)
        return await repo.list_experts(study_id)

    @post(
        "/{study_id:int}/experts/{expert_id:int}/link",
        status_code=200,
        summary="A new link for an expert; the old link stops working",
    )
    async def new_link(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        expert_id: PathId,
    ) -> Expert:
        return await job_analysis_service.new_link(study_id, expert_id, user)

    @get("/{study_id:int}/cards", summary="Every card of the study (never who wrote it)")
    async def list_cards(
        self, request: Request[Any, Any, Any], user: CurrentUser, study_id: PathId
    ) -> list[Card]:
        await repo.get_study(study_id, user)
        return await model.list_cards(study_id)

    @put(
        "/{study_id:int}/cards/{card_id:int}",
        summary="Sort a card into a competency as a present or absent indicator (or back)",
        raises=[ConflictError],
    )
    async def sort_card(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        card_id: PathId,
        data: JSONBody[CardPatch],
    ) -> Card:
        await job_analysis_service.sort(
            study_id, [(card_id, data.competency_id, data.polarity)], user
        )
        return next(c for c in await model.list_cards(study_id) if c.id == card_id)

    @post(
        "/{study_id:int}/competencies",
        summary="A competency of the draft model (a group of cards), new or linked to the library",
        raises=[UnprocessableError, ConflictError],
    )
    async def add_competency(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        data: JSONBody[DraftIn],
    ) -> Draft:
        return await job_analysis_service.add_draft(study_id, data, user)

    @patch(
        "/{study_id:int}/competencies/{competency_id:int}",
        summary="Rename, define, link or unlink a draft competency",
        raises=[UnprocessableError, ConflictError],
    )
    async def edit_competency(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        competency_id: PathId,
        data: JSONBody[DraftPatch],
    ) -> Draft:
        return await job_analysis_service.edit_draft(study_id, competency_id, data, user)

    @delete(
        "/{study_id:int}/competencies/{competency_id:int}",
        summary="Delete a draft competency; its cards go back to the unsorted pile",
        raises=[ConflictError],
    )
    async def delete_competency(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        competency_id: PathId,
    ) -> None:
        await job_analysis_service.delete_draft(study_id, competency_id, user)

    @post(
        "/{study_id:int}/competencies/{competency_id:int}/merge",
        status_code=200,
        summary="Merge a draft competency into another: its cards move, it is deleted",
        raises=[UnprocessableError, ConflictError],
    )
    async def merge_competency(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        competency_id: PathId,
        data: JSONBody[MergeIn],
    ) -> Draft:
        return await job_analysis_service.merge(study_id, competency_id, data.into, user)

    @put(
        "/{study_id:int}/decisions/{competency_id:int}",
        summary="Accept or override the proposed flags of one competency (a reason when the "
        "decision differs from the proposal)",
        raises=[UnprocessableError, ConflictError],
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        competency_id: PathId,
        data: JSONBody[DecisionIn],
    ) -> Study:
        await job_analysis_service.decide(study_id, competency_id, data, user)
        return await job_analysis_service.get(study_id, user)

    @post(
        "/{study_id:int}/decisions/accept",
        status_code=200,
        summary="Accept the proposal of every competency not decided yet",
        raises=[ConflictError],
    )
    async def accept_all(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
    ) -> Study:
        await job_analysis_service.accept_all(study_id, user)
        return await job_analysis_service.get(study_id, user)

    @post(
        "/{study_id:int}/apply",
        status_code=200,
        summary="Write the decided model into the library as a new version, with the evidence "
        "behind every flag",
        raises=[ConflictError],
    )
    async def apply(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
    ) -> Applied:
        return await job_analysis_service.apply(study_id, user)

    @get(
        "/{study_id:int}/report",
        summary="The job-analysis report (29 CFR 1607.15C(3)): method, experts, each "
        "competency's figures, CVR with its critical value, rules and decisions",
        operation_class=documented_as("text/html", "application/pdf", "text/csv"),
        raises=[NotFoundException],
        description=(
            "JSON (default), HTML and PDF (in ?lang=, else Accept-Language) or CSV (one row "
            "per competency). Experts appear by kind and number only; a competency's figures "
            "are withheld until three experts rated it."
        ),
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        job_analysis_service: Studies,
        user: CurrentUser,
        study_id: PathId,
        format: Annotated[ReportFormat, QueryParameter()] = "json",
        lang: Annotated[Language | None, QueryParameter()] = None,
    ) -> Response[Any]:
        study = await repo.get_study(study_id, user)
        language = lang or negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))
        # the JSON and the CSV name the role as the library does; the pages in their language
        model = await report_model(
            study, job_analysis_service, language if format in ("html", "pdf") else "en"
        )
        await audit.record(
            user.id,
            "exported" if format in ("pdf", "csv") else "viewed",
            f"job_analysis:{study_id}/report.{format}",
        )
        if format == "json":
            return Response(report_json(study, model))
        filename = f"job-analysis-{study_id}"
        if format == "csv":
            return csv_response(job_analysis_csv(model), filename=f"{filename}.csv")
        html = job_analysis_html(model, translations(language), lang=language)
        if format == "pdf":
            return await pdf_response(html, filename=f"{filename}.pdf")
        return html_response(html)
