"""Background jobs over the API: start printing a large report, follow it, download it.

``POST /api/v1/campaigns/{id}/report-jobs`` (a vacancy's ranked report as PDF) and
``POST /api/v1/reviews/{id}/report-jobs`` (every released 360 report of a cycle, a ZIP of
PDFs) answer 202 with the job; ``GET /api/v1/jobs/{id}`` says how far it got and
``GET /api/v1/jobs/{id}/download`` gives the file once done (409 before). A job is its
owner's alone: anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from server.core.vocabulary import LANGUAGES, Language
from server.jobs.dependencies import Jobs
from server.jobs.schemas import Job, job_out
from server.web.auth import CurrentUser, coaching_guard, hiring_guard, staff_guard
from server.web.base import ApiController
from server.web.errors import ConflictError
from server.web.i18n import negotiate
from server.web.params import PathId, documented_as
from server.web.responses import file_response

__all__ = ["JobController"]

ReportLang = Annotated[
    Language | None,
    QueryParameter(description="Language of the reports' text (else Accept-Language)"),
]


def _language(request: Request[Any, Any, Any], lang: str | None) -> str:
    return lang or negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))


class JobController(ApiController):
    path = "/api/v1"
    tags = ["jobs"]

    @post(
        "/campaigns/{campaign_id:int}/report-jobs",
        guards=[hiring_guard],
        status_code=202,
        summary="Print the vacancy's ranked report (PDF) in the background",
        description=(
            "Answers at once with the job; GET /api/v1/jobs/{id} follows it and "
            "/api/v1/jobs/{id}/download gives the PDF once done. The same request while a "
            "job for this vacancy and language is still queued or running returns that "
            "job. The report is read when the job runs. For small vacancies "
            "/api/v1/campaigns/{id}/report?format=pdf answers with the PDF directly."
        ),
    )
    async def start_vacancy_report(
        self,
        request: Request[Any, Any, Any],
        job_service: Jobs,
        user: CurrentUser,
        campaign_id: PathId,
        lang: ReportLang = None,
    ) -> Job:
        row = await job_service.start_vacancy_report(user, campaign_id, _language(request, lang))
        return job_out(row)

    @post(
        "/reviews/{review_id:int}/report-jobs",
        guards=[coaching_guard],
        status_code=202,
        raises=[ConflictError],
        summary="Print every released 360 report of the cycle (a ZIP of PDFs) in the background",
        description=(
            "One PDF per person with a report in the latest release (409 before the first "
            "release). A ZIP of the same release and language that is queued, running or "
            "done (and not expired) is returned instead of a new job."
        ),
    )
    async def start_cycle_reports(
        self,
        request: Request[Any, Any, Any],
        job_service: Jobs,
        user: CurrentUser,
        review_id: PathId,
        lang: ReportLang = None,
    ) -> Job:
        row = await job_service.start_cycle_reports(user, review_id, _language(request, lang))
        return job_out(row)

    @get(
        "/jobs/{job_id:int}",
        guards=[staff_guard],
        summary="A background job you started: status, progress, the file's address once done",
    )
    async def get_job(
        self, request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, job_id: PathId
    ) -> Job:
        return job_out(await job_service.job(user, job_id))

    @get(
        "/jobs/{job_id:int}/download",
        guards=[staff_guard],
        raises=[ConflictError],
        summary="The file a finished job made (409 while it is not done)",
        operation_class=documented_as("application/pdf", "application/zip", json=False),
        description="Each download is recorded in the audit log as an export of its reports.",
    )
    async def download(
        self, request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, job_id: PathId
    ) -> Response[bytes]:
        found = await job_service.download(user, job_id)
        return file_response(found.data, filename=found.filename, media_type=found.content_type)
